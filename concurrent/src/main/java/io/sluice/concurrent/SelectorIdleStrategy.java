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
    /** No spinning by default: each spin would be a whole duty cycle with a non-blocking select in it. */
    public static final long DEFAULT_MAX_SPIN_NS = 0;
    /**
     * Longest sleep: the agents' timers run at least this often. Replication heartbeats (every 100 ms by default,
     * timed out after a second) and Aeron's own arrive as datagrams and wake the thread anyway; a timer wake-up
     * costs tens of microseconds of CPU on a virtual machine, so an idle node wakes each thread ten times a second.
     */
    public static final long DEFAULT_MAX_SLEEP_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final Consumer<SelectionKey> IGNORE = key -> { };

    private final Selector selector;

    /**
     * @param selector the agent reads through; only its owner thread selects on it.
     */
    public SelectorIdleStrategy(final Selector selector)
    {
        this(selector, DEFAULT_MAX_SPIN_NS, DEFAULT_MAX_SLEEP_NS);
    }

    /**
     * @param selector   the agent reads through.
     * @param maxSpinNs  how long to spin after the last work before arming.
     * @param maxSleepNs longest select.
     */
    public SelectorIdleStrategy(final Selector selector, final long maxSpinNs, final long maxSleepNs)
    {
        super(maxSpinNs, maxSleepNs);
        this.selector = selector;
    }

    /**
     * @return the selector it sleeps on.
     */
    public Selector selector()
    {
        return selector;
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
