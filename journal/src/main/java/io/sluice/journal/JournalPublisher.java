package io.sluice.journal;

import io.sluice.sbe.journal.AddInstrumentEncoder;
import io.sluice.sbe.journal.EndOfDayEncoder;
import io.sluice.sbe.journal.EntryType;
import io.sluice.sbe.journal.EpochBumpEncoder;
import io.sluice.sbe.journal.InstrumentStatusChangeEncoder;
import io.sluice.sbe.journal.JournalEntryEncoder;
import io.sluice.sbe.journal.KillSwitchEncoder;
import io.sluice.sbe.journal.KillTarget;
import io.sluice.sbe.journal.MessageHeaderEncoder;
import io.sluice.sbe.journal.SessionCommandEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import static io.sluice.journal.EntryLayout.COMMAND_LENGTH_OFFSET;
import static io.sluice.journal.EntryLayout.COMMAND_OFFSET;
import static io.sluice.journal.EntryLayout.CRC_OFFSET;
import static io.sluice.journal.EntryLayout.MAX_COMMAND_LENGTH;
import static io.sluice.journal.EntryLayout.MAX_ENTRY_LENGTH;
import static io.sluice.journal.EntryLayout.MIN_ENTRY_LENGTH;
import static io.sluice.journal.EntryLayout.ORDER;

/**
 * Puts sequenced commands on the journal ring for the {@link JournalAgent}; the sequencer, the ring's only producer,
 * owns one. Allocation-free: each offer claims ring space and encodes in place.
 * <p>
 * Ring record format: {@code msgTypeId} = {@link #ENTRY_MSG_TYPE_ID}; the body is one complete journal-schema
 * {@code JournalEntry} message (8-byte header, fixed block, uint32 command length, command bytes) exactly as it
 * will be stored, with {@code crc32c} = 0 (the agent computes it). {@code wireSeq}s must be offered gap-free and
 * in order: the agent treats anything else as fatal.
 * <p>
 * An offer returns false when the ring is full (back-pressure; retry later), never blocks.
 */
public final class JournalPublisher
{
    /** {@code msgTypeId} of every journal ring record. */
    public static final int ENTRY_MSG_TYPE_ID = 1;

    /** Largest command (client message with its header, or admin message with its header) an entry may carry. */
    public static final int MAX_COMMAND_LENGTH_BYTES = MAX_COMMAND_LENGTH;

    private final RingBuffer ring;
    private final AtomicBuffer buffer;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final JournalEntryEncoder entryEncoder = new JournalEntryEncoder();
    private final MessageHeaderEncoder adminHeaderEncoder = new MessageHeaderEncoder();
    private final AddInstrumentEncoder addInstrumentEncoder = new AddInstrumentEncoder();
    private final InstrumentStatusChangeEncoder statusChangeEncoder = new InstrumentStatusChangeEncoder();
    private final EndOfDayEncoder endOfDayEncoder = new EndOfDayEncoder();
    private final EpochBumpEncoder epochBumpEncoder = new EpochBumpEncoder();
    private final KillSwitchEncoder killSwitchEncoder = new KillSwitchEncoder();
    private final SessionCommandEncoder sessionCommandEncoder = new SessionCommandEncoder();

    /**
     * @param ring the journal ring (typically a {@code OneToOneRingBuffer}); must carry records of
     *             {@value EntryLayout#MAX_ENTRY_LENGTH} bytes, i.e. be at least 32 KiB.
     */
    public JournalPublisher(final RingBuffer ring)
    {
        if (ring.maxMsgLength() < MAX_ENTRY_LENGTH)
        {
            throw new IllegalArgumentException("journal ring capacity " + ring.capacity() + " is too small: records " +
                "of " + MAX_ENTRY_LENGTH + " bytes need at least " + (8 * MAX_ENTRY_LENGTH));
        }
        this.ring = ring;
        this.buffer = ring.buffer();
    }

    /**
     * Offers a client command: {@code command} is the client-protocol message (its 8-byte messageHeader and
     * body) exactly as received; {@code accountId} is the account the session logged on for, which replay needs
     * because orders belong to accounts.
     */
    public boolean offerClientCommand(
        final long wireSeq,
        final long timestampNs,
        final long sessionId,
        final long accountId,
        final long requestSeq,
        final long epoch,
        final DirectBuffer command,
        final int commandOffset,
        final int commandLength)
    {
        checkCommandLength(commandLength);
        final int index = claim(commandLength);
        if (index <= 0)
        {
            return false;
        }
        encodeFields(index, wireSeq, timestampNs, sessionId, accountId, requestSeq, epoch, EntryType.CLIENT_COMMAND)
            .putCommand(command, commandOffset, commandLength);
        ring.commit(index);
        return true;
    }

