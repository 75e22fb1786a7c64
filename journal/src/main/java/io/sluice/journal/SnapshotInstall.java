package io.sluice.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Replaces a (closed) journal directory with a new journal seeded from a snapshot: the journal starts at the
 * snapshot's {@code wireSeq} + 1 and holds no entries yet; the snapshot is its only snapshot; the old directory is
 * set aside as {@code <dir>.behind-<UTC time>} (renamed, never deleted).
 * <p>
 * Crash safety. The new journal is built completely in {@code <dir>.installing}, every file and directory forced,
 * and only then renamed to {@code <dir>.incoming}: an {@code .incoming} directory is therefore always complete. Then
 * {@code <dir>} is renamed aside and {@code .incoming} renamed to {@code <dir>}, each rename made durable by forcing
 * the parent directory. A crash (SIGKILL, power loss) at any point leaves one of:
 * <ol>
 *   <li>{@code <dir>} intact, maybe with {@code .installing} or {@code .incoming} next to it: the old journal is
 *       the node's state; {@link #completeInterrupted} deletes the staging directory (it was never live) and the
 *       replica fetches a snapshot again;</li>
 *   <li>no {@code <dir>}, a complete {@code .incoming} and the old one set aside: {@link #completeInterrupted}
 *       finishes the last rename;</li>
 *   <li>{@code <dir>} is the new journal: recovery loads the snapshot and finds no entries, so the node stands at
 *       the snapshot's {@code wireSeq}.</li>
 * </ol>
 * There is never a moment where {@code <dir>} holds a half-built journal.
 */
public final class SnapshotInstall
{
    static final String INSTALLING_SUFFIX = ".installing";
    static final String INCOMING_SUFFIX = ".incoming";
    public static final String BEHIND_INFIX = ".behind-";

    private SnapshotInstall()
    {
    }

    /**
     * Installs {@code snapshot} as the start of a new journal in {@code context.directory()}, which must not be open.
     * The snapshot file is moved (not copied) into the new journal, so it must be on the same file system.
     *
     * @param context     options of the journal (directory and node id are used).
     * @param snapshot    a snapshot file that passed {@link SnapshotStore#verify}; its name may carry a suffix.
     * @param entryCrc32c stored CRC32C of the primary's journal entry at the snapshot's {@code wireSeq}.
     * @return where the old journal was set aside, or null if there was none.
     */
    public static Path install(final Journal.Context context, final SnapshotInfo snapshot, final long entryCrc32c)
        throws IOException
    {
        if (!snapshot.isValid())
        {
            throw new IllegalArgumentException("refusing to install a damaged snapshot: " + snapshot);
        }
        final Path journalDir = context.directory().toAbsolutePath();
        final Path parent = journalDir.getParent();
        final Path installing = sibling(journalDir, INSTALLING_SUFFIX);
        final Path incoming = sibling(journalDir, INCOMING_SUFFIX);
        deleteTree(installing);
        deleteTree(incoming);

        // 1. Build the complete new journal where nothing looks for one.
        final Path snapshots = installing.resolve(Journal.SNAPSHOT_DIRECTORY);
        Files.createDirectories(snapshots);
        Files.createDirectories(installing.resolve(Journal.QUEUE_DIRECTORY));
        final Path snapshotFile = snapshots.resolve(SnapshotStore.fileName(snapshot.wireSeq()));
        Files.move(snapshot.file(), snapshotFile, StandardCopyOption.ATOMIC_MOVE);
        force(snapshotFile);
        new JournalHeaderFile(JournalHeaderFile.FORMAT_VERSION, context.nodeId(), snapshot.wireSeq() + 1)
            .write(installing);
        new JournalSeedFile(snapshot.wireSeq(), entryCrc32c).write(installing);
        DurableFiles.forceDirectory(snapshots);
        DurableFiles.forceDirectory(installing.resolve(Journal.QUEUE_DIRECTORY));
        DurableFiles.forceDirectory(installing);

        // 2. Publish it as complete: from here on a crash can finish the install instead of redoing it.
        Files.move(installing, incoming, StandardCopyOption.ATOMIC_MOVE);
        DurableFiles.forceDirectory(parent);

        // 3. Set the old journal aside, then put the new one in its place.
        Path setAside = null;
        if (Files.exists(journalDir))
        {
            setAside = setAsideName(journalDir);
            Files.move(journalDir, setAside, StandardCopyOption.ATOMIC_MOVE);
            DurableFiles.forceDirectory(parent);
        }
        Files.move(incoming, journalDir, StandardCopyOption.ATOMIC_MOVE);
        DurableFiles.forceDirectory(parent);
        return setAside;
    }

    /**
     * Brings a journal directory back to one of the consistent states after a crash during {@link #install}: call
     * before opening the journal. Deletes a staging directory that never became live; finishes an install whose
     * new journal was complete but not yet renamed into place.
     *
     * @return true if an interrupted install was finished (the directory now holds the new journal).
     */
    public static boolean completeInterrupted(final Path journalDirectory) throws IOException
    {
        final Path journalDir = journalDirectory.toAbsolutePath();
        deleteTree(sibling(journalDir, INSTALLING_SUFFIX));
        final Path incoming = sibling(journalDir, INCOMING_SUFFIX);
        if (!Files.exists(incoming))
        {
            return false;
        }
        if (Files.exists(journalDir))
        {
            // The old journal was never set aside: it is still the node's state; fetch the snapshot again.
            deleteTree(incoming);
            return false;
        }
        Files.move(incoming, journalDir, StandardCopyOption.ATOMIC_MOVE);
        DurableFiles.forceDirectory(journalDir.getParent());
        return true;
    }

    /** {@code <dir>.behind-<UTC yyyyMMdd-HHmmss-SSS>}, with a counter if that exists already. */
    static Path setAsideName(final Path journalDir)
    {
        final String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC)
            .format(Instant.now());
        Path candidate = sibling(journalDir, BEHIND_INFIX + stamp);
        for (int i = 1; Files.exists(candidate); i++)
        {
            candidate = sibling(journalDir, BEHIND_INFIX + stamp + "-" + i);
        }
        return candidate;
    }

    private static Path sibling(final Path dir, final String suffix)
    {
        return dir.resolveSibling(dir.getFileName() + suffix);
    }

    private static void force(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.force(true);
        }
    }

    /** Deletes a staging directory; only ever called on {@code .installing} / {@code .incoming} paths. */
    private static void deleteTree(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>()
        {
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException
            {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            public FileVisitResult postVisitDirectory(final Path d, final IOException ex) throws IOException
            {
                if (ex != null)
                {
                    throw ex;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
        DurableFiles.forceDirectory(dir.getParent());
    }
}
