package io.sluice.pipeline.ingest;

import io.sluice.sbe.client.MessageHeaderEncoder;
import io.sluice.sbe.client.ServerBusyEncoder;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The producer side of one ingest ring: claims space, writes an {@link IngestRecord} and commits it, without
 * allocating. Used by exactly one thread, the reader shard that owns the ring; the ring is single-producer.
 * <p>
 * The last {@code busyNoticeReserve} notice-sized slots of the ring are kept for {@link #publishBusyNotice}: a client
 * message is refused with {@link IngestResult#RING_FULL} while taking it would eat into that headroom, so that the
 * reader can still queue the ServerBusy answer behind the connection's earlier requests.
 */
public final class IngestPublisher
{
    /** Record length of a busy notice: header fields plus an SBE ServerBusy message. */
    static final int BUSY_NOTICE_RECORD_LENGTH =
        IngestRecord.HEADER_LENGTH + MessageHeaderEncoder.ENCODED_LENGTH + ServerBusyEncoder.BLOCK_LENGTH;

    /** Space one busy notice takes in the ring, Agrona record header and alignment included. */
    static final int BUSY_NOTICE_SLOT_LENGTH =
        BitUtil.align(RecordDescriptor.HEADER_LENGTH + BUSY_NOTICE_RECORD_LENGTH, RecordDescriptor.ALIGNMENT);

    private static final VarHandle CLOSED;

    static
    {
        try
        {
            CLOSED = MethodHandles.lookup().findVarHandle(IngestPublisher.class, "closed", boolean.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final OneToOneRingBuffer ring;
    private final AtomicBuffer buffer;
    private final IngestCounters counters;
    private final NanoClock nanoClock;
    private final long capacityBytes;
    private final long reserveBytes;
    private final int maxMessageLength;
    private final long latencySampleMask;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ServerBusyEncoder busyEncoder = new ServerBusyEncoder();

    /** Producer thread only: last consumer position read, refreshed only when the ring looks too full. */
    private long consumerPositionCache;
    /** Producer thread only: offers that reached the ring, for choosing which to time. */
    private long publishCount;
    /** Written once by the shard manager when the shard stops; read by the producer on every offer. */
    @SuppressWarnings("unused")
    private boolean closed;

    IngestPublisher(
        final OneToOneRingBuffer ring,
        final IngestCounters counters,
        final NanoClock nanoClock,
        final int busyNoticeReserve,
        final int latencySampleInterval)
    {
        this.ring = ring;
        this.buffer = ring.buffer();
        this.counters = counters;
        this.nanoClock = nanoClock;
        this.capacityBytes = ring.capacity();
        // One extra slot covers the padding record a notice may need where the ring wraps.
        this.reserveBytes = 0 == busyNoticeReserve ? 0 : (long)(busyNoticeReserve + 1) * BUSY_NOTICE_SLOT_LENGTH;
        this.maxMessageLength = ring.maxMsgLength() - IngestRecord.HEADER_LENGTH;
        this.latencySampleMask = latencySampleInterval - 1;
    }

    /**
     * Copies one client message into the ring.
     *
     * @param connectionId  the acceptor's id for the connection the message came from.
     * @param sessionId     of the logged-on session.
     * @param accountId     of the session.
     * @param recvTsNs      when the reader took the frame off the socket.
     * @param message       buffer holding the SBE message (header + body, no length prefix).
     * @param messageOffset of the SBE header in {@code message}.
     * @param messageLength of the SBE message, header included.
     * @return the outcome; only {@link IngestResult#INGESTED} means the sequencer will see it.
     */
    public IngestResult publish(
        final long connectionId,
        final long sessionId,
        final long accountId,
        final long recvTsNs,
        final DirectBuffer message,
        final int messageOffset,
        final int messageLength)
    {
        return publish(IngestRecord.MSG_TYPE_CLIENT_MESSAGE, connectionId, sessionId, accountId, recvTsNs, message,
            messageOffset, messageLength);
    }

    /**
     * Copies one message of the given record type into the ring: a client message, or an answer the reader made
     * ({@link IngestRecord#MSG_TYPE_REPLY}, {@link IngestRecord#MSG_TYPE_FAREWELL}). Outcomes and counting as
     * {@link #publish(long, long, long, long, DirectBuffer, int, int)}.
     *
     * @param msgTypeId one of the {@link IngestRecord} message types other than the busy notice.
     * @return the outcome; only {@link IngestResult#INGESTED} means the sequencer will see it.
     */
    public IngestResult publish(
        final int msgTypeId, final long connectionId, final long sessionId, final long accountId,
        final long recvTsNs, final DirectBuffer message, final int messageOffset, final int messageLength)
    {
        counters.incOffered();
        if ((boolean)CLOSED.getAcquire(this))
        {
            counters.incUnrouted();
            return IngestResult.UNROUTED;
        }

        if (messageLength < IngestRecord.MIN_MESSAGE_LENGTH || messageLength > maxMessageLength)
        {
            counters.incRejectedInvalidLength();
            return IngestResult.INVALID_LENGTH;
        }

        final boolean timed = 0 == (publishCount++ & latencySampleMask);
        final long startNs = timed ? nanoClock.nanoTime() : 0;
        final int recordLength = IngestRecord.HEADER_LENGTH + messageLength;

        final int index = 0 == reserveBytes || hasRoomAboveReserve(recordLength) ?
            ring.tryClaim(msgTypeId, recordLength) :
            OneToOneRingBuffer.INSUFFICIENT_CAPACITY;
        if (index < 0)
        {
            counters.incRejectedRingFull();
            return IngestResult.RING_FULL;
        }

        IngestRecord.encodeHeader(buffer, index, connectionId, sessionId, accountId, recvTsNs);
        buffer.putBytes(index + IngestRecord.MESSAGE_OFFSET, message, messageOffset, messageLength);
        ring.commit(index);
        counters.incIngested();

        if (timed)
        {
            counters.recordPublishLatency(nanoClock.nanoTime() - startNs);
        }

        return IngestResult.INGESTED;
    }

    /**
     * Queues a ServerBusy for a request this ring refused, using the headroom kept for notices. The sequencer reads it
     * after every earlier record of the connection, so the ServerBusy reply cannot overtake replies to earlier
     * requests. When even the headroom is full the reader must keep the notice and stop reading that connection
     * until a retry succeeds; reading on would let later requests overtake the rejection.
     *
     * @param connectionId of the connection the refused request came from.
     * @param sessionId    of that connection's session.
     * @param accountId    of that session.
     * @param recvTsNs     when the refused request was received.
     * @param requestSeq   of the refused request.
     * @return {@link IngestResult#INGESTED} when queued, {@link IngestResult#RING_FULL} when the headroom is used up,
     * {@link IngestResult#UNROUTED} when the ring is closed.
     */
    public IngestResult publishBusyNotice(
        final long connectionId,
        final long sessionId,
        final long accountId,
        final long recvTsNs,
        final long requestSeq)
    {
        if ((boolean)CLOSED.getAcquire(this))
        {
            return IngestResult.UNROUTED;
        }

        final int index = ring.tryClaim(IngestRecord.MSG_TYPE_BUSY_NOTICE, BUSY_NOTICE_RECORD_LENGTH);
        if (index < 0)
        {
            counters.incBusyNoticesRingFull();
            return IngestResult.RING_FULL;
        }

        IngestRecord.encodeHeader(buffer, index, connectionId, sessionId, accountId, recvTsNs);
        busyEncoder
            .wrapAndApplyHeader(buffer, index + IngestRecord.MESSAGE_OFFSET, headerEncoder)
            .requestSeq(requestSeq);
        ring.commit(index);
        counters.incBusyNoticesPublished();

        return IngestResult.INGESTED;
    }

    /**
     * @return the longest SBE message (header included) {@link #publish} accepts; the reader's frame limit must not
     * exceed it.
     */
    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    public boolean isClosed()
    {
        return (boolean)CLOSED.getAcquire(this);
    }

    /**
     * Refuses all later offers as {@link IngestResult#UNROUTED}. Called by the shard manager when the shard stops.
     */
    void close()
    {
        CLOSED.setRelease(this, true);
    }

    private boolean hasRoomAboveReserve(final int recordLength)
    {
        // Twice the slot: a claim at the wrap point also writes a padding record shorter than the slot.
        final int slotLength = BitUtil.align(RecordDescriptor.HEADER_LENGTH + recordLength, RecordDescriptor.ALIGNMENT);
        final long requiredBytes = 2L * slotLength + reserveBytes;
        final long producerPosition = ring.producerPosition();
        if (capacityBytes - (producerPosition - consumerPositionCache) >= requiredBytes)
        {
            return true;
        }

        consumerPositionCache = ring.consumerPosition();
        return capacityBytes - (producerPosition - consumerPositionCache) >= requiredBytes;
    }
}
