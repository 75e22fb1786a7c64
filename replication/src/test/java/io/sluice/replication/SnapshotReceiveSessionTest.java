package io.sluice.replication;

import io.sluice.journal.SnapshotInfo;
import io.sluice.journal.SnapshotStore;
import io.sluice.matching.MatchingEngine;
import io.sluice.matching.SilentListener;
import io.sluice.pipeline.sequencer.CommandApplier;
import io.sluice.pipeline.sequencer.ExchangeStateMachine;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;

import static io.sluice.replication.ReplicationTestSupport.await;
import static io.sluice.replication.ReplicationTestSupport.engineContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The states of a snapshot transfer into a replica: chunks are written in order, the file is checked whole (length,
 * CRC, format), the installer runs on its own thread while the session reports INSTALLING, and a transfer that fails
 * a check or is aborted leaves no partial file behind.
 */
class SnapshotReceiveSessionTest
{
    private static final long WIRE_SEQ = 40;
    private static final long ENTRY_CRC = 0x1234_5678L;

    @TempDir
    Path dir;

    private byte[] snapshot;
    private long snapshotCrc;
    /** A third of the file, so it arrives in several chunks. */
    private int chunkBytes;
    private final ByteBuffer staging = ByteBuffer.allocateDirect(256);

    @BeforeEach
    void writeSnapshot() throws IOException
    {
        final Path source = dir.resolve("source");
        final SnapshotInfo written = new SnapshotStore(source).write(WIRE_SEQ, 3, new ExchangeStateMachine(
            new CommandApplier(new MatchingEngine(engineContext(), SilentListener.INSTANCE))));
        snapshot = Files.readAllBytes(written.file());
        final CRC32C crc = new CRC32C();
        crc.update(snapshot);
        snapshotCrc = crc.getValue();
        chunkBytes = Math.max(1, snapshot.length / 3);
    }

    @Test
    void shouldInstallOnItsOwnThreadOnceTheFileArrivedWholeAndPassedItsChecks() throws Exception
    {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicReference<String> installThread = new AtomicReference<>();
        final AtomicReference<SnapshotInfo> installed = new AtomicReference<>();
        final long[] writtenByInstaller = new long[1];
        final SnapshotReceiveSession session = open((info, entryCrc32c) ->
        {
            installThread.set(Thread.currentThread().getName());
            installed.set(info);
            awaitLatch(release);
            writtenByInstaller[0] = entryCrc32c;
        });

        sendAllChunks(session);
        assertEquals(snapshot.length, session.receivedBytes());
        assertTrue(session.onEnd(snapshot.length, snapshotCrc), session.problem());
        assertEquals(SnapshotReceiveSession.State.INSTALLING, session.state());
        assertFalse(session.isDone());
        await(() -> installed.get() != null, () -> "installer started");
        assertEquals(0, session.doWork(), "still installing");

        release.countDown();
        await(() -> session.doWork() == 1, () -> "install ended");
        assertEquals(SnapshotReceiveSession.State.INSTALLED, session.state());
        assertTrue(session.isDone());
        assertEquals(SnapshotInstallHandoff.THREAD_NAME, installThread.get());
        assertEquals(WIRE_SEQ, installed.get().wireSeq());
        assertEquals(partFile(), installed.get().file());
        assertEquals(ENTRY_CRC, writtenByInstaller[0], "what the installer wrote is seen once it has ended");

        session.abort();
        assertTrue(Files.exists(partFile()), "an installed file is the new journal's, never deleted");
    }

    @Test
    void shouldRefuseAChunkThatIsNotTheNextAndStayRetryable()
    {
        final SnapshotReceiveSession session = open(this::neverCalled);

        assertFalse(session.onChunk(5, new UnsafeBuffer(snapshot), 5, 10));
        assertEquals(SnapshotReceiveSession.State.RECEIVING, session.state());
        assertTrue(session.problem().contains("expected offset 0"), session.problem());

        assertFalse(session.onChunk(0, new UnsafeBuffer(new byte[snapshot.length + 1]), 0, snapshot.length + 1));
        assertTrue(session.problem().contains("of " + snapshot.length), session.problem());
    }

