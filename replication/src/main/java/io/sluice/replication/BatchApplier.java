package io.sluice.replication;

import io.sluice.journal.JournalEntryView;
import io.sluice.journal.JournalPublisher;
import io.sluice.journal.JournalStateMachine;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.nio.ByteOrder;

/**
 * Journals and applies the entries of a replica's JournalBatches, and holds the position they reach: the last
 * {@code wireSeq} applied, its stored CRC32C and the highest epoch journaled. A batch is taken in two passes, each in
 * {@code wireSeq} order: every entry is checked (structure and CRC, then exactly the next {@code wireSeq}) and put
 * on the journal ring (the journal agent syncs it); the {@link Listener} is then told how far the replica holds the
 * stream, so the in-memory acknowledgement and the journal's wake-up go out before the state machine runs; then the
 * entries are applied. A batch's records must all fit the ring, checked up front, so a batch is never half taken
 * because of back-pressure.
 * <p>
 * Replica agent thread only: it is the ring's only producer and the state machine's only user, except while a
 * snapshot installer has them (the agent then applies nothing).
 */
final class BatchApplier
{
    /** What became of a batch. */
    enum Outcome
    {
        /** Every new entry journaled and applied (entries already applied are passed over). */
        APPLIED,
        /** Its records do not fit the journal ring yet: nothing taken, the batch must be offered again. */
        RING_FULL,
        /** An entry's length is out of range or runs past the batch: nothing taken. */
        MALFORMED,
        /** An entry failed its check; the entries before it were taken. */
        BAD_ENTRY,
        /** An entry is not the next {@code wireSeq}; the entries before it were taken. */
        GAP,
        /** The state machine threw applying an entry; it can no longer be trusted ({@link #failure()}). */
        APPLY_FAILED
    }

    /** Told, between the two passes, that the replica holds the stream up to a {@code wireSeq}. */
    @FunctionalInterface
    interface Listener
    {
        /**
         * @param wireSeq the last entry of the batch checked and on the journal ring: received, whole and next in
         *                line, so held in this replica's memory even before it is applied.
         */
        void onHeld(long wireSeq);
    }

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    /** Ring space kept free beyond a batch's records: one record's worth of padding at the ring's end. */
    private static final int RING_SLACK_BYTES = BitUtil.align(
        ReplicationProtocol.MAX_ENTRY_LENGTH + RecordDescriptor.HEADER_LENGTH, RecordDescriptor.ALIGNMENT);

    private final RingBuffer journalRing;
    private final JournalPublisher journalPublisher;
    private final JournalStateMachine stateMachine;
    private final JournalEntryView view = new JournalEntryView();
    private final Listener listener;
    /** Last {@code wireSeq} checked and journaled; runs ahead of {@link #appliedWireSeq} only inside {@link #apply}. */
    private long heldWireSeq;
    private long appliedWireSeq;
    private long lastEntryCrc32c;
    private long epoch;
    private long repeatedEntries;
    private String problem;
    private RuntimeException failure;

    /** Starts from the position the replica's journal and state are at. */
    BatchApplier(
        final RingBuffer journalRing,
        final JournalStateMachine stateMachine,
        final long appliedWireSeq,
        final long lastEntryCrc32c,
        final long epoch,
        final Listener listener)
    {
        this.listener = listener;
        this.heldWireSeq = appliedWireSeq;
        this.journalRing = journalRing;
        this.journalPublisher = new JournalPublisher(journalRing);
        this.stateMachine = stateMachine;
        this.appliedWireSeq = appliedWireSeq;
        this.lastEntryCrc32c = lastEntryCrc32c;
        this.epoch = epoch;
    }

