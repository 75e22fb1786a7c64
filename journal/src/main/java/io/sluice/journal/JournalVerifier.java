package io.sluice.journal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code sluice journal verify DIR}: checks a journal directory end to end without changing it: the header, every
 * entry of every cycle file (Chronicle framing, CRC32C, {@code wireSeq} continuity, nothing after the end), and
 * every snapshot (CRC32C, and that the journal continues from it). Run it on a stopped node's journal or a copy:
 * entries appended while it reads can look like data after the end.
 */
public final class JournalVerifier
{
    public static final int OK = 0;
    public static final int PROBLEMS_FOUND = 1;
    public static final int NOT_A_JOURNAL = 2;

    private JournalVerifier()
    {
    }

    /**
     * Verifies the journal in {@code dir}, printing what it checked and every problem to {@code out}.
     *
     * @return {@link #OK} if journal and snapshots are sound (a torn final entry, which recovery drops, is noted but
     * is not a problem), {@link #PROBLEMS_FOUND} otherwise, {@link #NOT_A_JOURNAL} if {@code dir} is not one.
     */
    public static int verify(final Path dir, final PrintStream out)
    {
        final Path queueDir = dir.resolve(Journal.QUEUE_DIRECTORY);
        if (!Files.isDirectory(queueDir) && !Files.exists(JournalHeaderFile.path(dir)))
        {
            out.println("not a journal directory: " + dir + " (no " + Journal.QUEUE_DIRECTORY + "/ and no " +
                JournalHeaderFile.FILE_NAME + ")");
            return NOT_A_JOURNAL;
        }
        int problems = 0;

        JournalHeaderFile header = null;
        try
        {
            header = JournalHeaderFile.read(dir);
            if (header == null)
            {
                out.println("PROBLEM: " + JournalHeaderFile.path(dir) + " is missing");
                problems++;
            }
            else
            {
                out.println("header: " + header);
                if (header.formatVersion != JournalHeaderFile.FORMAT_VERSION)
                {
                    out.println("PROBLEM: format version " + header.formatVersion + ", this build reads " +
                        JournalHeaderFile.FORMAT_VERSION);
                    problems++;
                }
            }
        }
        catch (final JournalCorruptionException | IOException ex)
        {
            out.println("PROBLEM: " + ex.getMessage());
            problems++;
        }
        final long firstWireSeq = header != null ? header.firstWireSeq : JournalScanner.ANY_WIRE_SEQ;

        final List<Path> files = JournalScanner.listCycleFiles(queueDir);
        JournalScanner.Result result = null;
        try
        {
            result = new JournalScanner(files)
                .scan(0, 0, 0, JournalScanner.ANY_WIRE_SEQ, firstWireSeq, Long.MAX_VALUE, null);
            out.println("queue: " + files.size() + " cycle file(s), " + result.entriesVerified + " entries" +
                (result.entriesVerified > 0 ? ", wireSeq " + result.firstWireSeq + ".." + result.lastWireSeq : ""));
            for (final JournalScanner.FileSummary summary : result.files)
            {
                out.println("  " + summary.file.getFileName() + ": " + summary.entries + " entries" +
                    (summary.entries > 0 ? ", wireSeq " + summary.firstWireSeq + ".." + summary.lastWireSeq : "") +
                    (summary.endOfCycleMarker ? ", closed" : ""));
            }
            if (result.torn)
            {
                out.println("note: " + result.tornDescription() + "; recovery drops it");
            }
        }
        catch (final JournalCorruptionException | IOException ex)
        {
            out.println("PROBLEM: " + ex.getMessage());
            problems++;
        }

        problems += verifySnapshots(dir, header, result, out);

        if (problems == 0)
        {
            out.println("OK");
            return OK;
        }
        out.println(problems + " problem(s) found");
        return PROBLEMS_FOUND;
    }

    private static int verifySnapshots(
        final Path dir, final JournalHeaderFile header, final JournalScanner.Result result, final PrintStream out)
    {
        int problems = 0;
        final List<SnapshotInfo> snapshots;
        try
        {
            snapshots = new SnapshotStore(dir.resolve(Journal.SNAPSHOT_DIRECTORY)).list();
        }
        catch (final IOException ex)
        {
            out.println("PROBLEM: cannot list snapshots: " + ex);
            return 1;
        }
        out.println("snapshots: " + snapshots.size());
        SnapshotInfo newestValid = null;
        for (final SnapshotInfo snapshot : snapshots)
        {
            out.println("  " + snapshot);
            if (!snapshot.isValid())
            {
                out.println("PROBLEM: " + snapshot.file() + " is damaged: " + snapshot.problem());
                problems++;
                continue;
            }
            if (newestValid == null)
            {
                newestValid = snapshot;
            }
            if (result != null && result.lastWireSeq != JournalScanner.ANY_WIRE_SEQ &&
                snapshot.wireSeq() > result.lastWireSeq)
            {
                out.println("PROBLEM: " + snapshot.file() + " covers wireSeq " + snapshot.wireSeq() +
                    " beyond the journal's last entry " + result.lastWireSeq);
                problems++;
            }
        }
        if (header != null)
        {
            final long startWireSeq = newestValid == null ? 0 : newestValid.wireSeq();
            if (startWireSeq + 1 < header.firstWireSeq)
            {
                out.println("PROBLEM: the journal starts at wireSeq " + header.firstWireSeq + " but " +
                    (newestValid == null ? "there is no valid snapshot" :
                    "the newest valid snapshot covers only wireSeq " + startWireSeq) +
                    ": the state cannot be rebuilt");
                problems++;
            }
        }
        return problems;
    }
}
