package io.sluice.wire;

/**
 * Outcome of checking one frame or message from outside. Every way a byte sequence can be wrong has its own value,
 * so a reader can count rejects by cause and answer the client precisely.
 * <p>
 * {@link #BAD_LENGTH} is a framing error: once the length prefix cannot be trusted the stream is out of sync and the
 * connection must be closed. Every other failure concerns one complete frame: the stream stays in sync and the frame
 * can be rejected on its own.
 */
public enum DecodeResult
{
    /** The message is well formed. */
    OK,
    /** Length prefix is zero, negative or larger than the configured maximum frame size. */
    BAD_LENGTH,
    /** The frame is shorter than an SBE message header. */
    TRUNCATED_HEADER,
    /** The header names a schema this decoder does not speak. */
    WRONG_SCHEMA,
    /** The header's version is zero or newer than this decoder understands. */
    WRONG_VERSION,
    /** The header names a template the schema does not define. */
    UNKNOWN_TEMPLATE,
    /** The header's block length is smaller than the schema's for that template, or the block runs past the frame. */
    BLOCK_LENGTH_TOO_SHORT,
    /** A repeating group's dimensions are invalid or its entries run past the frame. */
    GROUP_OVERRUN,
    /** A variable-length field's length runs past the frame or exceeds its maximum. */
    VAR_FIELD_OVERRUN,
    /** An enum field holds a value the schema does not define. */
    ENUM_OUT_OF_RANGE,
    /** The frame holds bytes after the end of the message. */
    TRAILING_BYTES,
    /**
     * A well-formed state-changing request longer than one journal entry holds (a longer block than the schema's may
     * make it so within the frame limit): the node refuses it rather than sequence what it cannot journal. Found by
     * the reader, which knows the journal's limit; the validator never returns it.
     */
    TOO_LONG_TO_JOURNAL;

    /**
     * @return true when the stream can no longer be framed and the connection must be closed.
     */
    public boolean isFramingError()
    {
        return this == BAD_LENGTH;
    }
}
