package io.sluice.pipeline.ingest;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Counters of one ingest ring, kept in an off-heap buffer padded to their own cache lines.
 * <p>
 * Outcome counters have a single writer, the ring's producer (the reader shard's thread), which bumps them with
 * release stores; any thread may read them. The packed publish-latency word has two writers, the producer adding
 * samples and the scaling monitor taking the window, so it is updated by CAS.
 * <p>
 * Accounting: every offer bumps {@code offered} first, then exactly one of {@code ingested}, {@code rejectedRingFull},
 * {@code rejectedInvalidLength}, {@code unrouted}. Once the producer is quiet,
 * {@code offered() == ingested() + rejected() + unrouted()} exactly. Busy notices are not offers and have their own
 * counters.
 */
public final class IngestCounters
{
    private static final int OFFERED_OFFSET = BitUtil.CACHE_LINE_LENGTH;
    private static final int INGESTED_OFFSET = OFFERED_OFFSET + 8;
    private static final int REJECTED_RING_FULL_OFFSET = OFFERED_OFFSET + 16;
    private static final int REJECTED_INVALID_LENGTH_OFFSET = OFFERED_OFFSET + 24;
    private static final int UNROUTED_OFFSET = OFFERED_OFFSET + 32;
    private static final int BUSY_NOTICES_PUBLISHED_OFFSET = OFFERED_OFFSET + 40;
    private static final int BUSY_NOTICES_RING_FULL_OFFSET = OFFERED_OFFSET + 48;
    private static final int PUBLISH_LATENCY_OFFSET = 2 * BitUtil.CACHE_LINE_LENGTH;
    private static final int LENGTH = 4 * BitUtil.CACHE_LINE_LENGTH;

    private static final long MAX_UINT32 = 0xFFFF_FFFFL;

    private final AtomicBuffer buffer = new UnsafeBuffer(
        BufferUtil.allocateDirectAligned(LENGTH, BitUtil.CACHE_LINE_LENGTH));

    void incOffered()
    {
        buffer.addLongRelease(OFFERED_OFFSET, 1);
    }

    void incIngested()
    {
        buffer.addLongRelease(INGESTED_OFFSET, 1);
    }

    void incRejectedRingFull()
    {
        buffer.addLongRelease(REJECTED_RING_FULL_OFFSET, 1);
    }

    void incRejectedInvalidLength()
    {
        buffer.addLongRelease(REJECTED_INVALID_LENGTH_OFFSET, 1);
    }

    void incUnrouted()
    {
        buffer.addLongRelease(UNROUTED_OFFSET, 1);
    }

    void incBusyNoticesPublished()
    {
        buffer.addLongRelease(BUSY_NOTICES_PUBLISHED_OFFSET, 1);
    }

    void incBusyNoticesRingFull()
    {
        buffer.addLongRelease(BUSY_NOTICES_RING_FULL_OFFSET, 1);
    }

    public long offered()
    {
        return buffer.getLongAcquire(OFFERED_OFFSET);
    }

    public long ingested()
    {
        return buffer.getLongAcquire(INGESTED_OFFSET);
    }

    /**
     * @return offers rejected for any reason: {@link #rejectedRingFull()} + {@link #rejectedInvalidLength()}.
     */
    public long rejected()
    {
        return rejectedRingFull() + rejectedInvalidLength();
    }

    public long rejectedRingFull()
    {
        return buffer.getLongAcquire(REJECTED_RING_FULL_OFFSET);
    }

    public long rejectedInvalidLength()
    {
        return buffer.getLongAcquire(REJECTED_INVALID_LENGTH_OFFSET);
    }

    public long unrouted()
    {
        return buffer.getLongAcquire(UNROUTED_OFFSET);
    }

    public long busyNoticesPublished()
    {
        return buffer.getLongAcquire(BUSY_NOTICES_PUBLISHED_OFFSET);
    }

    public long busyNoticesRingFull()
    {
        return buffer.getLongAcquire(BUSY_NOTICES_RING_FULL_OFFSET);
    }

    /**
     * Adds one publish-latency sample. Count and sum share one word (count in the high 32 bits, sum in the low 32) so
     * a concurrent {@link #takePublishLatency()} sees both or neither; two separate words let a monitor tick land
     * between the two adds and report an average of zero for a window that had samples. Both halves saturate at
     * 2^32-1 instead of wrapping.
     *
     * @param latencyNs of one publish; negative values count as 0.
     */
    void recordPublishLatency(final long latencyNs)
    {
        final long sampleNs = latencyNs < 0 ? 0 : Math.min(latencyNs, MAX_UINT32);
        long packed;
        long next;
        do
        {
            packed = buffer.getLongVolatile(PUBLISH_LATENCY_OFFSET);
            next = addSample(packed, sampleNs);
        }
        while (!buffer.compareAndSetLong(PUBLISH_LATENCY_OFFSET, packed, next));
    }

    /**
     * Takes the publish-latency samples of the window and starts a new one.
     *
     * @return the packed (count, sum) of the window; unpack with {@link #sampleCount} and {@link #sampleSumNs}.
     */
    public long takePublishLatency()
    {
        return buffer.getAndSetLong(PUBLISH_LATENCY_OFFSET, 0);
    }

    static long addSample(final long packed, final long sampleNs)
    {
        final long count = Math.min(sampleCount(packed) + 1, MAX_UINT32);
        final long sum = Math.min(sampleSumNs(packed) + sampleNs, MAX_UINT32);
        return (count << 32) | sum;
    }

    public static long sampleCount(final long packed)
    {
        return packed >>> 32;
    }

    public static long sampleSumNs(final long packed)
    {
        return packed & MAX_UINT32;
    }

    /**
     * @param packed window as returned by {@link #takePublishLatency()}.
     * @return average latency of the window's samples, 0 when it has none.
     */
    public static long averageNs(final long packed)
    {
        final long count = sampleCount(packed);
        return 0 == count ? 0 : sampleSumNs(packed) / count;
    }
}
