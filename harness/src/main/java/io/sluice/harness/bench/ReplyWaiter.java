package io.sluice.harness.bench;

import org.agrona.CloseHelper;
import org.agrona.concurrent.NanoClock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * How the bench thread waits when nothing is due and nothing has arrived: in a blocking select on its connections,
 * so a reply wakes it as soon as the kernel has it, until the next request falls due. A select sleeps in whole
 * milliseconds, so the last millisecond before a send is spent in short parks (about 50 us each, with a look at the
 * connections between them) and only the final {@value #SPIN_NS} ns spinning: requests go out within tens of
 * microseconds of their time (the lag is reported as send delay), and at high rates, where something is always due
 * within the millisecond, the bench does not take a core the nodes need.
 * <p>
 * Connections come and go (a failover opens a new socket), so each wait registers whatever channels the order
 * entries hold now. Bench thread only.
 */
final class ReplyWaiter implements AutoCloseable
{
    private static final long SELECT_MARGIN_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long PARK_NS = TimeUnit.MICROSECONDS.toNanos(50);
    /** A park overshoots by up to the kernel's timer slack (50 us by default): spin the last stretch instead. */
    private static final long SPIN_NS = 60_000;
    private static final Consumer<SelectionKey> IGNORE = key -> { };

    private final Selector selector;
    private final OrderEntry[] entries;
    private final NanoClock clock;
    private final Map<SelectableChannel, SelectionKey> registered = new IdentityHashMap<>();

    /**
     * @param entries the bench's connections.
     * @param clock   the bench's clock, the one deadlines are given in.
     */
    ReplyWaiter(final OrderEntry[] entries, final NanoClock clock)
    {
        this.entries = entries;
        this.clock = clock;
        try
        {
            this.selector = Selector.open();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open the bench's selector", ex);
        }
    }

    /**
     * @return true if every connection offers a channel to wait on; otherwise the bench polls.
     */
    boolean canWait()
    {
        for (final OrderEntry entry : entries)
        {
            if (entry.channel() == null)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Wait until a reply arrives on any connection or {@code deadlineNs} comes, whichever is first.
     *
     * @param deadlineNs when the next request falls due, in the clock's time; {@code Long.MAX_VALUE} for none.
     */
    void await(final long deadlineNs)
    {
        register();
        try
        {
            long remainingNs = deadlineNs == Long.MAX_VALUE ? Long.MAX_VALUE : deadlineNs - clock.nanoTime();
            if (remainingNs > SELECT_MARGIN_NS)
            {
                final long sleepMs = Math.min(TimeUnit.NANOSECONDS.toMillis(remainingNs - SELECT_MARGIN_NS) + 1, 100);
                if (selector.select(IGNORE, sleepMs) > 0)
                {
                    return;
                }
                remainingNs = deadlineNs - clock.nanoTime();
            }
            while (remainingNs > 0)
            {
                if (selector.selectNow(IGNORE) > 0)
                {
                    return;
                }
                if (remainingNs > SPIN_NS)
                {
                    LockSupport.parkNanos(Math.min(PARK_NS, remainingNs - SPIN_NS));
                }
                else
                {
                    Thread.onSpinWait();
                }
                remainingNs = deadlineNs - clock.nanoTime();
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("the bench's select failed", ex);
        }
    }

    private void register()
    {
        for (final OrderEntry entry : entries)
        {
            final SelectableChannel channel = entry.channel();
            if (channel != null && !registered.containsKey(channel) && channel.isOpen())
            {
                try
                {
                    registered.put(channel, channel.register(selector, SelectionKey.OP_READ));
                }
                catch (final ClosedChannelException ex)
                {
                    // Closed between the check and the registration: the entry's next poll reconnects.
                }
            }
        }
        registered.values().removeIf(key -> !key.isValid() || !key.channel().isOpen());
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(selector);
    }
}
