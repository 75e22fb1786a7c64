package io.sluice.journal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.io.ClosedIORuntimeException;
import net.openhft.chronicle.core.io.ClosedIllegalStateException;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import net.openhft.chronicle.wire.Wires;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.NavigableSet;
import java.util.zip.CRC32C;

import static io.sluice.journal.EntryLayout.CRC_OFFSET;
import static io.sluice.journal.EntryLayout.MAX_ENTRY_LENGTH;
import static io.sluice.journal.EntryLayout.MIN_ENTRY_LENGTH;
import static io.sluice.journal.EntryLayout.ORDER;
import static io.sluice.journal.EntryLayout.SIGNATURE;
import static io.sluice.journal.EntryLayout.WIRE_SEQ_OFFSET;

/**
 * Reads journal entries in {@code wireSeq} order through a Chronicle tailer, live behind the appender (replication
 * senders stream with it) or from any point (recovery, catch-up). Every entry is checked (structure, CRC32C,
 * continuity) before it is returned; damage throws {@link JournalCorruptionException}.
 * <p>
 * {@link #seek} positions in O(log cycles) probes plus Chronicle's index lookup (a binary search over the cycle
 * files by their first {@code wireSeq}, then the sparse index within the file), never a scan from the start.
 * {@link #next} never blocks. A reader belongs to one thread: the tailer is created on first use, by the thread
 * that then owns it.
 */
public final class JournalReader implements AutoCloseable
{
    /** {@link #nextWireSeq()} before the first entry has been read or sought. */
    public static final long UNKNOWN = -1;

    private final Journal journal;
    private final SingleChronicleQueue queue;
    private final RollCycle rollCycle;
    private final byte[] copy = new byte[MAX_ENTRY_LENGTH];
    private final UnsafeBuffer copyBuffer = new UnsafeBuffer(copy);
    private final JournalEntryView view = new JournalEntryView();
    private final CRC32C crc = new CRC32C();
    private ExcerptTailer tailer;
    private long nextWireSeq = UNKNOWN;
    private long lastIndex = -1;

    /** Cycles whose first entry {@link #locate} read; tests check seeking stays logarithmic. */
    int cycleProbes;

    /** Where {@link #locate} last found an entry: Chronicle cycle, sequence in it, header offset in the file. */
    int locatedCycle;
    long locatedSeqInCycle;
    long locatedHeaderOffset;

    JournalReader(final Journal journal)
    {
        this.journal = journal;
        this.queue = journal.queue();
        this.rollCycle = queue.rollCycle();
    }

    private ExcerptTailer tailer()
    {
        if (tailer == null)
        {
            tailer = queue.createTailer();
        }
        return tailer;
    }

    /**
     * Positions the reader so that {@link #next()} returns the entry {@code wireSeq}.
     *
     * @return false if the journal does not hold that entry (or its index cannot find it); the reader must then be
     * sought again before reading.
     */
    public boolean seek(final long wireSeq)
    {
        try
        {
            if (!locate(wireSeq))
            {
                return false;
            }
            if (!tailer().moveToIndex(rollCycle.toIndex(locatedCycle, locatedSeqInCycle)))
            {
                return false;
            }
        }
        catch (final JournalCorruptionException | ClosedIllegalStateException | ClosedIORuntimeException ex)
        {
            throw ex;
        }
        catch (final RuntimeException | AssertionError ex)
        {
            throw chronicleFailure(wireSeq, ex);
        }
        nextWireSeq = wireSeq;
        return true;
    }

    /**
     * Reads the next entry if one has been appended.
     *
     * @return true if {@link #entry()} now holds it; false if there is nothing new yet.
     * @throws JournalCorruptionException if the next excerpt is not the intact entry expected.
     */
    public boolean next()
    {
        try
        {
            return readNext();
        }
        catch (final JournalCorruptionException | ClosedIllegalStateException | ClosedIORuntimeException ex)
        {
            throw ex;
        }
        catch (final RuntimeException | AssertionError ex)
        {
            throw chronicleFailure(nextWireSeq, ex);
        }
    }

    private boolean readNext()
    {
        final ExcerptTailer tailer = tailer();
        try (DocumentContext dc = tailer.readingDocument())
        {
            if (!dc.isPresent())
            {
                return false;
            }
            final Bytes<?> bytes = dc.wire().bytes();
            final long length = bytes.readRemaining();
            lastIndex = dc.index();
            if (length < MIN_ENTRY_LENGTH || length > MAX_ENTRY_LENGTH)
            {
                throw corruption(nextWireSeq, "excerpt of " + length + " bytes at index " +
                    Long.toHexString(lastIndex) +
                    " cannot be a journal entry");
            }
            final int entryLength = (int)length;
            bytes.read(copy, 0, entryLength);
            final String problem = EntryLayout.structureProblem(copyBuffer, 0, entryLength);
            if (problem != null)
            {
                throw corruption(nextWireSeq, problem + " at index " + Long.toHexString(lastIndex));
            }
            final long stored = copyBuffer.getInt(CRC_OFFSET, ORDER) & 0xFFFF_FFFFL;
            final long computed = EntryLayout.crc32c(crc, copy, 0, entryLength) & 0xFFFF_FFFFL;
            final long wireSeq = copyBuffer.getLong(WIRE_SEQ_OFFSET, ORDER);
            if (stored != computed)
            {
                throw corruption(wireSeq, "CRC mismatch at index " + Long.toHexString(lastIndex) + ": stored " +
                    Long.toHexString(stored) + ", computed " + Long.toHexString(computed));
            }
            if (nextWireSeq != UNKNOWN && wireSeq != nextWireSeq)
            {
                throw corruption(wireSeq, "wireSeq " + wireSeq + " at index " + Long.toHexString(lastIndex) +
                    " where " + nextWireSeq + " was expected");
            }
            // Read from the start without a seek, the first excerpt must be the journal's first entry (or an older
            // one that interrupted retention left behind), never a later one.
            if (nextWireSeq == UNKNOWN && wireSeq > journal.firstWireSeq())
            {
                throw corruption(wireSeq, "first entry read holds wireSeq " + wireSeq + " at index " +
                    Long.toHexString(lastIndex) + " but the journal starts at wireSeq " + journal.firstWireSeq());
            }
            view.wrap(copyBuffer, 0, entryLength);
            nextWireSeq = wireSeq + 1;
            return true;
        }
    }

