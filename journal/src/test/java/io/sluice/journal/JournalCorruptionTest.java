package io.sluice.journal;

import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.SparseRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Damages copies of a small journal in many ways and checks that recovery either returns exactly the entries that
 * survived whole (only when the damage is a torn final entry) or refuses with a message naming the file, the
 * {@code wireSeq} and the problem: never a silently wrong replay.
 */
class JournalCorruptionTest
{
    private static final int ENTRIES = 12;

    @TempDir
    static Path pristineRoot;

    @TempDir
    Path work;

    private static Path pristine;
    private static Path cycleFileName;
    private static long[] prefixHashes;
    /** Header offset, body length and end (header + 4 + length) of entry k at index k - 1. */
    private static final List<long[]> ENTRY_DOCS = new ArrayList<>();
    private static long fileLength;

    private int caseNumber;

    @BeforeAll
    static void writePristineJournal() throws IOException
    {
        pristine = pristineRoot.resolve("journal");
        try (JournalTestSupport.Writer writer = new JournalTestSupport.Writer(JournalTestSupport.context(pristine)))
        {
            writer.append(1, ENTRIES);
            prefixHashes = JournalTestSupport.prefixHashes(writer.journal, ENTRIES);
        }
        final List<Path> files = JournalTestSupport.cycleFiles(pristine);
        assertEquals(1, files.size());
        cycleFileName = pristine.relativize(files.get(0));
        fileLength = Files.size(files.get(0));
        for (final long offset : JournalTestSupport.entryOffsets(files.get(0)))
        {
            try (RandomAccessFile file = new RandomAccessFile(files.get(0).toFile(), "r"))
            {
                file.seek(offset);
                final int length = Integer.reverseBytes(file.readInt());
                ENTRY_DOCS.add(new long[] {offset, length, offset + 4 + length});
            }
        }
        assertEquals(ENTRIES, ENTRY_DOCS.size());
    }

    /** What recovery made of a damaged copy. */
    private static final class Outcome
    {
        final long lastWireSeq;
        final JournalCorruptionException refusal;

        Outcome(final long lastWireSeq, final JournalCorruptionException refusal)
        {
            this.lastWireSeq = lastWireSeq;
            this.refusal = refusal;
        }

        boolean refused()
        {
            return refusal != null;
        }

        public String toString()
        {
            return refused() ? "refused: " + refusal.getMessage() : "recovered to wireSeq " + lastWireSeq;
        }
    }

    private interface Damage
    {
        void apply(Path cycleFile) throws IOException;
    }

    private Outcome recoverDamaged(final Damage damage) throws IOException
    {
        final Path copy = work.resolve("case-" + caseNumber++);
        JournalTestSupport.copyTree(pristine, copy);
        damage.apply(copy.resolve(cycleFileName));
        try
        {
            final JournalTestSupport.Recovered recovered = JournalTestSupport.recover(copy);
            final long last = recovered.result.lastWireSeq();
            assertTrue(last >= 0 && last <= ENTRIES, "recovered to " + last);
            assertEquals(prefixHashes[(int)last], recovered.state.stateHash(),
                "state after recovering to wireSeq " + last + " is not the state of entries 1.." + last);
            assertEquals(last, recovered.state.applied);
            return new Outcome(last, null);
        }
        catch (final JournalCorruptionException ex)
        {
            assertTrue(ex.getMessage().contains("file=" + copy), ex.getMessage());
            assertTrue(ex.getMessage().contains("wireSeq"), ex.getMessage());
            return new Outcome(-1, ex);
        }
        finally
        {
            JournalTestSupport.deleteTree(copy);
        }
    }

    private static long start(final int wireSeq)
    {
        return ENTRY_DOCS.get(wireSeq - 1)[0];
    }

    private static long end(final int wireSeq)
    {
        return ENTRY_DOCS.get(wireSeq - 1)[2];
    }

    /** Number of entries that lie wholly below {@code offset}. */
    private static int entriesBefore(final long offset)
    {
        int count = 0;
        for (final long[] doc : ENTRY_DOCS)
        {
            if (doc[2] <= offset)
            {
                count++;
            }
        }
        return count;
    }

