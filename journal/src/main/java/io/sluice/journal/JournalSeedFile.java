package io.sluice.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The side file {@code journal.seed} of a journal seeded from a snapshot: the {@code wireSeq} the snapshot covers
 * (the journal's first {@code wireSeq} less one) and the stored CRC32C of the primary's entry at that position.
 * A replica that installed a snapshot holds no entry there, yet must name that entry's CRC in its handshake so the
 * primary can tell it follows the same history; this file is where it keeps it. Fixed little-endian layout:
 * {@code wireSeq int64, entryCrc32c uint32, CRC32C of the previous 12 bytes uint32}. Written atomically.
 */
final class JournalSeedFile
{
    static final String FILE_NAME = "journal.seed";
    private static final int LENGTH = 16;

    final long wireSeq;
    final long entryCrc32c;

    JournalSeedFile(final long wireSeq, final long entryCrc32c)
    {
        this.wireSeq = wireSeq;
        this.entryCrc32c = entryCrc32c;
    }

    void write(final Path journalDir) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.allocate(LENGTH).order(EntryLayout.ORDER);
        bytes.putLong(0, wireSeq).putInt(8, (int)entryCrc32c);
        final CRC32C crc = new CRC32C();
        crc.update(bytes.array(), 0, 12);
        bytes.putInt(12, (int)crc.getValue());
        DurableFiles.writeAtomically(journalDir.resolve(FILE_NAME), bytes);
    }

    /**
     * @return the seed, or null if the journal has none.
     * @throws JournalCorruptionException if the file is damaged.
     */
    static JournalSeedFile read(final Path journalDir) throws IOException
    {
        final Path file = journalDir.resolve(FILE_NAME);
        final byte[] raw;
        try
        {
            raw = Files.readAllBytes(file);
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
        final ByteBuffer bytes = ByteBuffer.wrap(raw).order(EntryLayout.ORDER);
        final CRC32C crc = new CRC32C();
        crc.update(raw, 0, Math.min(12, raw.length));
        if (raw.length != LENGTH || (bytes.getInt(12) & 0xFFFF_FFFFL) != crc.getValue())
        {
            throw new JournalCorruptionException(file, JournalCorruptionException.UNKNOWN_WIRE_SEQ,
                "seed file is damaged (" + raw.length + " bytes, CRC mismatch or wrong length)");
        }
        return new JournalSeedFile(bytes.getLong(0), bytes.getInt(8) & 0xFFFF_FFFFL);
    }
}
