package io.sluice.pipeline.net;

import io.sluice.response.ClientConnections;
import io.sluice.response.DropReason;
import org.agrona.CloseHelper;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;

/**
 * The write side of client sockets, handed from the acceptor to the response stage. The acceptor registers each
 * connection before any request from it can be read, so by the time a reply exists its channel is known here.
 * Readers report closed connections so their entries are forgotten. The map itself is touched only on the response
 * stage's thread; the two queues carry changes to it from the other threads.
 */
public final class ConnectionRegistry implements ClientConnections
{
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionRegistry.class);
    private static final int QUEUE_CAPACITY = 4096;

    private final ManyToOneConcurrentArrayQueue<Registration> registrations =
        new ManyToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    private final ManyToOneConcurrentArrayQueue<Long> closed = new ManyToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    private final Long2ObjectHashMap<SocketChannel> channels = new Long2ObjectHashMap<>();

    /**
     * Called by the acceptor before the connection is handed to a reader.
     *
     * @return false if the hand-off queue is full; the acceptor then refuses the connection.
     */
    boolean register(final long connectionId, final SocketChannel channel)
    {
        return registrations.offer(new Registration(connectionId, channel));
    }

    /**
     * Called by a reader shard after it closed a connection.
     */
    void closed(final long connectionId)
    {
        if (!closed.offer(connectionId))
        {
            LOG.warn("connection close notice dropped connectionId={} reason=queue_full", connectionId);
        }
    }

    @Override
    public WritableByteChannel channel(final long connectionId)
    {
        SocketChannel channel = channels.get(connectionId);
        if (channel == null)
        {
            drain();
            channel = channels.get(connectionId);
        }
        return channel;
    }

    @Override
    public void onDropped(final long connectionId, final DropReason reason)
    {
        final SocketChannel channel = channels.remove(connectionId);
        if (channel != null)
        {
            LOG.debug("connection dropped by response stage connectionId={} reason={}", connectionId, reason);
            CloseHelper.quietClose(channel);
        }
    }

    @Override
    public void onFarewellWritten(final long connectionId, final int closeCode)
    {
        CloseHelper.quietClose(channels.remove(connectionId));
    }

    /**
     * Apply queued registrations and closes; the response stage calls this on its own thread.
     *
     * @return changes applied.
     */
    public int drain()
    {
        int work = 0;
        Registration registration;
        while ((registration = registrations.poll()) != null)
        {
            channels.put(registration.connectionId, registration.channel);
            work++;
        }
        Long closedId;
        while ((closedId = closed.poll()) != null)
        {
            channels.remove(closedId.longValue());
            work++;
        }
        return work;
    }

    /**
     * @return connections the response stage currently knows; response thread only.
     */
    public int size()
    {
        return channels.size();
    }

    private record Registration(long connectionId, SocketChannel channel)
    {
    }
}