    /**
     * Offers an admin entry whose body is a complete journal-schema message with its header (AddInstrument,
     * InstrumentStatusChange, EndOfDay or EpochBump). Session id and request sequence are recorded as 0.
     */
    public boolean offerAdmin(
        final EntryType entryType,
        final long wireSeq,
        final long timestampNs,
        final long epoch,
        final DirectBuffer body,
        final int bodyOffset,
        final int bodyLength)
    {
        if (entryType == EntryType.CLIENT_COMMAND || entryType == EntryType.NULL_VAL)
        {
            throw new IllegalArgumentException("not an admin entry type: " + entryType);
        }
        checkCommandLength(bodyLength);
        final int index = claim(bodyLength);
        if (index <= 0)
        {
            return false;
        }
        encodeFields(index, wireSeq, timestampNs, 0, 0, 0, epoch, entryType).putCommand(body, bodyOffset, bodyLength);
        ring.commit(index);
        return true;
    }

    /** Offers an ADD_INSTRUMENT entry. {@code symbol} is ASCII, at most 16 characters. */
    public boolean offerAddInstrument(
        final long wireSeq,
        final long timestampNs,
        final long epoch,
        final int instrumentId,
        final CharSequence symbol,
        final long tickSize,
        final long lotSize,
        final long minQuantity,
        final long maxQuantity,
        final long referencePrice,
        final int priceBandBps)
    {
        if (symbol.length() > AddInstrumentEncoder.symbolLength())
        {
            throw new IllegalArgumentException("symbol '" + symbol + "' longer than " +
                AddInstrumentEncoder.symbolLength() + " characters");
        }
        final int bodyLength = MessageHeaderEncoder.ENCODED_LENGTH + AddInstrumentEncoder.BLOCK_LENGTH;
        final int index = claim(bodyLength);
        if (index <= 0)
        {
            return false;
        }
        encodeFields(index, wireSeq, timestampNs, 0, 0, 0, epoch, EntryType.ADD_INSTRUMENT);
        addInstrumentEncoder.wrapAndApplyHeader(buffer, bodyIndex(index, bodyLength), adminHeaderEncoder)
            .instrumentId(instrumentId)
            .symbol(symbol)
            .tickSize(tickSize)
            .lotSize(lotSize)
            .minQuantity(minQuantity)
            .maxQuantity(maxQuantity)
            .referencePrice(referencePrice)
            .priceBandBps(priceBandBps);
        ring.commit(index);
        return true;
    }

    /** Offers a HALT_INSTRUMENT ({@code halt}) or RESUME_INSTRUMENT entry. */
    public boolean offerInstrumentStatusChange(
        final boolean halt, final long wireSeq, final long timestampNs, final long epoch, final int instrumentId)
    {
        final int bodyLength = MessageHeaderEncoder.ENCODED_LENGTH + InstrumentStatusChangeEncoder.BLOCK_LENGTH;
        final int index = claim(bodyLength);
        if (index <= 0)
        {
            return false;
        }
        encodeFields(index, wireSeq, timestampNs, 0, 0, 0, epoch,
            halt ? EntryType.HALT_INSTRUMENT : EntryType.RESUME_INSTRUMENT);
        statusChangeEncoder.wrapAndApplyHeader(buffer, bodyIndex(index, bodyLength), adminHeaderEncoder)
            .instrumentId(instrumentId);
        ring.commit(index);
        return true;
    }

    /** Offers an END_OF_DAY entry; {@code tradingDay} is yyyymmdd of the day that ends. */
    public boolean offerEndOfDay(final long wireSeq, final long timestampNs, final long epoch, final int tradingDay)
    {
        final int bodyLength = MessageHeaderEncoder.ENCODED_LENGTH + EndOfDayEncoder.BLOCK_LENGTH;
        final int index = claim(bodyLength);
        if (index <= 0)
        {
            return false;
        }
        encodeFields(index, wireSeq, timestampNs, 0, 0, 0, epoch, EntryType.END_OF_DAY);
        endOfDayEncoder.wrapAndApplyHeader(buffer, bodyIndex(index, bodyLength), adminHeaderEncoder)
            .tradingDay(tradingDay);
        ring.commit(index);
        return true;
    }

    /** Offers a KILL ({@code kill}) or UNKILL entry for an account or a session. */
    public boolean offerKillSwitch(
        final boolean kill,
        final long wireSeq,
        final long timestampNs,
        final long epoch,
        final KillTarget target,
        final long targetId)
    {
        final int bodyLength = MessageHeaderEncoder.ENCODED_LENGTH + KillSwitchEncoder.BLOCK_LENGTH;
        final int index = claim(bodyLength);
        if (index <= 0)
        {
            return false;
        }
        encodeFields(index, wireSeq, timestampNs, 0, 0, 0, epoch, kill ? EntryType.KILL : EntryType.UNKILL);
        killSwitchEncoder.wrapAndApplyHeader(buffer, bodyIndex(index, bodyLength), adminHeaderEncoder)
            .targetType(target)
            .targetId(targetId);
        ring.commit(index);
        return true;
    }

