package io.sluice.replication;

/**
 * What a {@link ReplicationSenderAgent} publishes for other threads (STATUS, {@code /healthz}, metrics, retention,
 * tests): what its slot is doing, how far it has sent, its event counters and its snapshot transfers. Every field is
 * written by the sender's thread only and may be read by any thread. A counter of dropped streams is raised after the
 * slot is deactivated, so a reader that sees it also sees the slot inactive.
 */
abstract class ReplicationSenderStatus
{
    volatile ReplicationSenderAgent.State state = ReplicationSenderAgent.State.AWAITING_HANDSHAKE;
    volatile long sentWireSeq;
    volatile long handshakesAccepted;
    volatile long handshakesRejected;
    volatile long handshakesChallenged;
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

    public ReplicationSenderAgent.State state()
    {
        return state;
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

    /** Unsigned handshakes answered with a challenge (authenticated link). */
    public long handshakesChallenged()
    {
        return handshakesChallenged;
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
