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

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.sluice.node.primary.TestNodes.IDLE;
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
    private static final Pattern APPLIED = Pattern.compile("applied_wire_seq=(\\d+)");
    private static final Pattern PERSISTED = Pattern.compile("\"persisted_wire_seq\":(\\d+)");
    private static final Pattern HASH = Pattern.compile("\"state_hash\":\\{\"wire_seq\":(\\d+),\"hash\":\"([0-9a-f]+)\"");

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void kill()
    {
        processes.forEach(Process::destroyForcibly);
    }

    /** One node's TCP ports: client, admin, http. */
    private static int[] ports() throws Exception
    {
        return new int[]{ TestNodes.freePort(), TestNodes.freePort(), TestNodes.freePort() };
    }

    private Map<String, String> nodeConfig(final String name, final int nodeId, final int[] ports)
    {
        final Map<String, String> raw = TestNodes.standaloneConfig(dir.resolve(name));
        raw.remove("durability");
        raw.put("node.id", Integer.toString(nodeId));
        raw.put("aeron.dir", dir.resolve(name).resolve("aeron").toString());
        raw.put("client.bind", "127.0.0.1:" + ports[0]);
        raw.put("admin.bind", "127.0.0.1:" + ports[1]);
        raw.put("http.bind", "127.0.0.1:" + ports[2]);
        return raw;
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
        final int[] primaryPorts = ports();
        final int[] aPorts = ports();
        final int[] bPorts = ports();
        // Data binds of A and B; control endpoints: the primary's slots for A and B, A's slot for B, B's slot for A.
        final int aData = TestNodes.freePort();
        final int bData = TestNodes.freePort();
        final int primaryForA = TestNodes.freePort();
        final int primaryForB = TestNodes.freePort();
        final int aForB = TestNodes.freePort();
        final int bForA = TestNodes.freePort();

        final Map<String, String> primary = nodeConfig("primary", 1, primaryPorts);
        primary.put("replication.replica.0.data", "127.0.0.1:" + aData);
        primary.put("replication.replica.0.control", "127.0.0.1:" + primaryForA);
        primary.put("replication.replica.1.data", "127.0.0.1:" + bData);
        primary.put("replication.replica.1.control", "127.0.0.1:" + primaryForB);
        final Map<String, String> replicaA = nodeConfig("replica-a", 2, aPorts);
        replicaA.put("replication.data.bind", "127.0.0.1:" + aData);
        replicaA.put("replication.primary.control", "127.0.0.1:" + primaryForA + ",127.0.0.1:" + bForA);
        replicaA.put("replication.replica.0.data", "127.0.0.1:" + bData);
        replicaA.put("replication.replica.0.control", "127.0.0.1:" + aForB);
        final Map<String, String> replicaB = nodeConfig("replica-b", 3, bPorts);
        replicaB.put("replication.data.bind", "127.0.0.1:" + bData);
        replicaB.put("replication.primary.control", "127.0.0.1:" + primaryForB + ",127.0.0.1:" + aForB);
        replicaB.put("replication.replica.0.data", "127.0.0.1:" + aData);
        replicaB.put("replication.replica.0.control", "127.0.0.1:" + bForA);
        final Path primaryConfig = TestNodes.writeConfig(dir.resolve("primary.conf"), primary);
        final Path aConfig = TestNodes.writeConfig(dir.resolve("replica-a.conf"), replicaA);
        final Path bConfig = TestNodes.writeConfig(dir.resolve("replica-b.conf"), replicaB);

        final Process primaryProcess = TestNodes.startPrimaryProcess(primaryConfig, dir.resolve("primary-1.err"));
        processes.add(primaryProcess);
        processes.add(TestNodes.startReplicaProcess(aConfig, dir.resolve("replica-a.err")));
        processes.add(TestNodes.startReplicaProcess(bConfig, dir.resolve("replica-b.err")));
        TestNodes.await(() -> healthz(primaryPorts[2]).contains("\"replicas_connected\":2"), 30_000,
            "both replicas connected");
        // The operator's choice travels to the replicas in heartbeats, and a promoted replica keeps it.
        assertEquals(List.of("OK hybrid -> replicated"), admin(primaryPorts[1], "DURABILITY replicated"));
        TestNodes.await(() -> adminQuietly(aPorts[1], "STATUS").contains("policy=replicated") &&
            adminQuietly(bPorts[1], "STATUS").contains("policy=replicated"), 10_000, "replicas heard the policy");

        // Under load: requests pipelined, the primary killed with many in flight.
        final Acks acks = new Acks();
        final String endpoints = "127.0.0.1:" + primaryPorts[0] + ",127.0.0.1:" + aPorts[0] + ",127.0.0.1:" +
            bPorts[0];
        final SluiceClient client = new SluiceClient(new ClientContext()
            .endpoints(endpoints)
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
        primaryProcess.destroyForcibly().waitFor();
        final int ackedBeforeKill = acks.accepted.size();
        assertTrue(ackedBeforeKill > 0, "some orders were acknowledged before the kill");

        // Both replicas notice the silence (heartbeat timeout); then promote the one holding the most, and the other
        // must follow it.
        TestNodes.await(() -> !adminQuietly(aPorts[1], "STATUS").contains("FOLLOWING") &&
            !adminQuietly(bPorts[1], "STATUS").contains("FOLLOWING"), 30_000, "replicas saw the primary go");
        final long appliedA = applied(aPorts[1]);
        final long appliedB = applied(bPorts[1]);
        final boolean promoteA = appliedA >= appliedB;
        final int[] newPrimary = promoteA ? aPorts : bPorts;
        final int[] follower = promoteA ? bPorts : aPorts;
        final Path newPrimaryConfig = promoteA ? aConfig : bConfig;
        final List<String> promoted = admin(newPrimary[1], "PROMOTE");
        assertTrue(promoted.get(0).startsWith("OK promoted role=primary epoch=2"), promoted.toString());
        assertTrue(promoted.get(0).endsWith("policy=replicated"), "the promoted primary keeps the operator's policy: " +
            promoted);
        assertTrue(admin(newPrimary[1], "STATUS").get(0).startsWith("OK role=primary epoch=2"));
        TestNodes.await(() -> healthz(newPrimary[2]).contains("\"replicas_connected\":1"), 30_000,
            "the other replica follows the promoted one");
        assertTrue(Files.readString(dir.resolve(promoteA ? "replica-a.log" : "replica-b.log"))
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
        assertEquals(newPrimary[0], client.endpoint().getPort(), "the client failed over to the promoted replica");
        assertEquals(0, acks.halted, "the promoted primary had its replica before the client came back");
        client.close();

        final long lastWireSeq = Long.parseLong(statusValue(admin(newPrimary[1], "STATUS"), "wire_seq"));
        TestNodes.await(() -> persisted(follower[2]) == lastWireSeq, 30_000, "the follower caught up");
        final String followerHash = hashAt(follower[2], lastWireSeq);

        // A returning old primary hears the new epoch in the follower's heartbeats and fences itself.
        final Process oldPrimary = TestNodes.startPrimaryProcess(primaryConfig, dir.resolve("primary-2.err"));
        processes.add(oldPrimary);
        TestNodes.await(() -> healthz(primaryPorts[2]).contains("fenced"), 30_000, "the old primary fenced");
        final Acks staleAcks = new Acks();
        final SluiceClient staleClient = TestNodes.client(new InetSocketAddress("127.0.0.1", primaryPorts[0]), 99,
            staleAcks);
        final long requestSeq = place(staleClient, 1);
        assertTrue(staleClient.awaitAnswer(requestSeq, 30, TimeUnit.SECONDS, IDLE));
        assertEquals(1, staleAcks.halted, "a fenced primary refuses orders");
        assertTrue(staleAcks.accepted.isEmpty());
        staleClient.close();
        assertTrue(admin(follower[1], "STATUS").get(1).startsWith("primary_node=" + (promoteA ? 2 : 3) +
            " primary_epoch=2"), "the follower stays with the new primary");

        // Stop the new primary cleanly and read its journal: every acknowledged order exactly once, none doubled.
        final Process newPrimaryProcess = processes.get(promoteA ? 1 : 2);
        newPrimaryProcess.destroy();
        assertTrue(newPrimaryProcess.waitFor(30, TimeUnit.SECONDS));
        // Replay its whole journal (no snapshot) and count the orders the engine accepted: each order the client
        // saw acknowledged exactly once, no order twice, and every order of the run present (an order whose
        // acknowledgement the kill swallowed was resent and answered DUPLICATE_REQUEST: it was already in).
        final NodeConfig config = NodeConfig.load(newPrimaryConfig, Map.of());
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

    private static List<String> admin(final int port, final String command) throws Exception
    {
        try (AdminClient admin = new AdminClient(new InetSocketAddress("127.0.0.1", port), 30_000))
        {
            return admin.execute(command);
        }
    }

    private static String adminQuietly(final int port, final String command)
    {
        try
        {
            return String.join("\n", admin(port, command));
        }
        catch (final Exception ex)
        {
            return "FOLLOWING?";
        }
    }

    private static long applied(final int adminPort) throws Exception
    {
        final Matcher matcher = APPLIED.matcher(String.join("\n", admin(adminPort, "STATUS")));
        assertTrue(matcher.find());
        return Long.parseLong(matcher.group(1));
    }

    private static String statusValue(final List<String> lines, final String key)
    {
        final Matcher matcher = Pattern.compile("(?:^|\\s)" + key + "=(\\S+)").matcher(String.join("\n", lines));
        assertTrue(matcher.find(), key + " in " + lines);
        return matcher.group(1);
    }

    private String healthz(final int port)
    {
        try
        {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        }
        catch (final Exception ex)
        {
            return "";
        }
    }

    private long persisted(final int httpPort)
    {
        final Matcher matcher = PERSISTED.matcher(healthz(httpPort));
        return matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
    }

    private String hashAt(final int httpPort, final long wireSeq) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline)
        {
            final Matcher matcher = HASH.matcher(healthz(httpPort));
            if (matcher.find() && Long.parseLong(matcher.group(1)) == wireSeq)
            {
                return matcher.group(2);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("replica on " + httpPort + " never reported a hash at wireSeq " + wireSeq);
    }
}
