package io.sluice.journal;

import net.openhft.chronicle.wire.Wires;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static io.sluice.journal.EntryLayout.COMMAND_LENGTH_OFFSET;
import static io.sluice.journal.EntryLayout.COMMAND_OFFSET;
import static io.sluice.journal.EntryLayout.CRC_OFFSET;
import static io.sluice.journal.EntryLayout.EPOCH_OFFSET;
import static io.sluice.journal.EntryLayout.MAX_ENTRY_LENGTH;
import static io.sluice.journal.EntryLayout.ORDER;
import static io.sluice.journal.EntryLayout.SIGNATURE;
import static io.sluice.journal.EntryLayout.WIRE_SEQ_OFFSET;

/**
 * Reads Chronicle Queue cycle files ({@code *.cq4}) directly, document by document, and checks every journal entry:
 * structure, CRC32C and {@code wireSeq} continuity. Used by recovery, {@link JournalVerifier} and
 * {@link JournalInspector}; it never writes.
 * <p>
 * A cycle file is a chain of documents, each a 4-byte header (bit 31 not-complete, bit 30 metadata, low 30 bits
 * length) and its body, every header on a 4-byte boundary. Chronicle's own metadata (the store header, index
 * arrays) are metadata documents and are skipped; journal entries are data documents. A zero header ends the
 * chain; {@link Wires#END_OF_DATA} marks a finished cycle. Everything after the end of a chain must be zero.
 * Chronicle itself checks none of this: a tailer stops silently at a not-complete or zeroed header, skips a document
 * whose metadata bit flipped, and returns whatever bytes a length covers, so these checks are done here.
 * <p>
 * The first document that fails is either a torn final entry or corruption. It is torn only if nothing but that one
 * entry's bytes follows it (in its file and in later files), the entry is not intact behind a damaged non-zero
 * header, and its header does not claim more than an entry can hold: an incomplete last write. (An append killed
 * part-way leaves a zero header over some or all of the body, since Chronicle writes the header last; a power loss
 * can also leave the header without the body pages.) Anything else throws {@link JournalCorruptionException}.
 */
final class JournalScanner
{
    static final String CYCLE_FILE_SUFFIX = ".cq4";
    static final long ANY_WIRE_SEQ = -1;

    /** Chronicle follows its end-of-cycle header with the text "EOF" (as a binary-wire field name). */
    private static final int END_OF_CYCLE_TEXT = 0xC3 | ('E' << 8) | ('O' << 16) | ('F' << 24);

    /** Chronicle metadata documents here are index arrays and the store header; far below this. */
    private static final int MAX_METADATA_LENGTH = 16 * 1024 * 1024;

    interface EntryListener
    {
        /**
         * One verified entry.
         *
         * @param entry        the entry, valid only during the call.
         * @param file         cycle file holding it.
         * @param headerOffset offset of its Chronicle document header in the file.
         * @param seqInCycle   its sequence number within the cycle (Chronicle's index within the file).
         */
        void onEntry(JournalEntryView entry, Path file, long headerOffset, long seqInCycle);
    }

    /** What a scan found in one file. */
    static final class FileSummary
    {
        final Path file;
        long entries;
        long firstWireSeq = ANY_WIRE_SEQ;
        long lastWireSeq = ANY_WIRE_SEQ;
        long lastEntryOffset = -1;
        long lastEntrySeqInCycle = -1;
        long lastDocOffset = -1;
        long chainEnd = -1;
        boolean endOfCycleMarker;
        /** Chronicle never finished creating this file (its header is incomplete) and it holds no entry. */
        boolean unfinishedCreation;

        FileSummary(final Path file)
        {
            this.file = file;
        }
    }

    /** Outcome of a scan that did not find corruption. */
    static final class Result
    {
        final List<FileSummary> files = new ArrayList<>();
        long entriesVerified;
        long entriesDelivered;
        long firstWireSeq = ANY_WIRE_SEQ;
        long lastWireSeq = ANY_WIRE_SEQ;
        long lastEpoch;
        boolean torn;
        Path tornFile;
        long tornOffset = -1;
        long tornEnd = -1;
        String tornReason;

        FileSummary lastFileWithEntries()
        {
            for (int i = files.size() - 1; i >= 0; i--)
            {
                if (files.get(i).entries > 0)
                {
                    return files.get(i);
                }
            }
            return null;
        }

