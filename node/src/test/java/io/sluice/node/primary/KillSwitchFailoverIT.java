package io.sluice.node.primary;

import io.sluice.client.ClientContext;
import io.sluice.client.ClientListener;
import io.sluice.client.SluiceClient;
import io.sluice.node.config.NodeConfig;
import io.sluice.sbe.client.CancelOnDisconnect;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.ExecutionReportDecoder;
import io.sluice.sbe.client.OrderState;
import io.sluice.sbe.client.OrderStatusDecoder;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.agrona.collections.Long2ObjectHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.sluice.node.primary.ThreeNodes.PRIMARY;
import static io.sluice.node.primary.ThreeNodes.REPLICA_A;
import static io.sluice.node.primary.ThreeNodes.REPLICA_B;
import static io.sluice.node.primary.TestNodes.IDLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kill switch and cancel-on-disconnect across a failover and a restart, every node a process: both are journaled
 * commands, so the replicas reach the primary's state hash, a promoted replica keeps the kills and the cancels and
 * runs cancel-on-disconnect itself, and a restarted node recovers them from its snapshot and journal.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class KillSwitchFailoverIT
{
    private static final long GRACE_MS = 500;
    /** Session and account of the trader with cancel-on-disconnect, the one killed, and the bystander. */
    private static final long GUARDED = 7;
    private static final long KILLED = 9;
    private static final long BYSTANDER = 8;
    private static final int ORDERS = 200;
    private static final Pattern RECOVERED =
        Pattern.compile("recovered journal=\\S+ lastWireSeq=(\\d+) .*stateHash=([0-9a-f]+)");

    @TempDir
    Path dir;

    private ThreeNodes nodes;

    @AfterEach
    void stop()
    {
        if (nodes != null)
        {
            nodes.close();
        }
    }

    /** What a trader's connection heard. */
    private static final class Replies implements ClientListener
    {
        int accepted;
        final Map<RejectReason, Integer> rejected = new java.util.EnumMap<>(RejectReason.class);
        final Long2ObjectHashMap<OrderState> states = new Long2ObjectHashMap<>();

        public void onExecutionReport(final ExecutionReportDecoder report)
        {
            if (report.execType() == ExecType.NEW)
            {
                accepted++;
            }
            else if (report.execType() == ExecType.REJECTED)
            {
                rejected.merge(report.rejectReason(), 1, Integer::sum);
            }
        }

        public void onOrderStatus(final OrderStatusDecoder status)
        {
            states.put(status.clientOrderId(), status.state());
        }
    }

    @Test
    void shouldKeepKillsAndCancelOnDisconnectThroughAFailoverAndARestartWithEqualStateHashes() throws Exception
    {
        nodes = new ThreeNodes(dir, Map.of("client.cancel.on.disconnect.grace.ms", Long.toString(GRACE_MS)));
        nodes.start();

        // Load: the guarded trader rests DAY and GTC orders (odd and even ids), the others GTC and DAY.
        final Replies guardedReplies = new Replies();
        final SluiceClient guarded = connect(nodes.clientEndpoint(PRIMARY), GUARDED, GUARDED,
            CancelOnDisconnect.ON, guardedReplies);
        final SluiceClient killed = connect(nodes.clientEndpoint(PRIMARY), KILLED, KILLED, CancelOnDisconnect.NULL_VAL,
            new Replies());
        final Replies bystanderReplies = new Replies();
        final SluiceClient bystander = connect(nodes.clientEndpoint(PRIMARY), BYSTANDER, BYSTANDER,
            CancelOnDisconnect.NULL_VAL, bystanderReplies);
        placeAll(guarded, 1, ORDERS, true);
        placeAll(killed, 1, ORDERS / 2, false);
        placeAll(bystander, 1, ORDERS / 4, true);
        assertEquals(ORDERS, guardedReplies.accepted);

        // Bad input is refused with a reason and changes nothing.
        final long before = nodes.wireSeq(PRIMARY);
        for (final String bad : List.of("KILL", "KILL account", "KILL account seven", "KILL desk 9",
            "KILL account 0", "UNKILL session 1 2", "KILL account 99999999999999999999"))
        {
            final List<String> answer = nodes.admin(PRIMARY, bad);
            assertTrue(answer.get(0).startsWith("ERR "), bad + " -> " + answer);
        }
        assertEquals(before, nodes.wireSeq(PRIMARY), "a refused KILL journals nothing");

        assertEquals(List.of("OK killed account " + KILLED + ": " + ORDERS / 2 + " orders cancelled (wireSeq " +
            (before + 1) + ")"), nodes.admin(PRIMARY, "KILL account " + KILLED));
        assertTrue(nodes.admin(PRIMARY, "KILL session " + BYSTANDER).get(0)
            .startsWith("OK killed session " + BYSTANDER + ": " + ORDERS / 4 + " orders cancelled"));
        assertTrue(nodes.admin(PRIMARY, "UNKILL session " + BYSTANDER).get(0)
            .startsWith("OK unkilled session " + BYSTANDER));
        assertEquals(Integer.toString((int)KILLED), nodes.status(PRIMARY, "killed_accounts"));
        assertEquals("none", nodes.status(PRIMARY, "killed_sessions"));
        final Replies killedReplies = new Replies();
        killed.close();
        final SluiceClient killedAgain = connect(nodes.clientEndpoint(PRIMARY), KILLED, KILLED,
            CancelOnDisconnect.NULL_VAL, killedReplies);
        placeAll(killedAgain, ORDERS + 1, 3, false);
        assertEquals(3, killedReplies.rejected.get(RejectReason.KILLED), "a killed account's orders are refused");
        killedAgain.close();
        placeAll(bystander, ORDERS + 1, 1, true);
        assertEquals(ORDERS / 4 + 1, bystanderReplies.accepted, "an unkilled session trades again");

        // The guarded trader drops; after the grace period its DAY orders are cancelled by one journaled command.
        // The bystander, without cancel-on-disconnect, drops too and keeps its orders.
        final long beforeDrop = nodes.wireSeq(PRIMARY);
        guarded.close();
        bystander.close();
        TestNodes.await(() -> wireSeqQuietly(PRIMARY) == beforeDrop + 1, 20_000, "cancel-on-disconnect journaled");
        Thread.sleep(2 * GRACE_MS);
        assertEquals(beforeDrop + 1, nodes.wireSeq(PRIMARY), "nothing journaled for the bystander");
        assertEquals(nodes.hashAt(REPLICA_A, beforeDrop + 1), nodes.hashAt(REPLICA_B, beforeDrop + 1),
            "the replicas applied the kills and the cancel as the primary did");

        // Failover: the primary dies, the replica holding the most is promoted, the other follows it.
        nodes.process(PRIMARY).destroyForcibly().waitFor();
        TestNodes.await(() -> !nodes.adminQuietly(REPLICA_A, "STATUS").contains("FOLLOWING") &&
            !nodes.adminQuietly(REPLICA_B, "STATUS").contains("FOLLOWING"), 30_000, "replicas saw the primary go");
        final int promoted = nodes.applied(REPLICA_A) >= nodes.applied(REPLICA_B) ? REPLICA_A : REPLICA_B;
        final int follower = promoted == REPLICA_A ? REPLICA_B : REPLICA_A;
        assertTrue(nodes.admin(promoted, "PROMOTE").get(0).startsWith("OK promoted role=primary"));
        TestNodes.await(() -> nodes.healthz(promoted).contains("\"replicas_connected\":1"), 30_000,
            "the other replica follows the promoted one");
        assertEquals(Integer.toString((int)KILLED), nodes.status(promoted, "killed_accounts"),
            "the promoted replica keeps the kill");

        // On the new primary: the guarded trader's DAY orders are gone and its GTC orders rest; the kill holds;
        // cancel-on-disconnect runs there too.
        final Replies afterFailover = new Replies();
        final SluiceClient guardedBack = connect(nodes.clientEndpoint(promoted), GUARDED, GUARDED,
            CancelOnDisconnect.ON, afterFailover);
        query(guardedBack, 1);
        query(guardedBack, 2);
        assertEquals(OrderState.CANCELED, afterFailover.states.get(1), "a DAY order was cancelled on disconnect");
        assertEquals(OrderState.NEW, afterFailover.states.get(2), "a GTC order stays");
        placeAll(guardedBack, ORDERS + 1, 10, true);
        final Replies killedAfterFailover = new Replies();
        final SluiceClient killedBack = connect(nodes.clientEndpoint(promoted), KILLED, KILLED,
            CancelOnDisconnect.NULL_VAL, killedAfterFailover);
        placeAll(killedBack, ORDERS + 10, 1, false);
        assertEquals(1, killedAfterFailover.rejected.get(RejectReason.KILLED));
        killedBack.close();
        final long beforeSecondDrop = nodes.wireSeq(promoted);
        guardedBack.close();
        TestNodes.await(() -> wireSeqQuietly(promoted) == beforeSecondDrop + 1, 20_000,
            "cancel-on-disconnect journaled by the new primary");
        final String followerHash = nodes.hashAt(follower, beforeSecondDrop + 1);

        // Recovery: a snapshot (format 3, with the kills), then a clean stop and a restart from it.
        assertTrue(nodes.admin(promoted, "SNAPSHOT").get(0).startsWith("OK"));
        TestNodes.await(() -> snapshotWireSeqQuietly(promoted) == beforeSecondDrop + 1, 20_000, "snapshot written");
        nodes.process(promoted).destroy();
        assertTrue(nodes.process(promoted).waitFor(30, TimeUnit.SECONDS));
        final String restartedName = (promoted == REPLICA_A ? "replica-a" : "replica-b") + "-restarted";
        nodes.startPrimary(promoted, restartedName);
        final Matcher recovered = recovered(nodes.log(restartedName));
        assertEquals(followerHash, recovered.group(2), "the restarted node recovers the state the follower holds");
        final long recoveredWireSeq = Long.parseLong(recovered.group(1));
        TestNodes.await(() -> wireSeqQuietly(promoted) == recoveredWireSeq + 1, 20_000,
            "the restarted primary starts the grace period of the session that wants cancel-on-disconnect anew");
        assertEquals(Integer.toString((int)KILLED), nodes.status(promoted, "killed_accounts"));
        TestNodes.await(() -> nodes.healthz(promoted).contains("\"replicas_connected\":1"), 30_000,
            "the follower follows the restarted primary");
        final Replies killedAfterRestart = new Replies();
        final SluiceClient killedRestart = connect(nodes.clientEndpoint(promoted), KILLED, KILLED,
            CancelOnDisconnect.NULL_VAL, killedAfterRestart);
        placeAll(killedRestart, ORDERS + 20, 1, false);
        assertEquals(1, killedAfterRestart.rejected.get(RejectReason.KILLED), "the kill survives the restart");
        killedRestart.close();

        final NodeConfig config = NodeConfig.load(nodes.config(promoted), Map.of());
        nodes.process(promoted).destroy();
        assertTrue(nodes.process(promoted).waitFor(30, TimeUnit.SECONDS));
        final JournalReplay replay = JournalReplay.of(config, GUARDED);
        assertEquals(Long.toHexString(replay.stateHash), nodes.hashAt(follower, replay.lastWireSeq),
            "the follower's state equals the restarted primary's journal's");
    }

    private static SluiceClient connect(
        final InetSocketAddress endpoint, final long sessionId, final long accountId,
        final CancelOnDisconnect cancelOnDisconnect, final ClientListener listener) throws Exception
    {
        final SluiceClient client = new SluiceClient(new ClientContext()
            .endpoint(endpoint)
            .sessionId(sessionId)
            .accountId(accountId)
            .cancelOnDisconnect(cancelOnDisconnect)
            .autoReconnect(false), listener);
        client.connect();
        return client;
    }

    /**
     * Rest {@code count} orders from {@code firstId} (bids below and offers above the reference, so none trade) and
     * wait for their answers; with {@code alternate} odd ids are DAY and even ids GTC, else all GTC.
     */
    private static void placeAll(final SluiceClient client, final long firstId, final int count,
        final boolean alternate) throws Exception
    {
        for (long id = firstId; id < firstId + count; id++)
        {
            final boolean buy = id % 2 == 0;
            final TimeInForce tif = alternate && id % 2 == 1 ? TimeInForce.DAY : TimeInForce.GTC;
            while (client.placeOrder(id, 1, buy ? Side.BUY : Side.SELL, OrderType.LIMIT, tif, false,
                buy ? 9_000 - id % 50 : 11_000 + id % 50, 1 + id % 3) == SluiceClient.BACK_PRESSURED)
            {
                IDLE.idle(client.poll());
            }
            client.poll();
        }
        assertTrue(client.awaitAllAnswered(30, TimeUnit.SECONDS, IDLE), "every order answered");
    }

    private static void query(final SluiceClient client, final long clientOrderId) throws Exception
    {
        final long requestSeq = client.queryOrder(clientOrderId);
        assertTrue(client.awaitAnswer(requestSeq, 30, TimeUnit.SECONDS, IDLE));
    }

    private long wireSeqQuietly(final int node)
    {
        try
        {
            return nodes.wireSeq(node);
        }
        catch (final Exception | AssertionError ex)
        {
            return -1;
        }
    }

    private long snapshotWireSeqQuietly(final int node)
    {
        try
        {
            return Long.parseLong(nodes.status(node, "snapshot_wire_seq"));
        }
        catch (final Exception | AssertionError ex)
        {
            return -1;
        }
    }

    /**
     * @return the node's recovery line: group 1 the last wireSeq recovered, group 2 the state hash.
     */
    private static Matcher recovered(final Path log) throws Exception
    {
        final Matcher matcher = RECOVERED.matcher(Files.readString(log));
        assertTrue(matcher.find(), "no recovery line in " + log);
        return matcher;
    }
}
