package io.sluice.pipeline.ingest;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IngestCountersTest
{
    @Test
    void shouldPackCountAboveSum()
    {
        long packed = 0;
        packed = IngestCounters.addSample(packed, 5);
        packed = IngestCounters.addSample(packed, 9);

        assertEquals(2, IngestCounters.sampleCount(packed));
        assertEquals(14, IngestCounters.sampleSumNs(packed));
        assertEquals(7, IngestCounters.averageNs(packed));
        assertEquals(0, IngestCounters.averageNs(0));
    }

    @Test
    void shouldSaturateSumInsteadOfCarryingIntoCount()
    {
        long packed = IngestCounters.addSample(0, 0xFFFF_FFF0L);
        packed = IngestCounters.addSample(packed, 0x100);

        assertEquals(2, IngestCounters.sampleCount(packed));
        assertEquals(0xFFFF_FFFFL, IngestCounters.sampleSumNs(packed));
    }

    @Test
    void shouldSaturateCount()
    {
        final long full = (0xFFFF_FFFFL << 32) | 10;
        final long packed = IngestCounters.addSample(full, 1);

        assertEquals(0xFFFF_FFFFL, IngestCounters.sampleCount(packed));
        assertEquals(11, IngestCounters.sampleSumNs(packed));
    }

    @Test
    void shouldClampNegativeAndHugeSamples()
    {
        final IngestCounters counters = new IngestCounters();
        counters.recordPublishLatency(-5);
        counters.recordPublishLatency(Long.MAX_VALUE);

        final long packed = counters.takePublishLatency();
        assertEquals(2, IngestCounters.sampleCount(packed));
        assertEquals(0xFFFF_FFFFL, IngestCounters.sampleSumNs(packed));
    }

    @Test
    void shouldNeverSplitCountFromSumWhenTakenConcurrently() throws Exception
    {
        final IngestCounters counters = new IngestCounters();
        final int writers = 3;
        final int samplesPerWriter = 20_000;
        final CyclicBarrier start = new CyclicBarrier(writers + 1);
        final List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++)
        {
            final Thread thread = new Thread(() ->
            {
                await(start);
                for (int i = 0; i < samplesPerWriter; i++)
                {
                    // Every sample is 3 ns, so a window's sum is exactly three times its count unless they split.
                    counters.recordPublishLatency(3);
                    if ((i & 1023) == 0)
                    {
                        LockSupport.parkNanos(1_000);
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }

        await(start);
        long totalCount = 0;
        long totalSum = 0;
        int windows = 0;
        while (threads.stream().anyMatch(Thread::isAlive))
        {
            final long packed = counters.takePublishLatency();
            assertEquals(3 * IngestCounters.sampleCount(packed), IngestCounters.sampleSumNs(packed));
            totalCount += IngestCounters.sampleCount(packed);
            totalSum += IngestCounters.sampleSumNs(packed);
            windows++;
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        final long last = counters.takePublishLatency();
        totalCount += IngestCounters.sampleCount(last);
        totalSum += IngestCounters.sampleSumNs(last);

        assertEquals((long)writers * samplesPerWriter, totalCount);
        assertEquals(3L * writers * samplesPerWriter, totalSum);
        assertTrue(windows > 0);
    }

    private static void await(final CyclicBarrier barrier)
    {
        try
        {
            barrier.await();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
