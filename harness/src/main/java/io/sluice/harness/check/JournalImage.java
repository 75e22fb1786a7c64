package io.sluice.harness.check;

import io.sluice.journal.Journal;
import io.sluice.journal.JournalCorruptionException;
import io.sluice.journal.JournalEntryView;
import io.sluice.journal.JournalReader;
import io.sluice.sbe.journal.EntryType;
import io.sluice.sbe.journal.JournalHeaderDecoder;
import io.sluice.sbe.journal.MessageHeaderDecoder;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * What the checker needs of one journal, read once into memory: for every entry its type, session, requestSeq and
 * CRC32C, indexed by {@code wireSeq}. Entries are read with the journal's own reader, so each is verified (CRC,
 * structure, {@code wireSeq} continuity); reading stops at the first damaged entry and says why in
 * {@link #problem()}. An append cut short by a crash is not visible to the reader and simply ends the image.
 * <p>
 * Read the journal of a stopped node, or a copy: the journal is opened as its node would open it (without recovery,
 * so nothing is cut or rewritten), and entries appended while it reads may or may not be included.
 */
final class JournalImage
{
    static final String HEADER_FILE = "journal.header";
    private static final int INITIAL_CAPACITY = 1024;

    private final String name;
    private final Path directory;
    private long firstWireSeq = 1;
    private int count;
    private long[] sessionIds = new long[INITIAL_CAPACITY];
    private long[] requestSeqs = new long[INITIAL_CAPACITY];
    private int[] crcs = new int[INITIAL_CAPACITY];
    private byte[] types = new byte[INITIAL_CAPACITY];
    private int nodeId;
    private String problem;

    private JournalImage(final String name, final Path directory)
    {
        this.name = name;
        this.directory = directory;
    }

    /**
     * @param dir a node's data directory (holding {@code journal/}) or a journal directory.
     * @return the journal directory.
     */
    static Path journalDirectory(final Path dir)
    {
        final Path nested = dir.resolve("journal");
        return Files.isRegularFile(nested.resolve(HEADER_FILE)) ? nested : dir;
    }

    /**
     * Reads every entry the journal holds.
     *
     * @param name how violations and notes name it ("primary", "replica 1").
     * @param dir  a node's data directory or a journal directory.
     * @return the image; {@link #problem()} says if reading stopped early.
     */
    static JournalImage read(final String name, final Path dir)
    {
        final JournalImage image = new JournalImage(name, journalDirectory(dir));
        image.load();
        return image;
    }

    private void load()
    {
        try
        {
            nodeId = readNodeId(directory);
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            problem = "cannot read " + directory.resolve(HEADER_FILE) + ": " + ex.getMessage();
            return;
        }
        try (Journal journal = Journal.open(new Journal.Context().directory(directory).nodeId(nodeId));
            JournalReader reader = journal.newReader())
        {
            while (reader.next())
            {
                add(reader.entry());
            }
        }
        catch (final JournalCorruptionException ex)
        {
            problem = ex.getMessage();
        }
        catch (final IOException | RuntimeException ex)
        {
            problem = "cannot read journal " + directory + ": " + ex;
        }
    }

    private void add(final JournalEntryView entry)
    {
        if (count == 0)
        {
            firstWireSeq = entry.wireSeq();
        }
        if (count == sessionIds.length)
        {
            final int capacity = count * 2;
            sessionIds = Arrays.copyOf(sessionIds, capacity);
            requestSeqs = Arrays.copyOf(requestSeqs, capacity);
            crcs = Arrays.copyOf(crcs, capacity);
            types = Arrays.copyOf(types, capacity);
        }
        sessionIds[count] = entry.sessionId();
        requestSeqs[count] = entry.requestSeq();
        crcs[count] = (int)entry.crc32c();
        types[count] = (byte)entry.entryTypeCode();
        count++;
    }

    /**
     * The node id in the journal's header, which {@link Journal#open} insists on.
     */
    static int readNodeId(final Path journalDir) throws IOException
    {
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(journalDir.resolve(HEADER_FILE));
        }
        catch (final NoSuchFileException ex)
        {
            throw new IOException("not a journal directory (no " + HEADER_FILE + ")");
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        if (bytes.length < MessageHeaderDecoder.ENCODED_LENGTH + JournalHeaderDecoder.BLOCK_LENGTH)
        {
            throw new IOException("header file is only " + bytes.length + " bytes");
        }
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, 0);
        if (header.schemaId() != JournalHeaderDecoder.SCHEMA_ID || header.templateId() != JournalHeaderDecoder.TEMPLATE_ID)
        {
            throw new IOException("header file does not hold a JournalHeader message");
        }
        return new JournalHeaderDecoder()
            .wrap(buffer, MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version())
            .nodeId();
    }

    String name()
    {
        return name;
    }

    Path directory()
    {
        return directory;
    }

    /**
     * This journal's entries, preceded by what other journals hold before its first wireSeq: a journal trimmed by
     * retention, or one a resync seeded from a snapshot, no longer holds the early history, but a replica that
     * followed all along may. A donor counts only if it holds this image's first entry with the same CRC (so the two
     * share the history up to there); the one reaching furthest back is taken, and again from the new start until no
     * donor reaches further.
     *
     * @param donors other nodes' journals.
     * @param notes  receives a line for each prefix taken.
     * @return this image when no donor reaches further back, else a combined one (same name and directory).
     */
    JournalImage withPrefixFrom(final List<JournalImage> donors, final List<String> notes)
    {
        JournalImage combined = this;
        while (!combined.isEmpty() && combined.firstWireSeq > 1)
        {
            final long first = combined.firstWireSeq;
            JournalImage best = null;
            for (final JournalImage donor : donors)
            {
                if (donor.firstWireSeq < first && donor.holds(first) && donor.crc(first) == combined.crc(first) &&
                    (best == null || donor.firstWireSeq < best.firstWireSeq))
                {
                    best = donor;
                }
            }
            if (best == null)
            {
                break;
            }
            final int prefix = (int)(first - best.firstWireSeq);
            final JournalImage next = new JournalImage(name, directory);
            next.nodeId = nodeId;
            next.problem = problem;
            next.firstWireSeq = best.firstWireSeq;
            next.count = prefix + combined.count;
            next.sessionIds = concat(best.sessionIds, prefix, combined.sessionIds, combined.count);
            next.requestSeqs = concat(best.requestSeqs, prefix, combined.requestSeqs, combined.count);
            next.crcs = new int[next.count];
            System.arraycopy(best.crcs, 0, next.crcs, 0, prefix);
            System.arraycopy(combined.crcs, 0, next.crcs, prefix, combined.count);
            next.types = new byte[next.count];
            System.arraycopy(best.types, 0, next.types, 0, prefix);
            System.arraycopy(combined.types, 0, next.types, prefix, combined.count);
            notes.add(name + " journal starts at wireSeq " + first + " (trimmed, or seeded from a snapshot): wireSeq " +
                best.firstWireSeq + ".." + (first - 1) + " checked in " + best.name + ", which holds the same entry " +
                "at " + first);
            combined = next;
        }
        return combined;
    }

    private static long[] concat(final long[] head, final int headCount, final long[] tail, final int tailCount)
    {
        final long[] joined = new long[headCount + tailCount];
        System.arraycopy(head, 0, joined, 0, headCount);
        System.arraycopy(tail, 0, joined, headCount, tailCount);
        return joined;
    }

    int nodeId()
    {
        return nodeId;
    }

    /**
     * @return why reading stopped before the end, or null if the whole journal was read.
     */
    String problem()
    {
        return problem;
    }

    boolean isEmpty()
    {
        return count == 0;
    }

    /**
     * @return the first wireSeq held (1 for an empty journal).
     */
    long firstWireSeq()
    {
        return firstWireSeq;
    }

    /**
     * @return the last wireSeq held ({@code firstWireSeq - 1} for an empty journal).
     */
    long lastWireSeq()
    {
        return firstWireSeq + count - 1;
    }

    boolean holds(final long wireSeq)
    {
        return wireSeq >= firstWireSeq && wireSeq - firstWireSeq < count;
    }

    boolean isClientCommand(final long wireSeq)
    {
        return types[index(wireSeq)] == EntryType.CLIENT_COMMAND.value();
    }

    long sessionId(final long wireSeq)
    {
        return sessionIds[index(wireSeq)];
    }

    long requestSeq(final long wireSeq)
    {
        return requestSeqs[index(wireSeq)];
    }

    /**
     * @return the entry's stored CRC32C as an int (bit pattern of the unsigned value).
     */
    int crc(final long wireSeq)
    {
        return crcs[index(wireSeq)];
    }

    /**
     * @return the entry in a few words, for violation details.
     */
    String describe(final long wireSeq)
    {
        if (!holds(wireSeq))
        {
            return "no entry (" + name + " holds wireSeq " + range() + ")";
        }
        final byte type = types[index(wireSeq)];
        if (type == EntryType.CLIENT_COMMAND.value())
        {
            return "session " + sessionId(wireSeq) + " requestSeq " + requestSeq(wireSeq);
        }
        return "admin entry " + EntryType.get((short)(type & 0xFF));
    }

    String range()
    {
        return count == 0 ? "none" : firstWireSeq + ".." + lastWireSeq();
    }

    private int index(final long wireSeq)
    {
        if (!holds(wireSeq))
        {
            throw new IndexOutOfBoundsException("wireSeq " + wireSeq + " not in " + name + " " + range());
        }
        return (int)(wireSeq - firstWireSeq);
    }

    @Override
    public String toString()
    {
        return name + " " + directory + " (wireSeq " + range() + (problem != null ? ", damaged: " + problem : "") +
            ")";
    }
}
