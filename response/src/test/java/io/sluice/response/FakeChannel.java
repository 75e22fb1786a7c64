package io.sluice.response;

import io.sluice.sbe.client.BatchEndDecoder;
import io.sluice.sbe.client.ExecutionReportDecoder;
import io.sluice.sbe.client.HaltedDecoder;
import io.sluice.sbe.client.HeartbeatDecoder;
import io.sluice.sbe.client.MessageHeaderDecoder;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * A client socket's write side for tests: keeps what it is given, can take only so much per write, and can fail.
 */
final class FakeChannel implements WritableByteChannel
{
    /** One decoded frame: its template and the requestSeq / wireSeq it carries (0 where the message has none). */
    record Frame(int templateId, long requestSeq, long wireSeq)
    {
    }

    private final ExpandableArrayBuffer received = new ExpandableArrayBuffer(1024);
    private int receivedLength;
    private boolean open = true;
    int maxBytesPerWrite = Integer.MAX_VALUE;
    IOException failure;
    int writeCalls;

    public int write(final ByteBuffer src) throws IOException
    {
        writeCalls++;
        if (!open)
        {
            throw new ClosedChannelException();
        }
        if (null != failure)
        {
            throw failure;
        }

        final int length = Math.min(src.remaining(), maxBytesPerWrite);
        received.putBytes(receivedLength, src, src.position(), length);
        src.position(src.position() + length);
        receivedLength += length;

        return length;
    }

    public boolean isOpen()
    {
        return open;
    }

    public void close()
    {
        open = false;
    }

    int receivedLength()
    {
        return receivedLength;
    }

    byte[] receivedBytes()
    {
        final byte[] bytes = new byte[receivedLength];
        received.getBytes(0, bytes);
        return bytes;
    }

    /**
     * Decode every complete frame received so far; fails the test on a malformed one.
     */
    List<Frame> frames()
    {
        final List<Frame> frames = new ArrayList<>();
        final UnsafeBuffer buffer = new UnsafeBuffer(received.byteArray(), 0, receivedLength);
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        int offset = 0;
        while (offset + 4 <= receivedLength)
        {
            final int length = buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN);
            if (length < MessageHeaderDecoder.ENCODED_LENGTH)
            {
                throw new AssertionError("bad frame length " + length + " at " + offset);
            }
            if (offset + 4 + length > receivedLength)
            {
                break;
            }

            final int messageOffset = offset + 4;
            header.wrap(buffer, messageOffset);
            final int templateId = header.templateId();
            final int bodyOffset = messageOffset + MessageHeaderDecoder.ENCODED_LENGTH;
            final int blockLength = header.blockLength();
            final int version = header.version();
            switch (templateId)
            {
                case ExecutionReportDecoder.TEMPLATE_ID ->
                {
                    final ExecutionReportDecoder d = new ExecutionReportDecoder().wrap(
                        buffer, bodyOffset, blockLength, version);
                    frames.add(new Frame(templateId, d.requestSeq(), d.wireSeq()));
                }
                case BatchEndDecoder.TEMPLATE_ID ->
                {
                    final BatchEndDecoder d = new BatchEndDecoder().wrap(buffer, bodyOffset, blockLength, version);
                    frames.add(new Frame(templateId, d.requestSeq(), d.wireSeq()));
                }
                case HaltedDecoder.TEMPLATE_ID ->
                {
                    final HaltedDecoder d = new HaltedDecoder().wrap(buffer, bodyOffset, blockLength, version);
                    frames.add(new Frame(templateId, d.requestSeq(), 0));
                }
                case HeartbeatDecoder.TEMPLATE_ID ->
                {
                    final HeartbeatDecoder d = new HeartbeatDecoder().wrap(buffer, bodyOffset, blockLength, version);
                    frames.add(new Frame(templateId, 0, d.timestampNs()));
                }
                default -> throw new AssertionError("unexpected template " + templateId + " at " + offset);
            }

            if (MessageHeaderDecoder.ENCODED_LENGTH + blockLength > length &&
                HaltedDecoder.TEMPLATE_ID != templateId)
            {
                throw new AssertionError("frame shorter than its block at " + offset);
            }
            offset += 4 + length;
        }

        return frames;
    }
}
