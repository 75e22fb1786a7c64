package io.sluice.harness.soak;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Every option of a soak run, with its default and its validation in one place.
 * <p>
 * A run lasts {@link #durationNs()} or until {@link #maxFaults()} faults were injected, whichever comes first. The
 * faults come from a seeded schedule ({@link #seed()}): which kind, which node, and after how long, so a run can be
 * repeated; the moments the kills land depend on the machine, and the run reports where they landed.
 */
public final class SoakContext
{
    public static final long DEFAULT_DURATION_NS = TimeUnit.MINUTES.toNanos(10);
    public static final long DEFAULT_SEED = 1;
    public static final double DEFAULT_RATE_PER_SECOND = 500;
    public static final int DEFAULT_CONNECTIONS = 4;
    public static final int DEFAULT_INSTRUMENTS = 4;
    /** Small, so the primary writes a snapshot every few seconds at the default rate and kills meet them. */
    public static final long DEFAULT_SNAPSHOT_INTERVAL_ENTRIES = 2_000;
    public static final long DEFAULT_LOAD_RUN_NS = TimeUnit.SECONDS.toNanos(20);
    public static final long DEFAULT_MIN_FAULT_GAP_NS = TimeUnit.SECONDS.toNanos(1);
    public static final long DEFAULT_MAX_FAULT_GAP_NS = TimeUnit.SECONDS.toNanos(5);
    public static final long DEFAULT_RECOVERY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(120);
    public static final long DEFAULT_NODE_START_TIMEOUT_MS = 90_000;
    public static final long DEFAULT_MIN_POLICY_SWAP_GAP_NS = TimeUnit.MILLISECONDS.toNanos(500);
    public static final long DEFAULT_MAX_POLICY_SWAP_GAP_NS = TimeUnit.SECONDS.toNanos(3);

    private long durationNs = DEFAULT_DURATION_NS;
    private int maxFaults;
    private final List<FaultKind> plan = new ArrayList<>();
    private long seed = DEFAULT_SEED;
    private double ratePerSecond = DEFAULT_RATE_PER_SECOND;
    private int connections = DEFAULT_CONNECTIONS;
    private int instruments = DEFAULT_INSTRUMENTS;
    private long snapshotIntervalEntries = DEFAULT_SNAPSHOT_INTERVAL_ENTRIES;
    private long loadRunNs = DEFAULT_LOAD_RUN_NS;
    private long minFaultGapNs = DEFAULT_MIN_FAULT_GAP_NS;
    private long maxFaultGapNs = DEFAULT_MAX_FAULT_GAP_NS;
    private long recoveryTimeoutNs = DEFAULT_RECOVERY_TIMEOUT_NS;
    private long nodeStartTimeoutMs = DEFAULT_NODE_START_TIMEOUT_MS;
    private Path directory;
    private boolean keep;
    private boolean policySwaps = true;
    private long minPolicySwapGapNs = DEFAULT_MIN_POLICY_SWAP_GAP_NS;
    private long maxPolicySwapGapNs = DEFAULT_MAX_POLICY_SWAP_GAP_NS;
    private PrintStream progress;

    /**
     * @param durationNs how long faults are injected under load; the load's last run and the drain come after.
     * @return this.
     */
    public SoakContext durationNs(final long durationNs)
    {
        this.durationNs = durationNs;
        return this;
    }

    public long durationNs()
    {
        return durationNs;
    }

    /**
     * @param maxFaults stop injecting after this many faults (a fault may kill more than one process); 0 for no
     *                  limit but the duration.
     * @return this.
     */
    public SoakContext maxFaults(final int maxFaults)
    {
        this.maxFaults = maxFaults;
        return this;
    }

    public int maxFaults()
    {
        return maxFaults;
    }

    /**
     * @param plan the kinds of fault to inject, in this order, instead of the seeded schedule's; the run stops
     *             injecting after the last. Victims, delays and kill moments still come from the seed.
     * @return this.
     */
    public SoakContext plan(final List<FaultKind> plan)
    {
        this.plan.clear();
        this.plan.addAll(plan);
        return this;
    }

    public List<FaultKind> plan()
    {
        return plan;
    }

    public SoakContext seed(final long seed)
    {
        this.seed = seed;
        return this;
    }

    public long seed()
    {
        return seed;
    }

    /**
     * @param ratePerSecond requests per second over all connections, open loop.
     * @return this.
     */
    public SoakContext ratePerSecond(final double ratePerSecond)
    {
        this.ratePerSecond = ratePerSecond;
        return this;
    }

    public double ratePerSecond()
    {
        return ratePerSecond;
    }

    public SoakContext connections(final int connections)
    {
        this.connections = connections;
        return this;
    }

    public int connections()
    {
        return connections;
    }

    public SoakContext instruments(final int instruments)
    {
        this.instruments = instruments;
        return this;
    }

    public int instruments()
    {
        return instruments;
    }

    /**
     * @param snapshotIntervalEntries the nodes' {@code snapshot.interval.entries}.
     * @return this.
     */
    public SoakContext snapshotIntervalEntries(final long snapshotIntervalEntries)
    {
        this.snapshotIntervalEntries = snapshotIntervalEntries;
        return this;
    }

    public long snapshotIntervalEntries()
    {
        return snapshotIntervalEntries;
    }

    /**
     * @param loadRunNs the load is a sequence of bench runs this long, each with its own history file and the same
     *                  sessions, so the soak can end the load soon after the last fault.
     * @return this.
     */
    public SoakContext loadRunNs(final long loadRunNs)
    {
        this.loadRunNs = loadRunNs;
        return this;
    }

    public long loadRunNs()
    {
        return loadRunNs;
    }

    /**
     * @param minFaultGapNs least time between a recovery and the next fault.
     * @param maxFaultGapNs most time between a recovery and the next fault.
     * @return this.
     */
    public SoakContext faultGapNs(final long minFaultGapNs, final long maxFaultGapNs)
    {
        this.minFaultGapNs = minFaultGapNs;
        this.maxFaultGapNs = maxFaultGapNs;
        return this;
    }

    public long minFaultGapNs()
    {
        return minFaultGapNs;
    }

    public long maxFaultGapNs()
    {
        return maxFaultGapNs;
    }

    /**
     * @param recoveryTimeoutNs how long the cluster may take to trade again with both replicas caught up after a
     *                          fault; a fault it does not recover from in time is not survived and ends the run.
     * @return this.
     */
    public SoakContext recoveryTimeoutNs(final long recoveryTimeoutNs)
    {
        this.recoveryTimeoutNs = recoveryTimeoutNs;
        return this;
    }

    public long recoveryTimeoutNs()
    {
        return recoveryTimeoutNs;
    }

    public SoakContext nodeStartTimeoutMs(final long nodeStartTimeoutMs)
    {
        this.nodeStartTimeoutMs = nodeStartTimeoutMs;
        return this;
    }

    public long nodeStartTimeoutMs()
    {
        return nodeStartTimeoutMs;
    }

    /**
     * @param directory where the nodes' data, configs, logs and the histories go; it is kept. Null for a temporary
     *                  directory, deleted after a passing run unless {@link #keep(boolean)}.
     * @return this.
     */
    public SoakContext directory(final Path directory)
    {
        this.directory = directory;
        return this;
    }

    public Path directory()
    {
        return directory;
    }

    public SoakContext keep(final boolean keep)
    {
        this.keep = keep;
        return this;
    }

    public boolean keep()
    {
        return keep;
    }

    /**
     * @param policySwaps whether an operator thread swaps the durability policy at random all through the run, among
     *                    policies at least as strong as hybrid (default true); see {@link PolicySwapper}.
     * @return this.
     */
    public SoakContext policySwaps(final boolean policySwaps)
    {
        this.policySwaps = policySwaps;
        return this;
    }

    public boolean policySwaps()
    {
        return policySwaps;
    }

    /**
     * @param minGapNs least time between policy swaps.
     * @param maxGapNs most time between policy swaps.
     * @return this.
     */
    public SoakContext policySwapGapNs(final long minGapNs, final long maxGapNs)
    {
        if (minGapNs <= 0 || maxGapNs < minGapNs)
        {
            throw new IllegalArgumentException("policy swap gaps must satisfy 0 < min <= max: " + minGapNs + ", " +
                maxGapNs);
        }
        this.minPolicySwapGapNs = minGapNs;
        this.maxPolicySwapGapNs = maxGapNs;
        return this;
    }

    public long minPolicySwapGapNs()
    {
        return minPolicySwapGapNs;
    }

    public long maxPolicySwapGapNs()
    {
        return maxPolicySwapGapNs;
    }

    /**
     * @param progress where a line per fault goes; null for none.
     * @return this.
     */
    public SoakContext progress(final PrintStream progress)
    {
        this.progress = progress;
        return this;
    }

    public PrintStream progress()
    {
        return progress;
    }

    /**
     * @throws IllegalArgumentException naming the first option out of range.
     */
    void validate()
    {
        require(durationNs > 0, "duration must be > 0");
        require(maxFaults >= 0, "maxFaults must be >= 0");
        require(ratePerSecond > 0 && ratePerSecond <= 100_000, "rate must be in (0, 100000] requests/s");
        require(connections >= 1 && connections <= 64, "connections must be in [1, 64]");
        require(instruments >= 1 && instruments <= 64, "instruments must be in [1, 64]");
        require(snapshotIntervalEntries >= 0, "snapshotIntervalEntries must be >= 0");
        require(loadRunNs >= TimeUnit.SECONDS.toNanos(1), "loadRunNs must be at least 1 s");
        require(minFaultGapNs >= 0 && maxFaultGapNs >= minFaultGapNs, "fault gaps must be 0 <= min <= max");
        require(recoveryTimeoutNs > 0, "recoveryTimeoutNs must be > 0");
        require(nodeStartTimeoutMs > 0, "nodeStartTimeoutMs must be > 0");
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message);
        }
    }
}
