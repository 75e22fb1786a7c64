package io.sluice.node.primary;

import io.sluice.client.ClientListener;
import io.sluice.client.SluiceClient;
import io.sluice.node.admin.AdminClient;
import io.sluice.node.config.NodeConfig;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.ExecutionReportDecoder;
import io.sluice.sbe.client.HaltedDecoder;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.agrona.CloseHelper;
import org.agrona.collections.LongHashSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.sluice.node.primary.TestNodes.IDLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A failing disk: the primary's journal sync fails part way through a run (fault injection). The node stops
 * acknowledging at once, says why (STATUS, /healthz), refuses new orders with HALTED, and after a restart on a
 * healthy disk every order it had acknowledged is in its state exactly once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JournalFaultIT
{
    private static final long SESSION_ID = 3;
    private static final int ORDERS = 3_000;

    @TempDir
    Path dir;

    private PrimaryNode node;

    @AfterEach
    void close()
    {
        CloseHelper.quietClose(node);
    }

    private static final class Replies implements ClientListener
    {
        final LongHashSet accepted = new LongHashSet();
        long halted;
        long answered;

        public void onExecutionReport(final ExecutionReportDecoder report)
        {
            if (report.execType() == ExecType.NEW)
            {
                accepted.add(report.clientOrderId());
            }
        }

        public void onHalted(final HaltedDecoder decoder)
        {
            halted++;
        }

        public void onBatchEnd(final long requestSeq, final long wireSeq)
        {
            answered++;
        }
    }

    /** {@code -Dsluice.fault.scale=N} repeats the run N times, failing at a different sync each time. */
    private static final int SCALE = Integer.getInteger("sluice.fault.scale", 1);

    @Test
    void shouldStopAcknowledgingOnSyncFailureAndKeepEverythingAcknowledged() throws Exception
    {
        final java.util.Random random = new java.util.Random(11);
        long acknowledgedTotal = 0;
        for (int round = 0; round < SCALE; round++)
        {
            final int failAfter = round == 0 ? 40 : 5 + random.nextInt(300);
            acknowledgedTotal += failDiskOnce(dir.resolve("round-" + round), failAfter);
        }
        System.out.println("disk fault: " + SCALE + " sync failures survived, " + acknowledgedTotal +
            " acknowledged orders all found exactly once after restart");
    }

    /** One run whose journal sync fails after {@code failAfter} syncs; returns the orders acknowledged. */
    private int failDiskOnce(final Path dir, final int failAfter) throws Exception
    {
        final Map<String, String> raw = TestNodes.standaloneConfig(dir.resolve("node"));
        raw.put("journal.group.max.entries", "8");
        raw.put("fault.journal.sync.fail.after", Integer.toString(failAfter));
        node = PrimaryNode.start(TestNodes.config(raw, dir));

        final Replies replies = new Replies();
        final SluiceClient client = TestNodes.client(node.clientAddress(), SESSION_ID, replies);
        for (int i = 1; i <= ORDERS; i++)
        {
            while (client.placeOrder(i, 1, i % 2 == 0 ? Side.BUY : Side.SELL, OrderType.LIMIT, TimeInForce.GTC, false,
                i % 2 == 0 ? 9_000 + i % 50 : 11_000 + i % 50, 1) == SluiceClient.BACK_PRESSURED)
            {
                IDLE.idle(client.poll());
            }
            client.poll();
        }
        TestNodes.await(() -> node.haltReason() != null, 30_000, "the node halts");
        assertTrue(node.haltReason().contains("journal sync of wireSeq up to") &&
            node.haltReason().contains("injected sync failure") && !node.haltReason().contains("disk full"),
            "STATUS and /healthz name the failed sync: " + node.haltReason());
        try (AdminClient admin = new AdminClient(node.adminAddress(), 10_000))
        {
            final List<String> status = admin.execute("STATUS");
            assertTrue(String.join("\n", status).contains("trading=halted"), status.toString());
        }

        // Drain what the node will still say: HALTED for requests taken after the failure, nothing for requests
        // journaled but never synced (they stay unanswered: never acknowledged).
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < deadline)
        {
            IDLE.idle(client.poll());
        }
        final int acknowledged = replies.accepted.size();
        assertTrue(acknowledged > 0 && acknowledged < ORDERS,
            "some orders acknowledged before the failure, not all: " + acknowledged);
        assertTrue(client.inFlight() > 0, "requests caught by the failure stay unanswered");
        final long persistedAtFailure = node.journalPersistedWireSeq();
        client.close();
        assertFalse(node.shutdown(1_000), "a node whose journal failed cannot drain what it took");
        node = null;

        // Restart on a healthy disk: everything acknowledged is there, once.
        raw.remove("fault.journal.sync.fail.after");
        final NodeConfig healthy = TestNodes.config(raw, dir);
        node = PrimaryNode.start(healthy);
        assertTrue(node.lastWireSeq() >= persistedAtFailure);
        node.close();
        node = null;
        final JournalReplay replay = JournalReplay.of(healthy, SESSION_ID);
        replies.accepted.forEach(clientOrderId -> assertEquals(1, replay.acceptedOrders.get(clientOrderId),
            "acknowledged order " + clientOrderId + " is in the state exactly once"));
        replay.acceptedOrders.forEach((clientOrderId, count) -> assertEquals(1, count));
        return acknowledged;
    }
}
