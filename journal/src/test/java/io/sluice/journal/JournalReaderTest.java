package io.sluice.journal;

import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalReaderTest
{
    @TempDir
    Path dir;

    private final SetTimeProvider clock = new SetTimeProvider(TestEntries.BASE_TIME_NS / 1_000_000_000 * 1_000_000_000);

    /** Writes {@code cycles} cycle files of {@code perCycle} entries each; returns the last wireSeq. */
    private long writeCycles(final int cycles, final int perCycle) throws IOException
    {
        try (JournalTestSupport.Writer writer = new JournalTestSupport.Writer(
            JournalTestSupport.secondlyContext(dir, clock)))
        {
            long wireSeq = 0;
            for (int c = 0; c < cycles; c++)
            {
                writer.append(wireSeq + 1, wireSeq + perCycle);
                wireSeq += perCycle;
                clock.advanceMillis(1_000 + (c % 3) * 5_000);
            }
            return wireSeq;
        }
    }

    @Test
    void shouldSeekToEveryWireSeqAcrossCycleFiles() throws IOException
    {
        final long last = writeCycles(6, 7);
        assertEquals(6, JournalTestSupport.cycleFiles(dir).size());
        try (Journal journal = Journal.open(JournalTestSupport.secondlyContext(dir, clock));
            JournalReader reader = journal.newReader())
        {
            for (long wireSeq = last; wireSeq >= 1; wireSeq--)
            {
                assertTrue(reader.seek(wireSeq), "seek " + wireSeq);
                assertEquals(wireSeq, reader.nextWireSeq());
                assertTrue(reader.next());
                assertEquals(wireSeq, reader.entry().wireSeq());
                if (wireSeq < last)
                {
                    assertTrue(reader.next());
                    assertEquals(wireSeq + 1, reader.entry().wireSeq());
                }
            }
            assertFalse(reader.seek(last + 1));
            assertFalse(reader.seek(0));
        }
    }

    @Test
    void shouldProbeOnlyLogarithmicallyManyCyclesWhenSeeking() throws IOException
    {
        final long last = writeCycles(64, 2);
        try (Journal journal = Journal.open(JournalTestSupport.secondlyContext(dir, clock));
            JournalReader reader = journal.newReader())
        {
            for (final long wireSeq : new long[] {1, 2, 3, 64, 65, last - 1, last})
            {
                reader.cycleProbes = 0;
                assertTrue(reader.seek(wireSeq));
                assertTrue(reader.cycleProbes <= 8, wireSeq + " took " + reader.cycleProbes + " probes");
                assertTrue(reader.next());
                assertEquals(wireSeq, reader.entry().wireSeq());
            }
        }
    }

    @Test
    void shouldReadNothingNewThenFollowTheAppender() throws IOException
    {
        try (JournalTestSupport.Writer writer = new JournalTestSupport.Writer(JournalTestSupport.context(dir));
            JournalReader reader = writer.journal.newReader())
        {
            assertFalse(reader.next());
            writer.append(1, 3);
            for (long wireSeq = 1; wireSeq <= 3; wireSeq++)
            {
                assertTrue(reader.next());
                assertEquals(wireSeq, reader.entry().wireSeq());
            }
            assertFalse(reader.next());
            assertEquals(4, reader.nextWireSeq());
            writer.append(4, 4);
            assertTrue(reader.next());
            assertEquals(4, reader.entry().wireSeq());
        }
    }

    @Test
    void shouldFollowTheAppenderIntoANewCycleFile() throws IOException
    {
        try (JournalTestSupport.Writer writer = new JournalTestSupport.Writer(
            JournalTestSupport.secondlyContext(dir, clock));
            JournalReader reader = writer.journal.newReader())
        {
            writer.append(1, 2);
            assertTrue(reader.next());
            assertTrue(reader.next());
            assertFalse(reader.next());
            clock.advanceMillis(2_000);
            writer.append(3, 4);
            assertTrue(reader.next());
            assertEquals(3, reader.entry().wireSeq());
            assertTrue(reader.next());
            assertEquals(4, reader.entry().wireSeq());
        }
        assertEquals(2, JournalTestSupport.cycleFiles(dir).size());
    }
}
