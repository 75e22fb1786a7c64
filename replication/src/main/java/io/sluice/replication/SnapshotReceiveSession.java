package io.sluice.replication;

import io.sluice.journal.SnapshotInfo;
import io.sluice.journal.SnapshotStore;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * One snapshot transfer into a replica, stepped by its agent: the chunks are written to
 * {@code <directory>/snapshot-<wireSeq>.snap.part} with a running CRC32C; at the end the file is forced, its length
 * and CRC compared with the primary's, its format checked ({@link SnapshotStore#verify}) and only then handed to the
 * {@link SnapshotInstaller} on a thread of its own ({@link SnapshotInstallHandoff}); {@link #doWork()} watches for the
 * install to end. Until the installer runs, the replica's journal and state are untouched: a transfer that fails a
 * check or is {@link #abort() aborted} deletes its partial file and leaves the replica as it was.
 * <p>
 * A step that fails returns false with {@link #problem()} saying why: in {@link State#RECEIVING} the transfer can be
 * retried (the agent aborts it and handshakes again); in {@link State#FAILED} an I/O error or the installer stopped
 * it and the replica cannot go on ({@link #failure()} is the cause).
 * <p>
 * Agent thread only. While {@link State#INSTALLING} the agent must not touch the journal ring, the journal or the
 * state machine, which the installer replaces; once {@link #doWork()} has seen the install end, what it wrote is
 * visible to the agent thread.
 */
final class SnapshotReceiveSession
{
    /** Suffix of a snapshot file being received. */
    static final String PART_SUFFIX = ".part";
    /** Largest snapshot accepted: the journal's own limit on state bytes plus headroom for its header. */
    static final long MAX_SNAPSHOT_BYTES = (1L << 30) + 4096;

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotReceiveSession.class);

    /** Where the transfer stands. */
    enum State
    {
        /** Chunks are arriving and written to the partial file. */
        RECEIVING,
        /** The file arrived whole and passed its checks; the installer runs on its own thread. */
        INSTALLING,
        /** The installer swapped the journal and state for the snapshot's; the file is now the new journal's. */
        INSTALLED,
        /** An I/O error or the installer failed; see {@link #failure()}. The replica cannot go on. */
        FAILED,
        /** Cut short; the partial file is deleted and the replica is as it was before the transfer. */
        ABORTED
    }

    private final Path file;
    private final long wireSeq;
    private final long snapshotEpoch;
    private final long entryCrc32c;
    private final long totalBytes;
    /** Staging for chunk bytes on their way from the Aeron buffer to the file; the agent's, reused. */
    private final ByteBuffer staging;
    private final SnapshotInstallHandoff installHandoff;
    private final CRC32C crc = new CRC32C();
    /** Open while chunks arrive; closed once the file is forced at the end. */
    private FileChannel channel;
    private State state = State.RECEIVING;
    private long receivedBytes;
    private String problem;
    private Throwable failure;

    private SnapshotReceiveSession(
        final Path file,
        final FileChannel channel,
        final long wireSeq,
        final long snapshotEpoch,
        final long entryCrc32c,
        final long totalBytes,
        final ByteBuffer staging,
        final SnapshotInstaller installer)
    {
        this.file = file;
        this.channel = channel;
        this.wireSeq = wireSeq;
        this.snapshotEpoch = snapshotEpoch;
        this.entryCrc32c = entryCrc32c;
        this.totalBytes = totalBytes;
        this.staging = staging;
        this.installHandoff = new SnapshotInstallHandoff(installer);
    }

    /**
     * Creates the partial file for a snapshot the primary offered.
     *
     * @param entryCrc32c stored CRC32C of the primary's journal entry at {@code wireSeq}, handed to the installer.
     * @throws IOException if the file cannot be created; the message names it.
     */
    static SnapshotReceiveSession open(
        final Path directory,
        final long wireSeq,
        final long snapshotEpoch,
        final long entryCrc32c,
        final long totalBytes,
        final ByteBuffer staging,
        final SnapshotInstaller installer) throws IOException
    {
        final Path file = directory.resolve(SnapshotStore.fileName(wireSeq) + PART_SUFFIX);
        try
        {
            Files.createDirectories(file.getParent());
            final FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            return new SnapshotReceiveSession(
                file, channel, wireSeq, snapshotEpoch, entryCrc32c, totalBytes, staging, installer);
        }
        catch (final IOException ex)
        {
            throw new IOException("cannot create " + file + " for the snapshot transfer: " + ex, ex);
        }
    }

    /**
     * Writes the next chunk of the file.
     *
     * @return false if the chunk is not the next one ({@link State#RECEIVING}: retry) or the write failed
     * ({@link State#FAILED}).
     */
    boolean onChunk(final long offsetBytes, final DirectBuffer buffer, final int offset, final int length)
    {
        if (offsetBytes != receivedBytes || offsetBytes + length > totalBytes)
        {
            problem = "snapshot chunk of " + length + " bytes at offset " + offsetBytes + ", expected offset " +
                receivedBytes + " of " + totalBytes;
            return false;
        }
        try
        {
            int done = 0;
            while (done < length)
            {
                final int n = Math.min(staging.capacity(), length - done);
                staging.clear();
                buffer.getBytes(offset + done, staging, n);
                staging.flip();
                crc.update(staging);
                staging.flip();
                long position = offsetBytes + done;
                while (staging.hasRemaining())
                {
                    position += channel.write(staging, position);
                }
                done += n;
            }
        }
        catch (final IOException ex)
        {
            return fail("writing the snapshot transfer to " + file + " failed: " + ex, ex);
        }
        receivedBytes += length;
        return true;
    }

    /**
     * The primary sent every chunk: check the file and, if it passes, start the installer.
     *
     * @return false if the file is short, its CRC differs or it fails the format check ({@link State#RECEIVING}:
     * retry), or it could not be synced ({@link State#FAILED}).
     */
    boolean onEnd(final long totalLengthBytes, final long fileCrc32c)
    {
        if (receivedBytes != totalBytes || totalLengthBytes != totalBytes)
        {
            problem = "snapshot wireSeq " + wireSeq + " ended after " + receivedBytes + " of " + totalBytes + " bytes";
            return false;
        }
        if (crc.getValue() != fileCrc32c)
        {
            problem = "snapshot wireSeq " + wireSeq + " arrived with CRC32C " + Long.toHexString(crc.getValue()) +
                ", the primary sent " + Long.toHexString(fileCrc32c);
            return false;
        }
        final SnapshotInfo snapshot;
        try
        {
            channel.force(true);
            channel.close();
            channel = null;
            snapshot = SnapshotStore.verify(file);
        }
        catch (final IOException ex)
        {
            deleteFile();
            return fail("syncing the received snapshot " + file + " failed: " + ex, ex);
        }
        if (!snapshot.isValid() || snapshot.wireSeq() != wireSeq)
        {
            problem = "received snapshot wireSeq " + wireSeq + " failed its check: " + snapshot;
            return false;
        }
        state = State.INSTALLING;
        installHandoff.start(snapshot, entryCrc32c);
        return true;
    }

    /**
     * While installing, looks whether the installer has ended.
     *
     * @return 1 when it ended (then {@link State#INSTALLED} or {@link State#FAILED}), else 0.
     */
    int doWork()
    {
        return state == State.INSTALLING ? onInstallEnd(installHandoff.status()) : 0;
    }

    private int onInstallEnd(final SnapshotInstallHandoff.Status status)
    {
        switch (status)
        {
            case SUCCEEDED:
                state = State.INSTALLED;
                return 1;
            case FAILED:
                deleteFile();
                fail("installing snapshot wireSeq " + wireSeq + " failed: " + installHandoff.failure(),
                    installHandoff.failure());
                return 1;
            default:
                return 0;
        }
    }

    private boolean fail(final String problem, final Throwable failure)
    {
        this.problem = problem;
        this.failure = failure;
        state = State.FAILED;
        return false;
    }

    State state()
    {
        return state;
    }

    /** Whether the transfer is over: installed, failed or aborted. */
    boolean isDone()
    {
        return state != State.RECEIVING && state != State.INSTALLING;
    }

    /** Why the last step returned false. */
    String problem()
    {
        return problem;
    }

    /** What stopped the transfer, once {@link State#FAILED}. */
    Throwable failure()
    {
        return failure;
    }

    long wireSeq()
    {
        return wireSeq;
    }

    long snapshotEpoch()
    {
        return snapshotEpoch;
    }

    long entryCrc32c()
    {
        return entryCrc32c;
    }

    long totalBytes()
    {
        return totalBytes;
    }

    long receivedBytes()
    {
        return receivedBytes;
    }

    /**
     * Waits for an install in progress to end, however long it takes: an install cut off half way would leave the
     * node between two journals. Only an agent that is closing waits.
     *
     * @return 1 if an install ended (then {@link State#INSTALLED} or {@link State#FAILED}), else 0.
     */
    int awaitInstallEnd()
    {
        return state == State.INSTALLING ? onInstallEnd(installHandoff.awaitEnd()) : 0;
    }

    /**
     * Cuts the transfer short and deletes the partial file, unless it was installed. An install in progress cannot
     * be cut short: this waits for it to end first ({@link #awaitInstallEnd()}).
     */
    void abort()
    {
        awaitInstallEnd();
        if (state == State.INSTALLED)
        {
            return;
        }
        if (state == State.RECEIVING)
        {
            state = State.ABORTED;
        }
        deleteFile();
    }

    /** Closes and deletes the partial file; the previous journal and state are untouched. */
    private void deleteFile()
    {
        CloseHelper.quietClose(channel);
        channel = null;
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ex)
        {
            LOG.warn("cannot delete partial snapshot {}: {}", file, ex.toString());
        }
    }

    /**
     * A transfer cut short by a crash leaves its {@code .part} file; only a replica agent writes them, and a new agent
     * starts no transfer before its handshake, so whatever is there is debris.
     */
    static void deletePartialTransfers(final Path directory)
    {
        if (!Files.isDirectory(directory))
        {
            return;
        }
        try (Stream<Path> files = Files.list(directory))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                final String name = file.getFileName().toString();
                if (name.startsWith(SnapshotStore.FILE_PREFIX) && name.endsWith(PART_SUFFIX))
                {
                    Files.deleteIfExists(file);
                    LOG.warn("deleted the partial snapshot transfer {} left by an earlier run", file);
                }
            }
        }
        catch (final IOException ex)
        {
            LOG.warn("cannot clean partial snapshot transfers in {}: {}", directory, ex.toString());
        }
    }
}
