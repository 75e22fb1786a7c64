package io.sluice.node.replica;

import io.sluice.client.ClientContext;
import io.sluice.client.ClientListener;
import io.sluice.client.SluiceClient;
import io.sluice.journal.Journal;
import io.sluice.journal.JournalReader;
import io.sluice.journal.SnapshotInfo;
import io.sluice.journal.SnapshotStore;
import io.sluice.node.admin.AdminClient;
import io.sluice.node.config.NodeConfig;
import io.sluice.node.primary.PrimaryNode;
import io.sluice.replication.ReplicaAgent;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import io.sluice.sbe.replication.RejectCode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replica whose journal diverged from the primary's (the primary's history was replaced under it) is refused with
 * a clear reason and says what to do; restarted with --resync it sets its journal aside (renamed, kept) and copies
 * the primary's, entry for entry, or, when the primary has a snapshot, starts from the newest one and the journal
 * after it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReplicaResyncIT
{
    private static final IdleStrategy IDLE = new BackoffIdleStrategy(1, 1, 1_000, 1_000_000);

    @TempDir
    Path dir;

    private PrimaryNode primary;
    private ReplicaNode replica;

    @AfterEach
    void close()
    {
        CloseHelper.quietCloseAll(replica, primary);
    }

    private static int freePort() throws Exception
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    private static Map<String, String> base(final Path dataDir, final int nodeId)
    {
        final Map<String, String> raw = new HashMap<>();
        raw.put("node.id", Integer.toString(nodeId));
        raw.put("data.dir", dataDir.toString());
        raw.put("aeron.dir", dataDir.resolve("aeron").toString());
        raw.put("client.bind", "127.0.0.1:0");
        raw.put("admin.bind", "127.0.0.1:0");
        raw.put("http.bind", "127.0.0.1:0");
        raw.put("instrument.1.symbol", "ACME");
        raw.put("instrument.1.tick", "1");
        raw.put("instrument.1.lot", "1");
        raw.put("instrument.1.min.qty", "1");
        raw.put("instrument.1.max.qty", "1000000");
        raw.put("instrument.1.reference.price", "10000");
        raw.put("instrument.1.band.bps", "5000");
        return raw;
    }

    private static void await(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            IDLE.idle();
        }
        IDLE.reset();
    }

    /** Sends resting orders at prices that depend on {@code priceBase}, so two runs journal different entries. */
    private static void trade(final PrimaryNode node, final int count, final long priceBase) throws Exception
    {
        final SluiceClient client = new SluiceClient(new ClientContext().endpoint(node.clientAddress()).sessionId(1)
            .accountId(1), new ClientListener()
            {
            });
        client.connect();
        for (int i = 1; i <= count; i++)
        {
            while (client.placeOrder(i, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false, priceBase + i, 1) ==
                SluiceClient.BACK_PRESSURED)
            {
                IDLE.idle(client.poll());
            }
            client.poll();
        }
        assertTrue(client.awaitAllAnswered(30, TimeUnit.SECONDS, IDLE));
        client.close();
    }

    @Test
    void shouldRefuseADivergedReplicaAndResyncItWithItsJournalSetAside() throws Exception
    {
        final String data = "127.0.0.1:" + freePort();
        final String control = "127.0.0.1:" + freePort();
        final Map<String, String> replicaRaw = base(dir.resolve("replica"), 2);
        replicaRaw.put("replication.data.bind", data);
        replicaRaw.put("replication.primary.control", control);
        final NodeConfig replicaConfig = NodeConfig.parse(replicaRaw, dir);

        // History one: the replica follows it to wireSeq 10.
        final Map<String, String> firstRaw = base(dir.resolve("first"), 1);
        firstRaw.put("durability", "local");
        firstRaw.put("replication.replica.0.data", data);
        firstRaw.put("replication.replica.0.control", control);
        primary = PrimaryNode.start(NodeConfig.parse(firstRaw, dir));
        replica = ReplicaNode.start(replicaConfig);
        trade(primary, 10, 9_000);
        await(() -> replica.replicaAgent().persistedWireSeq() == 10, "replica followed history one");
        replica.close();
        primary.close();

        // History two, same addresses: at wireSeq 10 its entry differs from the replica's.
        final Map<String, String> secondRaw = new HashMap<>(firstRaw);
        secondRaw.putAll(Map.of("data.dir", dir.resolve("second").toString(),
            "aeron.dir", dir.resolve("second").resolve("aeron").toString()));
        primary = PrimaryNode.start(NodeConfig.parse(secondRaw, dir));
        trade(primary, 20, 8_000);
        replica = ReplicaNode.start(replicaConfig);
        await(() -> replica.replicaAgent().state() == ReplicaAgent.State.REJECTED, "replica refused");
        assertEquals(RejectCode.DIVERGED, replica.replicaAgent().rejectCode());
        assertTrue(replica.replicaAgent().rejectReason().contains("diverged"), replica.replicaAgent().rejectReason());
        final List<String> status;
        try (AdminClient admin = new AdminClient(replica.adminAddress(), 10_000))
        {
            status = admin.execute("STATUS");
        }
        assertTrue(status.stream().anyMatch(line -> line.startsWith("refused=DIVERGED")), status.toString());
        assertTrue(status.stream().anyMatch(line -> line.contains("--resync")), status.toString());
        replica.close();

        replica = ReplicaNode.startResync(replicaConfig);
        await(() -> replica.replicaAgent().persistedWireSeq() == 20, "resynced replica caught up");
        final Path setAside;
        try (Stream<Path> files = Files.list(dir.resolve("replica")))
        {
            setAside = files.filter(path -> path.getFileName().toString().startsWith("journal.diverged-"))
                .findFirst().orElseThrow();
        }
        replica.close();
        replica = null;
        primary.close();
        primary = null;

        assertEquals(20, sameEntries(dir.resolve("second").resolve("journal"), 1,
            dir.resolve("replica").resolve("journal"), 2), "the replica holds the primary's journal");
        assertEquals(10, sameEntries(dir.resolve("first").resolve("journal"), 1, setAside, 2),
            "the diverged journal is kept, intact");
    }

    @Test
    void shouldResyncFromThePrimarysNewestSnapshotAndThenItsJournal() throws Exception
    {
        final String data = "127.0.0.1:" + freePort();
        final String control = "127.0.0.1:" + freePort();
        final Map<String, String> replicaRaw = base(dir.resolve("replica"), 2);
        replicaRaw.put("replication.data.bind", data);
        replicaRaw.put("replication.primary.control", control);
        final NodeConfig replicaConfig = NodeConfig.parse(replicaRaw, dir);
        final Map<String, String> primaryRaw = base(dir.resolve("primary"), 1);
        primaryRaw.put("durability", "local");
        primaryRaw.put("snapshot.interval.entries", "50");
        primaryRaw.put("snapshot.interval.seconds", "0");
        primaryRaw.put("journal.retention", "keep-all");
        primaryRaw.put("replication.replica.0.data", data);
        primaryRaw.put("replication.replica.0.control", control);

        primary = PrimaryNode.start(NodeConfig.parse(primaryRaw, dir));
        replica = ReplicaNode.start(replicaConfig);
        trade(primary, 30, 9_000);
        await(() -> replica.replicaAgent().persistedWireSeq() == 30, "replica followed to 30");
        replica.close();

        trade(primary, 100, 8_000);
        final Path snapshots = dir.resolve("primary").resolve("journal").resolve("snapshots");
        await(() -> newestSnapshotWireSeq(snapshots) >= 100, "a primary snapshot at or after wireSeq 100");
        final long snapshotWireSeq = newestSnapshotWireSeq(snapshots);
        trade(primary, 20, 7_000);
        final long last = primary.lastWireSeq();

        replica = ReplicaNode.startResync(replicaConfig);
        await(() -> replica.replicaAgent().persistedWireSeq() == last, "resynced replica caught up");
        assertEquals(1, replica.replicaAgent().snapshotsInstalled());
        // The primary's newest at the moment of the handshake: the one seen above, or one written during the last
        // 20 trades (snapshots every 50 entries).
        final long installedWireSeq = replica.replicaAgent().lastInstalledSnapshotWireSeq();
        assertTrue(installedWireSeq >= snapshotWireSeq && installedWireSeq <= last,
            "installed snapshot " + installedWireSeq + ", newest seen before " + snapshotWireSeq + ", last " + last);
        final Path setAside;
        try (Stream<Path> files = Files.list(dir.resolve("replica")))
        {
            setAside = files.filter(path -> path.getFileName().toString().startsWith("journal.diverged-"))
                .findFirst().orElseThrow();
        }
        replica.close();
        replica = null;
        primary.close();
        primary = null;

        final Path replicaJournal = dir.resolve("replica").resolve("journal");
        try (Journal journal = Journal.open(new Journal.Context().directory(replicaJournal).nodeId(2)))
        {
            assertEquals(installedWireSeq + 1, journal.firstWireSeq(), "the journal starts after the snapshot");
        }
        assertEquals(last - installedWireSeq, sameEntriesFrom(dir.resolve("primary").resolve("journal"), 1,
            replicaJournal, 2, installedWireSeq + 1), "the tail after the snapshot is the primary's");
        assertEquals(30, countEntries(setAside, 2), "the previous journal is kept, intact");
    }

    private static long newestSnapshotWireSeq(final Path snapshots)
    {
        try
        {
            final SnapshotInfo newest = new SnapshotStore(snapshots).newestValid();
            return newest == null ? 0 : newest.wireSeq();
        }
        catch (final java.io.IOException ex)
        {
            return 0;
        }
    }

    private static long countEntries(final Path journalDir, final int nodeId) throws Exception
    {
        long count = 0;
        try (Journal journal = Journal.open(new Journal.Context().directory(journalDir).nodeId(nodeId));
            JournalReader reader = journal.newReader())
        {
            while (reader.next())
            {
                count++;
            }
        }
        return count;
    }

    /** Compares {@code actual} with {@code expected} from {@code fromWireSeq}; returns how many matched. */
    private static long sameEntriesFrom(final Path expectedDir, final int expectedNode, final Path actualDir,
        final int actualNode, final long fromWireSeq) throws Exception
    {
        long compared = 0;
        try (Journal expected = Journal.open(new Journal.Context().directory(expectedDir).nodeId(expectedNode));
            Journal actual = Journal.open(new Journal.Context().directory(actualDir).nodeId(actualNode));
            JournalReader expectedReader = expected.newReader();
            JournalReader actualReader = actual.newReader())
        {
            assertTrue(expectedReader.seek(fromWireSeq));
            while (expectedReader.next())
            {
                assertTrue(actualReader.next(), "entry " + expectedReader.entry().wireSeq() + " missing");
                assertEquals(expectedReader.entry().wireSeq(), actualReader.entry().wireSeq());
                assertEquals(expectedReader.entry().crc32c(), actualReader.entry().crc32c());
                compared++;
            }
            assertFalse(actualReader.next(), "the replica holds more than the primary");
        }
        return compared;
    }

    /** Compares two journals entry by entry (wireSeq and CRC); returns how many matched. */
    private static long sameEntries(final Path expectedDir, final int expectedNode, final Path actualDir,
        final int actualNode) throws Exception
    {
        long compared = 0;
        try (Journal expected = Journal.open(new Journal.Context().directory(expectedDir).nodeId(expectedNode));
            Journal actual = Journal.open(new Journal.Context().directory(actualDir).nodeId(actualNode));
            JournalReader expectedReader = expected.newReader();
            JournalReader actualReader = actual.newReader())
        {
            while (expectedReader.next())
            {
                assertTrue(actualReader.next(), "entry " + expectedReader.entry().wireSeq() + " missing");
                assertEquals(expectedReader.entry().wireSeq(), actualReader.entry().wireSeq());
                assertEquals(expectedReader.entry().crc32c(), actualReader.entry().crc32c());
                compared++;
            }
        }
        return compared;
    }
}
