package io.sluice.pipeline.net;

import io.sluice.response.ClientConnections;
import io.sluice.response.DropReason;
import org.agrona.CloseHelper;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;

/**
 * The write side of client sockets, handed from the acceptor to the response stage, and the way back: when the
 * response stage is done with a connection (its last message written, or the client dropped) the registry tells the
 * reader that owns it, which closes it and counts why. The acceptor registers each connection before any request
 * from it can be read, so by the time a reply exists its channel is known here. Readers report connections they
 * closed so their entries are forgotten. The map itself is touched only on the response stage's thread; the two
 * queues carry changes to it from the other threads.
 */
public final class ConnectionRegistry implements ClientConnections
{
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionRegistry.class);
    private static final int QUEUE_CAPACITY = 4096;

    private final ManyToOneConcurrentArrayQueue<ReaderConnection> registrations =
        new ManyToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    private final ManyToOneConcurrentArrayQueue<ReaderConnection> closed =
        new ManyToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    private final Long2ObjectHashMap<ReaderConnection> connections = new Long2ObjectHashMap<>();

    /**
     * Called by the acceptor before the connection is handed to a reader.
     *
     * @return false if the hand-off queue is full; the acceptor then refuses the connection.
     */
    boolean register(final ReaderConnection connection)
    {
        return registrations.offer(connection);
    }

    /**
     * Called by a reader shard after it closed a connection.
     */
    void closed(final ReaderConnection connection)
    {
        if (!closed.offer(connection))
        {
            LOG.warn("connection close notice dropped connectionId={} reason=queue_full", connection.connectionId);
        }
    }

    @Override
    public WritableByteChannel channel(final long connectionId)
    {
        ReaderConnection connection = connections.get(connectionId);
        if (connection == null)
        {
            drain();
            connection = connections.get(connectionId);
        }
        return connection == null ? null : connection.channel;
    }

    @Override
    public void onDropped(final long connectionId, final DropReason reason)
    {
        final ReaderConnection connection = connections.remove(connectionId);
        if (connection != null)
        {
            LOG.debug("connection dropped by response stage connectionId={} reason={}", connectionId, reason);
            CloseHelper.quietClose(connection.channel);
            handBack(connection, reason == DropReason.WRITE_FAILED ? CloseReason.WRITE_FAILED :
                CloseReason.SLOW_CONSUMER, false);
        }
    }

    @Override
    public void onFarewellWritten(final long connectionId, final int closeCode)
    {
        final ReaderConnection connection = connections.remove(connectionId);
        if (connection != null)
        {
            try
            {
                // What was written still reaches the client, then the end of the stream.
                connection.channel.shutdownOutput();
            }
            catch (final IOException ex)
            {
                LOG.debug("shutdownOutput failed connectionId={} reason=\"{}\"", connectionId, ex.getMessage());
            }
            handBack(connection, closeCode < CloseReason.VALUES.length ? CloseReason.VALUES[closeCode] :
                CloseReason.SHUTDOWN, true);
        }
    }

    private static void handBack(final ReaderConnection connection, final CloseReason reason, final boolean farewell)
    {
        connection.farewellWritten = farewell;
        connection.endedByWriter = 1 + reason.ordinal();
        connection.reader.onEndedByWriter();
    }

    /**
     * Apply queued registrations and closes; the response stage calls this on its own thread.
     *
     * @return changes applied.
     */
    public int drain()
    {
        int work = 0;
        ReaderConnection connection;
        while ((connection = registrations.poll()) != null)
        {
            connections.put(connection.connectionId, connection);
            work++;
        }
        while ((connection = closed.poll()) != null)
        {
            connections.remove(connection.connectionId);
            work++;
        }
        return work;
    }

    /**
     * @return connections the response stage currently knows; response thread only.
     */
    public int size()
    {
        return connections.size();
    }
}
