package io.sluice.replication;

import io.sluice.wire.TokenBucket;
import org.slf4j.Logger;

import java.util.concurrent.TimeUnit;

/**
 * Warnings about refused peers, rate-limited so a peer that sends a stream of bad handshakes cannot fill the log:
 * the same line is logged once until another is, and distinct lines at most {@link #BURST} at once and then one every
 * {@link #REFILL_SECONDS} seconds; the next line logged says how many were left out. Its agent's thread only.
 */
final class RefusalLog
{
    static final int BURST = 5;
    static final long REFILL_SECONDS = 10;

    private final Logger log;
    private final TokenBucket bucket = new TokenBucket(TimeUnit.SECONDS.toNanos(REFILL_SECONDS), BURST);
    private String lastLogged;
    private long suppressed;

    RefusalLog(final Logger log)
    {
        this.log = log;
    }

    /**
     * Logs {@code line} at warn unless it repeats the last line logged or the rate is spent.
     *
     * @return true if logged.
     */
    boolean warn(final long nowNs, final String line)
    {
        if (line.equals(lastLogged))
        {
            return false;
        }
        if (!bucket.tryTake(nowNs))
        {
            suppressed++;
            return false;
        }
        lastLogged = line;
        if (suppressed > 0)
        {
            log.warn("{} ({} similar lines left out)", line, suppressed);
            suppressed = 0;
        }
        else
        {
            log.warn(line);
        }
        return true;
    }

    /** Forget the last line, so the next refusal is logged even if it repeats it (a new stream began meanwhile). */
    void reset()
    {
        lastLogged = null;
    }

    /** Lines left out since the last one logged. */
    long suppressed()
    {
        return suppressed;
    }
}
