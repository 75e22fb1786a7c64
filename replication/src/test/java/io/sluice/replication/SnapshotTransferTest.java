package io.sluice.replication;

import io.sluice.journal.Journal;
import io.sluice.journal.RecoveryResult;
import io.sluice.journal.SnapshotInstall;
import io.sluice.journal.SnapshotStore;
import io.sluice.matching.MatchingEngine;
import io.sluice.matching.SilentListener;
import io.sluice.pipeline.sequencer.CommandApplier;
import io.sluice.pipeline.sequencer.ExchangeStateMachine;
import io.sluice.replication.ReplicationTestSupport.Node;
import io.sluice.replication.ReplicationTestSupport.Primary;
import io.sluice.replication.ReplicationTestSupport.Replica;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.sluice.replication.ReplicationTestSupport.assertNoAgentErrors;
import static io.sluice.replication.ReplicationTestSupport.await;
import static io.sluice.replication.ReplicationTestSupport.engineContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshot transfer: a replica whose position the primary's journal no longer holds (or that asks for it) receives
 * the newest snapshot and then the journal after it, and ends with the primary's state.
 */
class SnapshotTransferTest
{
    private static final Consumer<Journal.Context> SECONDLY = (context) -> context.rollCycle(
        TestRollCycles.TEST_SECONDLY);

    @TempDir
    Path dir;

    private Primary primary;
    private Replica replica;

    @AfterEach
    void tearDown()
    {
        CloseHelper.closeAll(replica, primary);
        assertNoAgentErrors();
    }

    @Test
    void shouldCatchUpFromSnapshotWhenRetentionDeletedTheReplicasPosition() throws IOException
    {
        primary = new Primary(dir.resolve("primary"), 1, (context) -> {}, SECONDLY);
        primary.append(500);
        replica = startReplica(dir.resolve("a"), (context) -> {});
        await(() -> primary.metrics.persistedWireSeq(0) == 500, () -> "replica at 500");
        replica.close();
        replica = null;

        final long snapshotWireSeq = appendAcrossCyclesAndSnapshot();
        final Journal primaryJournal = primary.node.journal;
        final int deleted = primaryJournal.deleteCyclesCoveredBy(snapshotWireSeq, Long.MAX_VALUE);
        assertTrue(deleted >= 1, "cycles deleted: " + deleted);
        assertTrue(primaryJournal.firstWireSeq() > 500, "journal starts at " + primaryJournal.firstWireSeq());

        replica = startReplica(dir.resolve("a"), (context) -> {});
        final long last = primary.lastWireSeq;
        await(() -> primary.metrics.persistedWireSeq(0) == last && replica.agent.appliedWireSeq() == last,
            () -> "replica caught up to " + last + " via snapshot: " + replica.agent);
        assertEquals(1, replica.agent.snapshotsInstalled());
        assertEquals(snapshotWireSeq, replica.agent.lastInstalledSnapshotWireSeq());
        assertEquals(1, primary.senders[0].snapshotsSent());
        assertTrue(primary.metrics.isActive(0));
        assertEquals(ReplicaAgent.State.FOLLOWING, replica.agent.state());
        assertSameStateHash(last);
        assertEquals(snapshotWireSeq + 1, replica.node.journal.firstWireSeq());

        // The old journal is set aside whole: it still recovers to where the replica stood.
        final Path setAside = replica.node.setAside;
        assertNotNull(setAside);
        assertTrue(setAside.getFileName().toString().startsWith("journal" + SnapshotInstall.BEHIND_INFIX));
        assertEquals(500, recoverCopy(setAside, 2).lastWireSeq());

        // Live streaming continues in the same stream.
        primary.append(200);
        final long end = primary.lastWireSeq;
        await(() -> primary.metrics.persistedWireSeq(0) == end, () -> "live after the install");
        assertSameStateHash(end);
    }

