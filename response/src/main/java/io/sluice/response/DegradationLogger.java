package io.sluice.response;

import io.sluice.durability.Policy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the degraded flag of each policy evaluation into a gauge, a running total of degraded time, and log lines an
 * operator can live with:
 * <ul>
 *     <li>the gauge follows every evaluation at once (dashboards and the halt see the real state);</li>
 *     <li>a change is logged only once it has held for the flap-hold time (default 1 s), so a replica flapping
 *     faster than that produces no log noise: warn on entering degraded, info on returning to target;</li>
 *     <li>while degraded, a reminder warn every reminder interval (default 5 s).</li>
 * </ul>
 * Driven with timestamps from the caller's clock, so tests are deterministic. Response-stage thread only.
 */
final class DegradationLogger
{
    /** Where the log lines go; tests record them instead. */
    interface Events
    {
        void onStartingDegraded(Policy policy);

        void onDegraded(Policy policy);

        void onStillDegraded(Policy policy, long degradedForNs);

        void onRecovered(Policy policy);
    }

    static final Events LOGGING_EVENTS = new Events()
    {
        private final Logger log = LoggerFactory.getLogger(DegradationLogger.class);

        public void onStartingDegraded(final Policy policy)
        {
            log.warn("durability policy starts degraded policy={} required_nodes={}: fewer connected nodes " +
                "than the policy counts, replies held and order entry halted", policy, policy.requiredNodes());
        }

        public void onDegraded(final Policy policy)
        {
            log.warn("durability policy degraded policy={} required_nodes={}: fewer connected nodes than the " +
                "policy counts, replies held and order entry halted", policy, policy.requiredNodes());
        }

        public void onStillDegraded(final Policy policy, final long degradedForNs)
        {
            log.warn("durability policy still degraded policy={} degraded_for_ms={}",
                policy, degradedForNs / 1_000_000);
        }

        public void onRecovered(final Policy policy)
        {
            log.info("durability policy back to target policy={}", policy);
        }
    };

    private final long flapHoldNs;
    private final long reminderIntervalNs;
    private final ResponseCounters counters;
    private final Events events;

    /** Latest state seen; what is logged if it holds past the flap-hold. */
    private boolean pendingState;
    /** When {@link #pendingState} began. */
    private long pendingSinceNs;
    /** Whether the current streak's onset has been logged. */
    private boolean pendingLogged;
    private boolean hasLogged;
    private long lastLogNs;
    /** For the degraded-time total: the previous tick. */
    private boolean lastTickDegraded;
    private long lastTickNs;

    DegradationLogger(
        final long nowNs,
        final long flapHoldNs,
        final long reminderIntervalNs,
        final ResponseCounters counters,
        final Events events)
    {
        this.flapHoldNs = flapHoldNs;
        this.reminderIntervalNs = reminderIntervalNs;
        this.counters = counters;
        this.events = events;
        reset(nowNs);
        lastTickNs = nowNs;
    }

    /**
     * Assume the target shape, with nothing to log, as at start-up or after a policy swap; the next ticks decide.
     * The degraded-time total carries on.
     */
    DegradationLogger reset(final long nowNs)
    {
        pendingState = false;
        pendingSinceNs = nowNs;
        pendingLogged = true;
        hasLogged = false;
        lastLogNs = nowNs;
        return this;
    }

    /**
     * The policy is degraded from the start: warn now and count the state as logged, so the next tick in the same
     * state does not warn again.
     */
    DegradationLogger resetStartingDegraded(final long nowNs, final Policy policy)
    {
        events.onStartingDegraded(policy);
        pendingState = true;
        pendingSinceNs = nowNs;
        pendingLogged = true;
        hasLogged = true;
        lastLogNs = nowNs;
        return this;
    }

    /**
     * Record one evaluation.
     *
     * @param policy       evaluated.
     * @param degradedNow  its degraded flag.
     * @param nowNs        when it was evaluated.
     */
    void tick(final Policy policy, final boolean degradedNow, final long nowNs)
    {
        counters.set(ResponseCounters.POLICY_DEGRADED, degradedNow ? 1 : 0);
        if (lastTickDegraded && nowNs > lastTickNs)
        {
            counters.add(ResponseCounters.DEGRADED_NS_TOTAL, nowNs - lastTickNs);
        }
        lastTickDegraded = degradedNow;
        lastTickNs = nowNs;

        if (degradedNow != pendingState)
        {
            pendingState = degradedNow;
            pendingSinceNs = nowNs;
            pendingLogged = false;
            return;
        }

        if (!pendingLogged && nowNs - pendingSinceNs >= flapHoldNs)
        {
            if (degradedNow)
            {
                events.onDegraded(policy);
            }
            else
            {
                events.onRecovered(policy);
            }
            pendingLogged = true;
            hasLogged = true;
            lastLogNs = nowNs;
            return;
        }

        if (degradedNow && pendingLogged && (!hasLogged || nowNs - lastLogNs >= reminderIntervalNs))
        {
            events.onStillDegraded(policy, nowNs - pendingSinceNs);
            hasLogged = true;
            lastLogNs = nowNs;
        }
    }

    boolean pendingState()
    {
        return pendingState;
    }

    boolean pendingLogged()
    {
        return pendingLogged;
    }
}
