package io.sluice.pipeline.net;

import io.sluice.pipeline.shard.Shard;
import io.sluice.pipeline.shard.ShardLifecycleListener;
import io.sluice.pipeline.shard.ShardManager;
import org.agrona.collections.Int2ObjectHashMap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The read side of the network edge: the shard manager, a reader per shard, and the routing of each new connection
 * to the reader of the shard it is assigned to. The acceptor asks {@link #route}; the shard manager tells it when
 * shards come and go, and it starts or stops their readers on the {@link ReaderHost}.
 * <p>
 * Thread safety: shards change on the start-up thread, the scaling thread or an admin thread, and the acceptor
 * routes on the network thread; the reader map is guarded by its own monitor. Routing takes it only for a map
 * lookup, once per connection, never per message.
 */
public final class ReaderShards implements ConnectionRouter, ShardLifecycleListener
{
    private final ReaderContext readerContext;
    private final ShardManager shardManager;
    private final ReaderHost host;
    /** Guarded by itself: the reader of every running shard, by shard id. */
    private final Int2ObjectHashMap<ReaderAgent> readers = new Int2ObjectHashMap<>();

    /**
     * @param readerContext what every reader is built from; concluded here.
     * @param shardContext  the shard manager's options; its listener is set to this.
     * @param host          runs the readers.
     */
    public ReaderShards(
        final ReaderContext readerContext, final ShardManager.Context shardContext, final ReaderHost host)
    {
        this.readerContext = readerContext.conclude();
        this.host = host;
        this.shardManager = new ShardManager(shardContext.listener(this));
    }

    /**
     * Provision the initial shards and start their readers on the host.
     */
    public void start()
    {
        shardManager.start();
    }

    public ShardManager shardManager()
    {
        return shardManager;
    }

    /**
     * @return the readers running now, a copy; any thread.
     */
    public List<ReaderAgent> readers()
    {
        synchronized (readers)
        {
            return new ArrayList<>(readers.values());
        }
    }

    @Override
    public ReaderAgent route(final long connectionId)
    {
        final Shard shard = shardManager.assignConnection(connectionId);
        if (shard == null)
        {
            return null;
        }
        synchronized (readers)
        {
            final ReaderAgent reader = readers.get(shard.id());
            if (reader == null)
            {
                shard.releaseConnection();
            }
            return reader;
        }
    }

    @Override
    public boolean onShardProvisioned(final Shard shard)
    {
        final ReaderAgent reader;
        try
        {
            reader = new ReaderAgent(shard, readerContext);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start the reader of shard " + shard.id(), ex);
        }
        synchronized (readers)
        {
            readers.put(shard.id(), reader);
        }
        host.onReaderStarted(reader);
        return true;
    }

    @Override
    public void onShardStopped(final Shard shard)
    {
        final ReaderAgent reader;
        synchronized (readers)
        {
            reader = readers.remove(shard.id());
        }
        if (reader != null)
        {
            host.onReaderStopped(reader);
        }
    }
}
