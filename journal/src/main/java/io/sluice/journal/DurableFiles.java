package io.sluice.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Crash-safe file replacement for the journal's side files and snapshots: write a temporary file next to the
 * target, force it, rename it over the target, then force the directory so the rename itself is durable.
 */
final class DurableFiles
{
    static final String TEMP_SUFFIX = ".tmp";

    private DurableFiles()
    {
    }

    /** Writes the remaining bytes of {@code data} to {@code target} atomically; a reader sees the old or new file. */
    static void writeAtomically(final Path target, final ByteBuffer data) throws IOException
    {
        final Path temp = target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
        try (FileChannel channel = FileChannel.open(
            temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))
        {
            while (data.hasRemaining())
            {
                channel.write(data);
            }
            channel.force(true);
        }
        try
        {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final AtomicMoveNotSupportedException ex)
        {
            Files.deleteIfExists(temp);
            throw ex;
        }
        forceDirectory(target.toAbsolutePath().getParent());
    }

    /** Makes creations, renames and deletions in {@code directory} durable. */
    static void forceDirectory(final Path directory) throws IOException
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }
}
