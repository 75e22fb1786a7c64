package io.sluice.node;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A node's claim on its data directory: an OS lock on {@code data.dir/node.lock}, taken before the journal is opened
 * or recovered and held for the life of the node (a replica promoted in the same process hands it to the primary it
 * becomes). A second node on the same directory, in this process or another, is refused with the directory and the
 * holder's process id; two nodes appending to one journal corrupt it. The OS drops the lock with the process, so a
 * node killed with SIGKILL leaves nothing to clean up; the file stays, with the last holder's pid, and is reused.
 */
public final class DataDirLock implements AutoCloseable
{
    /** The lock file, in the data directory. */
    public static final String FILE_NAME = "node.lock";
    private static final int MAX_HOLDER_BYTES = 256;

    private final Path dataDir;
    private final FileChannel channel;
    private final FileLock lock;

    /**
     * The data directory is held by another node.
     */
    public static final class InUseException extends IllegalStateException
    {
        private static final long serialVersionUID = 1L;

        InUseException(final Path dataDir, final String holder)
        {
            super("data.dir " + dataDir.toAbsolutePath() + " is in use by another node (" + holder + "); " +
                "one node per data directory: stop that node or give this one its own data.dir");
        }
    }

    private DataDirLock(final Path dataDir, final FileChannel channel, final FileLock lock)
    {
        this.dataDir = dataDir;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Creates the directory if needed and takes its lock, recording this process's id in the lock file.
     *
     * @param dataDir the node's data directory.
     * @return the held lock; close it to release.
     * @throws InUseException if another node holds it.
     * @throws IOException    if the lock file cannot be created or written.
     */
    public static DataDirLock acquire(final Path dataDir) throws IOException
    {
        Files.createDirectories(dataDir);
        final FileChannel channel = FileChannel.open(dataDir.resolve(FILE_NAME), StandardOpenOption.CREATE,
            StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock = null;
        try
        {
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                lock = null;
            }
            if (lock == null)
            {
                throw new InUseException(dataDir, holder(channel));
            }
            final byte[] pid = ("pid=" + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(pid), 0);
            channel.force(false);
            return new DataDirLock(dataDir, channel, lock);
        }
        catch (final IOException | RuntimeException ex)
        {
            if (lock != null)
            {
                lock.release();
            }
            channel.close();
            throw ex;
        }
    }

    /** What the holder wrote: {@code pid N}, or that it is unknown. */
    private static String holder(final FileChannel channel) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.allocate(MAX_HOLDER_BYTES);
        channel.read(bytes, 0);
        final String text = new String(bytes.array(), 0, bytes.position(), StandardCharsets.US_ASCII).trim();
        return text.startsWith("pid=") && text.length() > 4 ? "pid " + text.substring(4) : "pid unknown";
    }

    public Path dataDir()
    {
        return dataDir;
    }

    /** Releases the lock; the file stays. */
    public void close()
    {
        try
        {
            if (lock.isValid())
            {
                lock.release();
            }
            channel.close();
        }
        catch (final IOException ex)
        {
            // Closing the channel releases the lock in any case.
        }
    }
}