    /**
     * Offers an entry about one session: CANCEL_SESSION_DAY_ORDERS (cancel-on-disconnect for a session gone past its
     * grace period), CANCEL_ON_DISCONNECT_ON or CANCEL_ON_DISCONNECT_OFF (what its logon asked for).
     */
    public boolean offerSessionCommand(
        final EntryType entryType, final long wireSeq, final long timestampNs, final long epoch, final long sessionId)
    {
        if (entryType != EntryType.CANCEL_SESSION_DAY_ORDERS && entryType != EntryType.CANCEL_ON_DISCONNECT_ON &&
            entryType != EntryType.CANCEL_ON_DISCONNECT_OFF)
        {
            throw new IllegalArgumentException("not an entry about a session: " + entryType);
        }
        final int bodyLength = MessageHeaderEncoder.ENCODED_LENGTH + SessionCommandEncoder.BLOCK_LENGTH;
        final int index = claim(bodyLength);
        if (index <= 0)
        {
            return false;
        }
        encodeFields(index, wireSeq, timestampNs, 0, 0, 0, epoch, entryType);
        sessionCommandEncoder.wrapAndApplyHeader(buffer, bodyIndex(index, bodyLength), adminHeaderEncoder)
            .sessionId(sessionId);
        ring.commit(index);
        return true;
    }

    /**
     * Offers an EPOCH_BUMP entry recording a promotion: the entry's own epoch field and the body both carry
     * {@code newEpoch}.
     */
    public boolean offerEpochBump(final long wireSeq, final long timestampNs, final long newEpoch, final int nodeId)
    {
        final int bodyLength = MessageHeaderEncoder.ENCODED_LENGTH + EpochBumpEncoder.BLOCK_LENGTH;
        final int index = claim(bodyLength);
        if (index <= 0)
        {
            return false;
        }
        encodeFields(index, wireSeq, timestampNs, 0, 0, 0, newEpoch, EntryType.EPOCH_BUMP);
        epochBumpEncoder.wrapAndApplyHeader(buffer, bodyIndex(index, bodyLength), adminHeaderEncoder)
            .newEpoch(newEpoch)
            .nodeId(nodeId);
        ring.commit(index);
        return true;
    }

    /**
     * Offers an already encoded entry, e.g. one a replica received from its primary (which has checked its CRC).
     * The bytes are copied as they are except the CRC field, which the agent recomputes.
     */
    public boolean offerEncoded(final DirectBuffer entry, final int offset, final int length)
    {
        if (length < MIN_ENTRY_LENGTH || length > MAX_ENTRY_LENGTH)
        {
            throw new IllegalArgumentException("encoded entry of " + length + " bytes outside [" + MIN_ENTRY_LENGTH +
                ", " + MAX_ENTRY_LENGTH + "]");
        }
        final int index = ring.tryClaim(ENTRY_MSG_TYPE_ID, length);
        if (index <= 0)
        {
            return false;
        }
        buffer.putBytes(index, entry, offset, length);
        buffer.putInt(index + CRC_OFFSET, 0, ORDER);
        ring.commit(index);
        return true;
    }

    private int claim(final int commandLength)
    {
        return ring.tryClaim(ENTRY_MSG_TYPE_ID, COMMAND_OFFSET + commandLength);
    }

    /** Sets the command length of a claimed entry and returns where its body goes. */
    private int bodyIndex(final int index, final int bodyLength)
    {
        buffer.putInt(index + COMMAND_LENGTH_OFFSET, bodyLength, ORDER);
        return index + COMMAND_OFFSET;
    }

    private JournalEntryEncoder encodeFields(
        final int index,
        final long wireSeq,
        final long timestampNs,
        final long sessionId,
        final long accountId,
        final long requestSeq,
        final long epoch,
        final EntryType entryType)
    {
        return entryEncoder.wrapAndApplyHeader(buffer, index, headerEncoder)
            .wireSeq(wireSeq)
            .timestampNs(timestampNs)
            .sessionId(sessionId)
            .accountId(accountId)
            .requestSeq(requestSeq)
            .epoch(epoch)
            .entryType(entryType)
            .crc32c(0);
    }

    private static void checkCommandLength(final int length)
    {
        if (length < 0 || length > MAX_COMMAND_LENGTH)
        {
            throw new IllegalArgumentException("command of " + length + " bytes outside [0, " + MAX_COMMAND_LENGTH +
                "]");
        }
    }
}
