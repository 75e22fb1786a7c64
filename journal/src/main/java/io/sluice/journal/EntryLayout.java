package io.sluice.journal;

import io.sluice.sbe.journal.EntryType;
import io.sluice.sbe.journal.JournalEntryEncoder;
import io.sluice.sbe.journal.MessageHeaderEncoder;
import org.agrona.DirectBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Byte layout of one stored journal entry: a journal-schema {@code JournalEntry} message, i.e. the 8-byte SBE
 * message header, the 53-byte fixed block, a uint32 length and the command bytes. The same bytes travel through the
 * journal ring (with the CRC field zero), sit in one Chronicle excerpt, and are shipped to replicas.
 * <p>
 * The CRC32C covers the whole entry with the 4 CRC bytes taken as zero.
 */
final class EntryLayout
{
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;
    static final int WIRE_SEQ_OFFSET = HEADER_LENGTH + JournalEntryEncoder.wireSeqEncodingOffset();
    static final int TIMESTAMP_OFFSET = HEADER_LENGTH + JournalEntryEncoder.timestampNsEncodingOffset();
    static final int SESSION_ID_OFFSET = HEADER_LENGTH + JournalEntryEncoder.sessionIdEncodingOffset();
    static final int ACCOUNT_ID_OFFSET = HEADER_LENGTH + JournalEntryEncoder.accountIdEncodingOffset();
    static final int REQUEST_SEQ_OFFSET = HEADER_LENGTH + JournalEntryEncoder.requestSeqEncodingOffset();
    static final int EPOCH_OFFSET = HEADER_LENGTH + JournalEntryEncoder.epochEncodingOffset();
    static final int ENTRY_TYPE_OFFSET = HEADER_LENGTH + JournalEntryEncoder.entryTypeEncodingOffset();
    static final int CRC_OFFSET = HEADER_LENGTH + JournalEntryEncoder.crc32cEncodingOffset();
    static final int COMMAND_LENGTH_OFFSET = HEADER_LENGTH + JournalEntryEncoder.BLOCK_LENGTH;
    static final int COMMAND_OFFSET = COMMAND_LENGTH_OFFSET + JournalEntryEncoder.commandHeaderLength();

    /** Length of an entry with an empty command. */
    static final int MIN_ENTRY_LENGTH = COMMAND_OFFSET;

    /**
     * Largest entry the journal accepts. Commands are single client or admin messages of a few hundred bytes at
     * most; a tight bound keeps a damaged length field from being mistaken for a plausible torn entry.
     */
    static final int MAX_ENTRY_LENGTH = 4096;
    static final int MAX_COMMAND_LENGTH = MAX_ENTRY_LENGTH - COMMAND_OFFSET;

    /** The 8 header bytes every entry starts with, read as one little-endian long. */
    static final long SIGNATURE = signature();

    private static final byte[] ZERO_CRC = new byte[4];

    private EntryLayout()
    {
    }

    private static long signature()
    {
        return (JournalEntryEncoder.BLOCK_LENGTH & 0xFFFFL) |
            ((JournalEntryEncoder.TEMPLATE_ID & 0xFFFFL) << 16) |
            ((JournalEntryEncoder.SCHEMA_ID & 0xFFFFL) << 32) |
            ((JournalEntryEncoder.SCHEMA_VERSION & 0xFFFFL) << 48);
    }

    static boolean isKnownEntryType(final int code)
    {
        return code >= EntryType.CLIENT_COMMAND.value() && code <= EntryType.CANCEL_ON_DISCONNECT_OFF.value();
    }

    static int entryLength(final int commandLength)
    {
        return COMMAND_OFFSET + commandLength;
    }

    /**
     * Checks the structure of an entry of {@code length} bytes at {@code offset}: signature, known entry type and a
     * command length that matches. Returns null when it is well formed, else what is wrong.
     */
    static String structureProblem(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MIN_ENTRY_LENGTH)
        {
            return "entry of " + length + " bytes is shorter than the " + MIN_ENTRY_LENGTH + "-byte minimum";
        }
        if (buffer.getLong(offset, ORDER) != SIGNATURE)
        {
            return "not a JournalEntry (bad SBE header)";
        }
        final long commandLength = buffer.getInt(offset + COMMAND_LENGTH_OFFSET, ORDER) & 0xFFFF_FFFFL;
        if (COMMAND_OFFSET + commandLength != length)
        {
            return "command length " + commandLength + " disagrees with the " + length + "-byte entry";
        }
        final int entryType = buffer.getByte(offset + ENTRY_TYPE_OFFSET) & 0xFF;
        if (!isKnownEntryType(entryType))
        {
            return "unknown entry type " + entryType;
        }
        return null;
    }

    /**
     * CRC32C of the entry held in {@code view} between its position and limit, with the CRC field taken as zero.
     * Leaves the view's position and limit changed.
     */
    static int crc32c(final CRC32C crc, final ByteBuffer view, final int offset, final int length)
    {
        crc.reset();
        view.limit(offset + CRC_OFFSET).position(offset);
        crc.update(view);
        crc.update(ZERO_CRC, 0, ZERO_CRC.length);
        view.limit(offset + length).position(offset + CRC_OFFSET + 4);
        crc.update(view);
        return (int)crc.getValue();
    }

    /** CRC32C of an entry in a byte array, with the CRC field taken as zero. */
    static int crc32c(final CRC32C crc, final byte[] bytes, final int offset, final int length)
    {
        crc.reset();
        crc.update(bytes, offset, CRC_OFFSET);
        crc.update(ZERO_CRC, 0, ZERO_CRC.length);
        crc.update(bytes, offset + CRC_OFFSET + 4, length - CRC_OFFSET - 4);
        return (int)crc.getValue();
    }
}
