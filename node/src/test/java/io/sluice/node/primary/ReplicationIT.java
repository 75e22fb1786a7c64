package io.sluice.node.primary;

import io.sluice.client.ClientListener;
import io.sluice.client.SluiceClient;
import io.sluice.journal.Journal;
import io.sluice.journal.JournalEntryView;
import io.sluice.journal.JournalReader;
import io.sluice.node.admin.AdminClient;
import io.sluice.node.config.NodeConfig;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.ExecutionReportDecoder;
import io.sluice.sbe.client.HaltedDecoder;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * A primary and two replicas as separate processes on loopback, under the hybrid policy: after 100,000 orders the
 * replicas' state equals each other's and, at the end, the primary journal's; losing one replica keeps trading, losing both halts it until the operator relaxes the policy,
 * and a restarted replica catches up from its own journal.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ReplicationIT
{
    /** Orders streamed to both replicas before their state is compared with each other's and the primary's. */
    private static final int CONVERGENCE_ORDERS = 100_000;

    private static final Pattern PERSISTED = Pattern.compile("\"persisted_wire_seq\":(\\d+)");

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void kill()
    {
        processes.forEach(Process::destroyForcibly);
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

    private String healthz(final int port) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).GET().build(),
            HttpResponse.BodyHandlers.ofString()).body();
    }

    private int healthStatus(final int port) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).GET().build(),
            HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private long persisted(final int replicaHttpPort) throws Exception
    {
        final Matcher matcher = PERSISTED.matcher(healthz(replicaHttpPort));
        return matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
    }

    private static final class Counts implements ClientListener
    {
        long accepted;
        long halted;

        final java.util.Map<String, Integer> refusals = new java.util.TreeMap<>();

        public void onExecutionReport(final ExecutionReportDecoder report)
        {
            if (report.execType() == ExecType.NEW)
            {
                accepted++;
            }
            else if (report.execType() == ExecType.REJECTED)
            {
                refusals.merge(report.rejectReason().name(), 1, Integer::sum);
            }
        }

        public void onServerBusy(final long requestSeq)
        {
            refusals.merge("SERVER_BUSY", 1, Integer::sum);
        }

        public void onHalted(final HaltedDecoder decoder)
        {
            halted++;
        }
    }

    /** Most orders one crossing connection may send before both have every answer. */
    private static final int CROSSING_SKEW = 2_000;

    /**
     * Pairs that trade with each other (a bid from one account, then an offer of the same quantity from another, all
     * at one price), so the book stays small however many are sent. The two accounts use two connections, which the
     * node reads independently (a read takes whatever one socket holds), so their orders interleave in any order. At
     * one price every bid crosses every offer, so what rests is one side's surplus: at most one connection's orders
     * since the last checkpoint. Every {@link #CROSSING_SKEW} orders both are answered before more are sent, and there
     * the book is empty. (Pairs spread over several prices are not bounded: an offer taking a higher bid than its pair
     * leaves bids below and offers above that never cross, and the book grows to the open-order limit.)
     */
    private static void crossingOrders(final SluiceClient buyer, final SluiceClient seller, final int count)
        throws Exception
    {
        for (int i = 0; i < count; i++)
        {
            final SluiceClient client = i % 2 == 0 ? buyer : seller;
            while (client.placeOrder(i, 1, i % 2 == 0 ? Side.BUY : Side.SELL, OrderType.LIMIT, TimeInForce.GTC, false,
                10_000, 1 + (i / 2) % 3) == SluiceClient.BACK_PRESSURED)
            {
                IDLE.idle(buyer.poll() + seller.poll());
            }
            buyer.poll();
            seller.poll();
            if ((i + 1) % CROSSING_SKEW == 0)
            {
                assertTrue(buyer.awaitAllAnswered(60, TimeUnit.SECONDS, IDLE));
                assertTrue(seller.awaitAllAnswered(60, TimeUnit.SECONDS, IDLE));
            }
        }
        assertTrue(buyer.awaitAllAnswered(60, TimeUnit.SECONDS, IDLE));
        assertTrue(seller.awaitAllAnswered(60, TimeUnit.SECONDS, IDLE));
    }

    private static void orders(final SluiceClient client, final int from, final int count) throws Exception
    {
        for (int i = from; i < from + count; i++)
        {
            while (client.placeOrder(i, 1, i % 2 == 0 ? Side.BUY : Side.SELL, OrderType.LIMIT, TimeInForce.GTC, false,
                i % 2 == 0 ? 9_000 + i % 50 : 11_000 + i % 50, 1 + i % 3) == SluiceClient.BACK_PRESSURED)
            {
                IDLE.idle(client.poll());
            }
            client.poll();
        }
        assertTrue(client.awaitAllAnswered(60, TimeUnit.SECONDS, IDLE));
    }

    @Test
    void shouldReplicateHaltWithoutReplicasAndCatchUpAfterRestart() throws Exception
    {
        final int[] primaryPorts = TestNodes.freePorts(3);
        final int[] replicaAPorts = TestNodes.freePorts(3);
        final int[] replicaBPorts = TestNodes.freePorts(3);
        final int[] udp = TestNodes.freePorts(4);

        final Map<String, String> primary = nodeConfig("primary", 1, primaryPorts);
        primary.put("replication.replica.0.data", "127.0.0.1:" + udp[0]);
        primary.put("replication.replica.0.control", "127.0.0.1:" + udp[1]);
        primary.put("replication.replica.1.data", "127.0.0.1:" + udp[2]);
        primary.put("replication.replica.1.control", "127.0.0.1:" + udp[3]);
        final Map<String, String> replicaA = nodeConfig("replica-a", 2, replicaAPorts);
        replicaA.put("replication.data.bind", "127.0.0.1:" + udp[0]);
        replicaA.put("replication.primary.control", "127.0.0.1:" + udp[1]);
        final Map<String, String> replicaB = nodeConfig("replica-b", 3, replicaBPorts);
        replicaB.put("replication.data.bind", "127.0.0.1:" + udp[2]);
        replicaB.put("replication.primary.control", "127.0.0.1:" + udp[3]);
        final Path primaryConfig = TestNodes.writeConfig(dir.resolve("primary.conf"), primary);
        final Path replicaAConfig = TestNodes.writeConfig(dir.resolve("replica-a.conf"), replicaA);
        final Path replicaBConfig = TestNodes.writeConfig(dir.resolve("replica-b.conf"), replicaB);

        final Process primaryProcess = TestNodes.startPrimaryProcess(primaryConfig, dir.resolve("primary.err"));
        processes.add(primaryProcess);
        Process replicaAProcess = TestNodes.startReplicaProcess(replicaAConfig, dir.resolve("replica-a-1.err"));
        processes.add(replicaAProcess);
        final Process replicaBProcess = TestNodes.startReplicaProcess(replicaBConfig, dir.resolve("replica-b.err"));
        processes.add(replicaBProcess);
        TestNodes.await(() -> healthzQuietly(primaryPorts[2]).contains("\"replicas_connected\":2"), 30_000,
            "both replicas connected");

        // Two accounts trade with each other, so session 1's account starts the later phases with no orders.
        final Counts crossing = new Counts();
        final SluiceClient buyer = TestNodes.client(new InetSocketAddress("127.0.0.1", primaryPorts[0]), 2, crossing);
        final SluiceClient seller = TestNodes.client(new InetSocketAddress("127.0.0.1", primaryPorts[0]), 3, crossing);
        crossingOrders(buyer, seller, CONVERGENCE_ORDERS);
        buyer.close();
        seller.close();
        assertEquals(CONVERGENCE_ORDERS, crossing.accepted, "hybrid with both replicas accepts every order; " +
            "refused: " + crossing.refusals);
        TestNodes.await(() -> persistedQuietly(replicaAPorts[2]) == CONVERGENCE_ORDERS &&
            persistedQuietly(replicaBPorts[2]) == CONVERGENCE_ORDERS, 60_000, "replicas persisted everything");
        assertEquals(TestNodes.stateHashAt(replicaAPorts[2], CONVERGENCE_ORDERS),
            TestNodes.stateHashAt(replicaBPorts[2], CONVERGENCE_ORDERS));

        // Session 1 logs on only now: idle through the crossing phase, it would be closed by the idle timeout.
        final Counts counts = new Counts();
        final SluiceClient client = TestNodes.client(new InetSocketAddress("127.0.0.1", primaryPorts[0]), 1, counts);
        replicaBProcess.destroyForcibly().waitFor();
        TestNodes.await(() -> healthzQuietly(primaryPorts[2]).contains("\"replicas_connected\":1"), 20_000,
            "replica B's slot went inactive");
        orders(client, CONVERGENCE_ORDERS, 500);
        assertEquals(500, counts.accepted, "hybrid keeps trading with the primary and one replica; refused: " +
            counts.refusals);

        replicaAProcess.destroyForcibly().waitFor();
        TestNodes.await(() -> healthzQuietly(primaryPorts[2]).contains("\"replicas_connected\":0"), 20_000,
            "replica A's slot went inactive");
        orders(client, CONVERGENCE_ORDERS + 500, 100);
        assertEquals(100, counts.halted, "no replicas: every order is answered HALTED");
        assertEquals(503, healthStatus(primaryPorts[2]));
        assertTrue(healthz(primaryPorts[2]).contains("\"policy_degraded\":true"));

        try (AdminClient admin = new AdminClient(new InetSocketAddress("127.0.0.1", primaryPorts[1]), 10_000))
        {
            assertEquals(List.of("OK hybrid -> local"), admin.execute("DURABILITY local"));
        }
        orders(client, CONVERGENCE_ORDERS + 600, 200);
        assertEquals(700, counts.accepted, "local resumes trading at once");

        replicaAProcess = TestNodes.startReplicaProcess(replicaAConfig, dir.resolve("replica-a-2.err"));
        processes.add(replicaAProcess);
        try
        {
            TestNodes.await(() -> persistedQuietly(replicaAPorts[2]) == CONVERGENCE_ORDERS + 700, 30_000, "replica A caught up");
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError(ex.getMessage() + "\nreplica A: " + healthzQuietly(replicaAPorts[2]) +
                "\nprimary: " + healthzQuietly(primaryPorts[2]) + "\nreplica A log:\n" +
                java.nio.file.Files.readString(dir.resolve("replica-a-2.log")), ex);
        }
        final String replicaHash = TestNodes.stateHashAt(replicaAPorts[2], CONVERGENCE_ORDERS + 700);
        client.close();

        primaryProcess.destroy();
        assertTrue(primaryProcess.waitFor(30, TimeUnit.SECONDS));
        assertEquals(replicaHash, TestNodes.replayedStateHash(primaryConfig),
            "the replica's state equals the primary journal's state at the same wireSeq");
        assertEquals(CONVERGENCE_ORDERS + 700, sameEntries(primaryConfig, replicaAConfig),
            "replica A's journal holds the primary's entries, byte for byte (CRC), to the end");
        assertTrue(sameEntries(primaryConfig, replicaBConfig) >= CONVERGENCE_ORDERS,
            "replica B's journal holds the primary's entries up to where it was killed");
    }

    /**
     * Reads both journals side by side and fails at the first entry that differs.
     *
     * @return the number of entries compared: the shorter journal's length.
     */
    private static long sameEntries(final Path primaryConfig, final Path replicaConfig) throws Exception
    {
        final NodeConfig primary = NodeConfig.load(primaryConfig, Map.of());
        final NodeConfig replica = NodeConfig.load(replicaConfig, Map.of());
        long compared = 0;
        try (Journal primaryJournal = Journal.open(new Journal.Context()
                .directory(primary.dataDir().resolve("journal")).nodeId(primary.get(NodeConfig.NODE_ID)));
            Journal replicaJournal = Journal.open(new Journal.Context()
                .directory(replica.dataDir().resolve("journal")).nodeId(replica.get(NodeConfig.NODE_ID)));
            JournalReader primaryReader = primaryJournal.newReader();
            JournalReader replicaReader = replicaJournal.newReader())
        {
            while (primaryReader.next() && replicaReader.next())
            {
                final JournalEntryView expected = primaryReader.entry();
                final JournalEntryView actual = replicaReader.entry();
                assertEquals(expected.wireSeq(), actual.wireSeq());
                assertEquals(expected.crc32c(), actual.crc32c(), "entry at wireSeq " + expected.wireSeq());
                compared++;
            }
        }
        return compared;
    }

    private String healthzQuietly(final int port)
    {
        try
        {
            return healthz(port);
        }
        catch (final Exception ex)
        {
            return "";
        }
    }

    private long persistedQuietly(final int port)
    {
        try
        {
            return persisted(port);
        }
        catch (final Exception ex)
        {
            return -1;
        }
    }
}
