package io.sluice.pipeline.net;

import io.sluice.wire.TokenBucket;

import java.util.concurrent.TimeUnit;

/**
 * The request-rate limit of one logged-on connection, and so of its session (a session has one connection at a
 * time): a token bucket of {@code burst} requests refilled at {@code ratePerSecond}, and the rule that ends a
 * connection whose excess does not stop.
 * <p>
 * A request that finds a token passes. One that does not is refused, unless the connection has been in excess for
 * {@code closeAfterNs}: then it is closed. The connection is in excess from a refusal until a whole
 * {@link #EXCESS_GAP_NS} passes without one, so a client that keeps sending faster than the rate (each refill taken
 * at once, the rest refused) stays in excess however many of its requests pass, while one that slowed down is
 * forgiven after a quiet second.
 * <p>
 * Owned by the reader shard that owns the connection: single thread, no allocation, the reader's cached clock.
 */
final class SessionThrottle
{
    /** A second without a refusal ends an excess: longer than any refill interval (the rate is at least 1/s). */
    static final long EXCESS_GAP_NS = TimeUnit.SECONDS.toNanos(1);

    /** What becomes of one request. */
    enum Verdict
    {
        /** Within the limit: take it. */
        PASS,
        /** Above the limit: answer it REJECTED THROTTLED, the connection carries on. */
        REFUSE,
        /** Above the limit for the close-after time: end the connection, saying why. */
        CLOSE
    }

    private final TokenBucket bucket;
    /** 0: never close. */
    private final long closeAfterNs;
    private boolean inExcess;
    private long excessSinceNs;
    private long lastRefusedNs;

    /**
     * @param ratePerSecond requests a second the session may send on average, at least 1.
     * @param burst         requests it may send at once after a quiet spell, at least 1.
     * @param closeAfterNs  how long an excess may last before the connection is closed; 0 never.
     */
    SessionThrottle(final long ratePerSecond, final long burst, final long closeAfterNs)
    {
        this.bucket = TokenBucket.perSecond(ratePerSecond, burst);
        this.closeAfterNs = closeAfterNs;
    }

    /**
     * Decide one request; a refused or closing request takes no token.
     *
     * @param nowNs the reader's cached nano clock.
     * @return the verdict.
     */
    Verdict onRequest(final long nowNs)
    {
        if (bucket.tryTake(nowNs))
        {
            return Verdict.PASS;
        }
        if (!inExcess || nowNs - lastRefusedNs >= EXCESS_GAP_NS)
        {
            inExcess = true;
            excessSinceNs = nowNs;
        }
        lastRefusedNs = nowNs;
        return closeAfterNs > 0 && nowNs - excessSinceNs >= closeAfterNs ? Verdict.CLOSE : Verdict.REFUSE;
    }
}
