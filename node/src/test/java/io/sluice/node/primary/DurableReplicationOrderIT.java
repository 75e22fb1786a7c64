package io.sluice.node.primary;

import io.sluice.client.ClientListener;
import io.sluice.client.SluiceClient;
import io.sluice.node.replica.ReplicaNode;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.ExecutionReportDecoder;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.sluice.node.primary.TestNodes.IDLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The order of events the gate promises, watched from the client: a primary and a replica whose every journal sync
 * takes 40 ms longer (a slow disk), in one JVM so the test can read the replica's cursors the moment a reply lands.
 * Under {@code durably-replicated} no reply arrives before both journals have synced its wireSeq; under
 * {@code replicated} (in memory on two nodes) replies do overtake the slow replica's fsync, which shows the check
 * can tell the two apart.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DurableReplicationOrderIT
{
    private static final int ORDERS = 200;

    @TempDir
    Path dir;

    private PrimaryNode primary;
    private ReplicaNode replica;

    @AfterEach
    void close()
    {
        CloseHelper.quietCloseAll(primary, replica);
    }

    /** Counts replies released before the slow replica (or the primary) had synced their wireSeq. */
    private final class Observer implements ClientListener
    {
        int replies;
        int beforeReplicaSynced;
        int beforePrimarySynced;
        int beforeReplicaApplied;

        public void onExecutionReport(final ExecutionReportDecoder report)
        {
            if (report.execType() != ExecType.NEW)
            {
                return;
            }
            final long wireSeq = report.wireSeq();
            // Read at once: cursors only move forward, so a cursor below wireSeq now was below it at release.
            final long replicaPersisted = replica.replicaAgent().persistedWireSeq();
            final long replicaApplied = replica.replicaAgent().appliedWireSeq();
            final long primaryPersisted = primary.journalPersistedWireSeq();
            replies++;
            beforeReplicaSynced += replicaPersisted < wireSeq ? 1 : 0;
            beforeReplicaApplied += replicaApplied < wireSeq ? 1 : 0;
            beforePrimarySynced += primaryPersisted < wireSeq ? 1 : 0;
        }
    }

    @ParameterizedTest
    @CsvSource({ "durably-replicated, false", "replicated, true" })
    void shouldReleaseRepliesOnlyOnceThePolicysCopiesExist(final String policy, final boolean mayOvertakeFsync)
        throws Exception
    {
        final int[] udp = { TestNodes.freePort(), TestNodes.freePort() };
        final Map<String, String> primaryConfig = TestNodes.standaloneConfig(dir.resolve("primary"));
        primaryConfig.put("durability", policy);
        primaryConfig.put("aeron.dir", dir.resolve("primary").resolve("aeron").toString());
        primaryConfig.put("replication.replica.0.data", "127.0.0.1:" + udp[0]);
        primaryConfig.put("replication.replica.0.control", "127.0.0.1:" + udp[1]);
        final Map<String, String> replicaConfig = TestNodes.standaloneConfig(dir.resolve("replica"));
        replicaConfig.remove("durability");
        replicaConfig.put("node.id", "2");
        replicaConfig.put("aeron.dir", dir.resolve("replica").resolve("aeron").toString());
        replicaConfig.put("replication.data.bind", "127.0.0.1:" + udp[0]);
        replicaConfig.put("replication.primary.control", "127.0.0.1:" + udp[1]);
        replicaConfig.put("fault.journal.sync.delay.ms", "40");

        primary = PrimaryNode.start(TestNodes.config(primaryConfig, dir));
        replica = ReplicaNode.start(TestNodes.config(replicaConfig, dir));
        TestNodes.await(() -> primary.replicationMetrics().activeCount() == 1, 30_000, "replica connected");

        final Observer observer = new Observer();
        final SluiceClient client = TestNodes.client(primary.clientAddress(), 1, observer);
        for (int i = 0; i < ORDERS; i++)
        {
            final boolean buy = i % 2 == 0;
            while (client.placeOrder(i + 1, 1, buy ? Side.BUY : Side.SELL, OrderType.LIMIT, TimeInForce.GTC, false,
                buy ? 9_000 + i % 50 : 11_000 + i % 50, 1) == SluiceClient.BACK_PRESSURED)
            {
                IDLE.idle(client.poll());
            }
            client.poll();
        }
        assertTrue(client.awaitAllAnswered(60, TimeUnit.SECONDS, IDLE));
        client.close();

        assertEquals(ORDERS, observer.replies);
        assertEquals(0, observer.beforeReplicaApplied, "no policy here releases a reply the replica has not applied");
        if (mayOvertakeFsync)
        {
            assertTrue(observer.beforeReplicaSynced > 0,
                "in memory on two nodes is enough: some replies overtake the slow replica's fsync");
        }
        else
        {
            assertEquals(0, observer.beforeReplicaSynced, "no reply before the replica's journal synced it");
            assertEquals(0, observer.beforePrimarySynced, "no reply before the primary's journal synced it");
        }
    }
}
