package io.sluice.pipeline.net;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The sessions of one reader shard that are connected and have had requests refused THROTTLED, with how many, for
 * STATUS and {@code /metrics} to show per session. A fixed table of {@link #CAPACITY} entries, so the metrics stay
 * bounded however many sessions misbehave; a session that finds it full is still throttled and counted in the
 * shard's totals ({@link ReaderCounters}), only not listed.
 * <p>
 * Single writer (the shard's thread), read by any thread without locks. An entry is published count first, session
 * id last (release), and freed by zeroing the id; a reader reads id, count, id again and skips the entry if the id
 * changed between, so it never pairs one session's id with another's count.
 */
public final class ThrottledSessions
{
    /** Sessions listed per reader shard. */
    public static final int CAPACITY = 16;
    static final int NO_ENTRY = -1;

    /** Reads one listed session; any thread. */
    @FunctionalInterface
    public interface Visitor
    {
        void accept(long sessionId, long throttledRequests);
    }

    /** Entry i: session id at 2i (0 = free), requests refused THROTTLED at 2i + 1. */
    private final AtomicLongArray entries = new AtomicLongArray(2 * CAPACITY);

    /**
     * Take a free entry for a session at its first refusal; writer thread.
     *
     * @return the entry, or {@link #NO_ENTRY} if every entry is taken.
     */
    int claim(final long sessionId)
    {
        for (int i = 0; i < CAPACITY; i++)
        {
            if (entries.get(2 * i) == 0)
            {
                entries.lazySet(2 * i + 1, 0);
                entries.lazySet(2 * i, sessionId);
                return i;
            }
        }
        return NO_ENTRY;
    }

    /** Publish a listed session's count; writer thread. */
    void count(final int entry, final long throttledRequests)
    {
        entries.lazySet(2 * entry + 1, throttledRequests);
    }

    /** The session's connection closed: free its entry; writer thread. */
    void release(final int entry)
    {
        entries.lazySet(2 * entry, 0);
    }

    /**
     * Visit every listed session; any thread.
     */
    public void forEach(final Visitor visitor)
    {
        for (int i = 0; i < CAPACITY; i++)
        {
            final long sessionId = entries.get(2 * i);
            if (sessionId == 0)
            {
                continue;
            }
            final long count = entries.get(2 * i + 1);
            if (entries.get(2 * i) == sessionId)
            {
                visitor.accept(sessionId, count);
            }
        }
    }
}
