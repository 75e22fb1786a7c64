package io.sluice.response;

/**
 * Why the response stage gave up on a connection.
 */
public enum DropReason
{
    /** The client did not read fast enough: its unsent output would have exceeded the limit. */
    SEND_BUFFER_OVERFLOW,

    /** Writing to the socket failed. */
    WRITE_FAILED
}
