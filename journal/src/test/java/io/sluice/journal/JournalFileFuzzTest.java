package io.sluice.journal;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes the two readers of journal files with random, compound damage to a cycle file: several byte overwrites,
 * filled ranges, one entry's document copied over another's, forged Chronicle lengths, truncation with garbage
 * after it. {@code JournalCorruptionTest} covers each single kind of damage at every offset; this covers mixes.
 * <ul>
 *     <li>Recovery either refuses with {@link JournalCorruptionException} (and leaves every entry's bytes as they
 *     were), or rebuilds exactly the state of entries 1..k, where k keeps every entry before the first damaged
 *     byte and drops entries only when none after them survived intact.</li>
 *     <li>A {@link JournalReader} (what replication catch-up uses) over a file damaged after recovery returns only
 *     intact entries, in order, then stops: false or {@link JournalCorruptionException}, nothing else.</li>
 * </ul>
 * Tries scale with {@code -Dsluice.fuzz.scale=N}; {@code -Dsluice.fuzz.seed=S} changes the damage.
 */
class JournalFileFuzzTest
{
    private static final long SEED = Long.getLong("sluice.fuzz.seed", 0xF11E_D0CL);
    private static final int SCALE = Integer.getInteger("sluice.fuzz.scale", 1);
    private static final int RECOVERY_TRIES = 60 * SCALE;
    private static final int READER_TRIES = 60 * SCALE;
    private static final int ENTRIES = 24;

    @TempDir
    static Path pristineRoot;

    @TempDir
    Path work;

    private static Path pristine;
    private static Path cycleFileName;
    private static long[] prefixHashes;
    private static byte[][] entries;
    /** Document header offset and end (header + 4 + body) of entry k at index k - 1. */
    private static long[] starts;
    private static long[] ends;

    @BeforeAll
    static void writePristineJournal() throws IOException
    {
        pristine = pristineRoot.resolve("journal");
        try (JournalTestSupport.Writer writer = new JournalTestSupport.Writer(JournalTestSupport.context(pristine)))
        {
            writer.append(1, ENTRIES);
            prefixHashes = JournalTestSupport.prefixHashes(writer.journal, ENTRIES);
            entries = new byte[ENTRIES][];
            try (JournalReader reader = writer.journal.newReader())
            {
                for (int i = 0; i < ENTRIES; i++)
                {
                    assertTrue(reader.next());
                    final JournalEntryView entry = reader.entry();
                    entries[i] = new byte[entry.length()];
                    entry.buffer().getBytes(entry.offset(), entries[i]);
                }
            }
        }
        final List<Path> files = JournalTestSupport.cycleFiles(pristine);
        assertEquals(1, files.size());
        cycleFileName = pristine.relativize(files.get(0));
        final List<Long> offsets = JournalTestSupport.entryOffsets(files.get(0));
        assertEquals(ENTRIES, offsets.size());
        starts = new long[ENTRIES];
        ends = new long[ENTRIES];
        for (int i = 0; i < ENTRIES; i++)
        {
            starts[i] = offsets.get(i);
            ends[i] = starts[i] + 4 + entries[i].length;
        }
    }

