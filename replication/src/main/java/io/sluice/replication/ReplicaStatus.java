package io.sluice.replication;

import io.sluice.sbe.replication.RejectCode;

import java.util.function.LongSupplier;

/**
 * What a {@link ReplicaAgent} publishes for other threads (STATUS, {@code /healthz}, metrics, tests): where it stands,
 * the primary it follows, its event counters and its snapshot transfers. Every field is written by the agent's thread
 * only and may be read by any thread. Event counters are raised after the state change they count, so a reader that
 * sees a count also sees that change.
 */
abstract class ReplicaStatus
{
    /** The journal agent's persisted cursor; read by any thread. */
    final LongSupplier journalPersistedWireSeq;
    volatile ReplicaAgent.State state = ReplicaAgent.State.AWAITING_DURABLE;
    volatile long appliedWireSeq;
    volatile long lastEntryCrc32c;
    volatile long epoch;
    volatile long primaryEpoch;
    volatile long primaryLastWireSeq;
    volatile int primaryNodeId = -1;
    volatile long entriesApplied;
    volatile long handshakesSent;
    volatile long rehandshakes;
    volatile long gaps;
    volatile long repeatedEntries;
    volatile long badEntries;
    volatile long primaryTimeouts;
    volatile long staleEpochRefusals;
    volatile long ringFullEvents;
    volatile RejectCode rejectCode;
    volatile String rejectReason;
    volatile String lastRehandshakeReason;
    volatile String failureReason;
    volatile ReplicaAgent.StateHash stateHash;
    volatile long snapshotReceivedBytes;
    volatile long snapshotTotalBytes;
    volatile long snapshotsInstalled;
    volatile long snapshotTransferFailures;
    volatile long lastInstalledSnapshotWireSeq;

    /** Set by any thread to ask the agent for a fresh {@link #stateHash()}; cleared by the agent thread. */
    volatile boolean stateHashRequested;

    ReplicaStatus(final LongSupplier journalPersistedWireSeq)
    {
        this.journalPersistedWireSeq = journalPersistedWireSeq;
    }


    public ReplicaAgent.State state()
    {
        return state;
    }

    /** Last {@code wireSeq} applied to the state machine (the in-memory cursor). */
    public long appliedWireSeq()
    {
        return appliedWireSeq;
    }

    /** Last {@code wireSeq} the journal has synced (the persisted cursor). */
    public long persistedWireSeq()
    {
        return Math.min(journalPersistedWireSeq.getAsLong(), appliedWireSeq);
    }

    /**
     * Last {@code wireSeq} this replica's journal has synced, straight from the journal agent. It can run ahead of
     * {@link #appliedWireSeq()} for the length of a batch (entries are journaled before the batch's applied cursor is
     * published), which {@link #persistedWireSeq()} hides by taking the lower of the two.
     */
    public long journalPersistedWireSeq()
    {
        return journalPersistedWireSeq.getAsLong();
    }

    /** Stored CRC32C of the entry at {@link #appliedWireSeq()}, 0 if none. */
    public long lastEntryCrc32c()
    {
        return lastEntryCrc32c;
    }

    /** Highest epoch this replica has journaled (or was started with). */
    public long epoch()
    {
        return epoch;
    }

    /** Epoch of the primary being followed, from its StreamStart and heartbeats; 0 before the first. */
    public long primaryEpoch()
    {
        return primaryEpoch;
    }

    /** Last {@code wireSeq} in the primary's journal as of its latest heartbeat; 0 before the first. */
    public long primaryLastWireSeq()
    {
        return primaryLastWireSeq;
    }

    /** Entries the primary has that this replica has not applied, as of the primary's latest heartbeat. */
    public long lagEntries()
    {
        return Math.max(0, primaryLastWireSeq - appliedWireSeq);
    }

    /** Node id of the primary last followed, -1 before the first. */
    public int primaryNodeId()
    {
        return primaryNodeId;
    }

    /** Asks the agent to compute {@link #stateHash()} on its thread at its next duty cycle that may touch state. */
    public void requestStateHash()
    {
        stateHashRequested = true;
    }

    /** The newest state hash computed on request, or null before the first. */
    public ReplicaAgent.StateHash stateHash()
    {
        return stateHash;
    }

    public long entriesApplied()
    {
        return entriesApplied;
    }

    public long handshakesSent()
    {
        return handshakesSent;
    }

    /** Times the replica stopped following and handshook again (gap, bad entry, silence, lost stream). */
    public long rehandshakes()
    {
        return rehandshakes;
    }

    /** Entries received again after they were applied (a restarted stream), and passed over. */
    public long repeatedEntries()
    {
        return repeatedEntries;
    }

    /** Entries that arrived out of sequence. */
    public long gaps()
    {
        return gaps;
    }

    /** Entries (or batches) that failed their structure or CRC check. */
    public long badEntries()
    {
        return badEntries;
    }

    public long primaryTimeouts()
    {
        return primaryTimeouts;
    }

    /** StreamStarts or heartbeats refused because the primary's epoch was older than this replica's. */
    public long staleEpochRefusals()
    {
        return staleEpochRefusals;
    }

    /** Batches left for later because the journal ring was full. */
    public long ringFullEvents()
    {
        return ringFullEvents;
    }

    /** Bytes of the current (or last) snapshot transfer received. */
    public long snapshotReceivedBytes()
    {
        return snapshotReceivedBytes;
    }

    /** Length of the snapshot being (or last) received; 0 before the first. */
    public long snapshotTotalBytes()
    {
        return snapshotTotalBytes;
    }

    /** Snapshots received, verified and installed. */
    public long snapshotsInstalled()
    {
        return snapshotsInstalled;
    }

    /** Snapshot transfers abandoned (link lost, primary silent, CRC or format check failed); each is retried. */
    public long snapshotTransferFailures()
    {
        return snapshotTransferFailures;
    }

    /** {@code wireSeq} of the last snapshot installed; 0 if none. */
    public long lastInstalledSnapshotWireSeq()
    {
        return lastInstalledSnapshotWireSeq;
    }

    /** Code of the last handshake refusal, or null. */
    public RejectCode rejectCode()
    {
        return rejectCode;
    }

    /** Reason the primary gave for the last handshake refusal, or null. */
    public String rejectReason()
    {
        return rejectReason;
    }

    public String lastRehandshakeReason()
    {
        return lastRehandshakeReason;
    }

    public String failureReason()
    {
        return failureReason;
    }
}