    /**
     * @param entries     the batch's entries, each preceded by its int32 length, from {@code offset}.
     * @param length      bytes of the entries.
     * @param entryCount  entries the batch claims.
     * @param firstWireSeq {@code wireSeq} the batch claims to start at, for {@link #problem()}.
     * @return what became of it; {@link #problem()} says why for anything but APPLIED and RING_FULL.
     */
    Outcome apply(
        final DirectBuffer entries, final int offset, final int length, final int entryCount, final long firstWireSeq)
    {
        final int limit = offset + length;
        int ringBytesNeeded = RING_SLACK_BYTES;
        int position = offset;
        for (int i = 0; i < entryCount; i++)
        {
            final int entryLength = position + ReplicationProtocol.ENTRY_LENGTH_PREFIX <= limit ?
                entries.getInt(position, ORDER) : -1;
            position += ReplicationProtocol.ENTRY_LENGTH_PREFIX;
            if (entryLength < ReplicationProtocol.MIN_ENTRY_LENGTH ||
                entryLength > ReplicationProtocol.MAX_ENTRY_LENGTH || position + entryLength > limit)
            {
                problem = "malformed batch from wireSeq " + firstWireSeq + ": entry " + i + " of " + entryCount +
                    " has length " + entryLength;
                return Outcome.MALFORMED;
            }
            position += entryLength;
            ringBytesNeeded += BitUtil.align(entryLength + RecordDescriptor.HEADER_LENGTH, RecordDescriptor.ALIGNMENT);
        }
        if (journalRing.capacity() - journalRing.size() < ringBytesNeeded)
        {
            return Outcome.RING_FULL;
        }

        final long heldBefore = heldWireSeq;
        Outcome outcome = Outcome.APPLIED;
        position = offset;
        for (int i = 0; i < entryCount && outcome == Outcome.APPLIED; i++)
        {
            final int entryLength = entries.getInt(position, ORDER);
            position += ReplicationProtocol.ENTRY_LENGTH_PREFIX;
            outcome = journalEntry(entries, position, entryLength);
            position += entryLength;
        }
        if (heldWireSeq == heldBefore)
        {
            return outcome;
        }
        listener.onHeld(heldWireSeq);

        position = offset;
        while (appliedWireSeq < heldWireSeq)
        {
            final int entryLength = entries.getInt(position, ORDER);
            position += ReplicationProtocol.ENTRY_LENGTH_PREFIX;
            view.wrap(entries, position, entryLength);
            position += entryLength;
            if (view.wireSeq() <= appliedWireSeq)
            {
                continue;
            }
            final Outcome applied = applyEntry();
            if (applied != Outcome.APPLIED)
            {
                return applied;
            }
        }
        return outcome;
    }

    private Outcome journalEntry(final DirectBuffer buffer, final int offset, final int length)
    {
        view.wrap(buffer, offset, length);
        final String entryProblem = view.problem();
        if (entryProblem != null)
        {
            problem = "entry after wireSeq " + heldWireSeq + " failed its check: " + entryProblem;
            return Outcome.BAD_ENTRY;
        }
        final long wireSeq = view.wireSeq();
        if (wireSeq <= heldWireSeq)
        {
            // The followed primary restarted its stream for a handshake this replica repeated before it saw the
            // first StreamStart: the same entries again, already journaled and applied here. Not a gap.
            repeatedEntries++;
            return Outcome.APPLIED;
        }
        if (wireSeq != heldWireSeq + 1)
        {
            problem = "gap in the stream: wireSeq " + wireSeq + " arrived after " + heldWireSeq;
            return Outcome.GAP;
        }
        if (!journalPublisher.offerEncoded(buffer, offset, length))
        {
            // The batch's space was checked and the agent is the ring's only producer.
            throw new IllegalStateException("journal ring refused wireSeq " + wireSeq + " after a space check");
        }
        heldWireSeq = wireSeq;
        return Outcome.APPLIED;
    }

    /** Applies the entry {@link #view} holds, the next after {@link #appliedWireSeq}, already checked. */
    private Outcome applyEntry()
    {
        final long wireSeq = view.wireSeq();
        try
        {
            stateMachine.apply(view);
        }
        catch (final RuntimeException ex)
        {
            problem = "applying wireSeq " + wireSeq + " failed: " + ex;
            failure = ex;
            return Outcome.APPLY_FAILED;
        }
        appliedWireSeq = wireSeq;
        lastEntryCrc32c = view.crc32c();
        if (view.epoch() > epoch)
        {
            epoch = view.epoch();
        }
        return Outcome.APPLIED;
    }

    /** The replica's journal and state were replaced by a snapshot's: it now stands at the snapshot. */
    void installedAt(final long wireSeq, final long entryCrc32c, final long snapshotEpoch)
    {
        heldWireSeq = wireSeq;
        appliedWireSeq = wireSeq;
        lastEntryCrc32c = entryCrc32c;
        epoch = Math.max(epoch, snapshotEpoch);
    }

    /** Last {@code wireSeq} journaled and applied. */
    long appliedWireSeq()
    {
        return appliedWireSeq;
    }

    /**
     * Last {@code wireSeq} checked and on the journal ring; equal to {@link #appliedWireSeq()} between batches, and
     * ahead of it only while a batch's entries are applied or after the state machine failed on one.
     */
    long heldWireSeq()
    {
        return heldWireSeq;
    }

    /** Stored CRC32C of the entry at {@link #appliedWireSeq()}, 0 if none. */
    long lastEntryCrc32c()
    {
        return lastEntryCrc32c;
    }

    /** Highest epoch journaled, or the one the replica started with. */
    long epoch()
    {
        return epoch;
    }

    /** Entries passed over so far because they were already applied. */
    long repeatedEntries()
    {
        return repeatedEntries;
    }

    /** Why the last batch was not taken whole. */
    String problem()
    {
        return problem;
    }

    /** What the state machine threw, after {@link Outcome#APPLY_FAILED}. */
    RuntimeException failure()
    {
        return failure;
    }
}
