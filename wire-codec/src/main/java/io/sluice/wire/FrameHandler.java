package io.sluice.wire;

import org.agrona.DirectBuffer;

/**
 * Receives what a {@link FrameDecoder} finds in a byte stream. Buffers passed in are only valid during the call.
 */
public interface FrameHandler
{
    /**
     * A complete, validated message.
     *
     * @param buffer     holding the message; do not keep a reference to it.
     * @param offset     of the SBE message header.
     * @param length     of header and body.
     * @param templateId from the header, already checked against the schema.
     * @return true if the message was taken; false to leave it unconsumed and stop decoding here, so the caller
     * can offer it again later (for example when the ring it goes to is full).
     */
    boolean onMessage(DirectBuffer buffer, int offset, int length, int templateId);

    /**
     * A complete frame that is not a valid message. The stream is still in sync: later frames are still decoded.
     *
     * @param reason why the frame was refused.
     * @param buffer holding the frame's message bytes; do not keep a reference to it.
     * @param offset of the message bytes (after the length prefix).
     * @param length of the message bytes.
     * @return true if the frame was dealt with; false to leave it unconsumed and stop decoding here, so the caller
     * can offer it again later (for example when its answer cannot be queued yet).
     */
    boolean onMalformed(DecodeResult reason, DirectBuffer buffer, int offset, int length);

    /**
     * The stream cannot be framed any more; the decoder stops and the connection must be closed.
     *
     * @param reason      why; {@link DecodeResult#isFramingError()} is true.
     * @param frameLength the length prefix that was refused.
     */
    void onFramingError(DecodeResult reason, int frameLength);
}