    @Test
    void shouldResyncFromSnapshotAndRetryATransferThatFailedItsCrc() throws IOException
    {
        final AtomicBoolean corruptOnce = new AtomicBoolean(true);
        primary = new Primary(dir.resolve("primary"), 1, (context) -> context.snapshotChunkHook(
            (offsetBytes, chunk, dataOffset, dataBytes) ->
            {
                if (offsetBytes == 0 && corruptOnce.getAndSet(false))
                {
                    chunk.putByte(dataOffset + dataBytes - 1, (byte)~chunk.getByte(dataOffset + dataBytes - 1));
                }
                return true;
            }));
        primary.append(3_000);
        final long snapshotWireSeq = primary.lastWireSeq;
        new SnapshotStore(primary.node.journal.snapshotDirectory())
            .write(snapshotWireSeq, ReplicationTestSupport.EPOCH, primary.node.stateMachine);
        primary.append(500);
        final long last = primary.lastWireSeq;

        replica = startReplica(dir.resolve("b"), (context) -> context.resyncFromSnapshot(true));
        await(() -> replica.agent.appliedWireSeq() == last && primary.metrics.persistedWireSeq(0) == last,
            () -> "resynced replica at " + last + ": " + replica.agent);
        assertEquals(1, replica.agent.snapshotTransferFailures(), "the corrupted transfer was refused");
        assertEquals(1, replica.agent.snapshotsInstalled());
        assertEquals(2, primary.senders[0].snapshotsSent(), "sent twice, the first one corrupted");
        assertEquals(snapshotWireSeq + 1, replica.node.journal.firstWireSeq());
        assertSameStateHash(last);
        assertTrue(partFiles(dir.resolve("b")).isEmpty(), "no partial snapshot left behind");
    }

    @Test
    void shouldHandshakeFromTheSeedOfAJournalThatHoldsOnlyTheSnapshot() throws IOException
    {
        primary = new Primary(dir.resolve("primary"), 1, (context) -> {});
        primary.append(1_000);
        final long snapshotWireSeq = primary.lastWireSeq;
        new SnapshotStore(primary.node.journal.snapshotDirectory())
            .write(snapshotWireSeq, ReplicationTestSupport.EPOCH, primary.node.stateMachine);

        replica = startReplica(dir.resolve("c"), (context) -> context.resyncFromSnapshot(true));
        await(() -> replica.agent.snapshotsInstalled() == 1 && primary.metrics.isActive(0) &&
            primary.metrics.persistedWireSeq(0) == snapshotWireSeq, () -> "snapshot installed and acked");
        replica.close();

        // Restarted with a journal that holds no entry: it handshakes from the snapshot with the seed's CRC.
        replica = startReplica(dir.resolve("c"), (context) -> {});
        primary.append(300);
        final long last = primary.lastWireSeq;
        await(() -> replica.agent.appliedWireSeq() == last, () -> "seeded replica follows: " + replica.agent);
        assertEquals(0, replica.agent.snapshotsInstalled(), "no second transfer");
        assertEquals(1, primary.senders[0].snapshotsSent());
        assertSameStateHash(last);
    }

    @Test
    void shouldKeepThePreviousJournalWhenTheTransferIsInterrupted() throws IOException
    {
        final AtomicBoolean hold = new AtomicBoolean(true);
        primary = new Primary(dir.resolve("primary"), 1,
            (context) -> context.snapshotChunkHook((offsetBytes, chunk, dataOffset, dataBytes) ->
                offsetBytes == 0 || !hold.get()),
            SECONDLY);
        primary.append(300);
        final Consumer<ReplicaAgentContext> fastTimeout =
            (context) -> context.heartbeatTimeoutNs(TimeUnit.MILLISECONDS.toNanos(300));
        replica = startReplica(dir.resolve("d"), fastTimeout);
        await(() -> primary.metrics.persistedWireSeq(0) == 300, () -> "replica at 300");
        replica.close();

        final long snapshotWireSeq = appendAcrossCyclesAndSnapshot();
        assertTrue(primary.node.journal.deleteCyclesCoveredBy(snapshotWireSeq, Long.MAX_VALUE) >= 1);

        replica = startReplica(dir.resolve("d"), fastTimeout);
        await(() -> replica.agent.state() == ReplicaAgent.State.RECEIVING_SNAPSHOT &&
            replica.agent.snapshotReceivedBytes() > 0, () -> "transfer under way: " + replica.agent);
        assertTrue(replica.agent.snapshotTotalBytes() > replica.agent.snapshotReceivedBytes());

        // The primary dies mid-transfer.
        primary.close();
        primary = null;
        await(() -> replica.agent.snapshotTransferFailures() == 1, () -> "transfer abandoned: " + replica.agent);
        assertEquals(300, replica.agent.appliedWireSeq());
        assertEquals(0, replica.agent.snapshotsInstalled());
        assertEquals(1, replica.node.journal.firstWireSeq(), "the previous journal is still in place");
        assertTrue(partFiles(dir.resolve("d")).isEmpty(), "the partial snapshot was deleted");
        replica.close();
        replica = null;
        assertEquals(300, recoverCopy(dir.resolve("d").resolve("node").resolve("journal"), 2).lastWireSeq());
    }

