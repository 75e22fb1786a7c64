package io.sluice.harness.soak;

import io.sluice.client.ClientContext;
import io.sluice.client.ClientListener;
import io.sluice.client.SluiceClient;
import io.sluice.harness.bench.BenchContext;
import io.sluice.harness.bench.BenchResult;
import io.sluice.harness.bench.LoadGenerator;
import io.sluice.harness.check.CheckResult;
import io.sluice.harness.check.HistoryChecker;
import io.sluice.node.config.NodeConfig;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's failover, end to end on the symmetric three-node configs: the primary journals entries no replica
 * acknowledged, dies, a replica is promoted and the other follows it, and {@code sluice replica --rejoin} brings the
 * old primary back: refused as diverged, it sets its journal aside and follows the new primary from its snapshot.
 * Three nodes stream again, and the history checker finds every order acknowledged under {@code hybrid}, before and
 * after the failover, exactly once in the new primary's journal and on both replicas.
 */
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class RejoinIT
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(90);
    private static final IdleStrategy IDLE = new BackoffIdleStrategy(1, 1, 1_000, 1_000_000);

    @TempDir
    Path dir;

    @Test
    void shouldBringTheOldPrimaryBackAsAReplicaOfThePromotedOne() throws Exception
    {
        final SoakContext context = new SoakContext().ratePerSecond(200).connections(2).instruments(2)
            .snapshotIntervalEntries(500);
        try (SoakCluster cluster = new SoakCluster(dir, context))
        {
            cluster.startAll(TIMEOUT_NS);
            final SoakCluster.Node oldPrimary = cluster.nodes().get(0);
            final SoakCluster.Node promoted = cluster.nodes().get(1);
            final SoakCluster.Node other = cluster.nodes().get(2);
            final BenchResult before = load(cluster, dir.resolve("before.jsonl"), 0);

            // Entries only the primary journals, then it dies: the replicas never see them.
            assertEquals("OK hybrid -> local", cluster.admin(oldPrimary, "DURABILITY local").get(0));
            assertEquals(0, cluster.stop(promoted));
            assertEquals(0, cluster.stop(other));
            unrecordedOrders(oldPrimary, 30);
            cluster.kill(oldPrimary);

            // The operator promotes a replica; the other follows it.
            cluster.startReplica(promoted, false);
            cluster.startReplica(other, false);
            final List<String> reply = cluster.promote(promoted);
            assertTrue(reply.get(0).startsWith("OK promoted role=primary epoch=2"), reply.toString());
            promoted.role = SoakCluster.Role.PRIMARY;
            cluster.admin(promoted, "DURABILITY hybrid");

            // The old primary comes back with --rejoin and streams again.
            cluster.rejoin(oldPrimary);
            assertNull(cluster.awaitHealthy(TIMEOUT_NS), "three nodes streaming");
            final String log = Files.readString(cluster.logFile(oldPrimary).resolveSibling(
                cluster.logFile(oldPrimary).getFileName().toString().replace(".log", ".out")));
            assertTrue(log.contains("sluice replica rejoin: refused DIVERGED") ||
                log.contains("sluice replica rejoin: refused AHEAD_OF_PRIMARY"), log);
            assertEquals(1, Soak.setAsideJournals(oldPrimary.dataDir).stream()
                .filter(path -> path.getFileName().toString().startsWith("journal.diverged-")).count(),
                "the diverged journal is kept");
            final SoakCluster.Status primaryStatus = cluster.status(promoted);
            assertEquals("2", primaryStatus.get("replicas_connected"), primaryStatus.toString());
            assertEquals("2", cluster.status(oldPrimary).get("epoch"), cluster.status(oldPrimary).toString());
            final String audit = Files.readString(promoted.dataDir.resolve("audit.log"));
            assertTrue(audit.contains(" event=admin_command operator=none remote=") &&
                audit.contains(" command=PROMOTE args=\"\" result=\"OK promoted role=primary epoch=2 ") &&
                audit.contains(" event=promoted role=primary epoch=2 "), audit);

            final BenchResult after = load(cluster, dir.resolve("after.jsonl"), 1);
            assertNull(cluster.awaitHealthy(TIMEOUT_NS), "every node caught up");
            assertEquals(0, cluster.stop(promoted), "the new primary drains");
            cluster.stop(oldPrimary);
            cluster.stop(other);

            final CheckResult check = new HistoryChecker()
                .primary(promoted.dataDir)
                .replica(oldPrimary.dataDir)
                .replica(other.dataDir)
                .config(NodeConfig.load(promoted.configFile, Map.of()))
                .policy("hybrid")
                .check(List.of(dir.resolve("before.jsonl"), dir.resolve("after.jsonl")));
            assertTrue(check.passed(), check.summary() + "\n" + check.violations());
            assertEquals(before.acked() + after.acked(), check.acknowledged(), check.summary());
        }
    }

    private static BenchResult load(final SoakCluster cluster, final Path history, final int run) throws Exception
    {
        final BenchResult result = LoadGenerator.run(new BenchContext()
            .endpoints(cluster.clientEndpoints())
            .ratePerSecond(200)
            .connections(2)
            .instruments(2)
            .seed(16 + run)
            .firstClientOrderId((run + 1) * 1_000_000_000L)
            .warmupNs(0)
            .durationNs(TimeUnit.SECONDS.toNanos(3))
            .drainTimeoutNs(TimeUnit.SECONDS.toNanos(60))
            .reconnectTimeoutNs(TimeUnit.SECONDS.toNanos(60))
            .historyFile(history));
        assertEquals(0, result.unanswered(), "every request answered");
        assertEquals(0, result.errors());
        assertTrue(result.acked() > 0);
        return result;
    }

    /** Orders from a session no history records, acknowledged under local by the old primary alone. */
    private static void unrecordedOrders(final SoakCluster.Node node, final int count) throws Exception
    {
        try (SluiceClient client = new SluiceClient(new ClientContext().endpoint(node.clientAddress)
            .sessionId(900).accountId(900).autoReconnect(false), new ClientListener()
            {
            }))
        {
            client.connect();
            for (int i = 0; i < count; i++)
            {
                final long request = client.placeOrder(900_000 + i, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC,
                    false, 9_000 + i, 1);
                assertTrue(client.awaitAnswer(request, 30, TimeUnit.SECONDS, IDLE));
            }
        }
    }
}
