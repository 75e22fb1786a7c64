package io.sluice.pipeline.net;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters of one reader shard. Single writer (the shard's thread, or the acceptor for {@link #connectionsAccepted});
 * any thread may read them for metrics.
 */
public final class ReaderCounters
{
    private static final int ACCEPTED = 0;
    private static final int LOGONS = 1;
    private static final int MESSAGES = 2;
    private static final int BUSY = 3;
    private static final int CLOSE_BASE = 4;

    private final AtomicLongArray counters = new AtomicLongArray(CLOSE_BASE + CloseReason.VALUES.length);

    private void increment(final int index)
    {
        counters.lazySet(index, counters.get(index) + 1);
    }

    void onAccepted()
    {
        increment(ACCEPTED);
    }

    void onLogon()
    {
        increment(LOGONS);
    }

    void onMessage()
    {
        increment(MESSAGES);
    }

    void onBusy()
    {
        increment(BUSY);
    }

    void onClosed(final CloseReason reason)
    {
        increment(CLOSE_BASE + reason.ordinal());
    }

    public long connectionsAccepted()
    {
        return counters.get(ACCEPTED);
    }

    public long logons()
    {
        return counters.get(LOGONS);
    }

    public long messagesIngested()
    {
        return counters.get(MESSAGES);
    }

    public long serverBusyReplies()
    {
        return counters.get(BUSY);
    }

    public long closed(final CloseReason reason)
    {
        return counters.get(CLOSE_BASE + reason.ordinal());
    }
}
