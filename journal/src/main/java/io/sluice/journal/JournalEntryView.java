package io.sluice.journal;

import io.sluice.sbe.journal.EntryType;
import org.agrona.DirectBuffer;

import java.util.zip.CRC32C;

import static io.sluice.journal.EntryLayout.ACCOUNT_ID_OFFSET;
import static io.sluice.journal.EntryLayout.COMMAND_LENGTH_OFFSET;
import static io.sluice.journal.EntryLayout.COMMAND_OFFSET;
import static io.sluice.journal.EntryLayout.CRC_OFFSET;
import static io.sluice.journal.EntryLayout.ENTRY_TYPE_OFFSET;
import static io.sluice.journal.EntryLayout.EPOCH_OFFSET;
import static io.sluice.journal.EntryLayout.ORDER;
import static io.sluice.journal.EntryLayout.REQUEST_SEQ_OFFSET;
import static io.sluice.journal.EntryLayout.SESSION_ID_OFFSET;
import static io.sluice.journal.EntryLayout.TIMESTAMP_OFFSET;
import static io.sluice.journal.EntryLayout.WIRE_SEQ_OFFSET;

/**
 * Flyweight over one journal entry (a journal-schema {@code JournalEntry} message). Handed to recovery callbacks
 * and returned by {@link JournalReader#entry()} (both already verified); it is only valid until the next entry is
 * read, so copy what must outlive the callback.
 * <p>
 * For {@link EntryType#CLIENT_COMMAND} the command bytes are the client-protocol message exactly as received
 * (its 8-byte {@code messageHeader} and body, decodable with {@code io.sluice.sbe.client}); for admin entries
 * they are one journal-schema admin message with its header (AddInstrument, InstrumentStatusChange, EndOfDay,
 * EpochBump).
 */
public final class JournalEntryView
{
    private DirectBuffer buffer;
    private int offset;
    private int length;
    private byte[] crcScratch;
    private CRC32C crc;

    /**
     * Wraps an encoded entry, e.g. one received from the primary; check it with {@link #problem()} before trusting
     * it.
     */
    public JournalEntryView wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * Checks the wrapped bytes are one well-formed entry with a matching CRC32C (the rule the journal itself
     * applies). Allocation-free unless it finds a problem.
     *
     * @return null if the entry is intact, else what is wrong.
     */
    public String problem()
    {
        if (length < EntryLayout.MIN_ENTRY_LENGTH || length > EntryLayout.MAX_ENTRY_LENGTH)
        {
            return "entry of " + length + " bytes outside [" + EntryLayout.MIN_ENTRY_LENGTH + ", " +
                EntryLayout.MAX_ENTRY_LENGTH + "]";
        }
        final String structure = EntryLayout.structureProblem(buffer, offset, length);
        if (structure != null)
        {
            return structure;
        }
        if (crcScratch == null)
        {
            crcScratch = new byte[EntryLayout.MAX_ENTRY_LENGTH];
            crc = new CRC32C();
        }
        buffer.getBytes(offset, crcScratch, 0, length);
        final long computed = EntryLayout.crc32c(crc, crcScratch, 0, length) & 0xFFFF_FFFFL;
        return computed == crc32c() ? null :
            "CRC mismatch: stored " + Long.toHexString(crc32c()) + ", computed " + Long.toHexString(computed);
    }

    /** Buffer holding the whole encoded entry, for copying it as-is (replication ships these bytes). */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /** Offset of the entry's SBE message header in {@link #buffer()}. */
    public int offset()
    {
        return offset;
    }

    /** Length in bytes of the whole encoded entry. */
    public int length()
    {
        return length;
    }

    public long wireSeq()
    {
        return buffer.getLong(offset + WIRE_SEQ_OFFSET, ORDER);
    }

    public long timestampNs()
    {
        return buffer.getLong(offset + TIMESTAMP_OFFSET, ORDER);
    }

    public long sessionId()
    {
        return buffer.getLong(offset + SESSION_ID_OFFSET, ORDER);
    }

    public long accountId()
    {
        return buffer.getLong(offset + ACCOUNT_ID_OFFSET, ORDER);
    }

    public long requestSeq()
    {
        return buffer.getLong(offset + REQUEST_SEQ_OFFSET, ORDER);
    }

    public long epoch()
    {
        return buffer.getLong(offset + EPOCH_OFFSET, ORDER);
    }

    /** Raw entry type code, see {@link EntryType}. */
    public short entryTypeCode()
    {
        return (short)(buffer.getByte(offset + ENTRY_TYPE_OFFSET) & 0xFF);
    }

    public EntryType entryType()
    {
        return EntryType.get(entryTypeCode());
    }

    /** Stored CRC32C (unsigned 32-bit value). */
    public long crc32c()
    {
        return buffer.getInt(offset + CRC_OFFSET, ORDER) & 0xFFFF_FFFFL;
    }

    /** Offset in {@link #buffer()} of the command bytes (a complete SBE message with its header). */
    public int commandOffset()
    {
        return offset + COMMAND_OFFSET;
    }

    public int commandLength()
    {
        return buffer.getInt(offset + COMMAND_LENGTH_OFFSET, ORDER);
    }

    public String toString()
    {
        return "JournalEntry{wireSeq=" + wireSeq() + ", type=" + entryTypeCode() + ", sessionId=" + sessionId() + ", accountId=" + accountId() +
            ", requestSeq=" + requestSeq() + ", epoch=" + epoch() + ", commandLength=" + commandLength() + '}';
    }
}
