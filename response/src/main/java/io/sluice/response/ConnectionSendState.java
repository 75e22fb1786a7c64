package io.sluice.response;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * The response stage's side of one client connection: frames queued for its socket and not yet accepted by it.
 * Bytes in {@code [sentPosition, limit)} are unsent. The buffer starts small and grows, up to the unsent limit, only
 * for a client that falls behind. Response-stage thread only.
 */
final class ConnectionSendState
{
    private final long connectionId;
    private final WritableByteChannel channel;
    private final int maxUnsentBytes;
    private ByteBuffer byteBuffer;
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private int sentPosition;
    private int limit;
    long lastAppendNs;
    /** When the oldest unsent byte began waiting, or the socket last took some: the stall rule's clock. */
    long waitingSinceNs;
    boolean dirty;
    boolean closed;
    /** True while the response stage's thread is to be woken when this socket can take more bytes. */
    boolean watchingWritable;
    /** Its last message has been queued: nothing more is appended, and it is closed once everything is written. */
    boolean closing;
    /** Why, as the last message's slot said ({@link OutputSlot#closeCode()}). */
    int closeCode;

    ConnectionSendState(
        final long connectionId,
        final WritableByteChannel channel,
        final int initialCapacityBytes,
        final int maxUnsentBytes,
        final long nowNs)
    {
        this.connectionId = connectionId;
        this.channel = channel;
        this.maxUnsentBytes = maxUnsentBytes;
        this.byteBuffer = ByteBuffer.allocateDirect(Math.min(initialCapacityBytes, maxUnsentBytes));
        this.buffer.wrap(byteBuffer);
        this.lastAppendNs = nowNs;
    }

    long connectionId()
    {
        return connectionId;
    }

    WritableByteChannel channel()
    {
        return channel;
    }

    int unsentBytes()
    {
        return limit - sentPosition;
    }

    int capacity()
    {
        return byteBuffer.capacity();
    }

    /**
     * Make room for {@code length} more bytes, compacting or growing as needed.
     *
     * @return false if they would take the unsent output over the limit.
     */
    boolean ensureRoom(final int length)
    {
        final int unsent = limit - sentPosition;
        if (unsent + length > maxUnsentBytes)
        {
            return false;
        }

        if (limit + length > byteBuffer.capacity())
        {
            if (unsent + length <= byteBuffer.capacity())
            {
                buffer.putBytes(0, buffer, sentPosition, unsent);
            }
            else
            {
                final int newCapacity = Math.min(maxUnsentBytes, Math.max(byteBuffer.capacity() * 2, unsent + length));
                final ByteBuffer grown = ByteBuffer.allocateDirect(newCapacity);
                final UnsafeBuffer old = new UnsafeBuffer(byteBuffer);
                byteBuffer = grown;
                buffer.wrap(grown);
                buffer.putBytes(0, old, sentPosition, unsent);
            }
            sentPosition = 0;
            limit = unsent;
        }

        return true;
    }

    /**
     * Buffer at the write position; call {@link #ensureRoom} first and {@link #advance} after writing.
     */
    UnsafeBuffer buffer()
    {
        return buffer;
    }

    int limit()
    {
        return limit;
    }

    void advance(final int length)
    {
        limit += length;
    }

    void append(final DirectBuffer src, final int offset, final int length)
    {
        buffer.putBytes(limit, src, offset, length);
        limit += length;
    }

    /**
     * Write what the socket takes, without waiting.
     *
     * @return bytes written.
     */
    int write() throws IOException
    {
        if (limit == sentPosition)
        {
            return 0;
        }

        byteBuffer.limit(limit).position(sentPosition);
        final int written = channel.write(byteBuffer);
        if (written > 0)
        {
            sentPosition += written;
            if (sentPosition == limit)
            {
                sentPosition = 0;
                limit = 0;
            }
        }

        return written;
    }
}
