package io.sluice.pipeline.net;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A reader shard's request-rate limit: the settings every {@link SessionThrottle} of its connections is made with,
 * the detail of the EngineError that ends a connection in lasting excess, and the per-session refusal counts that
 * STATUS and {@code /metrics} show ({@link ThrottledSessions}). Reader thread only; nothing allocated after logon.
 */
final class SessionThrottles
{
    /** 0: no rate limit. */
    private final long ratePerSecond;
    private final long burst;
    private final long closeAfterNs;
    private final byte[] closeDetail;
    private final ThrottledSessions sessions = new ThrottledSessions();

    SessionThrottles(final ReaderContext context)
    {
        this.ratePerSecond = context.throttleRatePerSecond();
        this.burst = context.throttleBurst();
        this.closeAfterNs = context.throttleCloseAfterNs();
        this.closeDetail = ("over " + ratePerSecond + " requests a second for " +
            TimeUnit.NANOSECONDS.toMillis(closeAfterNs) + " ms").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * @return the throttle of a connection that has just logged on; null without a rate limit.
     */
    SessionThrottle newThrottle()
    {
        return ratePerSecond > 0 ? new SessionThrottle(ratePerSecond, burst, closeAfterNs) : null;
    }

    /** @return the detail of the EngineError THROTTLED that ends a connection, fixed by the configuration. */
    byte[] closeDetail()
    {
        return closeDetail;
    }

    ThrottledSessions sessions()
    {
        return sessions;
    }

    /**
     * Count a request refused THROTTLED against the connection's session.
     *
     * @return true for the connection's first refusal.
     */
    boolean onRefused(final ReaderConnection connection)
    {
        final boolean first = connection.throttledRequests++ == 0;
        if (first)
        {
            connection.throttledEntry = sessions.claim(connection.sessionId);
        }
        if (connection.throttledEntry != ThrottledSessions.NO_ENTRY)
        {
            sessions.count(connection.throttledEntry, connection.throttledRequests);
        }
        return first;
    }

    /** The connection is closed: its session leaves the per-session list. */
    void onClosed(final ReaderConnection connection)
    {
        if (connection.throttledEntry != ThrottledSessions.NO_ENTRY)
        {
            sessions.release(connection.throttledEntry);
            connection.throttledEntry = ThrottledSessions.NO_ENTRY;
        }
    }
}
