package io.sluice.pipeline.net;

import io.sluice.sbe.client.EngineErrorCode;
import io.sluice.sbe.client.EngineErrorDecoder;
import io.sluice.sbe.client.LogonAckDecoder;
import io.sluice.sbe.client.LogoutDecoder;
import io.sluice.wire.MessageValidator;
import org.agrona.DirectBuffer;

/**
 * Why a client connection was closed. Each has its own counter, counted once when the socket is closed; none
 * affects any other connection. Every reason the node decides says why first, in the connection's last message
 * (named below), except a slow consumer, which is not reading, and a failed write.
 */
public enum CloseReason
{
    /** The client closed the connection (end of stream) without logging out. */
    CLIENT_CLOSED,
    /** The socket failed while reading (reset, broken pipe). */
    IO_ERROR,
    /** A length prefix that cannot be framed: zero, negative, or over the maximum frame size. EngineError. */
    UNFRAMEABLE,
    /** The logon was refused: key, signature, role, ids, or an account other than the session's. LogonAck. */
    LOGON_REFUSED,
    /** No logon within the logon timeout. EngineError. */
    LOGON_TIMEOUT,
    /** Nothing received from a logged-on client within the idle timeout. EngineError. */
    IDLE_TIMEOUT,
    /** The client sent Logout. Logout. */
    LOGGED_OUT,
    /** A newer logon of the same session took over. EngineError. */
    SESSION_REPLACED,
    /** The client did not read its replies: too many bytes unsent, or none taken for the stall timeout. */
    SLOW_CONSUMER,
    /** Writing to the socket failed. */
    WRITE_FAILED,
    /** The node is shutting down, or the connection's shard stopped. EngineError. */
    SHUTDOWN,
    /** Requests above the session's rate limit kept coming for the throttle's close-after time. EngineError. */
    THROTTLED;

    static final CloseReason[] VALUES = values();

    /**
     * Why a connection whose last message is this one is being closed: the one place a farewell is read back into a
     * reason, for the sequencer to stamp on the slot and the reader to count once the message is written.
     *
     * @param buffer holding a client-protocol message the node made (a LogonAck, Logout or EngineError).
     * @param offset of its SBE header.
     * @return the reason.
     */
    public static CloseReason ofFarewell(final DirectBuffer buffer, final int offset)
    {
        switch (MessageValidator.templateId(buffer, offset))
        {
            case LogonAckDecoder.TEMPLATE_ID:
                return LOGON_REFUSED;
            case LogoutDecoder.TEMPLATE_ID:
                return LOGGED_OUT;
            case EngineErrorDecoder.TEMPLATE_ID:
                final short code = (short)(buffer.getByte(
                    offset + MessageValidator.HEADER_LENGTH + EngineErrorDecoder.codeEncodingOffset()) & 0xFF);
                switch (EngineErrorCode.get(code))
                {
                    case UNFRAMEABLE:
                        return UNFRAMEABLE;
                    case LOGON_TIMEOUT:
                        return LOGON_TIMEOUT;
                    case IDLE_TIMEOUT:
                        return IDLE_TIMEOUT;
                    case SESSION_REPLACED:
                        return SESSION_REPLACED;
                    case THROTTLED:
                        return THROTTLED;
                    default:
                        return SHUTDOWN;
                }
            default:
                return SHUTDOWN;
        }
    }
}
