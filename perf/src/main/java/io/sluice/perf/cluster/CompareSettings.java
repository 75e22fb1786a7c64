package io.sluice.perf.cluster;

import io.sluice.harness.bench.BenchContext;

import java.util.concurrent.TimeUnit;

/**
 * Every option of a cluster comparison, for the full run and for {@code --quick}, in one place.
 * <p>
 * Each system, once started, gets a warm-up run (not reported, so both JVMs' JIT has seen the flow), then the
 * low-rate run, then the sweep: open-loop runs at the rates of {@link #ladderPerSecond()} in increasing order until
 * {@link #failuresToStop()} runs in a row were not sustained (two, so one noisy run on a shared machine does not end
 * a sweep). A run is sustained when every request was sent and
 * answered without error and its p99 is at most {@link #P99_LIMIT_US}. Every run has its own warm-up phase too.
 */
final class CompareSettings
{
    /** A sweep run is sustained only if its p99 is at most this, and every request was answered. */
    static final double P99_LIMIT_US = 10_000;
    static final int INSTRUMENTS = BenchContext.DEFAULT_INSTRUMENTS;
    static final long SEED = BenchContext.DEFAULT_SEED;
    /**
     * The low-rate run: one connection, a request every 10 ms, so a request is alone in flight whenever the round
     * trip is under 10 ms. Not capped at one in flight: a round trip longer than the interval must not make later
     * requests queue behind it in the bench and count that wait as the system's latency.
     */
    static final double LOW_RATE_PER_SECOND = 100;
    static final int LOW_RATE_CONNECTIONS = 1;
    static final int SWEEP_CONNECTIONS = BenchContext.DEFAULT_CONNECTIONS;
    static final double WARMUP_RATE_PER_SECOND = 1_000;
    /** How long one node or member may take to start, and the cluster to elect a leader. */
    static final long START_TIMEOUT_MS = 60_000;

    private final boolean quick;
    private final long systemWarmupNs;
    private final long runWarmupNs;
    private final long lowRateDurationNs;
    private final long sweepDurationNs;
    private final long drainTimeoutNs;
    private final long settleMs;
    private final double[] ladderPerSecond;
    private final int failuresToStop;

    private CompareSettings(
        final boolean quick,
        final long systemWarmupNs,
        final long runWarmupNs,
        final long lowRateDurationNs,
        final long sweepDurationNs,
        final long drainTimeoutNs,
        final long settleMs,
        final double[] ladderPerSecond,
        final int failuresToStop)
    {
        this.quick = quick;
        this.systemWarmupNs = systemWarmupNs;
        this.runWarmupNs = runWarmupNs;
        this.lowRateDurationNs = lowRateDurationNs;
        this.sweepDurationNs = sweepDurationNs;
        this.drainTimeoutNs = drainTimeoutNs;
        this.settleMs = settleMs;
        this.ladderPerSecond = ladderPerSecond;
        this.failuresToStop = failuresToStop;
    }

    /**
     * @return the settings of {@code perf/run cluster-compare --quick}: short runs and a doubling ladder; five
     * systems in under five minutes on a 2-core machine.
     */
    static CompareSettings quickRun()
    {
        return new CompareSettings(true, millis(5_000), millis(500), millis(6_000), millis(2_000), millis(2_000), 300,
            new double[]{ 250, 500, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000 }, 2);
    }

    /**
     * @return the settings of the full comparison: longer runs and a ladder in steps of about 1.4x.
     */
    static CompareSettings fullRun()
    {
        return new CompareSettings(false, millis(15_000), millis(2_000), millis(30_000), millis(6_000), millis(5_000),
            1_000, new double[]{ 250, 350, 500, 700, 1_000, 1_400, 2_000, 2_800, 4_000, 5_600, 8_000, 11_000, 16_000,
                22_000, 32_000, 45_000, 64_000 }, 2);
    }

    private static long millis(final long millis)
    {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    boolean quick()
    {
        return quick;
    }

    /**
     * @return length of the unreported run after a system starts.
     */
    long systemWarmupNs()
    {
        return systemWarmupNs;
    }

    /**
     * @return warm-up phase of every reported run, before its measured phase.
     */
    long runWarmupNs()
    {
        return runWarmupNs;
    }

    long lowRateDurationNs()
    {
        return lowRateDurationNs;
    }

    long sweepDurationNs()
    {
        return sweepDurationNs;
    }

    /**
     * @return how long a run waits for its last answers; an overloaded run fails anyway, so this stays short.
     */
    long drainTimeoutNs()
    {
        return drainTimeoutNs;
    }

    /**
     * @return pause after each run, so a backlog of the last run does not spill into the next.
     */
    long settleMs()
    {
        return settleMs;
    }

    double[] ladderPerSecond()
    {
        return ladderPerSecond.clone();
    }

    int failuresToStop()
    {
        return failuresToStop;
    }

    /**
     * @return the system's unreported warm-up run.
     */
    BenchContext warmupRun()
    {
        return run(WARMUP_RATE_PER_SECOND, SWEEP_CONNECTIONS, systemWarmupNs).warmupNs(0);
    }

    BenchContext lowRateRun()
    {
        return run(LOW_RATE_PER_SECOND, LOW_RATE_CONNECTIONS, lowRateDurationNs);
    }

    BenchContext sweepRun(final double ratePerSecond)
    {
        return run(ratePerSecond, SWEEP_CONNECTIONS, sweepDurationNs);
    }

    private BenchContext run(final double ratePerSecond, final int connections, final long durationNs)
    {
        return new BenchContext()
            .ratePerSecond(ratePerSecond)
            .connections(connections)
            .durationNs(durationNs)
            .warmupNs(runWarmupNs)
            .drainTimeoutNs(drainTimeoutNs)
            .seed(SEED)
            .instruments(INSTRUMENTS);
    }
}
