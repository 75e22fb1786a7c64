package io.sluice.harness.soak;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The short crash soak: three node processes under load, seven SIGKILLs on a fixed seed (a replica killed again
 * while catching up, the primary killed at a snapshot, the primary killed and the other replica killed while the
 * promotion runs, the primary killed as its journal rolls to a new cycle file, a replica), each recovered by restart
 * or promotion, with the durability policy swapped at random throughout; then every request the clients recorded is
 * checked against the final primary's and the replicas' journals. The long version is {@code sluice soak}.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SoakIT
{
    private static final List<FaultKind> PLAN = List.of(
        FaultKind.REPLICA_KILL_DURING_CATCH_UP,
        FaultKind.PRIMARY_KILL_DURING_SNAPSHOT,
        FaultKind.KILL_DURING_PROMOTION,
        FaultKind.PRIMARY_KILL_AT_SEGMENT_ROLL,
        FaultKind.REPLICA_KILL);

    @TempDir
    Path dir;

    @Test
    void shouldSurviveKillsOfPrimaryAndReplicasWithoutLosingOrDoublingAcknowledgedRequests() throws Exception
    {
        final SoakResult result = Soak.run(new SoakContext()
            .seed(20261122)
            .plan(PLAN)
            .durationNs(TimeUnit.MINUTES.toNanos(10))
            .ratePerSecond(400)
            .loadRunNs(TimeUnit.SECONDS.toNanos(5))
            .faultGapNs(TimeUnit.MILLISECONDS.toNanos(500), TimeUnit.MILLISECONDS.toNanos(1_500))
            .directory(dir.resolve("soak"))
            .progress(System.out));
        System.out.print(result.summary());

        assertEquals(PLAN.size(), result.faults().size(), result.summary());
        assertEquals(PLAN.size(), result.faultsSurvived(), result.summary());
        assertEquals(7, result.kills());
        assertEquals(3, result.promotions(), "each primary kill ended in a promotion");
        assertNotNull(result.check(), result.summary());
        assertEquals(0, result.violations(), result.summary());
        assertTrue(result.problems().isEmpty(), result.summary());
        assertTrue(result.check().acknowledged() > 0, result.summary());
        assertEquals(0, result.check().unanswered(), "every request answered once the cluster recovered");
        assertTrue(result.reconnects() > 0, "the clients failed over");
        assertTrue(result.policySwaps() > 0, "the operator thread swapped the durability policy under the faults");
        assertTrue(result.passed(), result.summary());
    }
}
