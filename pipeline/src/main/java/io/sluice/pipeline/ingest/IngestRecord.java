package io.sluice.pipeline.ingest;

import io.sluice.sbe.client.MessageHeaderDecoder;
import io.sluice.sbe.client.ServerBusyDecoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Layout of one record in an ingest ring, and a read-side flyweight over it.
 *
 * <pre>
 *   offset  length  field
 *   0       8       connectionId   int64   the acceptor's id for the TCP connection
 *   8       8       sessionId      int64   the logged-on session that sent it
 *   16      8       accountId      int64   the account of that session
 *   24      8       recvTsNs       int64   reader's nano clock when the frame was taken off the socket
 *   32      n       message        the client-protocol SBE message exactly as framed off the socket:
 *                                  8-byte SBE message header (blockLength, templateId, schemaId, version)
 *                                  followed by the body; the wire length prefix is not included
 * </pre>
 *
 * The four header fields are in native byte order: a ring lives in one process and is never written to disk or a
 * socket. The message keeps the schema's little-endian encoding, so SBE decoders wrap it in place at
 * {@link #messageOffset()}. The Agrona ring record header in front (length and type, 8 bytes) is not part of this
 * layout; Agrona aligns every record to 8 bytes, so every int64 here is aligned.
 * <p>
 * The ring's {@code msgTypeId} says what the message is: {@link #MSG_TYPE_CLIENT_MESSAGE} for a message a client
 * sent, {@link #MSG_TYPE_BUSY_NOTICE} for a ServerBusy the reader could not send itself (see
 * {@link IngestPublisher#publishBusyNotice}); the notice's message is a client-protocol {@code ServerBusy} carrying the
 * rejected request's {@code requestSeq}, so it travels behind that connection's earlier requests. The reader's own
 * answers travel the same way: {@link #MSG_TYPE_REPLY} is a client-protocol reply to a frame the reader refused (an
 * EngineError or a REJECTED ExecutionReport, whose body begins with the int64 requestSeq it answers), passed on and
 * followed by a BatchEnd; {@link #MSG_TYPE_FAREWELL} is the last message of a connection the reader is closing (a
 * LogonAck, Logout or EngineError saying why), passed on with no BatchEnd, after which the connection is closed.
 * <p>
 * A flyweight instance is owned by the consuming thread and is valid only during the handler call it was passed to.
 */
public final class IngestRecord
{
    public static final int MSG_TYPE_CLIENT_MESSAGE = 1;
    public static final int MSG_TYPE_BUSY_NOTICE = 2;
    public static final int MSG_TYPE_REPLY = 3;
    public static final int MSG_TYPE_FAREWELL = 4;

    public static final int CONNECTION_ID_OFFSET = 0;
    public static final int SESSION_ID_OFFSET = 8;
    public static final int ACCOUNT_ID_OFFSET = 16;
    public static final int RECV_TS_OFFSET = 24;
    public static final int MESSAGE_OFFSET = 32;
    public static final int HEADER_LENGTH = MESSAGE_OFFSET;

    /** Shortest message a record may carry: an SBE message header with an empty body. */
    public static final int MIN_MESSAGE_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;

    private static final int TEMPLATE_ID_OFFSET = MessageHeaderDecoder.templateIdEncodingOffset();

    private int shardId;
    private int msgTypeId;
    private DirectBuffer buffer;
    private int offset;
    private int length;

    /**
     * Writes the four header fields of a record at {@code offset}; the caller copies the message in after them.
     */
    static void encodeHeader(
        final MutableDirectBuffer buffer,
        final int offset,
        final long connectionId,
        final long sessionId,
        final long accountId,
        final long recvTsNs)
    {
        buffer.putLong(offset + CONNECTION_ID_OFFSET, connectionId);
        buffer.putLong(offset + SESSION_ID_OFFSET, sessionId);
        buffer.putLong(offset + ACCOUNT_ID_OFFSET, accountId);
        buffer.putLong(offset + RECV_TS_OFFSET, recvTsNs);
    }

    /**
     * Points this flyweight at a record. Called by the poller; tests may call it over their own buffers.
     *
     * @param shardId   of the ring the record was read from.
     * @param msgTypeId the ring record type.
     * @param buffer    holding the record.
     * @param offset    of the record's first header field.
     * @param length    of the record including the header fields.
     * @return this flyweight.
     */
    public IngestRecord wrap(
        final int shardId, final int msgTypeId, final DirectBuffer buffer, final int offset, final int length)
    {
        this.shardId = shardId;
        this.msgTypeId = msgTypeId;
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return this;
    }

    public int shardId()
    {
        return shardId;
    }

    public int msgTypeId()
    {
        return msgTypeId;
    }

    public boolean isBusyNotice()
    {
        return MSG_TYPE_BUSY_NOTICE == msgTypeId;
    }

    public boolean isReply()
    {
        return MSG_TYPE_REPLY == msgTypeId;
    }

    public boolean isFarewell()
    {
        return MSG_TYPE_FAREWELL == msgTypeId;
    }

    public long connectionId()
    {
        return buffer.getLong(offset + CONNECTION_ID_OFFSET);
    }

    public long sessionId()
    {
        return buffer.getLong(offset + SESSION_ID_OFFSET);
    }

    public long accountId()
    {
        return buffer.getLong(offset + ACCOUNT_ID_OFFSET);
    }

    public long recvTsNs()
    {
        return buffer.getLong(offset + RECV_TS_OFFSET);
    }

    /**
     * @return the buffer holding the message; wrap SBE decoders over it at {@link #messageOffset()}.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return offset in {@link #buffer()} of the SBE message header.
     */
    public int messageOffset()
    {
        return offset + MESSAGE_OFFSET;
    }

    /**
     * @return length of the SBE message, header included.
     */
    public int messageLength()
    {
        return length - MESSAGE_OFFSET;
    }

    /**
     * @return the SBE templateId of the message, read from its header.
     */
    public int templateId()
    {
        return buffer.getShort(messageOffset() + TEMPLATE_ID_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @return the requestSeq a busy notice rejects; only meaningful when {@link #isBusyNotice()}.
     */
    public long busyNoticeRequestSeq()
    {
        return buffer.getLong(
            messageOffset() + MessageHeaderDecoder.ENCODED_LENGTH + ServerBusyDecoder.requestSeqEncodingOffset(),
            ByteOrder.LITTLE_ENDIAN);
    }
}
