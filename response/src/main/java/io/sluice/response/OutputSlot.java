package io.sluice.response;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Layout of one reply in the output ring, and a flyweight to read it. The sequencer writes slots through an
 * {@link OutputRingPublisher}; the response stage reads them.
 * <pre>
 *   0  connectionId       int64   connection the reply goes to
 *   8  wireSeq            int64   wireSeq of the command that caused it; 0 for a reply that took none
 *  16  requestSeq         int64   client requestSeq it answers; carried into BatchEnd
 *  24  recvTs             int64   reader's receive timestamp of the request (nano clock)
 *  32  matchCompleteTs    int64   sequencer's timestamp after applying the command (nano clock)
 *  40  payloadLength      int32   bytes of payload, 0 for none (a BatchEnd-only slot)
 *  44  flags              int8    LAST_IN_REQUEST_FLAG | DURABILITY_BYPASS_FLAG
 *  45  (reserved)         3 bytes
 *  48  payload                    a client-protocol SBE message, header and body, sent as one frame
 * </pre>
 * Fields are in the machine's byte order: a slot never leaves the process.
 */
public final class OutputSlot
{
    /** Ring message type of a reply slot. */
    public static final int MSG_TYPE_ID = 1;

    public static final int CONNECTION_ID_OFFSET = 0;
    public static final int WIRE_SEQ_OFFSET = 8;
    public static final int REQUEST_SEQ_OFFSET = 16;
    public static final int RECV_TS_OFFSET = 24;
    public static final int MATCH_COMPLETE_TS_OFFSET = 32;
    public static final int PAYLOAD_LENGTH_OFFSET = 40;
    public static final int FLAGS_OFFSET = 44;
    public static final int HEADER_LENGTH = 48;

    /** This slot is the last reply to its request: a {@code BatchEnd} follows it. */
    public static final int LAST_IN_REQUEST_FLAG = 0x1;
    /**
     * The reply carries no state that needs to be durable (a HALTED or ServerBusy reject), so it does not wait for
     * the durability gate; it still never overtakes an earlier reply on its connection.
     */
    public static final int DURABILITY_BYPASS_FLAG = 0x2;
    /** Used by the response stage on its own copy of a slot; never set by a producer. */
    static final int RELEASED_FLAG = 0x80;

    private DirectBuffer buffer;
    private int offset;

    /**
     * Write a slot's header.
     *
     * @param buffer          to write into.
     * @param offset          where the slot begins.
     * @param connectionId    connection the reply goes to.
     * @param wireSeq         wireSeq of the causing command, 0 for none.
     * @param requestSeq      requestSeq answered.
     * @param flags           {@link #LAST_IN_REQUEST_FLAG} and/or {@link #DURABILITY_BYPASS_FLAG}.
     * @param recvTs          reader's receive timestamp.
     * @param matchCompleteTs sequencer's apply timestamp.
     * @param payloadLength   bytes of payload that follow the header.
     */
    public static void writeHeader(
        final MutableDirectBuffer buffer,
        final int offset,
        final long connectionId,
        final long wireSeq,
        final long requestSeq,
        final int flags,
        final long recvTs,
        final long matchCompleteTs,
        final int payloadLength)
    {
        buffer.putLong(offset + CONNECTION_ID_OFFSET, connectionId);
        buffer.putLong(offset + WIRE_SEQ_OFFSET, wireSeq);
        buffer.putLong(offset + REQUEST_SEQ_OFFSET, requestSeq);
        buffer.putLong(offset + RECV_TS_OFFSET, recvTs);
        buffer.putLong(offset + MATCH_COMPLETE_TS_OFFSET, matchCompleteTs);
        buffer.putInt(offset + PAYLOAD_LENGTH_OFFSET, payloadLength);
        buffer.putByte(offset + FLAGS_OFFSET, (byte)(flags & (LAST_IN_REQUEST_FLAG | DURABILITY_BYPASS_FLAG)));
    }

    /**
     * @param buffer holding a slot.
     * @param offset where the slot begins.
     * @return this flyweight.
     */
    public OutputSlot wrap(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    public long connectionId()
    {
        return buffer.getLong(offset + CONNECTION_ID_OFFSET);
    }

    public long wireSeq()
    {
        return buffer.getLong(offset + WIRE_SEQ_OFFSET);
    }

    public long requestSeq()
    {
        return buffer.getLong(offset + REQUEST_SEQ_OFFSET);
    }

    public long recvTs()
    {
        return buffer.getLong(offset + RECV_TS_OFFSET);
    }

    public long matchCompleteTs()
    {
        return buffer.getLong(offset + MATCH_COMPLETE_TS_OFFSET);
    }

    public int payloadLength()
    {
        return buffer.getInt(offset + PAYLOAD_LENGTH_OFFSET);
    }

    public int flags()
    {
        return buffer.getByte(offset + FLAGS_OFFSET) & 0xFF;
    }

    public boolean isLastInRequest()
    {
        return 0 != (flags() & LAST_IN_REQUEST_FLAG);
    }

    public boolean isDurabilityBypass()
    {
        return 0 != (flags() & DURABILITY_BYPASS_FLAG);
    }

    /**
     * @return where the payload (SBE header + body) begins in {@link #buffer()}.
     */
    public int payloadOffset()
    {
        return offset + HEADER_LENGTH;
    }

    /**
     * @return header plus payload.
     */
    public int length()
    {
        return HEADER_LENGTH + payloadLength();
    }
}
