package io.sluice.harness.floor;

import java.util.concurrent.TimeUnit;

/**
 * Every option of a floor measurement, with its default, and the presets of {@code perf/run floor}, its
 * {@code --quick}, and {@code ./sluice demo}. {@link #conclude()} validates them.
 */
public final class FloorContext
{
    public static final double DEFAULT_SECONDS = 10;
    public static final double QUICK_SECONDS = 3;
    public static final long DEFAULT_INTERVAL_US = 1_000;
    /** How long an echo process or a node may take to start. */
    public static final long START_TIMEOUT_MS = 60_000;
    /**
     * How long {@code perf/run floor} leaves the nodes alone, once they trade, before it measures their idle CPU (or
     * the warm-up time, if longer): a JVM keeps compiling for several seconds after it starts, and that is not what an
     * idle node costs. Three nodes on a 2-core machine, in total: 8.7% of a core 2 s after they first traded, 6.4%
     * 10 s after, 3 to 4% half a minute after.
     */
    public static final long IDLE_SETTLE_NS = TimeUnit.SECONDS.toNanos(10);

    private double seconds = DEFAULT_SECONDS;
    private double warmupSeconds = 2;
    private double idleSeconds = DEFAULT_SECONDS;
    private long intervalUs = DEFAULT_INTERVAL_US;
    private int draws = Composition.DEFAULT_DRAWS;
    private long seed = Composition.DEFAULT_SEED;
    private boolean quick;

    /**
     * @return the settings of {@code perf/run floor}: 10 s per path after 2 s of warm-up, 10 s of idle CPU.
     */
    public static FloorContext full()
    {
        return new FloorContext();
    }

    /**
     * @return the settings of {@code perf/run floor --quick}: 3 s per path after 0.5 s, 3 s of idle CPU.
     */
    public static FloorContext quickRun()
    {
        return new FloorContext().quick(true).seconds(QUICK_SECONDS).warmupSeconds(0.5).idleSeconds(QUICK_SECONDS);
    }

    /**
     * @return the short floor {@code ./sluice demo} measures beside its load: 1.5 s per path after 0.5 s, 3 s of
     * idle CPU.
     */
    public static FloorContext demo()
    {
        return new FloorContext().quick(true).seconds(1.5).warmupSeconds(0.5).idleSeconds(3);
    }

    /** Seconds each path is measured for, after its warm-up. */
    public FloorContext seconds(final double seconds)
    {
        this.seconds = seconds;
        return this;
    }

    public double seconds()
    {
        return seconds;
    }

    /** Seconds each path runs, unrecorded, before it is measured. */
    public FloorContext warmupSeconds(final double warmupSeconds)
    {
        this.warmupSeconds = warmupSeconds;
        return this;
    }

    public double warmupSeconds()
    {
        return warmupSeconds;
    }

    /** Seconds the nodes' idle CPU is measured over. */
    public FloorContext idleSeconds(final double idleSeconds)
    {
        this.idleSeconds = idleSeconds;
        return this;
    }

    public double idleSeconds()
    {
        return idleSeconds;
    }

    /** Microseconds from the start of one round trip (or sync) to the start of the next; one is in flight at most. */
    public FloorContext intervalUs(final long intervalUs)
    {
        this.intervalUs = intervalUs;
        return this;
    }

    public long intervalUs()
    {
        return intervalUs;
    }

    /** Monte Carlo draws per composed policy floor. */
    public FloorContext draws(final int draws)
    {
        this.draws = draws;
        return this;
    }

    public int draws()
    {
        return draws;
    }

    /** Seed of the composition's draws. */
    public FloorContext seed(final long seed)
    {
        this.seed = seed;
        return this;
    }

    public long seed()
    {
        return seed;
    }

    /** Whether these are short settings (reported as such). */
    public FloorContext quick(final boolean quick)
    {
        this.quick = quick;
        return this;
    }

    public boolean quick()
    {
        return quick;
    }

    long durationNs()
    {
        return nanos(seconds);
    }

    long warmupNs()
    {
        return nanos(warmupSeconds);
    }

    long idleNs()
    {
        return nanos(idleSeconds);
    }

    long intervalNs()
    {
        return TimeUnit.MICROSECONDS.toNanos(intervalUs);
    }

    /**
     * @return how many round trips a path makes at most, warm-up included.
     */
    long maxRoundTrips()
    {
        return (durationNs() + warmupNs()) / intervalNs() + 1;
    }

    /**
     * @return this, validated.
     * @throws IllegalArgumentException naming the option and its allowed range.
     */
    public FloorContext conclude()
    {
        if (!(seconds > 0) || seconds > 3_600)
        {
            throw new IllegalArgumentException("--seconds must be in (0, 3600]: " + seconds);
        }
        if (!(warmupSeconds >= 0) || warmupSeconds > 3_600)
        {
            throw new IllegalArgumentException("warm-up seconds must be in [0, 3600]: " + warmupSeconds);
        }
        if (!(idleSeconds > 0) || idleSeconds > 3_600)
        {
            throw new IllegalArgumentException("idle seconds must be in (0, 3600]: " + idleSeconds);
        }
        if (intervalUs < 1 || intervalUs > 1_000_000)
        {
            throw new IllegalArgumentException("--interval-us must be in [1, 1000000]: " + intervalUs);
        }
        if (draws < 1)
        {
            throw new IllegalArgumentException("draws must be at least 1: " + draws);
        }
        return this;
    }

    private static long nanos(final double seconds)
    {
        return (long)(seconds * 1e9);
    }
}
