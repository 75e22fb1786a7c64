package io.sluice.pipeline.net;

import io.sluice.sbe.client.EngineErrorCode;
import io.sluice.sbe.client.EngineErrorEncoder;
import io.sluice.sbe.client.LogonAckEncoder;
import io.sluice.sbe.client.LogonStatus;
import io.sluice.sbe.client.LogoutEncoder;
import io.sluice.sbe.client.MessageHeaderEncoder;
import io.sluice.sbe.client.RejectReason;
import io.sluice.wire.ClientProtocol;
import io.sluice.wire.DecodeResult;
import io.sluice.wire.MessageValidator;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Encodes the node's answers about a session and its frames rather than its orders: the LogonAck, the Logout that
 * answers a client's, and an EngineError (for a frame the node cannot take, or saying why a connection closes).
 * The readers and the sequencer each own one; allocation free; each encode overwrites the previous one in
 * {@link #buffer()}, which a reader also encodes its REJECTED reports into
 * ({@link io.sluice.pipeline.sequencer.ExecutionReportWriter#rejection}).
 */
public final class ClientReplies
{
    /** The longest answer, and the detail text built past it. */
    private static final int BUFFER_BYTES = 512;
    private static final int DETAIL_OFFSET = 256;
    private static final byte[][] DETAIL_BY_RESULT = new byte[DecodeResult.values().length][];
    private static final byte[] SHUTTING_DOWN = "node shutting down".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ALREADY_LOGGED_ON = "already logged on".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NOT_A_REQUEST = "not a message a client sends".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NO_LOGON_WITHIN = "no logon within ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NOTHING_RECEIVED_FOR = "nothing received for ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MILLISECONDS = " ms".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FRAME_LENGTH = "frame length ".getBytes(StandardCharsets.US_ASCII);

    static
    {
        for (final DecodeResult result : DecodeResult.values())
        {
            DETAIL_BY_RESULT[result.ordinal()] = result.name().getBytes(StandardCharsets.US_ASCII);
        }
    }

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final EngineErrorEncoder engineError = new EngineErrorEncoder();
    private final LogonAckEncoder logonAck = new LogonAckEncoder();
    private final LogoutEncoder logout = new LogoutEncoder();
    /** Holds the last answer encoded, from offset 0, until the next; its detail text is built past the answer. */
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[BUFFER_BYTES]);
    /** " is outside 1..MAX" for a frame length out of range; empty where no frames are read. */
    private final byte[] outOfRangeSuffix;

    /** For the sequencer, which reads no frames. */
    public ClientReplies()
    {
        this.outOfRangeSuffix = new byte[0];
    }

    /**
     * @param frameMaxBytes the longest frame the reader takes, named when a frame length is out of range.
     */
    ClientReplies(final int frameMaxBytes)
    {
        this.outOfRangeSuffix = (" is outside 1.." + frameMaxBytes).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * @return the buffer the last answer was encoded into, from offset 0.
     */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * An EngineError for a frame that failed validation; its detail names the check that failed.
     *
     * @return length of the message.
     */
    int malformed(final DecodeResult result, final DirectBuffer frame, final int offset, final int length)
    {
        final EngineErrorCode code = result == DecodeResult.WRONG_SCHEMA || result == DecodeResult.WRONG_VERSION ||
            result == DecodeResult.UNKNOWN_TEMPLATE ? EngineErrorCode.UNSUPPORTED_MESSAGE :
            EngineErrorCode.MALFORMED_MESSAGE;
        final byte[] detail = DETAIL_BY_RESULT[result.ordinal()];
        engineError.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .requestSeq(readableRequestSeq(frame, offset, length))
            .code(code)
            .putDetail(detail, 0, detail.length);
        return MessageHeaderEncoder.ENCODED_LENGTH + engineError.encodedLength();
    }

    /**
     * An EngineError with a fixed detail.
     *
     * @return length of the message.
     */
    public int engineError(final long requestSeq, final EngineErrorCode code, final byte[] detail)
    {
        engineError.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .requestSeq(requestSeq)
            .code(code)
            .putDetail(detail, 0, detail.length);
        return MessageHeaderEncoder.ENCODED_LENGTH + engineError.encodedLength();
    }

    /**
     * An EngineError whose detail is {@code text} followed by a number, written without allocating.
     *
     * @return length of the message.
     */
    int engineError(final EngineErrorCode code, final byte[] text, final long number, final byte[] suffix)
    {
        int detailLength = 0;
        buffer.putBytes(DETAIL_OFFSET, text);
        detailLength += text.length;
        detailLength += buffer.putLongAscii(DETAIL_OFFSET + detailLength, number);
        buffer.putBytes(DETAIL_OFFSET + detailLength, suffix);
        detailLength += suffix.length;
        engineError.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .requestSeq(0)
            .code(code)
            .putDetail(buffer, DETAIL_OFFSET, detailLength);
        return MessageHeaderEncoder.ENCODED_LENGTH + engineError.encodedLength();
    }

    /** @return length of the EngineError SHUTTING_DOWN a node's last message to each connection is. */
    int shuttingDown()
    {
        return engineError(0, EngineErrorCode.SHUTTING_DOWN, SHUTTING_DOWN);
    }

    /** @return length of the EngineError UNSUPPORTED_MESSAGE for a second Logon on a logged-on connection. */
    int alreadyLoggedOn()
    {
        return engineError(0, EngineErrorCode.UNSUPPORTED_MESSAGE, ALREADY_LOGGED_ON);
    }

    /** @return length of the EngineError UNSUPPORTED_MESSAGE for a message only the node sends. */
    int notARequest()
    {
        return engineError(0, EngineErrorCode.UNSUPPORTED_MESSAGE, NOT_A_REQUEST);
    }

    /** @return length of the EngineError UNFRAMEABLE that ends a stream whose next frame length is out of range. */
    int unframeable(final int frameLength)
    {
        return engineError(EngineErrorCode.UNFRAMEABLE, FRAME_LENGTH, frameLength, outOfRangeSuffix);
    }

    /** @return length of the EngineError LOGON_TIMEOUT that closes a connection with no logon in time. */
    int logonTimeout(final long timeoutMs)
    {
        return engineError(EngineErrorCode.LOGON_TIMEOUT, NO_LOGON_WITHIN, timeoutMs, MILLISECONDS);
    }

    /** @return length of the EngineError IDLE_TIMEOUT that closes a logged-on connection that went quiet. */
    int idleTimeout(final long timeoutMs)
    {
        return engineError(EngineErrorCode.IDLE_TIMEOUT, NOTHING_RECEIVED_FOR, timeoutMs, MILLISECONDS);
    }

    /**
     * @return length of a LogonAck REJECTED with the reason.
     */
    public int logonRejected(final long sessionId, final RejectReason reason)
    {
        return logonAck(sessionId, LogonStatus.REJECTED, reason, 0);
    }

    /**
     * @return length of a LogonAck ACCEPTED telling the session's highest applied requestSeq.
     */
    public int logonAccepted(final long sessionId, final long lastRequestSeq)
    {
        return logonAck(sessionId, LogonStatus.ACCEPTED, RejectReason.NONE, lastRequestSeq);
    }

    private int logonAck(
        final long sessionId, final LogonStatus status, final RejectReason reason, final long lastRequestSeq)
    {
        logonAck.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(sessionId)
            .status(status)
            .rejectReason(reason)
            .lastRequestSeq(lastRequestSeq);
        return MessageHeaderEncoder.ENCODED_LENGTH + logonAck.encodedLength();
    }

    /**
     * @return length of a Logout: the answer to the client's, or the one the reader queues when a connection goes.
     */
    int logout(final long sessionId)
    {
        logout.wrapAndApplyHeader(buffer, 0, headerEncoder).sessionId(sessionId);
        return MessageHeaderEncoder.ENCODED_LENGTH + logout.encodedLength();
    }

    /**
     * The requestSeq of a frame that failed validation, when it can be read: a client-protocol request template
     * with at least the 8 bytes of its requestSeq after the header; otherwise 0.
     */
    static long readableRequestSeq(final DirectBuffer frame, final int offset, final int length)
    {
        if (length < MessageValidator.HEADER_LENGTH + Long.BYTES ||
            MessageValidator.schemaId(frame, offset) != ClientProtocol.SCHEMA_ID ||
            !ClientProtocol.isRequest(MessageValidator.templateId(frame, offset)))
        {
            return 0;
        }
        return ClientProtocol.requestSeq(frame, offset);
    }
}
