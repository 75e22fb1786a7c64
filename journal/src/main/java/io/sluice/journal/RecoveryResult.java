package io.sluice.journal;

/**
 * What {@link Journal#recover} found and did.
 */
public final class RecoveryResult
{
    private final long snapshotWireSeq;
    private final long lastWireSeq;
    private final long lastEpoch;
    private final long entriesReplayed;
    private final String tornTail;

    RecoveryResult(
        final long snapshotWireSeq,
        final long lastWireSeq,
        final long lastEpoch,
        final long entriesReplayed,
        final String tornTail)
    {
        this.snapshotWireSeq = snapshotWireSeq;
        this.lastWireSeq = lastWireSeq;
        this.lastEpoch = lastEpoch;
        this.entriesReplayed = entriesReplayed;
        this.tornTail = tornTail;
    }

    /** {@code wireSeq} covered by the snapshot that was loaded, 0 if recovery started from an empty state. */
    public long snapshotWireSeq()
    {
        return snapshotWireSeq;
    }

    /** Last {@code wireSeq} in the journal (and applied to the state machine); the sequencer continues at +1. */
    public long lastWireSeq()
    {
        return lastWireSeq;
    }

    /** Epoch of the last entry (or of the snapshot if no entry followed it). */
    public long lastEpoch()
    {
        return lastEpoch;
    }

    /** Entries applied after the snapshot. */
    public long entriesReplayed()
    {
        return entriesReplayed;
    }

    /** True if an incomplete final entry was found and cut off. */
    public boolean tornTailDropped()
    {
        return tornTail != null;
    }

    /** Where the dropped torn entry was and why it was judged torn, or null. */
    public String tornTailDescription()
    {
        return tornTail;
    }

    public String toString()
    {
        return "RecoveryResult{snapshotWireSeq=" + snapshotWireSeq + ", lastWireSeq=" + lastWireSeq +
            ", lastEpoch=" + lastEpoch + ", entriesReplayed=" + entriesReplayed +
            (tornTail != null ? ", tornTail=" + tornTail : "") + '}';
    }
}