    @Test
    void shouldRefuseAFileThatEndsShortOrWhoseCrcDiffersAndDeleteItWhenAborted()
    {
        final SnapshotReceiveSession session = open(this::neverCalled);
        session.onChunk(0, new UnsafeBuffer(snapshot), 0, chunkBytes);

        assertFalse(session.onEnd(snapshot.length, snapshotCrc));
        assertTrue(session.problem().contains("ended after " + chunkBytes + " of " + snapshot.length),
            session.problem());

        sendChunksFrom(session, chunkBytes);
        assertFalse(session.onEnd(snapshot.length, snapshotCrc ^ 1));
        assertTrue(session.problem().contains("arrived with CRC32C"), session.problem());
        assertEquals(SnapshotReceiveSession.State.RECEIVING, session.state());
        assertTrue(Files.exists(partFile()));

        session.abort();
        assertEquals(SnapshotReceiveSession.State.ABORTED, session.state());
        assertTrue(session.isDone());
        assertFalse(Files.exists(partFile()), "the partial file is deleted");
    }

    @Test
    void shouldRefuseAFileThatFailsItsFormatCheckThoughItsCrcMatches()
    {
        final byte[] garbage = snapshot.clone();
        garbage[garbage.length / 2] ^= 0x5A;
        final CRC32C crc = new CRC32C();
        crc.update(garbage);
        final SnapshotReceiveSession session = open(this::neverCalled);
        assertTrue(session.onChunk(0, new UnsafeBuffer(garbage), 0, garbage.length));

        assertFalse(session.onEnd(garbage.length, crc.getValue()));
        assertTrue(session.problem().contains("failed its check"), session.problem());
        assertEquals(SnapshotReceiveSession.State.RECEIVING, session.state(), "retried, not fatal");

        session.abort();
        assertFalse(Files.exists(partFile()));
    }

    @Test
    void shouldFailAndDeleteThePartialFileWhenTheInstallerThrows()
    {
        final IOException thrown = new IOException("disk gone");
        final SnapshotReceiveSession session = open((info, entryCrc32c) ->
        {
            throw thrown;
        });
        sendAllChunks(session);
        assertTrue(session.onEnd(snapshot.length, snapshotCrc), session.problem());

        await(() -> session.doWork() == 1, () -> "install ended");
        assertEquals(SnapshotReceiveSession.State.FAILED, session.state());
        assertTrue(session.isDone());
        assertSame(thrown, session.failure());
        assertTrue(session.problem().startsWith("installing snapshot wireSeq " + WIRE_SEQ + " failed"),
            session.problem());
        assertFalse(Files.exists(partFile()));
    }

    @Test
    void shouldWaitForAnInstallInProgressWhenAborted() throws Exception
    {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final SnapshotReceiveSession session = open((info, entryCrc32c) ->
        {
            started.countDown();
            awaitLatch(release);
        });
        sendAllChunks(session);
        assertTrue(session.onEnd(snapshot.length, snapshotCrc));
        assertTrue(started.await(10, TimeUnit.SECONDS));

        final Thread closer = new Thread(session::abort, "closer");
        closer.start();
        closer.join(200);
        assertTrue(closer.isAlive(), "abort waits for the installer");

        release.countDown();
        closer.join(10_000);
        assertFalse(closer.isAlive());
        assertEquals(SnapshotReceiveSession.State.INSTALLED, session.state());
    }

    @Test
    void shouldDeleteOnlyPartialSnapshotTransfersLeftByAnEarlierRun() throws IOException
    {
        final Path partial = dir.resolve(SnapshotStore.fileName(9) + SnapshotReceiveSession.PART_SUFFIX);
        final Path other = dir.resolve("other" + SnapshotReceiveSession.PART_SUFFIX);
        Files.write(partial, new byte[10]);
        Files.write(other, new byte[10]);

        SnapshotReceiveSession.deletePartialTransfers(dir);

        assertFalse(Files.exists(partial));
        assertTrue(Files.exists(other));
    }

    private SnapshotReceiveSession open(final SnapshotInstaller installer)
    {
        try
        {
            return SnapshotReceiveSession.open(dir, WIRE_SEQ, 3, ENTRY_CRC, snapshot.length, staging, installer);
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private void sendAllChunks(final SnapshotReceiveSession session)
    {
        sendChunksFrom(session, 0);
    }

    private void sendChunksFrom(final SnapshotReceiveSession session, final int from)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(snapshot);
        for (int offset = from; offset < snapshot.length; offset += chunkBytes)
        {
            assertTrue(session.onChunk(offset, buffer, offset, Math.min(chunkBytes, snapshot.length - offset)),
                session.problem());
        }
    }

    private Path partFile()
    {
        return dir.resolve(SnapshotStore.fileName(WIRE_SEQ) + SnapshotReceiveSession.PART_SUFFIX);
    }

    private void neverCalled(final SnapshotInfo snapshot, final long entryCrc32c)
    {
        throw new AssertionError("installer called");
    }

    private static void awaitLatch(final CountDownLatch latch)
    {
        try
        {
            if (!latch.await(60, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("latch not released");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
