package io.sluice.replication;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Latch that records a primary has seen a higher epoch than its own, i.e. another node was promoted and this one is
 * stale. Once set it stays set for the life of the process: the node must stop accepting orders (its trading gate
 * reads {@link #isFenced()}) and its senders refuse replicas. One per primary node, shared by all its senders.
 * <p>
 * Writers: any sender thread (or an operator action), through {@link #fence}. Readers: any thread.
 */
public final class PrimaryFence
{
    private static final Logger LOG = LoggerFactory.getLogger(PrimaryFence.class);

    /** Highest foreign epoch seen that is above this node's; 0 while not fenced. Only ever rises. */
    private final AtomicLong fencedByEpoch = new AtomicLong();

    /** Why the fence went up: set by the first writer, before the epoch, so a fenced reader always finds it. */
    private final AtomicReference<String> reason = new AtomicReference<>();
    private final Listener listener;

    /**
     * Told once, by the thread that fenced the node, when the fence goes up (an audit trail).
     */
    @FunctionalInterface
    public interface Listener
    {
        void onFenced(long epoch, String reason);
    }

    /** A fence nobody listens to. */
    public PrimaryFence()
    {
        this((epoch, why) -> { });
    }

    /**
     * @param listener told once when the fence goes up.
     */
    public PrimaryFence(final Listener listener)
    {
        this.listener = listener;
    }

    /**
     * Fences this node after seeing {@code epoch}, higher than its own.
     *
     * @param epoch  the higher epoch seen.
     * @param why    what was seen, for operators.
     */
    public void fence(final long epoch, final String why)
    {
        if (epoch <= 0)
        {
            throw new IllegalArgumentException("fencing epoch must be positive: " + epoch);
        }
        final boolean first = reason.compareAndSet(null, why);
        long current;
        do
        {
            current = fencedByEpoch.get();
            if (current >= epoch)
            {
                return;
            }
        }
        while (!fencedByEpoch.compareAndSet(current, epoch));
        if (first)
        {
            LOG.error("primary fenced: {}; this node must stop accepting orders", why);
            listener.onFenced(epoch, why);
        }
    }

    /** True once this node has seen a higher epoch; it stays true. */
    public boolean isFenced()
    {
        return fencedByEpoch.get() != 0;
    }

    /** Highest higher epoch seen, 0 while not fenced. */
    public long fencedByEpoch()
    {
        return fencedByEpoch.get();
    }

    /** Why this node is fenced, or null. */
    public String reason()
    {
        return isFenced() ? reason.get() : null;
    }

    public String toString()
    {
        return isFenced() ? "fenced by epoch " + fencedByEpoch() + ": " + reason.get() : "not fenced";
    }
}
