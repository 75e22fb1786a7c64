package io.sluice.journal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;

/**
 * How much space the journal's filesystem has left, asked by the {@link JournalAgent} through its
 * {@link DiskSpaceGuard}. The real probe asks the filesystem; {@link #shrinking} is the fault-injection seam that
 * makes a disk fill up without a small filesystem.
 */
@FunctionalInterface
public interface FreeSpaceProbe
{
    /**
     * @param journalBytesAppended bytes the agent has appended since it started (entries plus framing); the real
     *                             probe ignores it.
     * @return bytes an unprivileged writer may still use on the journal's filesystem.
     * @throws IOException if the filesystem cannot be asked.
     */
    long usableBytes(long journalBytesAppended) throws IOException;

    /**
     * The filesystem holding {@code directory}. {@link File#getUsableSpace()} is one {@code statvfs} call and
     * allocates nothing on the Java heap, so the agent may call it on its duty cycle.
     */
    static FreeSpaceProbe of(final Path directory)
    {
        final File file = directory.toFile();
        return (journalBytesAppended) ->
        {
            final long usableBytes = file.getUsableSpace();
            if (usableBytes == 0L && !file.isDirectory())
            {
                // getUsableSpace answers 0 for a path it cannot stat; that is not a full disk.
                throw new IOException("cannot read free space of " + directory + ": not a directory");
            }
            return usableBytes;
        };
    }

    /**
     * Fault injection (tests only): a disk that starts with {@code startBytes} free and loses what the journal
     * appends, never going below 0.
     */
    static FreeSpaceProbe shrinking(final long startBytes)
    {
        return (journalBytesAppended) -> Math.max(0L, startBytes - journalBytesAppended);
    }
}
