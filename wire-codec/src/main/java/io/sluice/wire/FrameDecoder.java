package io.sluice.wire;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Splits a byte stream into frames {@code [int32 little-endian length][SBE header + body]} and validates each one.
 * <p>
 * The decoder keeps no per-stream state: the caller owns the receive buffer, calls {@link #decode} with whatever
 * bytes it holds, and keeps the unconsumed tail (a partial frame) for the next read. Complete frames are handed out
 * in place, never copied. One instance can serve every connection of a reader thread.
 */
public final class FrameDecoder
{
    /** Bytes of the length prefix in front of every frame. */
    public static final int LENGTH_FIELD_LENGTH = 4;
    /** Default largest message (header + body) accepted. */
    public static final int DEFAULT_MAX_MESSAGE_LENGTH = 4096;

    private final MessageValidator validator;
    private final int maxMessageLength;

    /**
     * @param validator        for the schema this stream speaks.
     * @param maxMessageLength largest length prefix accepted; larger ones are a framing error.
     */
    public FrameDecoder(final MessageValidator validator, final int maxMessageLength)
    {
        if (maxMessageLength < MessageValidator.HEADER_LENGTH)
        {
            throw new IllegalArgumentException(
                "maxMessageLength must be at least " + MessageValidator.HEADER_LENGTH + ": " + maxMessageLength);
        }
        this.validator = validator;
        this.maxMessageLength = maxMessageLength;
    }

    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    /**
     * Decode every complete frame in {@code [offset, offset + length)}.
     *
     * @param buffer  holding received bytes.
     * @param offset  of the first unconsumed byte.
     * @param length  of received bytes available.
     * @param handler told of each message, malformed frame or framing error.
     * @return bytes consumed: everything up to the start of the first incomplete frame, or of the frame the handler
     * declined (a message or a malformed frame), or of the frame whose length was refused (after which the handler
     * has been told and the caller must close the stream).
     */
    public int decode(final DirectBuffer buffer, final int offset, final int length, final FrameHandler handler)
    {
        int position = offset;
        final int end = offset + length;

        while (end - position >= LENGTH_FIELD_LENGTH)
        {
            final int messageLength = buffer.getInt(position, ByteOrder.LITTLE_ENDIAN);
            if (messageLength <= 0 || messageLength > maxMessageLength)
            {
                handler.onFramingError(DecodeResult.BAD_LENGTH, messageLength);
                return position - offset;
            }

            final int messageOffset = position + LENGTH_FIELD_LENGTH;
            if (end - messageOffset < messageLength)
            {
                break;
            }

            final DecodeResult result = validator.validate(buffer, messageOffset, messageLength);
            if (result == DecodeResult.OK)
            {
                if (!handler.onMessage(
                    buffer, messageOffset, messageLength, MessageValidator.templateId(buffer, messageOffset)))
                {
                    break;
                }
            }
            else if (!handler.onMalformed(result, buffer, messageOffset, messageLength))
            {
                break;
            }
            position = messageOffset + messageLength;
        }

        return position - offset;
    }
}
