package io.sluice.pipeline.shard;

import io.sluice.pipeline.ingest.IngestCounters;
import io.sluice.pipeline.ingest.IngestPublisher;
import io.sluice.pipeline.ingest.IngestRing;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One reader shard as the {@link ShardManager} sees it: a monotonic id, a lifecycle state, the number of connections
 * assigned to it, and its {@link IngestRing}.
 * <p>
 * State and connection count share one word (state ordinal in the high 32 bits, count in the low 32) so that
 * "assign a connection only while ACTIVE" and "stop only while DRAINING with no connections" are each a single CAS:
 * an acceptor that picked the shard from a stale selection table cannot slip a connection in after the shard began
 * draining, and a shard cannot stop while a connection is being handed to it. Writers of the word: the acceptor
 * ({@link #tryAcquireConnection()}), the reader ({@link #releaseConnection()}), the manager (transitions).
 */
public final class Shard
{
    private static final VarHandle LIFECYCLE;
    private static final long COUNT_MASK = 0xFFFF_FFFFL;

    static
    {
        try
        {
            LIFECYCLE = MethodHandles.lookup().findVarHandle(Shard.class, "lifecycle", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final int id;
    private final IngestRing ring;
    private final boolean bootShard;

    /** See the class comment; read and written only through {@link #LIFECYCLE}. */
    private volatile long lifecycle = pack(ShardState.PROVISIONING, 0);

    // Written by the mapper under its lock.
    long activatedAtNs;
    long drainStartedNs;
    long ingestedAtLastSample;
    double weight;

    // Last metrics sample: written by the mapper under its lock, read by any thread for monitoring.
    private volatile double lastFillRatio;
    private volatile long lastEventsInWindow;
    private volatile long lastAvgPublishLatencyNs;

    Shard(final int id, final IngestRing ring, final boolean bootShard)
    {
        this.id = id;
        this.ring = ring;
        this.bootShard = bootShard;
    }

    /**
     * @return the shard's id: allocated from a monotonic counter, never reused for another shard.
     */
    public int id()
    {
        return id;
    }

    public ShardState state()
    {
        return state((long)LIFECYCLE.getVolatile(this));
    }

    /**
     * @return connections assigned to this shard and not yet released.
     */
    public int connectionCount()
    {
        return count((long)LIFECYCLE.getVolatile(this));
    }

    /**
     * @return the ring's producer, for this shard's reader thread only.
     */
    public IngestPublisher publisher()
    {
        return ring.publisher();
    }

    public IngestRing ring()
    {
        return ring;
    }

    public IngestCounters counters()
    {
        return ring.counters();
    }

    /**
     * @return true for shards created at start-up, which are not subject to the scaling warm-up.
     */
    public boolean isBootShard()
    {
        return bootShard;
    }

    /**
     * Assigns one more connection to this shard if, and only if, it is {@link ShardState#ACTIVE}. Lock-free.
     *
     * @return true if the connection is now counted against this shard; the caller must hand it to this shard's
     * reader, or {@link #releaseConnection()} if it cannot.
     */
    public boolean tryAcquireConnection()
    {
        while (true)
        {
            final long current = (long)LIFECYCLE.getVolatile(this);
            if (state(current) != ShardState.ACTIVE || count(current) == Integer.MAX_VALUE)
            {
                return false;
            }

            if (LIFECYCLE.compareAndSet(this, current, current + 1))
            {
                return true;
            }
        }
    }

    /**
     * Releases a connection once its reader will publish nothing more for it (the connection is closed or moved).
     * The reader's records for the connection are then all committed before the release, which is what lets a
     * draining shard stop without stranding any.
     *
     * @throws IllegalStateException if no connection is assigned.
     */
    public void releaseConnection()
    {
        while (true)
        {
            final long current = (long)LIFECYCLE.getVolatile(this);
            if (0 == count(current))
            {
                throw new IllegalStateException("shard " + id + " has no connection to release");
            }

            if (LIFECYCLE.compareAndSet(this, current, current - 1))
            {
                return;
            }
        }
    }

    /**
     * @return ring fill ratio at the last metrics sample.
     */
    public double lastFillRatio()
    {
        return lastFillRatio;
    }

    /**
     * @return records ingested during the last metrics window.
     */
    public long lastEventsInWindow()
    {
        return lastEventsInWindow;
    }

    /**
     * @return average sampled publish latency during the last metrics window; 0 without samples.
     */
    public long lastAvgPublishLatencyNs()
    {
        return lastAvgPublishLatencyNs;
    }

    void recordMetrics(final double fillRatio, final long eventsInWindow, final long avgPublishLatencyNs)
    {
        lastFillRatio = fillRatio;
        lastEventsInWindow = eventsInWindow;
        lastAvgPublishLatencyNs = avgPublishLatencyNs;
    }

    /**
     * Moves from {@code from} to {@code to} keeping the connection count.
     *
     * @return false if the shard was not in {@code from}.
     */
    boolean transition(final ShardState from, final ShardState to)
    {
        while (true)
        {
            final long current = (long)LIFECYCLE.getVolatile(this);
            if (state(current) != from)
            {
                return false;
            }

            if (LIFECYCLE.compareAndSet(this, current, pack(to, count(current))))
            {
                return true;
            }
        }
    }

    /**
     * Moves from {@code from} to {@link ShardState#STOPPED} only if no connection is assigned.
     *
     * @return false if the shard was not in {@code from} or had connections.
     */
    boolean tryStopFrom(final ShardState from)
    {
        return LIFECYCLE.compareAndSet(this, pack(from, 0), pack(ShardState.STOPPED, 0));
    }

    static long pack(final ShardState state, final long count)
    {
        return ((long)state.ordinal() << 32) | count;
    }

    private static ShardState state(final long lifecycle)
    {
        return ShardState.ofOrdinal((int)(lifecycle >>> 32));
    }

    private static int count(final long lifecycle)
    {
        return (int)(lifecycle & COUNT_MASK);
    }

    public String toString()
    {
        final long current = (long)LIFECYCLE.getVolatile(this);
        return "Shard{id=" + id + ", state=" + state(current) + ", connections=" + count(current) + '}';
    }
}
