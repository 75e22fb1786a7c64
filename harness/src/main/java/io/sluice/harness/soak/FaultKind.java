package io.sluice.harness.soak;

/**
 * The crash faults a soak injects. Every kill is a SIGKILL: the process gets no chance to flush, sync or say
 * goodbye, so what survives is what its journal already held.
 */
public enum FaultKind
{
    /** A replica is killed at a random moment and restarted; it recovers its journal and catches up. */
    REPLICA_KILL(1, false),

    /**
     * A replica is killed, left down for a while so it falls behind, restarted, and killed again shortly after
     * it came up, while it is still catching up; then restarted for good.
     */
    REPLICA_KILL_DURING_CATCH_UP(2, false),

    /**
     * The primary is killed at a random moment. Once both replicas noticed, the one that applied the most is
     * promoted and the old primary comes back as a replica of it (resynced if it held entries the new primary never
     * had).
     */
    PRIMARY_KILL(1, true),

    /**
     * Like {@link #PRIMARY_KILL}, with the kill a few milliseconds after an admin {@code SNAPSHOT}, so it lands
     * while the snapshot is being written, or just before or after; the run reports which.
     */
    PRIMARY_KILL_DURING_SNAPSHOT(1, true),

    /**
     * Like {@link #PRIMARY_KILL}, and the other replica is killed right after {@code PROMOTE} is sent to the chosen
     * one, while the promotion runs; it restarts as a replica of the new primary.
     */
    KILL_DURING_PROMOTION(2, true),

    /**
     * Like {@link #PRIMARY_KILL}, with the kill the moment a new journal cycle file appears (the soak's journals roll
     * every second), so it lands while the first entries of a new segment are being written.
     */
    PRIMARY_KILL_AT_SEGMENT_ROLL(1, true);

    private final int kills;
    private final boolean killsPrimary;

    FaultKind(final int kills, final boolean killsPrimary)
    {
        this.kills = kills;
        this.killsPrimary = killsPrimary;
    }

    /**
     * @return processes this fault kills.
     */
    public int kills()
    {
        return kills;
    }

    /**
     * @return true if it kills the primary, so a replica is promoted.
     */
    public boolean killsPrimary()
    {
        return killsPrimary;
    }
}