        String tornDescription()
        {
            return torn ? "torn final entry at offset " + tornOffset + " of " + tornFile + " after wireSeq " +
                lastWireSeq + " (" + tornReason + ")" : null;
        }
    }

    private final List<Path> files;
    private final CRC32C crc = new CRC32C();
    private final JournalEntryView view = new JournalEntryView();

    JournalScanner(final List<Path> files)
    {
        this.files = files;
    }

    /** Cycle files of a queue directory in cycle order (Chronicle's file names sort chronologically). */
    static List<Path> listCycleFiles(final Path queueDir)
    {
        if (!Files.isDirectory(queueDir))
        {
            return new ArrayList<>();
        }
        try (Stream<Path> stream = Files.list(queueDir))
        {
            final List<Path> result = new ArrayList<>();
            stream
                .filter((p) -> p.getFileName().toString().endsWith(CYCLE_FILE_SUFFIX))
                .sorted()
                .forEach(result::add);
            return result;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Walks every document from {@code startOffset} (0 or a document header) of {@code files().get(startFile)} to
     * the end of the journal.
     *
     * @param startSeqInCycle   Chronicle sequence number of the first data document at the start offset.
     * @param expectedFirst     {@code wireSeq} the first entry must carry, or {@link #ANY_WIRE_SEQ}.
     * @param firstAtMost       if {@code expectedFirst} is ANY, the first entry must not be above this (a higher
     *                          one means entries are missing at the start).
     * @param deliverFrom       entries below this are verified but not handed to the listener.
     */
    Result scan(
        final int startFile,
        final long startOffset,
        final long startSeqInCycle,
        final long expectedFirst,
        final long firstAtMost,
        final long deliverFrom,
        final EntryListener listener) throws IOException
    {
        final Result result = new Result();
        long expected = expectedFirst;
        for (int i = startFile; i < files.size(); i++)
        {
            final FileSummary summary = new FileSummary(files.get(i));
            result.files.add(summary);
            try (FileWindow window = new FileWindow(files.get(i)))
            {
                final long from = i == startFile ? startOffset : 0;
                final long seq = i == startFile ? startSeqInCycle : 0;
                expected = scanFile(
                    window, i, from, seq, expected, firstAtMost, deliverFrom, listener, result, summary);
            }
            if (result.torn)
            {
                break;
            }
        }
        return result;
    }

    private long scanFile(
        final FileWindow window,
        final int fileIndex,
        final long startOffset,
        final long startSeq,
        final long expectedIn,
        final long firstAtMost,
        final long deliverFrom,
        final EntryListener listener,
        final Result result,
        final FileSummary summary) throws IOException
    {
        final long fileLength = window.fileLength();
        long expected = expectedIn;
        long seq = startSeq;
        long position = startOffset;
        while (true)
        {
            if (position + Wires.SPB_HEADER_SIZE > fileLength)
            {
                summary.chainEnd = position;
                if (position < fileLength && window.firstNonZero(position, fileLength) >= 0)
                {
                    classify(window, fileIndex, position, 0, "partial document header at end of file",
                        expected, result);
                }
                return expected;
            }
            final int header = window.buffer().getInt(window.map(position, Wires.SPB_HEADER_SIZE), ORDER);
            if (header == 0)
            {
                summary.chainEnd = position;
                if (window.firstNonZero(position, fileLength) >= 0)
                {
                    classify(window, fileIndex, position, header, "zero document header followed by data",
                        expected, result);
                }
                return expected;
            }
            if (header == Wires.END_OF_DATA)
            {
                summary.chainEnd = position;
                summary.endOfCycleMarker = true;
                long markerEnd = position + Wires.SPB_HEADER_SIZE;
                if (markerEnd + 4 <= fileLength &&
                    window.buffer().getInt(window.map(markerEnd, 4), ORDER) == END_OF_CYCLE_TEXT)
                {
                    markerEnd += 4;
                }
                final long garbage = window.firstNonZero(markerEnd, fileLength);
                if (garbage >= 0)
                {
                    throw corruption(window.path(), lastGood(result), "non-zero byte at offset " + garbage +
                        " after the end-of-cycle marker at offset " + position);
                }
                return expected;
            }

            final int length = Wires.lengthOf(header);
            final boolean metaData = (header & Wires.META_DATA) != 0;
            if ((header & Wires.NOT_COMPLETE) != 0)
            {
                if (position == 0 && fileIndex == files.size() - 1 &&
                    findEntry(window, Wires.SPB_HEADER_SIZE, fileLength, ANY_WIRE_SEQ) < 0)
                {
                    // The newest cycle file's own header (Chronicle's store metadata, written first and completed
                    // last) is unfinished and no entry is anywhere in the file: the process died while Chronicle was
                    // creating the file, at a roll. Nothing was appended to it, so it is not a torn entry to cut or
                    // corruption; Chronicle completes such a header itself when it next opens the cycle.
                    summary.unfinishedCreation = true;
                    summary.chainEnd = 0;
                    return expected;
                }
                classify(window, fileIndex, position, header, "document marked not complete", expected,
                    result);
                summary.chainEnd = position;
                return expected;
            }
            if (metaData)
            {
                if (length > MAX_METADATA_LENGTH || position + Wires.SPB_HEADER_SIZE + length > fileLength)
                {
                    classify(window, fileIndex, position, header,
                        "metadata length " + length + " runs past the end of the file", expected, result);
                    summary.chainEnd = position;
                    return expected;
                }
                if (length >= 8)
                {
                    final int offset = window.map(position + Wires.SPB_HEADER_SIZE, 8);
                    if (window.buffer().getLong(offset, ORDER) == SIGNATURE)
                    {
                        throw corruption(window.path(), lastGood(result),
                            "journal entry at offset " + position + " is flagged as Chronicle metadata");
                    }
                }
                summary.lastDocOffset = position;
                position = nextDocument(position, length);
                continue;
            }

            if (length > MAX_ENTRY_LENGTH || position + Wires.SPB_HEADER_SIZE + length > fileLength)
            {
                classify(window, fileIndex, position, header, "document length " + length +
                    (length > MAX_ENTRY_LENGTH ? " exceeds the largest entry" : " runs past the end of the file"),
                    expected, result);
                summary.chainEnd = position;
                return expected;
            }

            final long bodyPosition = position + Wires.SPB_HEADER_SIZE;
            final int offset = window.map(bodyPosition, length);
            final UnsafeBuffer buffer = window.buffer();
            String problem = EntryLayout.structureProblem(buffer, offset, length);
            if (problem == null)
            {
                final long stored = buffer.getInt(offset + CRC_OFFSET, ORDER) & 0xFFFF_FFFFL;
                final long computed = EntryLayout.crc32c(crc, window.byteBuffer(), offset, length) & 0xFFFF_FFFFL;
                if (stored != computed)
                {
                    problem = "CRC mismatch: stored " + Long.toHexString(stored) + ", computed " +
                        Long.toHexString(computed);
                }
            }
            if (problem != null)
            {
                classify(window, fileIndex, position, header, problem, expected, result);
                summary.chainEnd = position;
                return expected;
            }

            final long wireSeq = buffer.getLong(offset + WIRE_SEQ_OFFSET, ORDER);
            if (expected == ANY_WIRE_SEQ)
            {
                if (firstAtMost != ANY_WIRE_SEQ && wireSeq > firstAtMost)
                {
                    throw corruption(window.path(), wireSeq, "first entry is wireSeq " + wireSeq + " at offset " +
                        position + " but the journal should hold wireSeq " + firstAtMost + ": entries are missing");
                }
            }
            else if (wireSeq != expected)
            {
                throw corruption(window.path(), wireSeq, "wireSeq " + wireSeq + " at offset " + position +
                    " where " + expected + " was expected (" + (wireSeq > expected ? "gap" : "repeat") + ")");
            }

            if (result.firstWireSeq == ANY_WIRE_SEQ)
            {
                result.firstWireSeq = wireSeq;
            }
            if (summary.firstWireSeq == ANY_WIRE_SEQ)
            {
                summary.firstWireSeq = wireSeq;
            }
            result.entriesVerified++;
            result.lastWireSeq = wireSeq;
            result.lastEpoch = buffer.getLong(offset + EPOCH_OFFSET, ORDER);
            summary.entries++;
            summary.lastWireSeq = wireSeq;
            summary.lastEntryOffset = position;
            summary.lastEntrySeqInCycle = seq;
            summary.lastDocOffset = position;
            if (wireSeq >= deliverFrom && listener != null)
            {
                view.wrap(buffer, offset, length);
                listener.onEntry(view, window.path(), position, seq);
                result.entriesDelivered++;
            }
            expected = wireSeq + 1;
            seq++;
            position = nextDocument(position, length);
        }
    }

    /** Chronicle starts every document header on a 4-byte boundary. */
    static long nextDocument(final long headerOffset, final int length)
    {
        return (headerOffset + Wires.SPB_HEADER_SIZE + length + 3) & ~3L;
    }

    /**
     * Decides whether the failing document at {@code position} is a torn final entry (recorded in the result) or
     * corruption (thrown).
     */
    private void classify(
        final FileWindow window,
        final int fileIndex,
        final long position,
        final int header,
        final String problem,
        final long expected,
        final Result result) throws IOException
    {
        final long fileLength = window.fileLength();
        final Path path = window.path();
        final long lastGood = lastGood(result);
        final String where = "offset " + position + " (after wireSeq " + lastGood + ")";

        // A zero header over a complete body is how an append interrupted by a crash looks (Chronicle fills in the
        // header last), so only a non-zero header over an intact entry proves damage.
        final long intactWireSeq = header == 0 ?
            ANY_WIRE_SEQ : intactEntryAt(window, position + Wires.SPB_HEADER_SIZE, expected);
        if (intactWireSeq != ANY_WIRE_SEQ)
        {
            throw corruption(path, intactWireSeq, "document header 0x" + Integer.toHexString(header) + " at " +
                where + " is damaged but the entry behind it is intact: " + problem);
        }

        final boolean completeDataHeader = header != 0 &&
            (header & (Wires.NOT_COMPLETE | Wires.META_DATA)) == 0;
        final int declaredLength = Wires.lengthOf(header);
        if (completeDataHeader && declaredLength > MAX_ENTRY_LENGTH)
        {
            throw corruption(path, lastGood, "document length " + declaredLength + " at " + where +
                " exceeds the largest entry (" + MAX_ENTRY_LENGTH + " bytes)");
        }
        final long extentEnd = Math.min(fileLength, position + Wires.SPB_HEADER_SIZE +
            (completeDataHeader ? declaredLength : MAX_ENTRY_LENGTH));

        final long after = window.firstNonZero(extentEnd, fileLength);
        if (after >= 0)
        {
            throw corruption(path, lastGood, problem + " at " + where + ", followed by more data at offset " +
                after + describeEntryAfter(window, position + Wires.SPB_HEADER_SIZE, fileLength, expected));
        }
        final long validInside = findEntry(window, position + Wires.SPB_HEADER_SIZE, extentEnd, ANY_WIRE_SEQ);
        if (validInside >= 0)
        {
            throw corruption(path, lastGood, problem + " at " + where + ", followed by a valid entry at offset " +
                validInside);
        }
        for (int i = fileIndex + 1; i < files.size(); i++)
        {
            final long dataDoc = firstDataDocument(files.get(i));
            if (dataDoc >= 0)
            {
                throw corruption(path, lastGood, problem + " at " + where + ", but the later file " + files.get(i) +
                    " holds entries (first at offset " + dataDoc + ")");
            }
        }

        final long lastNonZero = window.lastNonZero(position, extentEnd);
        result.torn = true;
        result.tornFile = path;
        result.tornOffset = position;
        result.tornEnd = Math.max(position + Wires.SPB_HEADER_SIZE, lastNonZero + 1);
        result.tornReason = problem;
    }

    /**
     * If an intact entry (its own structure and CRC check out) starts at {@code bodyPosition}, its wireSeq, else
     * {@link #ANY_WIRE_SEQ}. When {@code expected} is known the entry must carry it.
     */
    private long intactEntryAt(final FileWindow window, final long bodyPosition, final long expected)
        throws IOException
    {
        final long fileLength = window.fileLength();
        if (bodyPosition + COMMAND_OFFSET > fileLength)
        {
            return ANY_WIRE_SEQ;
        }
        int offset = window.map(bodyPosition, COMMAND_OFFSET);
        if (window.buffer().getLong(offset, ORDER) != SIGNATURE)
        {
            return ANY_WIRE_SEQ;
        }
        final long commandLength = window.buffer().getInt(offset + COMMAND_LENGTH_OFFSET, ORDER) & 0xFFFF_FFFFL;
        if (commandLength > EntryLayout.MAX_COMMAND_LENGTH ||
            bodyPosition + COMMAND_OFFSET + commandLength > fileLength)
        {
            return ANY_WIRE_SEQ;
        }
        final int length = (int)(COMMAND_OFFSET + commandLength);
        offset = window.map(bodyPosition, length);
        if (EntryLayout.structureProblem(window.buffer(), offset, length) != null)
        {
            return ANY_WIRE_SEQ;
        }
        final long stored = window.buffer().getInt(offset + CRC_OFFSET, ORDER) & 0xFFFF_FFFFL;
        final long computed = EntryLayout.crc32c(crc, window.byteBuffer(), offset, length) & 0xFFFF_FFFFL;
        if (stored != computed)
        {
            return ANY_WIRE_SEQ;
        }
        final long wireSeq = window.buffer().getLong(offset + WIRE_SEQ_OFFSET, ORDER);
        return expected == ANY_WIRE_SEQ || wireSeq == expected ? wireSeq : ANY_WIRE_SEQ;
    }

    /** Offset of the first document header in {@code [from, to)} whose data document holds an intact entry. */
    private long findEntry(final FileWindow window, final long from, final long to, final long expected)
        throws IOException
    {
        long position = from;
        while (true)
        {
            final long candidate = window.firstNonZero(position, to);
            if (candidate < 0)
            {
                return -1;
            }
            final long aligned = candidate & ~3L;
            if (aligned + Wires.SPB_HEADER_SIZE <= window.fileLength())
            {
                final int header = window.buffer().getInt(window.map(aligned, Wires.SPB_HEADER_SIZE), ORDER);
                if ((header & (Wires.NOT_COMPLETE | Wires.META_DATA)) == 0 &&
                    Wires.lengthOf(header) >= EntryLayout.MIN_ENTRY_LENGTH &&
                    Wires.lengthOf(header) <= MAX_ENTRY_LENGTH &&
                    intactEntryAt(window, aligned + Wires.SPB_HEADER_SIZE, expected) != ANY_WIRE_SEQ)
                {
                    return aligned;
                }
            }
            position = aligned + 4;
        }
    }

    private String describeEntryAfter(final FileWindow window, final long from, final long to, final long expected)
        throws IOException
    {
        final long found = findEntry(window, from, to, ANY_WIRE_SEQ);
        if (found < 0)
        {
            return "";
        }
        final int offset = window.map(found + Wires.SPB_HEADER_SIZE, COMMAND_OFFSET);
        final long wireSeq = window.buffer().getLong(offset + WIRE_SEQ_OFFSET, ORDER);
        return " (valid entry wireSeq " + wireSeq + " at offset " + found +
            (expected != ANY_WIRE_SEQ ? ", expected next wireSeq " + expected : "") + ")";
    }

    /** Offset of the first data document in a cycle file's chain, or -1 if it holds none. */
    private static long firstDataDocument(final Path file) throws IOException
    {
        try (FileWindow window = new FileWindow(file))
        {
            final long fileLength = window.fileLength();
            long position = 0;
            while (position + Wires.SPB_HEADER_SIZE <= fileLength)
            {
                final int header = window.buffer().getInt(window.map(position, Wires.SPB_HEADER_SIZE), ORDER);
                if (header == 0 || header == Wires.END_OF_DATA)
                {
                    final long nonZero = window.firstNonZero(position + (header == 0 ? 0 : 4), fileLength);
                    return nonZero;
                }
                if ((header & Wires.META_DATA) == 0 || (header & Wires.NOT_COMPLETE) != 0)
                {
                    return position;
                }
                position = nextDocument(position, Wires.lengthOf(header));
            }
            return -1;
        }
    }

    private static long lastGood(final Result result)
    {
        return result.lastWireSeq;
    }

    private static JournalCorruptionException corruption(final Path file, final long wireSeq, final String problem)
    {
        return new JournalCorruptionException(file, wireSeq, problem);
    }
}
