package io.sluice.journal;

import io.sluice.sbe.journal.JournalHeaderDecoder;
import io.sluice.sbe.journal.JournalHeaderEncoder;
import io.sluice.sbe.journal.MessageHeaderDecoder;
import io.sluice.sbe.journal.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The journal's side file {@code journal.header}: one journal-schema {@code JournalHeader} message (format version,
 * node id, first {@code wireSeq} the journal holds) with a CRC32C over it. Replaced atomically, so a crash leaves
 * either the old or the new header.
 */
final class JournalHeaderFile
{
    static final String FILE_NAME = "journal.header";

    /** Version of the on-disk layout (header, queue excerpts, snapshots); bumped on any incompatible change. */
    static final int FORMAT_VERSION = 1;

    static final int ENCODED_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + JournalHeaderEncoder.BLOCK_LENGTH;

    private static final int CRC_OFFSET =
        MessageHeaderEncoder.ENCODED_LENGTH + JournalHeaderEncoder.crc32cEncodingOffset();

    final int formatVersion;
    final int nodeId;
    final long firstWireSeq;

    JournalHeaderFile(final int formatVersion, final int nodeId, final long firstWireSeq)
    {
        this.formatVersion = formatVersion;
        this.nodeId = nodeId;
        this.firstWireSeq = firstWireSeq;
    }

    static Path path(final Path journalDir)
    {
        return journalDir.resolve(FILE_NAME);
    }

    void write(final Path journalDir) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.allocate(ENCODED_LENGTH);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        new JournalHeaderEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .formatVersion(formatVersion)
            .nodeId(nodeId)
            .firstWireSeq(firstWireSeq)
            .crc32c(0);
        final CRC32C crc = new CRC32C();
        crc.update(bytes.array(), 0, ENCODED_LENGTH);
        buffer.putInt(CRC_OFFSET, (int)crc.getValue(), EntryLayout.ORDER);
        DurableFiles.writeAtomically(path(journalDir), bytes);
    }

    /**
     * Reads and checks the header.
     *
     * @return null if there is no header file.
     * @throws JournalCorruptionException if it is damaged.
     */
    static JournalHeaderFile read(final Path journalDir) throws IOException
    {
        final Path file = path(journalDir);
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(file);
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
        if (bytes.length != ENCODED_LENGTH)
        {
            throw new JournalCorruptionException(file, JournalCorruptionException.UNKNOWN_WIRE_SEQ,
                "header file is " + bytes.length + " bytes, expected " + ENCODED_LENGTH);
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final MessageHeaderDecoder messageHeader = new MessageHeaderDecoder().wrap(buffer, 0);
        if (messageHeader.schemaId() != JournalHeaderDecoder.SCHEMA_ID ||
            messageHeader.templateId() != JournalHeaderDecoder.TEMPLATE_ID ||
            messageHeader.blockLength() != JournalHeaderDecoder.BLOCK_LENGTH)
        {
            throw new JournalCorruptionException(file, JournalCorruptionException.UNKNOWN_WIRE_SEQ,
                "header file does not hold a JournalHeader message");
        }
        final long storedCrc = buffer.getInt(CRC_OFFSET, EntryLayout.ORDER) & 0xFFFF_FFFFL;
        buffer.putInt(CRC_OFFSET, 0, EntryLayout.ORDER);
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length);
        if (crc.getValue() != storedCrc)
        {
            throw new JournalCorruptionException(file, JournalCorruptionException.UNKNOWN_WIRE_SEQ,
                "header CRC mismatch: stored " + Long.toHexString(storedCrc) + ", computed " +
                Long.toHexString(crc.getValue()));
        }
        final JournalHeaderDecoder decoder = new JournalHeaderDecoder()
            .wrap(buffer, MessageHeaderDecoder.ENCODED_LENGTH, messageHeader.blockLength(), messageHeader.version());
        return new JournalHeaderFile(decoder.formatVersion(), decoder.nodeId(), decoder.firstWireSeq());
    }

    public String toString()
    {
        return "formatVersion=" + formatVersion + ", nodeId=" + nodeId + ", firstWireSeq=" + firstWireSeq;
    }
}
