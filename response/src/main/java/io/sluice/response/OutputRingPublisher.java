package io.sluice.response;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * Writes reply slots ({@link OutputSlot}) into the output ring. The sequencer is the ring's single producer and owns
 * the one publisher; not thread safe. Allocation free.
 * <p>
 * Either {@link #offer} a payload already encoded elsewhere (one copy), or {@link #tryClaim} room, encode the SBE
 * message straight into {@link #buffer()} at the returned offset, and {@link #commit()}.
 */
public final class OutputRingPublisher
{
    private final RingBuffer ring;
    private int claimedIndex = -1;

    /**
     * @param ring the output ring the response stage consumes.
     */
    public OutputRingPublisher(final RingBuffer ring)
    {
        this.ring = ring;
    }

    /**
     * @return the largest payload a slot can carry in this ring.
     */
    public int maxPayloadLength()
    {
        return ring.maxMsgLength() - OutputSlot.HEADER_LENGTH;
    }

    /**
     * Copy a reply into the ring.
     *
     * @param connectionId    connection the reply goes to.
     * @param wireSeq         wireSeq of the causing command, 0 for none.
     * @param requestSeq      requestSeq answered.
     * @param flags           as {@link OutputSlot#writeHeader} takes them.
     * @param recvTs          reader's receive timestamp.
     * @param matchCompleteTs sequencer's apply timestamp.
     * @param payload         holding the SBE message (header + body); may be null when {@code payloadLength} is 0.
     * @param payloadOffset   where the message begins.
     * @param payloadLength   its length; 0 for a slot that only ends a request.
     * @return false if the ring is full (nothing written; retry or apply back-pressure).
     */
    public boolean offer(
        final long connectionId,
        final long wireSeq,
        final long requestSeq,
        final int flags,
        final long recvTs,
        final long matchCompleteTs,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        final int index = tryClaim(connectionId, wireSeq, requestSeq, flags, recvTs, matchCompleteTs, payloadLength);
        if (index < 0)
        {
            return false;
        }

        if (payloadLength > 0)
        {
            ring.buffer().putBytes(index, payload, payloadOffset, payloadLength);
        }
        commit();

        return true;
    }

    /**
     * Claim a slot and write its header; the caller writes {@code payloadLength} bytes at the returned offset in
     * {@link #buffer()} and then calls {@link #commit()} (or {@link #abort()}).
     *
     * @return offset of the payload in {@link #buffer()}, or -1 if the ring is full.
     * @throws IllegalArgumentException if the payload cannot fit in this ring at all.
     * @throws IllegalStateException    if a claim is already open.
     */
    public int tryClaim(
        final long connectionId,
        final long wireSeq,
        final long requestSeq,
        final int flags,
        final long recvTs,
        final long matchCompleteTs,
        final int payloadLength)
    {
        if (claimedIndex >= 0)
        {
            throw new IllegalStateException("previous claim not committed or aborted");
        }

        if (payloadLength < 0 || payloadLength > maxPayloadLength())
        {
            throw new IllegalArgumentException(
                "payloadLength " + payloadLength + " not in 0.." + maxPayloadLength() + " for this ring");
        }

        final int index = ring.tryClaim(OutputSlot.MSG_TYPE_ID, OutputSlot.HEADER_LENGTH + payloadLength);
        if (index <= 0)
        {
            return -1;
        }

        OutputSlot.writeHeader(
            ring.buffer(), index, connectionId, wireSeq, requestSeq, flags, recvTs, matchCompleteTs, payloadLength);
        claimedIndex = index;

        return index + OutputSlot.HEADER_LENGTH;
    }

    /**
     * @return the ring's buffer, to encode a claimed payload into.
     */
    public MutableDirectBuffer buffer()
    {
        return ring.buffer();
    }

    /**
     * Publish the claimed slot.
     */
    public void commit()
    {
        final int index = claimedIndex;
        if (index < 0)
        {
            throw new IllegalStateException("nothing claimed");
        }
        claimedIndex = -1;
        ring.commit(index);
    }

    /**
     * Give the claimed slot up.
     */
    public void abort()
    {
        final int index = claimedIndex;
        if (index < 0)
        {
            throw new IllegalStateException("nothing claimed");
        }
        claimedIndex = -1;
        ring.abort(index);
    }
}