    @Test
    void shouldRecoverToLastWholeEntryWhenTruncatedAnywhereInTheLastEntries() throws IOException
    {
        for (long cut = start(ENTRIES - 1); cut <= end(ENTRIES) + 8; cut++)
        {
            final long at = cut;
            final Outcome outcome = recoverDamaged((file) -> truncate(file, at));
            assertEquals(entriesBefore(at), outcome.lastWireSeq, "truncated at " + at + ": " + outcome);
        }
    }

    @Test
    void shouldAppendAfterTheCutWhenATornTailWasDropped() throws IOException
    {
        for (long cut = start(ENTRIES - 1) + 1; cut < end(ENTRIES); cut += 13)
        {
            final Path copy = work.resolve("append-" + cut);
            JournalTestSupport.copyTree(pristine, copy);
            truncate(copy.resolve(cycleFileName), cut);
            final int survivors = entriesBefore(cut);
            try (JournalTestSupport.Writer writer = new JournalTestSupport.Writer(JournalTestSupport.context(copy)))
            {
                assertEquals(survivors, writer.recovery.lastWireSeq());
                final boolean cutInsideDocument = survivors < ENTRIES && cut > start(survivors + 1);
                assertEquals(cutInsideDocument, writer.recovery.tornTailDropped(), "cut at " + cut);
                writer.append(survivors + 1, ENTRIES + 5);
            }
            final JournalTestSupport.Recovered recovered = JournalTestSupport.recover(copy);
            assertEquals(ENTRIES + 5, recovered.result.lastWireSeq(), "cut at " + cut);
            assertTrue(!recovered.result.tornTailDropped());
            assertEquals(JournalVerifier.OK, JournalVerifier.verify(copy, new java.io.PrintStream(
                java.io.OutputStream.nullOutputStream())));
            JournalTestSupport.deleteTree(copy);
        }
    }

    @Test
    void shouldAppendOverAnAppendThatWasKilledBeforeItsHeaderWasWritten() throws IOException
    {
        // Chronicle fills in the document header last: a writer killed mid-append leaves a zero header over the body.
        final Path copy = work.resolve("killed-mid-append");
        JournalTestSupport.copyTree(pristine, copy);
        zero(copy.resolve(cycleFileName), start(ENTRIES), start(ENTRIES) + 4);
        try (JournalTestSupport.Writer writer = new JournalTestSupport.Writer(JournalTestSupport.context(copy)))
        {
            assertEquals(ENTRIES - 1, writer.recovery.lastWireSeq());
            assertTrue(writer.recovery.tornTailDescription().contains("zero document header"),
                writer.recovery.tornTailDescription());
            writer.append(ENTRIES, ENTRIES + 3);
        }
        final JournalTestSupport.Recovered recovered = JournalTestSupport.recover(copy);
        assertEquals(ENTRIES + 3, recovered.result.lastWireSeq());
        assertEquals(prefixHashes[ENTRIES - 1], hashOfFirst(copy, ENTRIES - 1));
    }

    private static long hashOfFirst(final Path dir, final long count) throws IOException
    {
        try (Journal journal = Journal.open(JournalTestSupport.context(dir)))
        {
            return JournalTestSupport.prefixHashes(journal, count)[(int)count];
        }
    }

    @Test
    void shouldRefuseOrKeepEverythingWhenASingleBitFlips() throws IOException
    {
        final Random random = new Random(42);
        final List<Long> offsets = new ArrayList<>();
        for (long offset = start(1); offset < end(ENTRIES); offset++)
        {
            if (offset >= start(ENTRIES - 2) || isHeaderByte(offset) || random.nextInt(6) == 0)
            {
                offsets.add(offset);
            }
        }
        for (long offset = 0; offset < start(1); offset += 61 + random.nextInt(64))
        {
            offsets.add(offset);
        }
        for (int i = 0; i < 12; i++)
        {
            offsets.add(end(ENTRIES) + random.nextInt((int)Math.min(fileLength - end(ENTRIES), 200_000)));
        }

        int refused = 0;
        for (final long offset : offsets)
        {
            final int bit = (int)(offset * 5 % 8);
            final Outcome outcome = recoverDamaged((file) -> flipBit(file, offset, bit));
            final int entry = entryContaining(offset);
            final String what = "bit " + bit + " of offset " + offset + " (entry " + entry + "): " + outcome;
            if (entry > 0 && entry < ENTRIES)
            {
                assertTrue(outcome.refused(), what);
            }
            else if (entry == ENTRIES)
            {
                if (offset < start(ENTRIES) + 4)
                {
                    assertTrue(outcome.refused(), what);
                }
                else
                {
                    assertEquals(ENTRIES - 1, outcome.lastWireSeq, what);
                }
            }
            else
            {
                assertTrue(outcome.refused() || outcome.lastWireSeq == ENTRIES, what);
            }
            refused += outcome.refused() ? 1 : 0;
        }
        assertTrue(refused > 0);
    }

