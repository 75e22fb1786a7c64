package io.sluice.pipeline.ingest;

import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IngestRingsTest
{
    private final CachedNanoClock clock = new CachedNanoClock();
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[256]);
    private final IngestRings rings = new IngestRings();
    private final List<String> delivered = new ArrayList<>();
    private final IngestHandler recorder =
        (record) -> delivered.add(record.shardId() + ":" + TestMessages.seqOf(record));

    private IngestRing ring(final int shardId)
    {
        final IngestRing ring = new IngestRing(shardId, 64 * 1024, 4, 64, clock);
        rings.add(ring);
        return ring;
    }

    private void publish(final IngestRing ring, final int count, final long firstSeq)
    {
        for (int i = 0; i < count; i++)
        {
            TestMessages.sized(message, 0, 32, firstSeq + i);
            assertEquals(IngestResult.INGESTED, ring.publisher().publish(1, 2, 3, 4, message, 0, 32));
        }
    }

    @Test
    void shouldTakeAtMostTheBatchLimitFromEachRingAndRotateTheStart()
    {
        final IngestRing a = ring(0);
        final IngestRing b = ring(1);
        publish(a, 10, 0);
        publish(b, 2, 100);

        assertEquals(5, rings.poll(recorder, 3));
        assertEquals(List.of("0:0", "0:1", "0:2", "1:100", "1:101"), delivered);

        delivered.clear();
        publish(b, 1, 102);
        assertEquals(4, rings.poll(recorder, 3));
        assertEquals(List.of("1:102", "0:3", "0:4", "0:5"), delivered, "second poll starts at the second ring");
    }

    @Test
    void shouldServeQuietRingInFirstPollBehindBusyRing()
    {
        final IngestRing busy = ring(0);
        final IngestRing quiet = ring(1);
        publish(busy, 500, 0);
        publish(quiet, 1, 7);

        rings.poll(recorder, 8);

        assertEquals(9, delivered.size());
        assertTrue(delivered.contains("1:7"));
    }

    @Test
    void shouldPollAddedRingAndForgetRemovedRing()
    {
        final IngestRing a = ring(0);
        publish(a, 1, 0);
        assertEquals(1, rings.poll(recorder, 10));

        final IngestRing b = ring(1);
        publish(b, 1, 50);
        assertEquals(1, rings.poll(recorder, 10));
        assertEquals(2, rings.ringCount());

        assertTrue(rings.remove(a));
        assertFalse(rings.remove(a));
        publish(a, 1, 1);
        assertEquals(0, rings.poll(recorder, 10), "a removed ring is not polled");
        assertEquals(List.of("0:0", "1:50"), delivered);
    }

    @Test
    void shouldRefuseSecondRingForSameShard()
    {
        ring(4);
        assertThrows(IllegalArgumentException.class, () -> ring(4));
    }

    @Test
    void shouldReachBarrierOnlyOnceEveryEarlierRecordIsConsumed()
    {
        final IngestRing a = ring(0);
        final IngestRing b = ring(1);
        publish(a, 3, 0);
        publish(b, 1, 10);

        final IngestBarrier barrier = rings.barrier();
        publish(a, 5, 3);
        assertFalse(barrier.isReached());
        assertFalse(rings.isEmpty());

        rings.poll(recorder, 2);
        assertFalse(barrier.isReached(), "one record before the barrier is still unread");

        rings.poll(recorder, 2);
        assertTrue(barrier.isReached());
        assertFalse(rings.isEmpty(), "records after the barrier remain");
    }

    @Test
    void shouldReturnZeroWithNoRings()
    {
        assertEquals(0, rings.poll(recorder, 10));
        assertTrue(rings.isEmpty());
        assertTrue(rings.barrier().isReached());
    }

    @Test
    void shouldNotAllocateWhenPublishingAndPolling()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final IngestRing a = ring(0);
        final IngestRing b = ring(1);
        final long[] sum = new long[1];
        final IngestHandler handler = (record) -> sum[0] += record.connectionId() + record.templateId();
        TestMessages.sized(message, 0, 64, 1);

        for (int i = 0; i < 30_000; i++)
        {
            cycle(a, b, handler);
        }

        final long threadId = Thread.currentThread().getId();
        final long baselineStart = threads.getThreadAllocatedBytes(threadId);
        final long measurementOverhead = threads.getThreadAllocatedBytes(threadId) - baselineStart;
        final long before = threads.getThreadAllocatedBytes(threadId);
        for (int i = 0; i < 10_000; i++)
        {
            cycle(a, b, handler);
        }
        final long allocatedBytes = threads.getThreadAllocatedBytes(threadId) - before - measurementOverhead;

        // One object per operation would be at least 16 bytes x 50,000; a JIT recompilation in the window can
        // allocate a few hundred bytes once, so the bound is one byte per operation.
        assertTrue(allocatedBytes < 50_000, "bytes allocated by 40,000 publishes and 10,000 polls: " + allocatedBytes);
        assertTrue(sum[0] > 0);
    }

    private void cycle(final IngestRing a, final IngestRing b, final IngestHandler handler)
    {
        a.publisher().publish(1, 2, 3, 4, message, 0, 64);
        a.publisher().publish(1, 2, 3, 4, message, 0, 64);
        b.publisher().publish(2, 2, 3, 4, message, 0, 64);
        b.publisher().publishBusyNotice(2, 2, 3, 4, 9);
        rings.poll(handler, 4);
    }
}
