package io.sluice.journal;

import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * One run of {@link Journal#recover}: snapshot, positioned scan and replay, torn-tail repair, and bringing
 * Chronicle's own bookkeeping in line with what the scan proved.
 */
final class JournalRecovery
{
    private static final Logger LOG = LoggerFactory.getLogger(JournalRecovery.class);

    private final Journal journal;
    private final SingleChronicleQueue queue;
    private Journal.RecoveryState state;

    JournalRecovery(final Journal journal)
    {
        this.journal = journal;
        this.queue = journal.queue();
    }

    Journal.RecoveryState state()
    {
        return state;
    }

    RecoveryResult run(final SnapshotStore snapshots, final JournalStateMachine stateMachine) throws IOException
    {
        final JournalHeaderFile header = journal.header();
        final Path headerPath = JournalHeaderFile.path(journal.directory());
        final long firstWireSeq = header.firstWireSeq;

        final SnapshotInfo snapshot = snapshots.loadNewest(stateMachine);
        final long snapshotWireSeq = snapshot == null ? 0 : snapshot.wireSeq();
        if (snapshot == null && firstWireSeq > 1)
        {
            throw new JournalCorruptionException(headerPath, firstWireSeq, "the journal starts at wireSeq " +
                firstWireSeq + " and there is no valid snapshot in " + snapshots.directory() + " to start from");
        }
        if (snapshotWireSeq + 1 < firstWireSeq)
        {
            throw new JournalCorruptionException(headerPath, firstWireSeq, "newest valid snapshot covers wireSeq " +
                snapshotWireSeq + " but the journal starts at wireSeq " + firstWireSeq);
        }

        final List<Path> files = JournalScanner.listCycleFiles(journal.queueDirectory());
        final JournalScanner scanner = new JournalScanner(files);
        final JournalScanner.EntryListener listener = (entry, file, headerOffset, seqInCycle) ->
            stateMachine.apply(entry);

        JournalScanner.Result result = null;
        if (snapshotWireSeq >= firstWireSeq)
        {
            result = scanFromLocated(scanner, files, snapshotWireSeq, listener);
        }
        if (result == null)
        {
            result = scanner.scan(0, 0, 0, JournalScanner.ANY_WIRE_SEQ, firstWireSeq, snapshotWireSeq + 1, listener);
        }

        final long lastWireSeq;
        if (result.lastWireSeq == JournalScanner.ANY_WIRE_SEQ)
        {
            if (snapshotWireSeq >= firstWireSeq)
            {
                throw new JournalCorruptionException(journal.queueDirectory(), snapshotWireSeq, "the snapshot covers " +
                    "wireSeq " + snapshotWireSeq + " but the journal holds no entries from wireSeq " + firstWireSeq);
            }
            lastWireSeq = firstWireSeq - 1;
        }
        else
        {
            if (result.lastWireSeq < snapshotWireSeq)
            {
                throw new JournalCorruptionException(files.get(files.size() - 1), result.lastWireSeq,
                    "the journal ends at wireSeq " + result.lastWireSeq + ", before the snapshot's wireSeq " +
                    snapshotWireSeq);
            }
            lastWireSeq = result.lastWireSeq;
        }

        if (result.torn)
        {
            zero(result.tornFile, result.tornOffset, result.tornEnd);
        }
        for (final JournalScanner.FileSummary summary : result.files)
        {
            if (summary.unfinishedCreation)
            {
                LOG.warn("journal cycle file {} was being created when the node stopped (header unfinished, no " +
                    "entries); left for Chronicle to complete", summary.file);
            }
        }
        alignChronicle(result);
        for (final JournalScanner.FileSummary summary : result.files)
        {
            force(summary.file);
        }

        final JournalScanner.FileSummary last = result.lastFileWithEntries();
        state = last == null ?
            new Journal.RecoveryState(lastWireSeq, -1, -1) :
            new Journal.RecoveryState(lastWireSeq, journal.cycleOf(last.file), last.lastEntrySeqInCycle);
        if (last != null)
        {
            checkChronicleAgrees(last);
        }

        final long lastEpoch = result.lastWireSeq == JournalScanner.ANY_WIRE_SEQ ?
            (snapshot == null ? 0 : snapshot.epoch()) :
            Math.max(result.lastEpoch, snapshot == null ? 0 : snapshot.epoch());
        return new RecoveryResult(
            snapshotWireSeq, lastWireSeq, lastEpoch, result.entriesDelivered, result.tornDescription());
    }

    /**
     * Scans from the entry the snapshot covers, found through Chronicle's index; null if the index does not lead
     * there (the caller then scans from the start).
     */
    private JournalScanner.Result scanFromLocated(
        final JournalScanner scanner,
        final List<Path> files,
        final long snapshotWireSeq,
        final JournalScanner.EntryListener listener) throws IOException
    {
        int fileIndex = -1;
        long headerOffset = -1;
        long seqInCycle = -1;
        try (JournalReader reader = journal.newReader())
        {
            if (reader.locate(snapshotWireSeq))
            {
                fileIndex = files.indexOf(journal.fileForCycle(reader.locatedCycle));
                headerOffset = reader.locatedHeaderOffset;
                seqInCycle = reader.locatedSeqInCycle;
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("journal index lookup failed dir={} wireSeq={} reason=\"{}\"", journal.directory(), snapshotWireSeq,
                ex.toString());
        }
        if (fileIndex < 0)
        {
            LOG.warn("journal index lookup failed, scanning from first cycle dir={} wireSeq={}",
                journal.directory(), snapshotWireSeq);
            return null;
        }
        return scanner.scan(fileIndex, headerOffset, seqInCycle, snapshotWireSeq, JournalScanner.ANY_WIRE_SEQ,
            snapshotWireSeq + 1, listener);
    }

    /**
     * Makes every scanned file's header point at the last document the scan accepted, so the appender continues
     * right after it (and, after a torn entry was zeroed, over it).
     */
    private void alignChronicle(final JournalScanner.Result result)
    {
        for (final JournalScanner.FileSummary summary : result.files)
        {
            if (summary.lastDocOffset < 0)
            {
                continue;
            }
            try
            {
                final int cycle = journal.cycleOf(summary.file);
                final long writePosition = ChronicleStoreAccess.writePosition(queue, cycle);
                final boolean atEndMarker = summary.endOfCycleMarker && writePosition == summary.chainEnd;
                final boolean lastDocIsEntry = summary.lastDocOffset == summary.lastEntryOffset;
                if (atEndMarker || (!lastDocIsEntry && writePosition == summary.lastDocOffset))
                {
                    continue;
                }
                ChronicleStoreAccess.pointAt(queue, cycle, summary.lastDocOffset,
                    lastDocIsEntry ? summary.lastEntrySeqInCycle : -1);
            }
            catch (final RuntimeException ex)
            {
                throw new JournalCorruptionException(summary.file, result.lastWireSeq,
                    "Chronicle cannot read this cycle file's header: " + ex, ex);
            }
        }
    }

    /** Chronicle's own view of the end of the journal must match the scan, or appends would be misnumbered. */
    private void checkChronicleAgrees(final JournalScanner.FileSummary last)
    {
        final int cycle = journal.cycleOf(last.file);
        final long expectedIndex = queue.rollCycle().toIndex(cycle, last.lastEntrySeqInCycle);
        final long chronicleIndex;
        final boolean found;
        try (JournalReader reader = journal.newReader())
        {
            chronicleIndex = queue.lastIndex();
            found = reader.locate(last.lastWireSeq) && reader.locatedCycle == cycle &&
                reader.locatedSeqInCycle == last.lastEntrySeqInCycle &&
                reader.locatedHeaderOffset == last.lastEntryOffset;
        }
        catch (final RuntimeException | AssertionError ex)
        {
            // Chronicle checks its index with assertions (on under -ea): a damaged index surfaces as an
            // AssertionError, which is corruption like any other.
            throw new JournalCorruptionException(last.file, last.lastWireSeq,
                "Chronicle cannot read its index of this file: " + ex, ex);
        }
        if (chronicleIndex != expectedIndex)
        {
            throw new JournalCorruptionException(last.file, last.lastWireSeq, "Chronicle reports last index " +
                Long.toHexString(chronicleIndex) + " but the last entry is at index " +
                Long.toHexString(expectedIndex));
        }
        if (!found)
        {
            throw new JournalCorruptionException(last.file, last.lastWireSeq,
                "Chronicle's index does not lead to the last entry at offset " + last.lastEntryOffset);
        }
    }

    private static void zero(final Path file, final long from, final long to) throws IOException
    {
        final ByteBuffer zeros = ByteBuffer.allocate((int)Math.min(64 * 1024, to - from));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            long position = from;
            while (position < to)
            {
                zeros.clear().limit((int)Math.min(zeros.capacity(), to - position));
                position += channel.write(zeros, position);
            }
            channel.force(true);
        }
    }

    private static void force(final Path file) throws IOException
    {
        if (Files.exists(file))
        {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
            {
                channel.force(true);
            }
        }
    }
}
