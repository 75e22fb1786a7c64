package io.sluice.replication;

import io.aeron.driver.ext.LossGenerator;
import io.sluice.replication.ReplicationTestSupport.Primary;
import io.sluice.replication.ReplicationTestSupport.Replica;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static io.sluice.replication.ReplicationTestSupport.assertNoAgentErrors;
import static io.sluice.replication.ReplicationTestSupport.assertSameJournal;
import static io.sluice.replication.ReplicationTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replication link under network faults, injected into both nodes' media drivers: frames lost at random (Aeron
 * retransmits them, so they also arrive out of order), and the link cut for longer than the heartbeat timeout then
 * restored. The slot goes inactive and active again as it should, and the replica never skips or repeats an entry.
 * {@code -Dsluice.fault.scale=N} makes the run N times longer.
 */
class ReplicationNetworkFaultTest
{
    /** {@code -Dsluice.fault.scale=N} runs N times the entries and N link cuts: the documented long run. */
    private static final int SCALE = Integer.getInteger("sluice.fault.scale", 1);

    @TempDir
    Path dir;

    private Primary primary;
    private Replica replica;

    @AfterEach
    void tearDown()
    {
        CloseHelper.closeAll(replica, primary);
        ReplicationTestSupport.networkLoss = null;
        assertNoAgentErrors();
    }

    /** Drops a fraction of frames while on, and everything while cut. */
    static final class FaultyNetwork implements LossGenerator
    {
        volatile double lossRate;
        volatile boolean cut;
        final AtomicLong dropped = new AtomicLong();

        public boolean shouldDropFrame(final InetSocketAddress address, final UnsafeBuffer buffer, final int length)
        {
            final boolean drop = cut || (lossRate > 0 && ThreadLocalRandom.current().nextDouble() < lossRate);
            if (drop)
            {
                dropped.incrementAndGet();
            }
            return drop;
        }
    }

    @Test
    void shouldDeliverEveryEntryOnceThroughRandomLoss()
    {
        final FaultyNetwork network = new FaultyNetwork();
        network.lossRate = 0.1;
        ReplicationTestSupport.networkLoss = network;
        primary = new Primary(dir.resolve("primary"), 1, (context) -> {});
        replica = new Replica(dir.resolve("a"), 2, primary, 0);
        final long total = 3_000L * SCALE;
        for (int round = 0; round < SCALE; round++)
        {
            primary.append(3_000);
        }
        await(() -> primary.metrics.persistedWireSeq(0) == total,
            () -> "replica persisted everything through 10% loss, at " + primary.metrics.persistedWireSeq(0));
        System.out.println("network fault: " + total + " entries through 10% loss, " + network.dropped.get() +
            " frames dropped, gaps " + replica.agent.gaps());

        assertTrue(network.dropped.get() > 0, "frames were dropped");
        assertEquals(0, replica.agent.gaps(), "no entry skipped");
        assertEquals(0, replica.agent.badEntries());
        replica.quiesce();
        assertEquals(primary.node.engine.stateHash(), replica.node.stateMachine.stateHash());
        primary.node.stopJournalAgent();
        assertSameJournal(primary.node.journal, replica.node.journal, total);
    }

    @Test
    void shouldDeactivateTheSlotWhileTheLinkIsCutAndResumeWithoutGapOrRepeat()
    {
        final FaultyNetwork network = new FaultyNetwork();
        ReplicationTestSupport.networkLoss = network;
        primary = new Primary(dir.resolve("primary"), 1, (context) -> context
            .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(50))
            .heartbeatTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500)));
        replica = new Replica(dir.resolve("a"), 2, primary.dataEndpoints[0], primary.controlEndpoints[0],
            ReplicationTestSupport.engineContext(), (context) -> context
            .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(50))
            .heartbeatTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500)));
        primary.append(1_000);
        await(() -> primary.metrics.persistedWireSeq(0) == 1_000, () -> "stream");
        assertEquals(1, primary.metrics.activationCount(0));

        for (int cut = 1; cut <= SCALE; cut++)
        {
            final long activations = primary.metrics.activationCount(0);
            network.cut = true;
            primary.append(1_000);
            await(() -> !primary.metrics.isActive(0), () -> "slot inactive while the link is cut");
            assertEquals(0, primary.metrics.inMemoryWireSeq(0), "an inactive slot's cursors are zero");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));
            assertFalse(primary.metrics.isActive(0), "no activation while cut");

            network.cut = false;
            primary.append(1_000);
            final long expected = 1_000 + 2_000L * cut;
            await(() -> primary.metrics.isActive(0) && primary.metrics.persistedWireSeq(0) == expected,
                () -> "slot active again and caught up, at " + primary.metrics.persistedWireSeq(0));
            // Handshakes sent while the link was cut may arrive together; each restarts the stream, so count at
            // least.
            assertTrue(primary.metrics.activationCount(0) > activations, "the slot was activated again");
        }
        System.out.println("network fault: " + SCALE + " link cuts survived, " + network.dropped.get() +
            " frames dropped, replica rehandshakes " + replica.agent.rehandshakes() + ", gaps " +
            replica.agent.gaps() + ", repeated entries passed over " + replica.agent.repeatedEntries());
        assertTrue(replica.agent.rehandshakes() >= 1, "the replica handshook again after the cut");
        assertEquals(0, replica.agent.gaps(), "no entry skipped");
        assertEquals(0, replica.agent.badEntries());
        replica.quiesce();
        assertEquals(primary.node.engine.stateHash(), replica.node.stateMachine.stateHash());
        primary.node.stopJournalAgent();
        assertSameJournal(primary.node.journal, replica.node.journal, 1_000 + 2_000L * SCALE);
    }
}