    @Test
    void shouldRefuseAZeroedRangeFollowedByValidEntries() throws IOException
    {
        final int k = ENTRIES / 2;
        assertRefused(recoverDamaged((file) -> zero(file, start(k), start(k) + 4)), "followed by");
        assertRefused(recoverDamaged((file) -> zero(file, start(k), end(k + 1))), "followed by");
        assertRefused(recoverDamaged((file) -> zero(file, start(k) + 20, start(k) + 40)), "CRC");
        assertRefused(recoverDamaged((file) -> zero(file, start(ENTRIES - 1), end(ENTRIES - 1))), "followed by");
        assertRefused(recoverDamaged((file) -> zero(file, 0, 64)), "file=");
    }

    @Test
    void shouldDropOnlyTheLastEntryWhenItIsZeroed() throws IOException
    {
        assertEquals(ENTRIES - 1, recoverDamaged((file) -> zero(file, start(ENTRIES), end(ENTRIES))).lastWireSeq);
        assertEquals(ENTRIES - 1, recoverDamaged((file) -> zero(file, start(ENTRIES), start(ENTRIES) + 4)).lastWireSeq);
        assertEquals(ENTRIES - 1, recoverDamaged((file) -> zero(file, start(ENTRIES) + 30, end(ENTRIES))).lastWireSeq);
        assertEquals(ENTRIES - 2,
            recoverDamaged((file) -> zero(file, start(ENTRIES - 1) + 30, end(ENTRIES))).lastWireSeq);
    }

    @Test
    void shouldRefuseALengthThatRunsIntoTheNextEntry() throws IOException
    {
        final int k = 3;
        final Outcome longer = recoverDamaged((file) -> putIntLe(file, start(k), (int)(end(k + 1) - start(k) - 4)));
        assertRefused(longer, "wireSeq");
        final Outcome huge = recoverDamaged((file) -> putIntLe(file, start(k), 1 << 24));
        assertRefused(huge, "damaged");
    }

    @Test
    void shouldRefuseGapsAndRepeatsInWireSeq() throws IOException
    {
        assertRefused(recoverCrafted(new long[] {1, 2, 4, 5}), "gap");
        assertRefused(recoverCrafted(new long[] {1, 2, 2, 3}), "repeat");
        assertEquals(4, recoverCrafted(new long[] {1, 2, 3, 4}).lastWireSeq);
    }

    @Test
    void shouldRefuseWhenACycleFileIsMissing() throws IOException
    {
        final SetTimeProvider clock = new SetTimeProvider(TestEntries.BASE_TIME_NS / 1_000_000 * 1_000_000);
        final Path journalDir = work.resolve("cycles");
        try (JournalTestSupport.Writer writer = new JournalTestSupport.Writer(
            JournalTestSupport.secondlyContext(journalDir, clock)))
        {
            for (int i = 0; i < 3; i++)
            {
                writer.append(i * 5 + 1, i * 5 + 5);
                clock.advanceMillis(1_000);
            }
        }
        final List<Path> files = JournalTestSupport.cycleFiles(journalDir);
        assertEquals(3, files.size());

        final Path middle = work.resolve("middle");
        JournalTestSupport.copyTree(journalDir, middle);
        Files.delete(JournalTestSupport.cycleFiles(middle).get(1));
        final JournalCorruptionException gap = assertThrows(JournalCorruptionException.class,
            () -> recoverSecondly(middle, clock));
        assertTrue(gap.getMessage().contains("gap") && gap.getMessage().contains("wireSeq 11"), gap.getMessage());

        final Path first = work.resolve("first");
        JournalTestSupport.copyTree(journalDir, first);
        Files.delete(JournalTestSupport.cycleFiles(first).get(0));
        final JournalCorruptionException missing = assertThrows(JournalCorruptionException.class,
            () -> recoverSecondly(first, clock));
        assertTrue(missing.getMessage().contains("missing"), missing.getMessage());
    }

