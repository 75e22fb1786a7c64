package io.sluice.journal;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hot paths (publisher offer, agent append + group sync, reader next) allocate nothing per entry once warm.
 */
class JournalAllocationTest
{
    private static final int BATCH = 20_000;

    @TempDir
    Path dir;

    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    private final UnsafeBuffer command = new UnsafeBuffer(new byte[48]);

    @Test
    void shouldNotAllocatePerEntryWhenAppendingSyncingAndReading() throws IOException
    {
        try (JournalTestSupport.Writer writer = new JournalTestSupport.Writer(
            JournalTestSupport.context(dir).blockSizeBytes(16 << 20).maxGroupEntries(16));
            JournalReader reader = writer.journal.newReader())
        {
            long wireSeq = 0;
            long appendBytes = 0;
            long readBytes = 0;
            for (int round = 0; round < 3; round++)
            {
                final long beforeAppend = allocatedBytes();
                for (int i = 0; i < BATCH; i++)
                {
                    wireSeq++;
                    while (!writer.publisher.offerClientCommand(wireSeq, wireSeq, 1, 10, wireSeq, 1, command, 0, 48))
                    {
                        writer.agent.doWork();
                    }
                }
                writer.drain();
                final long beforeRead = allocatedBytes();
                for (int i = 0; i < BATCH; i++)
                {
                    assertTrue(reader.next());
                }
                final long afterRead = allocatedBytes();
                appendBytes = beforeRead - beforeAppend;
                readBytes = afterRead - beforeRead;
            }
            assertFalse(writer.agent.isFailed());
            assertEquals(wireSeq, writer.persisted.getAcquire());
            assertTrue(appendBytes < BATCH, appendBytes + " bytes allocated appending " + BATCH + " entries");
            assertTrue(readBytes < BATCH, readBytes + " bytes allocated reading " + BATCH + " entries");
        }
    }

    private long allocatedBytes()
    {
        return threads.getThreadAllocatedBytes(Thread.currentThread().getId());
    }
}
