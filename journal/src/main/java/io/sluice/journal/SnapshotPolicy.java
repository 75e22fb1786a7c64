package io.sluice.journal;

/**
 * When to take the next snapshot: every {@code everyEntries} entries, every {@code everyNs} nanoseconds, or on
 * demand, whichever comes first, and only if entries were applied since the last one. The snapshot writer (the
 * pipeline stage that owns the state copy being snapshotted) calls {@link #isDue} on its duty cycle and
 * {@link #onSnapshotTaken} after writing; {@link #requestNow()} may be called from any thread (admin command).
 */
public final class SnapshotPolicy
{
    private final long everyEntries;
    private final long everyNs;

    // Snapshot-writer thread only.
    private long lastSnapshotWireSeq;
    private long lastSnapshotTimeNs;

    /** Set by any thread to ask for a snapshot; cleared by the writer thread when it takes one. */
    private volatile boolean requested;

    /**
     * @param everyEntries entries between snapshots, 0 to disable this trigger.
     * @param everyNs      nanoseconds between snapshots, 0 to disable this trigger.
     */
    public SnapshotPolicy(final long everyEntries, final long everyNs)
    {
        if (everyEntries < 0 || everyNs < 0)
        {
            throw new IllegalArgumentException("snapshot everyEntries=" + everyEntries + " and everyNs=" + everyNs +
                " must be >= 0 (0 disables)");
        }
        this.everyEntries = everyEntries;
        this.everyNs = everyNs;
    }

    /** Starts counting from a state at {@code wireSeq} (after recovery, or after loading a snapshot). */
    public void reset(final long wireSeq, final long nowNs)
    {
        lastSnapshotWireSeq = wireSeq;
        lastSnapshotTimeNs = nowNs;
    }

    /** True if a snapshot of the state at {@code wireSeq} should be written now. */
    public boolean isDue(final long wireSeq, final long nowNs)
    {
        if (wireSeq <= lastSnapshotWireSeq)
        {
            return false;
        }
        return requested ||
            (everyEntries > 0 && wireSeq - lastSnapshotWireSeq >= everyEntries) ||
            (everyNs > 0 && nowNs - lastSnapshotTimeNs >= everyNs);
    }

    /** Asks for a snapshot at the next opportunity. Any thread. */
    public void requestNow()
    {
        requested = true;
    }

    /** Records that a snapshot of the state at {@code wireSeq} was written at {@code nowNs}. */
    public void onSnapshotTaken(final long wireSeq, final long nowNs)
    {
        lastSnapshotWireSeq = wireSeq;
        lastSnapshotTimeNs = nowNs;
        requested = false;
    }

    public long lastSnapshotWireSeq()
    {
        return lastSnapshotWireSeq;
    }
}