    private static void recoverSecondly(final Path dir, final SetTimeProvider clock) throws IOException
    {
        try (Journal journal = Journal.open(JournalTestSupport.secondlyContext(dir, clock)))
        {
            journal.recover(new SnapshotStore(journal.snapshotDirectory()), new HashingStateMachine());
        }
    }

    /** Writes entries with the given wireSeqs (each with a correct CRC) straight through Chronicle. */
    private Outcome recoverCrafted(final long[] wireSeqs) throws IOException
    {
        final Path copy = work.resolve("crafted-" + caseNumber++);
        final Path queueDir = copy.resolve(Journal.QUEUE_DIRECTORY);
        new JournalHeaderFile(JournalHeaderFile.FORMAT_VERSION, 1, 1).write(Files.createDirectories(copy));
        final org.agrona.concurrent.UnsafeBuffer entry = new org.agrona.concurrent.UnsafeBuffer(new byte[128]);
        final io.sluice.sbe.journal.JournalEntryEncoder encoder = new io.sluice.sbe.journal.JournalEntryEncoder();
        final CRC32C crc = new CRC32C();
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(queueDir)
            .rollCycle(SparseRollCycles.LARGE_HOURLY_SPARSE).blockSize(64 * 1024).build();
            ExcerptAppender appender = queue.createAppender())
        {
            for (final long wireSeq : wireSeqs)
            {
                encoder.wrapAndApplyHeader(entry, 0, new io.sluice.sbe.journal.MessageHeaderEncoder())
                    .wireSeq(wireSeq).timestampNs(wireSeq).sessionId(1).requestSeq(wireSeq).epoch(1)
                    .entryType(io.sluice.sbe.journal.EntryType.END_OF_DAY).crc32c(0)
                    .putCommand(new byte[] {1, 2, 3}, 0, 3);
                final int length = EntryLayout.entryLength(3);
                entry.putInt(EntryLayout.CRC_OFFSET, EntryLayout.crc32c(crc, entry.byteArray(), 0, length),
                    EntryLayout.ORDER);
                try (DocumentContext dc = appender.writingDocument())
                {
                    dc.wire().bytes().write(entry.byteArray(), 0, length);
                }
            }
        }
        try
        {
            final JournalTestSupport.Recovered recovered = JournalTestSupport.recover(copy);
            return new Outcome(recovered.result.lastWireSeq(), null);
        }
        catch (final JournalCorruptionException ex)
        {
            return new Outcome(-1, ex);
        }
    }

    private static void assertRefused(final Outcome outcome, final String reason)
    {
        if (!outcome.refused())
        {
            fail("expected refusal mentioning '" + reason + "' but " + outcome);
        }
        assertTrue(outcome.refusal.getMessage().contains(reason), outcome.refusal.getMessage());
    }

    private static boolean isHeaderByte(final long offset)
    {
        for (final long[] doc : ENTRY_DOCS)
        {
            if (offset >= doc[0] && offset < doc[0] + 4)
            {
                return true;
            }
        }
        return false;
    }

    /** Entry (1-based) whose document holds the byte, 0 if none (Chronicle header, index, padding, free space). */
    private static int entryContaining(final long offset)
    {
        for (int i = 0; i < ENTRY_DOCS.size(); i++)
        {
            if (offset >= ENTRY_DOCS.get(i)[0] && offset < ENTRY_DOCS.get(i)[2])
            {
                return i + 1;
            }
        }
        return 0;
    }

    private static void truncate(final Path file, final long length) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.truncate(length);
        }
    }

    private static void flipBit(final Path file, final long offset, final int bit) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(offset);
            final int value = raf.read();
            raf.seek(offset);
            raf.write(value ^ (1 << bit));
        }
    }

    private static void zero(final Path file, final long from, final long to) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(from);
            raf.write(new byte[(int)(to - from)]);
        }
    }

    private static void putIntLe(final Path file, final long offset, final int value) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(offset);
            raf.writeInt(Integer.reverseBytes(value));
        }
    }
}