    @Test
    void shouldRecoverAnIntactPrefixOrRefuseWhateverTheDamage()
    {
        assertTimeoutPreemptively(Duration.ofMinutes(5L * SCALE), () ->
        {
            final SplittableRandom random = new SplittableRandom(SEED);
            int refused = 0;
            int recoveredShort = 0;
            for (int i = 0; i < RECOVERY_TRIES; i++)
            {
                final Path copy = work.resolve("recover-" + i);
                JournalTestSupport.copyTree(pristine, copy);
                final Path cycleFile = copy.resolve(cycleFileName);
                final Damage damage = Damage.random(random, Files.size(cycleFile), true);
                damage.applyTo(cycleFile);
                final byte[] damagedEntryRegion = readRegion(cycleFile);
                try
                {
                    final JournalTestSupport.Recovered recovered = JournalTestSupport.recover(copy);
                    final long last = recovered.result.lastWireSeq();
                    final String what = "try " + i + " seed " + SEED + " " + damage + ": recovered to " + last;
                    assertTrue(last >= 0 && last <= ENTRIES, what);
                    assertEquals(prefixHashes[(int)last], recovered.state.stateHash(), "state is entries 1.." + what);
                    assertTrue(last >= damage.intactEntriesBeforeDamage(), "dropped an undamaged entry: " + what);
                    for (int wireSeq = (int)last + 2; wireSeq <= ENTRIES; wireSeq++)
                    {
                        if (damage.isIntact(wireSeq))
                        {
                            fail("dropped entries " + (last + 1) + ".." + ENTRIES + " though entry " + wireSeq +
                                " is intact: " + what);
                        }
                    }
                    recoveredShort += last < ENTRIES ? 1 : 0;
                }
                catch (final JournalCorruptionException ex)
                {
                    assertTrue(ex.getMessage().contains("file=") && ex.getMessage().contains("wireSeq"),
                        ex.getMessage());
                    assertArrayEquals(damagedEntryRegion, readRegion(cycleFile),
                        "a refused recovery changed the journal: try " + i + " " + damage);
                    refused++;
                }
                catch (final RuntimeException ex)
                {
                    throw new AssertionError("recovery threw other than JournalCorruptionException: try " + i + " seed " +
                        SEED + " " + damage, ex);
                }
                JournalTestSupport.deleteTree(copy);
            }
            System.out.println("fuzz journal-recovery: seed=" + SEED + " tries=" + RECOVERY_TRIES + " refused=" +
                refused + " recoveredShort=" + recoveredShort);
            assertTrue(refused > 0, "some damage is refused");
            assertTrue(refused + recoveredShort > RECOVERY_TRIES / 3, "most damage is noticed: refused " + refused +
                ", recovered short " + recoveredShort);
        });
    }

    @Test
    void shouldReadOnlyIntactEntriesFromAFileDamagedAfterRecovery()
    {
        assertTimeoutPreemptively(Duration.ofMinutes(5L * SCALE), () ->
        {
            final SplittableRandom random = new SplittableRandom(SEED + 1);
            long entriesRead = 0;
            int stoppedEarly = 0;
            for (int i = 0; i < READER_TRIES; i++)
            {
                final Path copy = work.resolve("read-" + i);
                JournalTestSupport.copyTree(pristine, copy);
                try (Journal journal = Journal.open(JournalTestSupport.context(copy)))
                {
                    journal.recover(new SnapshotStore(journal.snapshotDirectory()), new HashingStateMachine());
                    final Damage damage = Damage.random(random, Files.size(copy.resolve(cycleFileName)), false);
                    damage.applyTo(copy.resolve(cycleFileName));
                    final String what = "try " + i + " seed " + SEED + " " + damage;

                    final long read = readAll(journal, 0, what);
                    entriesRead += read;
                    stoppedEarly += read < ENTRIES ? 1 : 0;
                    final int from = 1 + random.nextInt(ENTRIES);
                    readAll(journal, from, what + " seek " + from);
                }
                JournalTestSupport.deleteTree(copy);
            }
            System.out.println("fuzz journal-reader: seed=" + SEED + " tries=" + READER_TRIES + " entriesRead=" +
                entriesRead + " stoppedEarly=" + stoppedEarly);
            assertTrue(entriesRead > 0);
            assertTrue(stoppedEarly > 0, "damage stops readers");
        });
    }

    @Test
    void shouldRefuseALaterEntryCopiedOverTheFirstWhenReadingFromTheStart() throws IOException
    {
        // Found by the reader fuzz (seed 7, scale 40): the first excerpt read without a seek was not checked
        // against where the journal starts, so an intact entry 22 in entry 1's place was returned as the first.
        final Path copy = work.resolve("copy-22-over-1");
        JournalTestSupport.copyTree(pristine, copy);
        try (Journal journal = Journal.open(JournalTestSupport.context(copy)))
        {
            journal.recover(new SnapshotStore(journal.snapshotDirectory()), new HashingStateMachine());
            final Damage damage = new Damage();
            damage.copyDocument(22, 1);
            damage.applyTo(copy.resolve(cycleFileName));

            try (JournalReader reader = journal.newReader())
            {
                final JournalCorruptionException ex = assertThrows(JournalCorruptionException.class,
                    reader::next);
                assertTrue(ex.getMessage().contains("journal starts at wireSeq 1"), ex.getMessage());
            }
        }
    }

