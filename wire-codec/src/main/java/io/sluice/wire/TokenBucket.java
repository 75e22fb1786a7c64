package io.sluice.wire;

/**
 * A token bucket for work that input from outside can ask for: at most {@code burst} at once, refilled at
 * {@code ratePerSecond}. The caller passes the time, so it costs no clock read of its own and tests drive it; nothing
 * is allocated. Single thread: the one that owns the input.
 */
public final class TokenBucket
{
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /** Nanoseconds one token takes to come back. */
    private final long refillNs;
    /** Nanoseconds a full bucket holds: burst tokens. */
    private final long capacityNs;
    /**
     * The bucket as a point in time: it is full at {@code emptyUntilNs + capacityNs}; taking a token moves it on by
     * {@code refillNs}. Tokens held now = (now - emptyUntilNs) / refillNs, capped at burst.
     */
    private long emptyUntilNs;
    private boolean started;

    /**
     * @param refillNs nanoseconds one token takes to come back, at least 1.
     * @param burst    tokens a full bucket holds, at least 1.
     */
    public TokenBucket(final long refillNs, final long burst)
    {
        if (refillNs < 1 || burst < 1)
        {
            throw new IllegalArgumentException("token bucket refill " + refillNs + " ns and burst " + burst +
                " must be at least 1");
        }
        this.refillNs = refillNs;
        this.capacityNs = Math.multiplyExact(refillNs, burst);
    }

    /**
     * @param ratePerSecond tokens refilled per second, in [1, 1e9].
     * @param burst         tokens a full bucket holds, at least 1.
     * @return the bucket.
     */
    public static TokenBucket perSecond(final long ratePerSecond, final long burst)
    {
        if (ratePerSecond < 1 || ratePerSecond > NANOS_PER_SECOND)
        {
            throw new IllegalArgumentException("token bucket rate " + ratePerSecond + "/s must be in [1, 1e9]");
        }
        return new TokenBucket(NANOS_PER_SECOND / ratePerSecond, burst);
    }

    /**
     * Takes a token if there is one; a bucket starts full.
     *
     * @param nowNs a monotonic clock, e.g. {@code System.nanoTime()}.
     * @return true if a token was taken.
     */
    public boolean tryTake(final long nowNs)
    {
        if (!started)
        {
            started = true;
            emptyUntilNs = nowNs - capacityNs;
        }
        if (nowNs - emptyUntilNs > capacityNs)
        {
            emptyUntilNs = nowNs - capacityNs;
        }
        if (nowNs - emptyUntilNs < refillNs)
        {
            return false;
        }
        emptyUntilNs += refillNs;
        return true;
    }
}
