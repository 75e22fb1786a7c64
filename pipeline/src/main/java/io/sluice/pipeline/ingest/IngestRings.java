package io.sluice.pipeline.ingest;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The set of ingest rings the sequencer consumes, and the poller over it.
 * <p>
 * The set is an immutable array replaced whole (copy on write) by {@link #add} and {@link #remove}, which the shard
 * manager calls under its own serialisation, and published with a release store. {@link #poll} runs on the single
 * consumer thread and reads the array with an acquire load once per call, so a change of the set lands between two
 * polls: a ring added appears on the next poll, and a ring removed (which the manager does only once it is empty and
 * closed) may be polled once more and yields nothing.
 */
public final class IngestRings
{
    private static final IngestRing[] NO_RINGS = new IngestRing[0];
    private static final VarHandle RINGS;

    static
    {
        try
        {
            RINGS = MethodHandles.lookup().findVarHandle(IngestRings.class, "rings", IngestRing[].class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** Replaced whole under {@code synchronized (this)}; read by any thread with an acquire load. */
    @SuppressWarnings("FieldMayBeFinal")
    private IngestRing[] rings = NO_RINGS;

    /** Consumer thread only. */
    private final IngestRecord record = new IngestRecord();
    private final MessageHandler ringHandler = this::onRingMessage;
    /** Consumer thread only: index in the array where the next poll starts, rotated so no ring is always first. */
    private int nextStartIndex;
    /** Consumer thread only: handler and ring of the poll in progress. */
    private IngestHandler handler;
    private int pollingShardId;

    /**
     * Starts consuming a ring. Call before the ring's shard becomes routable so nothing published to it waits
     * unpolled.
     *
     * @throws IllegalArgumentException if a ring of the same shard is already present.
     */
    public synchronized void add(final IngestRing ring)
    {
        final IngestRing[] current = rings;
        for (final IngestRing existing : current)
        {
            if (existing.shardId() == ring.shardId())
            {
                throw new IllegalArgumentException("ring already present for shard " + ring.shardId());
            }
        }

        final IngestRing[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = ring;
        RINGS.setRelease(this, next);
    }

    /**
     * Stops consuming a ring. The caller guarantees it is closed and empty; otherwise its records would be stranded.
     *
     * @return true if the ring was present.
     */
    public synchronized boolean remove(final IngestRing ring)
    {
        final IngestRing[] current = rings;
        for (int i = 0; i < current.length; i++)
        {
            if (current[i] == ring)
            {
                final IngestRing[] next = new IngestRing[current.length - 1];
                System.arraycopy(current, 0, next, 0, i);
                System.arraycopy(current, i + 1, next, i, current.length - i - 1);
                RINGS.setRelease(this, next);
                return true;
            }
        }

        return false;
    }

    /**
     * Reads up to {@code maxPerRing} records from each ring, visiting the rings round-robin from a start that moves
     * on by one each call, so a busy connection's ring cannot starve the others. Consumer thread only; allocates
     * nothing.
     *
     * @param handler    receives each record.
     * @param maxPerRing most records taken from one ring in this call; at least 1.
     * @return number of records delivered.
     */
    public int poll(final IngestHandler handler, final int maxPerRing)
    {
        final IngestRing[] rings = (IngestRing[])RINGS.getAcquire(this);
        final int ringCount = rings.length;
        if (0 == ringCount)
        {
            return 0;
        }

        int start = nextStartIndex;
        if (start >= ringCount)
        {
            start = 0;
        }
        nextStartIndex = start + 1 == ringCount ? 0 : start + 1;

        this.handler = handler;
        int records = 0;
        try
        {
            for (int i = 0, index = start; i < ringCount; i++)
            {
                final IngestRing ring = rings[index];
                pollingShardId = ring.shardId();
                records += ring.read(ringHandler, maxPerRing);
                if (++index == ringCount)
                {
                    index = 0;
                }
            }
        }
        finally
        {
            this.handler = null;
        }

        return records;
    }

    private void onRingMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        handler.onRecord(record.wrap(pollingShardId, msgTypeId, buffer, index, length));
    }

    /**
     * @return true when every ring in the set has been consumed to its producer position. Any thread.
     */
    public boolean isEmpty()
    {
        for (final IngestRing ring : (IngestRing[])RINGS.getAcquire(this))
        {
            if (!ring.isEmpty())
            {
                return false;
            }
        }

        return true;
    }

    /**
     * Captures a delivery barrier over the rings present now. Allocates; not for the hot path.
     *
     * @return the barrier.
     */
    public IngestBarrier barrier()
    {
        return new IngestBarrier((IngestRing[])RINGS.getAcquire(this));
    }

    public int ringCount()
    {
        return ((IngestRing[])RINGS.getAcquire(this)).length;
    }

    /**
     * @return a copy of the current set, for monitoring and tests.
     */
    public IngestRing[] rings()
    {
        return ((IngestRing[])RINGS.getAcquire(this)).clone();
    }
}
