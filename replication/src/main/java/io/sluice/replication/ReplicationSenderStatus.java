package io.sluice.replication;

import io.sluice.durability.ReplicationMetrics;

/**
 * What a {@link ReplicationSenderAgent} publishes for other threads (STATUS, {@code /healthz}, metrics, retention,
 * tests): what its slot is doing, how far it has sent, its event counters and its snapshot transfers. Every field is
 * written by the sender's thread only and may be read by any thread. A counter of dropped streams is raised after the
 * slot is deactivated, so a reader that sees it also sees the slot inactive.
 */
abstract class ReplicationSenderStatus
{
    final int slot;
    /** Where the slot's cursors and active flag live; the sender's thread is the slot's only writer. */
    final ReplicationMetrics metrics;
    volatile ReplicationSenderAgent.State state = ReplicationSenderAgent.State.AWAITING_HANDSHAKE;
    volatile long sentWireSeq;
    volatile long handshakesAccepted;
    volatile long handshakesRejected;
    volatile long heartbeatTimeouts;
    volatile long lagDisconnects;
    volatile long imageLosses;
    volatile String lastRejectReason;
    volatile String failureReason;
    /** Lowest wireSeq this slot may still read (snapshot tail or the replica's start); Long.MAX_VALUE if none. */
    volatile long pinnedWireSeq = Long.MAX_VALUE;
    volatile long snapshotWireSeq;
    volatile long snapshotTotalBytes;
    volatile long snapshotSentBytes;
    volatile long snapshotsSent;

    ReplicationSenderStatus(final int slot, final ReplicationMetrics metrics)
    {
        this.slot = slot;
        this.metrics = metrics;
    }

    public int slot()
    {
        return slot;
    }

    public ReplicationSenderAgent.State state()
    {
        return state;
    }

    /**
     * Lowest {@code wireSeq} this slot may still read from the journal: the entry after a snapshot being sent, or
     * the replica's persisted cursor while it streams; {@code Long.MAX_VALUE} while no replica is served. Retention
     * keeps every entry from the lowest of these over all slots. Any thread.
     */
    public long retainFromWireSeq()
    {
        final long pinned = pinnedWireSeq;
        return pinned != Long.MAX_VALUE && metrics.isActive(slot) ?
            Math.max(pinned, metrics.persistedWireSeq(slot)) : pinned;
    }

    /** {@code wireSeq} of the snapshot last offered to the replica; 0 before the first. */
    public long snapshotWireSeq()
    {
        return snapshotWireSeq;
    }

    /** Bytes of the current (or last) snapshot transfer handed to the publication. */
    public long snapshotSentBytes()
    {
        return snapshotSentBytes;
    }

    /** Length of the snapshot file being (or last) sent. */
    public long snapshotTotalBytes()
    {
        return snapshotTotalBytes;
    }

    /** Snapshot transfers sent to the end. */
    public long snapshotsSent()
    {
        return snapshotsSent;
    }

    /** Highest {@code wireSeq} handed to the publication in the current stream (the replica's seed before that). */
    public long sentWireSeq()
    {
        return sentWireSeq;
    }

    public long handshakesAccepted()
    {
        return handshakesAccepted;
    }

    public long handshakesRejected()
    {
        return handshakesRejected;
    }

    /** Streams dropped because the replica went silent for the heartbeat timeout. */
    public long heartbeatTimeouts()
    {
        return heartbeatTimeouts;
    }

    /** Streams dropped because the replica fell more than {@code maxLagEntries} behind for too long. */
    public long lagDisconnects()
    {
        return lagDisconnects;
    }

    /** Streams dropped because the replica's control image went away. */
    public long imageLosses()
    {
        return imageLosses;
    }

    /** Reason given with the last refused handshake, or null. */
    public String lastRejectReason()
    {
        return lastRejectReason;
    }

    /** Why the data publication became unusable, or null. */
    public String failureReason()
    {
        return failureReason;
    }
}
