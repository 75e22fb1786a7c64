package io.sluice.wire;

import org.agrona.MutableDirectBuffer;
import org.agrona.sbe.MessageEncoderFlyweight;

import java.nio.ByteOrder;

/**
 * Writes frames {@code [int32 little-endian length][SBE header + body]} into a buffer with the generated SBE
 * encoders: {@link #begin} writes the header and wraps the encoder after it, the caller sets fields, {@link #end}
 * writes the length prefix. Allocation free; not thread safe (one per writing thread).
 */
public final class FrameEncoder
{
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    /**
     * Start a frame at {@code frameOffset}: write the SBE header for the encoder's message and wrap the encoder on
     * the body.
     *
     * @param buffer      to write into.
     * @param frameOffset where the frame's length prefix goes.
     * @param encoder     generated encoder of the message to write.
     * @param <E>         encoder type.
     * @return the encoder, wrapped and ready for its fields.
     */
    public <E extends MessageEncoderFlyweight> E begin(
        final MutableDirectBuffer buffer, final int frameOffset, final E encoder)
    {
        final int headerOffset = frameOffset + FrameDecoder.LENGTH_FIELD_LENGTH;
        buffer.putShort(headerOffset + MessageValidator.BLOCK_LENGTH_OFFSET, (short)encoder.sbeBlockLength(), ORDER);
        buffer.putShort(headerOffset + MessageValidator.TEMPLATE_ID_OFFSET, (short)encoder.sbeTemplateId(), ORDER);
        buffer.putShort(headerOffset + MessageValidator.SCHEMA_ID_OFFSET, (short)encoder.sbeSchemaId(), ORDER);
        buffer.putShort(headerOffset + MessageValidator.VERSION_OFFSET, (short)encoder.sbeSchemaVersion(), ORDER);
        encoder.wrap(buffer, headerOffset + MessageValidator.HEADER_LENGTH);
        return encoder;
    }

    /**
     * Finish the frame started by {@link #begin}: write its length prefix.
     *
     * @param buffer      written into.
     * @param frameOffset passed to {@link #begin}.
     * @param encoder     the encoder after its last field (and any groups and var data) has been written.
     * @return length of the whole frame, prefix included.
     */
    public int end(final MutableDirectBuffer buffer, final int frameOffset, final MessageEncoderFlyweight encoder)
    {
        final int messageLength = MessageValidator.HEADER_LENGTH + encoder.encodedLength();
        buffer.putInt(frameOffset, messageLength, ORDER);
        return FrameDecoder.LENGTH_FIELD_LENGTH + messageLength;
    }
}