    @Test
    void shouldDeleteAPartialTransferLeftByACrash() throws IOException
    {
        primary = new Primary(dir.resolve("primary"), 1, (context) -> {});
        primary.append(100);
        final Path leftover = dir.resolve("e").resolve("node").resolve(SnapshotStore.fileName(77) +
            SnapshotReceiveSession.PART_SUFFIX);
        Files.createDirectories(leftover.getParent());
        Files.write(leftover, new byte[1234]);
        replica = startReplica(dir.resolve("e"), (context) -> {});
        assertFalse(Files.exists(leftover), "debris of a transfer killed part-way is removed at start");
        await(() -> primary.metrics.persistedWireSeq(0) == 100, () -> "replica follows as usual");
    }

    @Test
    void shouldKeepItsDutyCycleWhileTheInstallRunsOnItsOwnThread() throws IOException
    {
        primary = new Primary(dir.resolve("primary"), 1, (context) -> {});
        primary.append(1_000);
        final long snapshotWireSeq = primary.lastWireSeq;
        new SnapshotStore(primary.node.journal.snapshotDirectory())
            .write(snapshotWireSeq, ReplicationTestSupport.EPOCH, primary.node.stateMachine);
        primary.append(200);
        final long last = primary.lastWireSeq;

        final CountDownLatch release = new CountDownLatch(1);
        final AtomicReference<String> installThread = new AtomicReference<>();
        final Node node = Node.open(dir.resolve("f").resolve("node"), 2, engineContext());
        replica = new Replica(node, dir.resolve("f"), 2, primary.dataEndpoints[0], primary.controlEndpoints[0],
            (context) -> context.resyncFromSnapshot(true).snapshotInstaller((snapshot, entryCrc32c) ->
            {
                installThread.set(Thread.currentThread().getName());
                awaitRelease(release);
                node.installSnapshot(snapshot, entryCrc32c);
            }));
        await(() -> replica.agent.state() == ReplicaAgent.State.INSTALLING_SNAPSHOT, () -> "installing");
        replica.agent.requestStateHash();

        // Held well past the primary's heartbeat timeout (1 s): the replica's duty cycle goes on, and its heartbeats
        // keep the slot's stream, while it leaves the journal and state to the installer.
        final long holdUntilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2_500);
        while (System.nanoTime() < holdUntilNs)
        {
            assertEquals(ReplicaAgent.State.INSTALLING_SNAPSHOT, replica.agent.state());
            assertNull(replica.agent.stateHash(), "no state hash while the installer has the state");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        assertEquals(SnapshotInstallHandoff.THREAD_NAME, installThread.get());
        assertEquals(0, primary.senders[0].heartbeatTimeouts(), "the replica heartbeats while it installs");
        assertEquals(ReplicationSenderAgent.State.STREAMING, primary.senders[0].state());

        release.countDown();
        await(() -> replica.agent.appliedWireSeq() == last && primary.metrics.persistedWireSeq(0) == last,
            () -> "following after the install: " + replica.agent);
        assertEquals(1, replica.agent.snapshotsInstalled());
        assertEquals(snapshotWireSeq, replica.agent.lastInstalledSnapshotWireSeq());
        assertEquals(0, replica.agent.rehandshakes(), "it follows on the handshake the snapshot answered");
        assertEquals(0, primary.senders[0].heartbeatTimeouts());
        assertNotNull(replica.agent.stateHash(), "the state hash asked for during the install, taken after it");
        assertSameStateHash(last);
    }

