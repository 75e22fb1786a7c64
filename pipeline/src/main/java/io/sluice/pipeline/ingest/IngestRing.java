package io.sluice.pipeline.ingest;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * One reader shard's ingest ring: an Agrona {@link OneToOneRingBuffer} with its {@link IngestPublisher} (the only
 * producer, the reader shard's thread) and its {@link IngestCounters}. The only consumer is the sequencer, through
 * {@link IngestRings#poll}.
 */
public final class IngestRing
{
    /** Smallest ring accepted: leaves room for a useful message after the notice headroom. */
    public static final int MIN_CAPACITY_BYTES = 4096;

    private final int shardId;
    private final OneToOneRingBuffer ring;
    private final IngestCounters counters = new IngestCounters();
    private final IngestPublisher publisher;

    /**
     * @param shardId               of the shard that owns the ring.
     * @param capacityBytes         of the ring's data area; a power of two, at least {@link #MIN_CAPACITY_BYTES}.
     * @param busyNoticeReserve     notices kept room for; see {@link IngestPublisher}.
     * @param latencySampleInterval time one publish in this many (a power of two); 1 times every publish.
     * @param nanoClock             for publish-latency samples.
     */
    public IngestRing(
        final int shardId,
        final int capacityBytes,
        final int busyNoticeReserve,
        final int latencySampleInterval,
        final NanoClock nanoClock)
    {
        validate(capacityBytes, busyNoticeReserve, latencySampleInterval);
        this.shardId = shardId;
        this.ring = new OneToOneRingBuffer(new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            capacityBytes + RingBufferDescriptor.TRAILER_LENGTH, BitUtil.CACHE_LINE_LENGTH)));
        this.publisher = new IngestPublisher(ring, counters, nanoClock, busyNoticeReserve, latencySampleInterval);
    }

    /**
     * Checks ring settings, naming the offending key.
     *
     * @throws IllegalArgumentException when a value is out of range.
     */
    public static void validate(final int capacityBytes, final int busyNoticeReserve, final int latencySampleInterval)
    {
        if (capacityBytes < MIN_CAPACITY_BYTES || !BitUtil.isPowerOfTwo(capacityBytes))
        {
            throw new IllegalArgumentException(
                "ingest.ringCapacityBytes must be a power of two >= " + MIN_CAPACITY_BYTES + ": " + capacityBytes);
        }

        final long reserveBytes = (long)(busyNoticeReserve + 1) * IngestPublisher.BUSY_NOTICE_SLOT_LENGTH;
        if (busyNoticeReserve < 0 || reserveBytes > capacityBytes / 4)
        {
            throw new IllegalArgumentException("ingest.busyNoticeReserve must be in [0, " +
                (capacityBytes / 4 / IngestPublisher.BUSY_NOTICE_SLOT_LENGTH - 1) + "] for a ring of " + capacityBytes +
                " bytes: " + busyNoticeReserve);
        }

        if (latencySampleInterval < 1 || !BitUtil.isPowerOfTwo(latencySampleInterval))
        {
            throw new IllegalArgumentException(
                "ingest.latencySampleInterval must be a power of two >= 1: " + latencySampleInterval);
        }
    }

    public int shardId()
    {
        return shardId;
    }

    /**
     * @return the ring's producer; to be used by the owning reader shard's thread only.
     */
    public IngestPublisher publisher()
    {
        return publisher;
    }

    public IngestCounters counters()
    {
        return counters;
    }

    public int capacityBytes()
    {
        return ring.capacity();
    }

    /**
     * @return bytes written and not yet consumed; any thread.
     */
    public int sizeBytes()
    {
        return ring.size();
    }

    /**
     * @return {@link #sizeBytes()} over {@link #capacityBytes()}, in [0, 1].
     */
    public double fillRatio()
    {
        return (double)ring.size() / ring.capacity();
    }

    /**
     * @return true when the consumer has consumed every committed record. Any thread.
     */
    public boolean isEmpty()
    {
        return ring.consumerPosition() == ring.producerPosition();
    }

    public long producerPosition()
    {
        return ring.producerPosition();
    }

    public long consumerPosition()
    {
        return ring.consumerPosition();
    }

    /**
     * Closes the producer side: later offers return {@link IngestResult#UNROUTED}. Records already committed stay
     * readable.
     */
    public void close()
    {
        publisher.close();
    }

    public boolean isClosed()
    {
        return publisher.isClosed();
    }

    /**
     * Reads up to {@code messageCountLimit} records. An Agrona read stops at the end of the buffer, and a read that
     * meets only the padding record there delivers nothing although records wait after the wrap; so when a read
     * consumed up to the end with the limit not reached, read once more from the start.
     */
    int read(final MessageHandler handler, final int messageCountLimit)
    {
        final long headBefore = ring.consumerPosition();
        int count = ring.read(handler, messageCountLimit);
        if (count < messageCountLimit)
        {
            final long headAfter = ring.consumerPosition();
            if (headAfter != headBefore && 0 == (headAfter & (ring.capacity() - 1)))
            {
                count += ring.read(handler, messageCountLimit - count);
            }
        }

        return count;
    }

    public String toString()
    {
        return "IngestRing{shardId=" + shardId + ", capacityBytes=" + ring.capacity() + '}';
    }
}