    /** The entry {@link #next()} last returned; valid until the next call. */
    public JournalEntryView entry()
    {
        return view;
    }

    /** The {@code wireSeq} {@link #next()} will return, or {@link #UNKNOWN} before the first read. */
    public long nextWireSeq()
    {
        return nextWireSeq;
    }

    public void close()
    {
        if (tailer != null)
        {
            tailer.close();
            tailer = null;
        }
    }

    /**
     * Finds the entry {@code wireSeq} through Chronicle's index and checks it is there; records its cycle,
     * sequence and header offset. Leaves the tailer somewhere after it.
     */
    boolean locate(final long wireSeq)
    {
        final int firstCycle = queue.firstCycle();
        final int lastCycle = queue.lastCycle();
        if (firstCycle > lastCycle || wireSeq < 1)
        {
            return false;
        }
        final NavigableSet<Long> cycleSet = queue.listCyclesBetween(firstCycle, lastCycle);
        final int[] cycles = new int[cycleSet.size()];
        int n = 0;
        for (final Long cycle : cycleSet)
        {
            cycles[n++] = cycle.intValue();
        }

        int lo = 0;
        int hi = n - 1;
        int bestCycle = -1;
        long bestFirst = JournalScanner.ANY_WIRE_SEQ;
        while (lo <= hi)
        {
            final int mid = (lo + hi) >>> 1;
            int probe = mid;
            long first = firstWireSeqOfCycle(cycles[probe]);
            while (first == JournalScanner.ANY_WIRE_SEQ && probe > lo)
            {
                probe--;
                first = firstWireSeqOfCycle(cycles[probe]);
            }
            if (first == JournalScanner.ANY_WIRE_SEQ)
            {
                lo = mid + 1;
            }
            else if (first <= wireSeq)
            {
                bestCycle = cycles[probe];
                bestFirst = first;
                lo = mid + 1;
            }
            else
            {
                hi = probe - 1;
            }
        }
        if (bestCycle < 0)
        {
            return false;
        }

        final long seqInCycle = wireSeq - bestFirst;
        final ExcerptTailer tailer = tailer();
        if (seqInCycle >= rollCycle.maxMessagesPerCycle() ||
            !tailer.moveToIndex(rollCycle.toIndex(bestCycle, seqInCycle)))
        {
            return false;
        }
        try (DocumentContext dc = tailer.readingDocument())
        {
            if (!dc.isPresent() || dc.index() != rollCycle.toIndex(bestCycle, seqInCycle))
            {
                return false;
            }
            final Bytes<?> bytes = dc.wire().bytes();
            final long body = bytes.readPosition();
            if (bytes.readRemaining() < MIN_ENTRY_LENGTH || bytes.readLong(body) != SIGNATURE ||
                bytes.readLong(body + WIRE_SEQ_OFFSET) != wireSeq)
            {
                return false;
            }
            locatedCycle = bestCycle;
            locatedSeqInCycle = seqInCycle;
            locatedHeaderOffset = body - Wires.SPB_HEADER_SIZE;
            return true;
        }
    }

    /** The {@code wireSeq} of a cycle's first entry, or ANY if the cycle holds none (or it cannot be read). */
    long firstWireSeqOfCycle(final int cycle)
    {
        cycleProbes++;
        final ExcerptTailer tailer = tailer();
        if (!tailer.moveToIndex(rollCycle.toIndex(cycle, 0)))
        {
            return JournalScanner.ANY_WIRE_SEQ;
        }
        try (DocumentContext dc = tailer.readingDocument())
        {
            if (!dc.isPresent() || rollCycle.toCycle(dc.index()) != cycle)
            {
                return JournalScanner.ANY_WIRE_SEQ;
            }
            final Bytes<?> bytes = dc.wire().bytes();
            final long body = bytes.readPosition();
            if (bytes.readRemaining() < MIN_ENTRY_LENGTH || bytes.readLong(body) != SIGNATURE)
            {
                return JournalScanner.ANY_WIRE_SEQ;
            }
            return bytes.readLong(body + WIRE_SEQ_OFFSET);
        }
    }

    /**
     * Chronicle reports a damaged file (its header, index or framing) with its own exceptions, and with assertions
     * under -ea; to a caller of this reader that is corruption like any other. A closed journal is not: Chronicle's
     * closed-resource exceptions pass through as they are.
     */
    private JournalCorruptionException chronicleFailure(final long wireSeq, final Throwable cause)
    {
        return new JournalCorruptionException(
            lastIndex >= 0 ? journal.fileForCycle(rollCycle.toCycle(lastIndex)) : journal.queueDirectory(),
            wireSeq, "Chronicle cannot read the journal: " + cause, cause);
    }

    private JournalCorruptionException corruption(final long wireSeq, final String problem)
    {
        return new JournalCorruptionException(
            lastIndex >= 0 ? journal.fileForCycle(rollCycle.toCycle(lastIndex)) : journal.queueDirectory(),
            wireSeq, problem);
    }
}
