package io.sluice.wire;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * Records what a decoder reported, copying each message so tests can inspect it after the call.
 */
final class CapturingHandler implements FrameHandler
{
    final List<UnsafeBuffer> messages = new ArrayList<>();
    final List<Integer> templateIds = new ArrayList<>();
    final List<DecodeResult> malformed = new ArrayList<>();
    DecodeResult framingError;
    int refusedLength;

    @Override
    public boolean onMessage(final DirectBuffer buffer, final int offset, final int length, final int templateId)
    {
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        messages.add(new UnsafeBuffer(copy));
        templateIds.add(templateId);
        return true;
    }

    @Override
    public boolean onMalformed(
        final DecodeResult reason, final DirectBuffer buffer, final int offset, final int length)
    {
        malformed.add(reason);
        return true;
    }

    @Override
    public void onFramingError(final DecodeResult reason, final int frameLength)
    {
        framingError = reason;
        refusedLength = frameLength;
    }
}
