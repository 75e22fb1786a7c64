package io.sluice.node.primary;

import io.sluice.node.wiring.StageContexts;
import io.sluice.client.ClientListener;
import io.sluice.client.SluiceClient;
import io.sluice.journal.Journal;
import io.sluice.journal.JournalReader;
import io.sluice.journal.RecoveryResult;
import io.sluice.journal.SnapshotStore;
import io.sluice.matching.MatchingEngine;
import io.sluice.matching.SilentListener;
import io.sluice.node.admin.AdminClient;
import io.sluice.node.config.NodeConfig;
import io.sluice.node.replica.ReplicaNode;
import io.sluice.pipeline.sequencer.CommandApplier;
import io.sluice.pipeline.sequencer.ExchangeStateMachine;
import io.sluice.replication.ReplicaAgent;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static io.sluice.node.primary.TestNodes.IDLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Journal retention and snapshot transfer end to end, in one JVM: a primary with one-second cycle files and frequent
 * snapshots trades while its replica is down; retention deletes the cycles the replica would need; the replica comes
 * back, is sent the newest snapshot and the journal after it, and ends with the primary's state, its old journal set
 * aside intact.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SnapshotTransferIT
{
    @TempDir
    Path dir;

    private PrimaryNode primary;
    private ReplicaNode replica;
    private long nextOrderId = 1;
    private long nextSessionId = 1;

    @AfterEach
    void close()
    {
        CloseHelper.quietCloseAll(replica, primary);
    }

    @Test
    void shouldSendASnapshotToAReplicaWhosePositionRetentionDeleted() throws Exception
    {
        final String data = "127.0.0.1:" + TestNodes.freePort();
        final String control = "127.0.0.1:" + TestNodes.freePort();
        final Map<String, String> primaryRaw = TestNodes.standaloneConfig(dir.resolve("primary"));
        primaryRaw.putAll(Map.of(
            "node.id", "1",
            "aeron.dir", dir.resolve("primary").resolve("aeron").toString(),
            "journal.roll.cycle", "test-secondly",
            "journal.retention", "after-snapshot",
            "snapshot.interval.entries", "150",
            "snapshot.interval.seconds", "0",
            "replication.replica.0.data", data,
            "replication.replica.0.control", control));
        final Map<String, String> replicaRaw = TestNodes.standaloneConfig(dir.resolve("replica"));
        replicaRaw.remove("durability");
        replicaRaw.putAll(Map.of(
            "node.id", "2",
            "aeron.dir", dir.resolve("replica").resolve("aeron").toString(),
            "journal.roll.cycle", "test-secondly",
            "snapshot.interval.entries", "50",
            "replication.data.bind", data,
            "replication.primary.control", control));
        final NodeConfig replicaConfig = TestNodes.config(replicaRaw, dir);

        primary = PrimaryNode.start(TestNodes.config(primaryRaw, dir));
        replica = ReplicaNode.start(replicaConfig);
        trade(100);
        TestNodes.await(() -> replica.replicaAgent().persistedWireSeq() == 100, 30_000, "replica at 100");
        final List<Path> cyclesHoldingTheReplicasPosition = cycleFiles(dir.resolve("primary"));
        replica.close();
        replica = null;

        // Load across several one-second cycles while the replica is down; snapshots and retention run behind it.
        for (int i = 0; i < 4; i++)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1_050));
            trade(250);
        }
        TestNodes.await(() -> primary.journal().firstWireSeq() > 100, 30_000,
            "retention deleted the cycles up to the replica's position");
        assertTrue(primary.snapshotAgent().cyclesDeleted() > 0);
        for (final Path deleted : cyclesHoldingTheReplicasPosition)
        {
            assertFalse(Files.exists(deleted), deleted + " was deleted by retention");
        }
        // A tail shorter than the snapshot interval: the replica gets it from the journal after the snapshot. The
        // snapshot stage runs in the background, so let it take its snapshot of the load first.
        final long loadEnd = primary.lastWireSeq();
        TestNodes.await(() -> primary.lastSnapshotWireSeq() > loadEnd - 150, 30_000,
            "a snapshot within one interval of the load's end");
        trade(60);
        final long last = primary.lastWireSeq();
        assertTrue(last >= 1_160, "last wireSeq " + last);

        replica = ReplicaNode.start(replicaConfig);
        final ReplicaAgent agent = replica.replicaAgent();
        TestNodes.await(() -> agent.persistedWireSeq() == last && primary.replicationMetrics().isActive(0), 30_000,
            "replica caught up through a snapshot: " + agent);
        assertEquals(1, agent.snapshotsInstalled());
        final long snapshotWireSeq = agent.lastInstalledSnapshotWireSeq();
        assertTrue(snapshotWireSeq >= primary.journal().firstWireSeq() - 1 && snapshotWireSeq > 100 &&
            snapshotWireSeq < last, "snapshot at " + snapshotWireSeq + ", then a tail to " + last);
        assertEquals(1, primary.senders().get(0).snapshotsSent());
        agent.requestStateHash();
        TestNodes.await(() -> agent.stateHash() != null && agent.stateHash().wireSeq() == last, 10_000,
            "replica state hash");
        final long replicaHash = agent.stateHash().hash();

        // The replica snapshots its own (seeded) journal too.
        TestNodes.await(() -> replicaStatus().stream().anyMatch((line) -> line.contains("own_snapshot_wire_seq=" +
            last)), 10_000, "the replica's own snapshot at " + last);
        final List<String> replicaStatus = replicaStatus();
        assertTrue(replicaStatus.stream().anyMatch((line) -> line.contains("snapshots_installed=1") &&
            line.contains("journal_first_wire_seq=" + (snapshotWireSeq + 1))), replicaStatus.toString());
        final String primaryHealth = httpGet(primary.httpAddress().getPort());
        assertTrue(primaryHealth.contains("\"snapshots_sent\":1") && balanced(primaryHealth) &&
            primaryHealth.contains("\"journal_first_wire_seq\":" + primary.journal().firstWireSeq()), primaryHealth);
        final String replicaHealth = httpGet(replica.httpAddress().getPort());
        assertTrue(replicaHealth.contains("\"installed\":1") && replicaHealth.contains(
            "\"last_wire_seq\":" + snapshotWireSeq) && balanced(replicaHealth), replicaHealth);
        final List<String> primaryStatus = NodeStatus.lines(primary);
        assertTrue(primaryStatus.stream().anyMatch((line) -> line.startsWith("replica[0] active=true") &&
            line.contains("snapshots_sent=1")), primaryStatus.toString());

        // The primary goes away; the replica, whose journal starts after the snapshot, is promoted and trades.
        primary.close();
        primary = null;
        TestNodes.await(() -> agent.state() != ReplicaAgent.State.FOLLOWING, 10_000, "replica saw the primary go");
        final List<String> promoted;
        try (AdminClient admin = new AdminClient(replica.adminAddress(), 10_000))
        {
            promoted = admin.execute("PROMOTE");
        }
        assertTrue(promoted.get(0).startsWith("OK promoted"), promoted.toString());
        primary = replica.promoted();
        trade(10);
        final long promotedLast = primary.lastWireSeq();
        assertEquals(last + 1 + 10, promotedLast, "an epoch bump and ten orders after " + last);
        replica.close();
        replica = null;
        primary = null;

        final NodeConfig primaryConfig = TestNodes.config(primaryRaw, dir);
        assertEquals(recoveredHash(dir.resolve("primary").resolve("journal"), 1, primaryConfig), replicaHash,
            "replica's state hash at wireSeq " + last + " equals the primary's");
        final Path replicaJournal = dir.resolve("replica").resolve("journal");
        assertEquals(snapshotWireSeq + 1, firstWireSeq(replicaJournal, 2));
        assertEquals(promotedLast - snapshotWireSeq, countEntries(replicaJournal, 2));

        final Path setAside;
        try (Stream<Path> files = Files.list(dir.resolve("replica")))
        {
            setAside = files.filter((path) -> path.getFileName().toString().startsWith("journal.behind-"))
                .findFirst().orElseThrow();
        }
        // The replica's own retention may have trimmed its journal before (it snapshots every 50 entries): intact
        // means every entry from its first to the 100th it held, none lost to the install.
        final long setAsideFirst = firstWireSeq(setAside, 2);
        assertTrue(setAsideFirst >= 1 && setAsideFirst <= 100, "first wireSeq " + setAsideFirst);
        assertEquals(100 - setAsideFirst + 1, countEntries(setAside, 2), "the old journal is set aside intact");
    }

    private static String httpGet(final int port) throws Exception
    {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/healthz")).GET().build(),
            HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Braces and brackets pair up: the hand-built JSON is well formed enough to parse. */
    private static boolean balanced(final String json)
    {
        int depth = 0;
        for (int i = 0; i < json.length(); i++)
        {
            final char c = json.charAt(i);
            depth += c == '{' || c == '[' ? 1 : c == '}' || c == ']' ? -1 : 0;
            if (depth < 0)
            {
                return false;
            }
        }
        return depth == 0;
    }

    private List<String> replicaStatus()
    {
        try (AdminClient admin = new AdminClient(replica.adminAddress(), 10_000))
        {
            return admin.execute("STATUS");
        }
        catch (final Exception ex)
        {
            return List.of(ex.toString());
        }
    }

    private void trade(final int count) throws Exception
    {
        final SluiceClient client = TestNodes.client(primary.clientAddress(), nextSessionId++, new ClientListener()
        {
        });
        for (int i = 0; i < count; i++)
        {
            final long id = nextOrderId++;
            // Resting orders at spread-out prices, so the book (and the snapshot) grows.
            while (client.placeOrder(id, 1, (id & 1) == 0 ? Side.BUY : Side.SELL, OrderType.LIMIT,
                TimeInForce.GTC, false, (id & 1) == 0 ? 9_000 - id % 500 : 11_000 + id % 500, 1) ==
                SluiceClient.BACK_PRESSURED)
            {
                IDLE.idle(client.poll());
            }
            client.poll();
        }
        assertTrue(client.awaitAllAnswered(30, TimeUnit.SECONDS, IDLE));
        client.close();
    }

    private static List<Path> cycleFiles(final Path dataDir) throws Exception
    {
        try (Stream<Path> files = Files.list(dataDir.resolve("journal").resolve(Journal.QUEUE_DIRECTORY)))
        {
            return files.filter((path) -> path.getFileName().toString().endsWith(".cq4")).toList();
        }
    }

    private static long recoveredHash(final Path journalDir, final int nodeId, final NodeConfig config)
        throws Exception
    {
        final MatchingEngine engine = new MatchingEngine(new StageContexts(config).engine(), SilentListener.INSTANCE);
        try (Journal journal = Journal.open(new Journal.Context().directory(journalDir).nodeId(nodeId)))
        {
            final RecoveryResult result = journal.recover(new SnapshotStore(journal.snapshotDirectory()),
                new ExchangeStateMachine(new CommandApplier(engine)));
            assertTrue(result.lastWireSeq() > 0);
        }
        return engine.stateHash();
    }

    private static long firstWireSeq(final Path journalDir, final int nodeId) throws Exception
    {
        try (Journal journal = Journal.open(new Journal.Context().directory(journalDir).nodeId(nodeId)))
        {
            return journal.firstWireSeq();
        }
    }

    private static long countEntries(final Path journalDir, final int nodeId) throws Exception
    {
        long count = 0;
        try (Journal journal = Journal.open(new Journal.Context().directory(journalDir).nodeId(nodeId));
            JournalReader reader = journal.newReader())
        {
            long expected = journal.firstWireSeq();
            while (reader.next())
            {
                assertEquals(expected++, reader.entry().wireSeq());
                count++;
            }
        }
        return count;
    }
}
