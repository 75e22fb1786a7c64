package io.sluice.response;

/**
 * Why the response stage gave up on a connection.
 */
public enum DropReason
{
    /** The client did not read fast enough: its unsent output would have exceeded the limit. */
    SEND_BUFFER_OVERFLOW,

    /** The client stopped reading: output was waiting and the socket took none of it for the stall timeout. */
    SEND_STALLED,

    /** Writing to the socket failed. */
    WRITE_FAILED
}
