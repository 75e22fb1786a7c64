package io.sluice.pipeline.net;

import io.sluice.sbe.client.RejectReason;
import io.sluice.wire.DecodeResult;

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
    private static final int UNSUPPORTED = 4;
    private static final int SESSIONS_THROTTLED = 5;
    private static final int CLOSE_BASE = 6;
    private static final int MALFORMED_BASE = CLOSE_BASE + CloseReason.VALUES.length;
    private static final int REJECT_BASE = MALFORMED_BASE + DecodeResult.values().length;

    private final AtomicLongArray counters = new AtomicLongArray(REJECT_BASE + RejectReason.values().length);

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

    void onMalformed(final DecodeResult result)
    {
        increment(MALFORMED_BASE + result.ordinal());
    }

    void onRejected(final RejectReason reason)
    {
        increment(REJECT_BASE + reason.ordinal());
    }

    void onUnsupported()
    {
        increment(UNSUPPORTED);
    }

    void onSessionThrottled()
    {
        increment(SESSIONS_THROTTLED);
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

    /**
     * @return frames that failed validation for this reason, each answered with an EngineError.
     */
    public long malformed(final DecodeResult result)
    {
        return counters.get(MALFORMED_BASE + result.ordinal());
    }

    /**
     * @return requests the reader answered REJECTED for this reason (before logon, not authorized).
     */
    public long rejected(final RejectReason reason)
    {
        return counters.get(REJECT_BASE + reason.ordinal());
    }

    /**
     * @return logged-on connections (sessions) that had at least one request refused THROTTLED.
     */
    public long sessionsThrottled()
    {
        return counters.get(SESSIONS_THROTTLED);
    }

    /**
     * @return well-formed messages a client may not send (then), each answered with an EngineError.
     */
    public long unsupportedMessages()
    {
        return counters.get(UNSUPPORTED);
    }
}
