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
 *  44  flags              int8    LAST_IN_REQUEST_FLAG | DURABILITY_BYPASS_FLAG | CLOSE_AFTER_FLAG |
 *                                 GATE_ONLY_WIRE_SEQ_FLAG
 *  45  closeCode          uint8   with CLOSE_AFTER_FLAG: the producer's code for why, handed back when it is written
 *  46  (reserved)         2 bytes
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
    public static final int CLOSE_CODE_OFFSET = 45;
    public static final int HEADER_LENGTH = 48;

    /** This slot is the last reply to its request: a {@code BatchEnd} follows it. */
    public static final int LAST_IN_REQUEST_FLAG = 0x1;
    /**
     * The reply carries no state that needs to be durable (a HALTED or ServerBusy reject), so it does not wait for
     * the durability gate; it still never overtakes an earlier reply on its connection.
     */
    public static final int DURABILITY_BYPASS_FLAG = 0x2;
    /**
     * The connection's last message: once it has been written the response stage closes the connection (see
     * {@link ClientConnections#onFarewellWritten}) and discards anything later addressed to it. Pass it with
     * {@link #closeAfter(int)}, which carries the reason.
     */
    public static final int CLOSE_AFTER_FLAG = 0x4;
    /**
     * The slot's wireSeq is only the durability position the reply must wait for, not the request's own: an answer
     * to a request applied earlier (DUPLICATE_REQUEST), which must not reach the client before the original is as
     * durable as the policy asks. The request took no wireSeq, so its BatchEnd carries 0.
     */
    public static final int GATE_ONLY_WIRE_SEQ_FLAG = 0x8;
    /** Used by the response stage on its own copy of a slot; never set by a producer. */
    static final int RELEASED_FLAG = 0x80;
    private static final int PRODUCER_FLAGS =
        LAST_IN_REQUEST_FLAG | DURABILITY_BYPASS_FLAG | CLOSE_AFTER_FLAG | GATE_ONLY_WIRE_SEQ_FLAG;
    private static final int CLOSE_CODE_SHIFT = 8;

    private DirectBuffer buffer;
    private int offset;

    /**
     * @param closeCode why the connection is closed, 0..255; opaque to the response stage.
     * @return the flags of a connection's last message, to combine with the other flags.
     */
    public static int closeAfter(final int closeCode)
    {
        return CLOSE_AFTER_FLAG | ((closeCode & 0xFF) << CLOSE_CODE_SHIFT);
    }

    /**
     * Write a slot's header.
     *
     * @param buffer          to write into.
     * @param offset          where the slot begins.
     * @param connectionId    connection the reply goes to.
     * @param wireSeq         wireSeq of the causing command, 0 for none.
     * @param requestSeq      requestSeq answered.
     * @param flags           {@link #LAST_IN_REQUEST_FLAG}, {@link #DURABILITY_BYPASS_FLAG},
     *                        {@link #GATE_ONLY_WIRE_SEQ_FLAG} and {@link #closeAfter(int)}, or'd.
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
        buffer.putByte(offset + FLAGS_OFFSET, (byte)(flags & PRODUCER_FLAGS));
        buffer.putByte(offset + CLOSE_CODE_OFFSET, (byte)(flags >>> CLOSE_CODE_SHIFT));
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

    public boolean isCloseAfter()
    {
        return 0 != (flags() & CLOSE_AFTER_FLAG);
    }

    public boolean isGateOnlyWireSeq()
    {
        return 0 != (flags() & GATE_ONLY_WIRE_SEQ_FLAG);
    }

    /**
     * @return the code passed to {@link #closeAfter(int)}; meaningful only when {@link #isCloseAfter()}.
     */
    public int closeCode()
    {
        return buffer.getByte(offset + CLOSE_CODE_OFFSET) & 0xFF;
    }

    /**
     * @return the wireSeq the request's BatchEnd carries: 0 when it took none.
     */
    public long batchEndWireSeq()
    {
        return isGateOnlyWireSeq() ? 0 : wireSeq();
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
