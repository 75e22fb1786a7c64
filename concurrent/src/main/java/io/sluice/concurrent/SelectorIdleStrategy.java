package io.sluice.concurrent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Sleeps in a blocking select on the selector the agent reads its sockets through, so the kernel wakes it when
 * bytes arrive; a producer's {@link #wake()} wakes the select. For stages fed by the network (reader shards, the
 * acceptor, the replication transport). The select only waits: readiness is not consumed, so the agent's own
 * non-blocking {@code selectNow} finds the same sockets ready (epoll is level-triggered).
 */
public final class SelectorIdleStrategy extends SleepingIdleStrategy
{
    /** Spins before sleeping. */
    public static final int DEFAULT_MAX_SPINS = 200;
    /** Longest sleep: the agents' timers (logon timeouts, heartbeats) run at least this often. */
    public static final long DEFAULT_MAX_SLEEP_NS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final Consumer<SelectionKey> IGNORE = key -> { };

    private final Selector selector;

    /**
     * @param selector the agent reads through; only its owner thread selects on it.
     */
    public SelectorIdleStrategy(final Selector selector)
    {
        this(selector, DEFAULT_MAX_SPINS, DEFAULT_MAX_SLEEP_NS);
    }

    /**
     * @param selector   the agent reads through.
     * @param maxSpins   busy spins after the last work before arming.
     * @param maxSleepNs longest select.
     */
    public SelectorIdleStrategy(final Selector selector, final int maxSpins, final long maxSleepNs)
    {
        super(maxSpins, maxSleepNs);
        this.selector = selector;
    }

    @Override
    protected void onArm()
    {
    }

    @Override
    protected void sleep(final long timeoutNs)
    {
        try
        {
            selector.select(IGNORE, Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNs)));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("select failed while idle", ex);
        }
    }

    @Override
    protected void wakeSleeper()
    {
        selector.wakeup();
    }

    @Override
    public String alias()
    {
        return "selector";
    }
}
