package io.sluice.node.primary;

import io.sluice.client.ClientContext;
import io.sluice.client.ClientListener;
import io.sluice.client.SluiceClient;
import io.sluice.journal.Journal;
import io.sluice.journal.JournalEntryView;
import io.sluice.journal.JournalReader;
import io.sluice.journal.SnapshotStore;
import io.sluice.matching.MatchingEngine;
import io.sluice.matching.MatchingListener;
import io.sluice.node.admin.AdminClient;
import io.sluice.node.config.NodeConfig;
import io.sluice.pipeline.sequencer.CommandApplier;
import io.sluice.pipeline.sequencer.ExchangeStateMachine;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.ExecutionReportDecoder;
import io.sluice.sbe.client.HaltedDecoder;
import io.sluice.sbe.client.Liquidity;
import io.sluice.sbe.client.OrderState;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import io.sluice.sbe.journal.EntryType;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongHashSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.sluice.node.primary.TestNodes.IDLE;
import static io.sluice.node.primary.ThreeNodes.PRIMARY;
import static io.sluice.node.primary.ThreeNodes.REPLICA_A;
import static io.sluice.node.primary.ThreeNodes.REPLICA_B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failover, with every node a separate process: SIGKILL the primary under load, PROMOTE the replica holding the
 * most, and the client fails over and resends. Every order the client saw acknowledged is in the new primary's
 * journal exactly once, nothing is doubled, the other replica follows the new primary to the same state, and the
 * old primary, restarted, fences itself when it hears the new epoch.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PromotionIT
{
    private static final long SESSION_ID = 7;
    private static final int ORDERS_BEFORE_KILL = 1_500;
    private static final int ORDERS_AFTER_PROMOTION = 500;
    private static final Pattern PERSISTED = Pattern.compile("\"persisted_wire_seq\":(\\d+)");

    @TempDir
    Path dir;

    private ThreeNodes nodes;

    @AfterEach
    void kill()
    {
        if (nodes != null)
        {
            nodes.close();
        }
    }

    private static final class Acks implements ClientListener
    {
        final LongHashSet accepted = new LongHashSet();
        long halted;

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
    }

    /** Resting orders only (bids below, offers above the reference), so every accepted order stays on the book. */
    private static long place(final SluiceClient client, final long clientOrderId)
    {
        final boolean buy = clientOrderId % 2 == 0;
        return client.placeOrder(clientOrderId, 1, buy ? Side.BUY : Side.SELL, OrderType.LIMIT, TimeInForce.GTC,
            false, buy ? 9_000 + clientOrderId % 50 : 11_000 + clientOrderId % 50, 1 + clientOrderId % 3);
    }

    @Test
    void shouldPromoteAReplicaWithoutLosingOrDoublingAcknowledgedOrdersAndFenceTheOldPrimary() throws Exception
    {
        nodes = new ThreeNodes(dir, Map.of());
        nodes.start();
        // The operator's choice travels to the replicas in heartbeats, and a promoted replica keeps it.
        assertEquals(List.of("OK hybrid -> replicated"), nodes.admin(PRIMARY, "DURABILITY replicated"));
        TestNodes.await(() -> nodes.adminQuietly(REPLICA_A, "STATUS").contains("policy=replicated") &&
            nodes.adminQuietly(REPLICA_B, "STATUS").contains("policy=replicated"), 10_000,
            "replicas heard the policy");

        // Under load: requests pipelined, the primary killed with many in flight.
        final Acks acks = new Acks();
        final SluiceClient client = new SluiceClient(new ClientContext()
            .endpoints(nodes.clientEndpoints())
            .sessionId(SESSION_ID)
            .accountId(SESSION_ID)
            .reconnectTimeoutMs(60_000), acks);
        client.connect();
        for (long clientOrderId = 1; clientOrderId <= ORDERS_BEFORE_KILL; clientOrderId++)
        {
            while (place(client, clientOrderId) == SluiceClient.BACK_PRESSURED)
            {
                IDLE.idle(client.poll());
            }
            client.poll();
        }
        while (acks.accepted.size() < ORDERS_BEFORE_KILL / 2)
        {
            IDLE.idle(client.poll());
        }
        nodes.process(PRIMARY).destroyForcibly().waitFor();
        final int ackedBeforeKill = acks.accepted.size();
        assertTrue(ackedBeforeKill > 0, "some orders were acknowledged before the kill");

        // Both replicas notice the silence (heartbeat timeout); then promote the one holding the most, and the other
        // must follow it.
        TestNodes.await(() -> !nodes.adminQuietly(REPLICA_A, "STATUS").contains("FOLLOWING") &&
            !nodes.adminQuietly(REPLICA_B, "STATUS").contains("FOLLOWING"), 30_000, "replicas saw the primary go");
        final boolean promoteA = nodes.applied(REPLICA_A) >= nodes.applied(REPLICA_B);
        final int newPrimary = promoteA ? REPLICA_A : REPLICA_B;
        final int follower = promoteA ? REPLICA_B : REPLICA_A;
        final List<String> promoted = nodes.admin(newPrimary, "PROMOTE");
        assertTrue(promoted.get(0).startsWith("OK promoted role=primary epoch=2"), promoted.toString());
        assertTrue(promoted.get(0).endsWith("policy=replicated"), "the promoted primary keeps the operator's policy: " +
            promoted);
        assertTrue(nodes.admin(newPrimary, "STATUS").get(0).startsWith("OK role=primary epoch=2"));
        TestNodes.await(() -> nodes.healthz(newPrimary).contains("\"replicas_connected\":1"), 30_000,
            "the other replica follows the promoted one");
        assertTrue(Files.readString(nodes.log(promoteA ? "replica-a" : "replica-b"))
            .contains("replayed=0"), "the promoted replica starts from its warm state, replaying nothing");

        // The client fails over (the dead primary refuses, the promoted replica answers) and resends.
        for (long clientOrderId = ORDERS_BEFORE_KILL + 1;
            clientOrderId <= ORDERS_BEFORE_KILL + ORDERS_AFTER_PROMOTION; clientOrderId++)
        {
            while (place(client, clientOrderId) == SluiceClient.BACK_PRESSURED)
            {
                IDLE.idle(client.poll());
            }
            client.poll();
        }
        assertTrue(client.awaitAllAnswered(60, TimeUnit.SECONDS, IDLE), "every request answered after failover");
        assertEquals(nodes.clientEndpoint(newPrimary).getPort(), client.endpoint().getPort(),
            "the client failed over to the promoted replica");
        assertEquals(0, acks.halted, "the promoted primary had its replica before the client came back");
        client.close();

        final long lastWireSeq = nodes.wireSeq(newPrimary);
        TestNodes.await(() -> persisted(follower) == lastWireSeq, 30_000, "the follower caught up");
        final String followerHash = nodes.hashAt(follower, lastWireSeq);

        // A returning old primary hears the new epoch in the follower's heartbeats and fences itself.
        nodes.startPrimary(PRIMARY, "primary-2");
        TestNodes.await(() -> nodes.healthz(PRIMARY).contains("fenced"), 30_000, "the old primary fenced");
        final Acks staleAcks = new Acks();
        final SluiceClient staleClient = TestNodes.client(nodes.clientEndpoint(PRIMARY), 99, staleAcks);
        final long requestSeq = place(staleClient, 1);
        assertTrue(staleClient.awaitAnswer(requestSeq, 30, TimeUnit.SECONDS, IDLE));
        assertEquals(1, staleAcks.halted, "a fenced primary refuses orders");
        assertTrue(staleAcks.accepted.isEmpty());
        staleClient.close();
        assertTrue(nodes.admin(follower, "STATUS").get(1).startsWith("primary_node=" + (promoteA ? 2 : 3) +
            " primary_epoch=2"), "the follower stays with the new primary");

        // Stop the new primary cleanly and read its journal: every acknowledged order exactly once, none doubled.
        final Process newPrimaryProcess = nodes.process(newPrimary);
        newPrimaryProcess.destroy();
        assertTrue(newPrimaryProcess.waitFor(30, TimeUnit.SECONDS));
        // Replay its whole journal (no snapshot) and count the orders the engine accepted: each order the client
        // saw acknowledged exactly once, no order twice, and every order of the run present (an order whose
        // acknowledgement the kill swallowed was resent and answered DUPLICATE_REQUEST: it was already in).
        final NodeConfig config = NodeConfig.load(nodes.config(newPrimary), Map.of());
        final JournalReplay replay = JournalReplay.of(config, SESSION_ID);
        final long epochBumpWireSeq = replay.epochBumpWireSeq;
        assertEquals(2, replay.lastEpoch);
        assertTrue(epochBumpWireSeq > 0, "the promotion journaled an epoch bump");
        acks.accepted.forEach(clientOrderId -> assertEquals(1, replay.acceptedOrders.get(clientOrderId),
            "acknowledged order " + clientOrderId + " is in the state exactly once"));
        replay.acceptedOrders.forEach((clientOrderId, count) -> assertEquals(1, count,
            "order " + clientOrderId + " accepted once"));
        assertEquals(ORDERS_BEFORE_KILL + ORDERS_AFTER_PROMOTION, replay.acceptedOrders.size(),
            "every order of the run is in the new primary's state");
        assertEquals(followerHash, Long.toHexString(replay.stateHash),
            "the follower's state equals the new primary's journal state at the same wireSeq");
    }

    private long persisted(final int node)
    {
        final Matcher matcher = PERSISTED.matcher(nodes.healthz(node));
        return matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
    }
}
