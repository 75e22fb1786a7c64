package io.sluice.pipeline.net;

/**
 * Why a reader shard closed a client connection. Each has its own counter; none affects any other connection.
 */
public enum CloseReason
{
    /** The client closed the connection or sent Logout. */
    CLIENT_CLOSED,
    /** The socket failed (reset, broken pipe). */
    IO_ERROR,
    /** A length prefix that cannot be framed: garbage, zero, negative, or over the maximum frame size. */
    UNFRAMEABLE,
    /** A frame that failed validation (bad header, unknown template, enum out of range, overrun...). */
    MALFORMED,
    /** A well-formed message a client may not send (a response type, a second Logon). */
    UNSUPPORTED_MESSAGE,
    /** A request before the session logged on. */
    NOT_LOGGED_ON,
    /** The logon failed authentication. */
    AUTH_FAILED,
    /** A read-only session sent a state-changing request. */
    NOT_AUTHORIZED,
    /** No logon within the allowed time. */
    LOGON_TIMEOUT,
    /** The ingest ring was full when the logon arrived; the client may reconnect. */
    SERVER_BUSY,
    /** The node is shutting down or the shard stopped. */
    SHUTDOWN;

    static final CloseReason[] VALUES = values();
}