    @Test
    void shouldReportDamageToChroniclesFileHeaderAsCorruption() throws IOException
    {
        // Found by the reader fuzz (seed 7, scale 40, one byte at offset 50): Chronicle's own exception escaped
        // the reader instead of JournalCorruptionException, which is all its callers handle.
        final Path copy = work.resolve("chronicle-header");
        JournalTestSupport.copyTree(pristine, copy);
        try (Journal journal = Journal.open(JournalTestSupport.context(copy)))
        {
            journal.recover(new SnapshotStore(journal.snapshotDirectory()), new HashingStateMachine());
            final byte[] garbage = new byte[32];
            Arrays.fill(garbage, (byte)0x7F);
            final Damage damage = new Damage();
            damage.write("meta", 40, garbage);
            damage.applyTo(copy.resolve(cycleFileName));

            try (JournalReader reader = journal.newReader())
            {
                final JournalCorruptionException ex = assertThrows(JournalCorruptionException.class, reader::next);
                assertTrue(ex.getMessage().contains("Chronicle cannot read the journal"), ex.getMessage());
            }
            try (JournalReader reader = journal.newReader())
            {
                assertThrows(JournalCorruptionException.class, () -> reader.seek(5));
            }
        }
    }

    /**
     * Reads from {@code from} (0: from the start without seeking) until the reader stops.
     *
     * @return entries read.
     */
    private static long readAll(final Journal journal, final int from, final String what)
    {
        long count = 0;
        try (JournalReader reader = journal.newReader())
        {
            long expected = 1;
            if (from > 0)
            {
                if (!reader.seek(from))
                {
                    return 0;
                }
                expected = from;
            }
            for (int n = 0; n <= ENTRIES; n++)
            {
                if (!reader.next())
                {
                    break;
                }
                final JournalEntryView entry = reader.entry();
                assertEquals(expected, entry.wireSeq(), "reader skipped or repeated: " + what);
                assertTrue(expected <= ENTRIES, "reader invented an entry: " + what);
                assertArrayEquals(entries[(int)expected - 1], JournalEntryViewBytes.of(entry),
                    "reader returned a damaged entry " + expected + ": " + what);
                expected++;
                count++;
            }
        }
        catch (final JournalCorruptionException ex)
        {
            assertTrue(ex.getMessage().contains("wireSeq"), ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            throw new AssertionError("reader threw other than JournalCorruptionException: " + what, ex);
        }
        return count;
    }

    private static byte[] readRegion(final Path cycleFile) throws IOException
    {
        final long to = Math.min(ends[ENTRIES - 1], Files.size(cycleFile));
        final byte[] region = new byte[(int)Math.max(0, to - starts[0])];
        try (RandomAccessFile file = new RandomAccessFile(cycleFile.toFile(), "r"))
        {
            file.seek(starts[0]);
            file.readFully(region);
        }
        return region;
    }

    private static final class JournalEntryViewBytes
    {
        static byte[] of(final JournalEntryView entry)
        {
            final byte[] bytes = new byte[entry.length()];
            entry.buffer().getBytes(entry.offset(), bytes);
            return bytes;
        }
    }

    /** One to three kinds of damage to one cycle file, with the set of file offsets they touched. */
    private static final class Damage
    {
        private final List<String> steps = new ArrayList<>();
        private final List<long[]> writes = new ArrayList<>();
        private final List<byte[]> data = new ArrayList<>();
        private final BitSet touched = new BitSet();
        private long truncateAt = -1;

        /**
         * @param truncate whether the file may be cut short; not for a file a live journal has mapped, where a
         *                 read past the new end faults the JVM rather than throwing.
         */
        static Damage random(final SplittableRandom random, final long fileLength, final boolean truncate)
        {
            final Damage damage = new Damage();
            final int kinds = 1 + (random.nextInt(3) == 0 ? 1 + random.nextInt(2) : 0);
            for (int k = 0; k < kinds; k++)
            {
                damage.addOne(random, fileLength, truncate);
            }
            return damage;
        }

        private void addOne(final SplittableRandom random, final long fileLength, final boolean truncate)
        {
            final long first = starts[0];
            final long last = ends[ENTRIES - 1];
            int kind = random.nextInt(7);
            if (kind == 4 && !truncate)
            {
                kind = 1;
            }
            switch (kind)
            {
                case 0:
                {
                    final int count = 1 + random.nextInt(8);
                    for (int i = 0; i < count; i++)
                    {
                        write("byte", pick(random, first, last), new byte[]{ (byte)random.nextInt(256) });
                    }
                    break;
                }
                case 1:
                {
                    final long from = pick(random, first, last);
                    final byte[] fill = new byte[1 + random.nextInt(200)];
                    final int style = random.nextInt(3);
                    for (int i = 0; i < fill.length; i++)
                    {
                        fill[i] = style == 0 ? 0 : style == 1 ? (byte)0xFF : (byte)random.nextInt(256);
                    }
                    write("fill" + style, from, fill);
                    break;
                }
                case 2:
                {
                    copyDocument(1 + random.nextInt(ENTRIES), 1 + random.nextInt(ENTRIES));
                    break;
                }
                case 3:
                {
                    // A forged Chronicle length word (with random flag bits) at an entry's header.
                    final int target = random.nextInt(ENTRIES);
                    final int length = random.nextBoolean() ? random.nextInt() : random.nextInt(1, 512);
                    write("length", starts[target], new byte[]{
                        (byte)length, (byte)(length >>> 8), (byte)(length >>> 16), (byte)(length >>> 24) });
                    break;
                }
                case 4:
                {
                    final long cut = pick(random, first, last + 1);
                    truncateAt = truncateAt < 0 ? cut : Math.min(truncateAt, cut);
                    steps.add("truncate@" + cut);
                    if (random.nextBoolean())
                    {
                        final byte[] garbage = new byte[1 + random.nextInt(64)];
                        for (int i = 0; i < garbage.length; i++)
                        {
                            garbage[i] = (byte)random.nextInt(256);
                        }
                        write("garbage", cut, garbage);
                    }
                    break;
                }
                case 5:
                    // Chronicle's own header and index area, before the first entry.
                    write("meta", random.nextLong(Math.min(first, fileLength)), new byte[]{ (byte)random.nextInt(256) });
                    break;
                default:
                {
                    final long at = pick(random, first, last);
                    write("flip", at, null);
                    break;
                }
            }
        }

        /** A whole, valid document of one entry over another's: only continuity can tell. */
        void copyDocument(final int sourceWireSeq, final int targetWireSeq)
        {
            final byte[] entry = entries[sourceWireSeq - 1];
            final byte[] document = new byte[4 + entry.length];
            document[0] = (byte)entry.length;
            document[1] = (byte)(entry.length >>> 8);
            System.arraycopy(entry, 0, document, 4, entry.length);
            write("copy" + sourceWireSeq + "over" + targetWireSeq, starts[targetWireSeq - 1], document);
        }

        private static long pick(final SplittableRandom random, final long from, final long to)
        {
            return from + random.nextLong(to - from);
        }

        private void write(final String kind, final long at, final byte[] bytes)
        {
            steps.add(kind + "@" + at + (bytes == null ? "" : "x" + bytes.length));
            writes.add(new long[]{ at });
            data.add(bytes);
        }

        void applyTo(final Path file) throws IOException
        {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
            {
                for (int i = 0; i < writes.size(); i++)
                {
                    final long at = writes.get(i)[0];
                    byte[] bytes = data.get(i);
                    raf.seek(at);
                    if (bytes == null)
                    {
                        final int value = raf.read();
                        bytes = new byte[]{ (byte)(value ^ (1 << (int)(at % 8))) };
                        raf.seek(at);
                    }
                    final byte[] before = new byte[bytes.length];
                    raf.seek(at);
                    final int read = Math.max(0, raf.read(before));
                    raf.seek(at);
                    raf.write(bytes);
                    for (int b = 0; b < bytes.length; b++)
                    {
                        if (b >= read || before[b] != bytes[b])
                        {
                            touched.set((int)(at + b));
                        }
                    }
                }
            }
            if (truncateAt >= 0)
            {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
                {
                    channel.truncate(truncateAt);
                }
                touched.set((int)truncateAt, (int)Math.max(truncateAt, ends[ENTRIES - 1]) + 1);
            }
        }

        /** Entries that lie wholly before the first touched byte. */
        int intactEntriesBeforeDamage()
        {
            final int firstTouched = touched.nextSetBit(0);
            int count = 0;
            while (count < ENTRIES && (firstTouched < 0 || ends[count] <= firstTouched))
            {
                count++;
            }
            return count;
        }

        /** Entry {@code wireSeq}'s document was not touched. */
        boolean isIntact(final int wireSeq)
        {
            final int next = touched.nextSetBit((int)starts[wireSeq - 1]);
            return next < 0 || next >= ends[wireSeq - 1];
        }

        public String toString()
        {
            return "damage" + steps + " touching " + touched.cardinality() + " bytes";
        }
    }
}