    @Test
    void shouldFinishAnInstallInProgressBeforeTheAgentStopsAndPublishWhereItLeftTheReplica() throws Exception
    {
        primary = new Primary(dir.resolve("primary"), 1, (context) -> {});
        primary.append(1_000);
        final long snapshotWireSeq = primary.lastWireSeq;
        new SnapshotStore(primary.node.journal.snapshotDirectory())
            .write(snapshotWireSeq, ReplicationTestSupport.EPOCH, primary.node.stateMachine);

        final CountDownLatch release = new CountDownLatch(1);
        final Node node = Node.open(dir.resolve("g").resolve("node"), 2, engineContext());
        replica = new Replica(node, dir.resolve("g"), 2, primary.dataEndpoints[0], primary.controlEndpoints[0],
            (context) -> context.resyncFromSnapshot(true).snapshotInstaller((snapshot, entryCrc32c) ->
            {
                awaitRelease(release);
                node.installSnapshot(snapshot, entryCrc32c);
            }));
        await(() -> replica.agent.state() == ReplicaAgent.State.INSTALLING_SNAPSHOT, () -> "installing");

        // As a promotion does: stop the agent, then read its position and take its state.
        final Thread stopper = new Thread(replica::stopAgent, "stopper");
        stopper.start();
        stopper.join(300);
        assertTrue(stopper.isAlive(), "stopping waits for the install");
        release.countDown();
        stopper.join(60_000);
        assertFalse(stopper.isAlive());

        assertEquals(1, replica.agent.snapshotsInstalled());
        assertEquals(snapshotWireSeq, replica.agent.appliedWireSeq(), "the position agrees with the state");
        assertEquals(snapshotWireSeq + 1, replica.node.journal.firstWireSeq());
        assertEquals(primary.node.engine.stateHash(), replica.node.stateMachine.stateHash());
    }

    private static void awaitRelease(final CountDownLatch release)
    {
        try
        {
            assertTrue(release.await(60, TimeUnit.SECONDS), "install released");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    /** Three more cycle files of entries, a snapshot of the primary's state, then a tail in a newer cycle. */
    private long appendAcrossCyclesAndSnapshot() throws IOException
    {
        for (int i = 0; i < 2; i++)
        {
            sleepPastSecond();
            primary.append(1_000);
        }
        final long snapshotWireSeq = primary.lastWireSeq;
        await(() -> primary.node.persistedWireSeq() == snapshotWireSeq, () -> "primary journal synced");
        new SnapshotStore(primary.node.journal.snapshotDirectory())
            .write(snapshotWireSeq, ReplicationTestSupport.EPOCH, primary.node.stateMachine);
        sleepPastSecond();
        primary.append(700);
        final long last = primary.lastWireSeq;
        await(() -> primary.node.persistedWireSeq() == last, () -> "primary journal synced");
        return snapshotWireSeq;
    }

    private static void sleepPastSecond()
    {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1_100));
    }

    private Replica startReplica(final Path replicaDir, final Consumer<ReplicaAgentContext> options)
    {
        final Node node = Node.open(replicaDir.resolve("node"), 2, engineContext());
        return new Replica(node, replicaDir, 2, primary.dataEndpoints[0], primary.controlEndpoints[0],
            (context) ->
            {
                context.snapshotInstaller(node::installSnapshot);
                options.accept(context);
            });
    }

    private void assertSameStateHash(final long wireSeq)
    {
        final long expected = primary.node.engine.stateHash();
        replica.agent.requestStateHash();
        await(() -> replica.agent.stateHash() != null && replica.agent.stateHash().wireSeq() == wireSeq,
            () -> "replica state hash at " + wireSeq);
        assertEquals(expected, replica.agent.stateHash().hash(), "state hash at wireSeq " + wireSeq);
    }

    private static RecoveryResult recoverCopy(final Path journalDir, final int nodeId) throws IOException
    {
        try (Journal journal = Journal.open(new Journal.Context().directory(journalDir).nodeId(nodeId)))
        {
            return journal.recover(new SnapshotStore(journal.snapshotDirectory()),
                new ExchangeStateMachine(new CommandApplier(new MatchingEngine(engineContext(),
                SilentListener.INSTANCE))));
        }
    }

    private static List<Path> partFiles(final Path root) throws IOException
    {
        try (Stream<Path> files = Files.walk(root))
        {
            return files.filter((p) -> p.getFileName().toString().endsWith(SnapshotReceiveSession.PART_SUFFIX) ||
                p.getFileName().toString().endsWith(".installing") ||
                p.getFileName().toString().endsWith(".incoming")).toList();
        }
    }
}
