package io.sluice.pipeline.snapshot;

import io.sluice.journal.Journal;
import io.sluice.journal.SnapshotPolicy;
import io.sluice.journal.SnapshotStore;
import io.sluice.matching.MatchingContext;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.function.LongSupplier;

/**
 * What a {@link SnapshotAgent} is built from. {@link #conclude()} fills in defaults and checks every option.
 */
public final class SnapshotContext
{
    private Journal journal;
    private SnapshotStore store;
    private SnapshotPolicy policy;
    private LongSupplier journalPersistedWireSeq;
    private MatchingContext engineContext;
    private NanoClock clock;
    private boolean retention;
    private LongSupplier oldestWireSeqNeededByReplicas;

    /** The recovered journal the shadow engine follows; retention deletes its cycle files. */
    public SnapshotContext journal(final Journal journal)
    {
        this.journal = journal;
        return this;
    }

    public Journal journal()
    {
        return journal;
    }

    /** Where snapshots go; default the journal's snapshot directory. */
    public SnapshotContext store(final SnapshotStore store)
    {
        this.store = store;
        return this;
    }

    public SnapshotStore store()
    {
        return store;
    }

    /** When a snapshot is due ({@code snapshot.interval.entries}, {@code snapshot.interval.seconds}). */
    public SnapshotContext policy(final SnapshotPolicy policy)
    {
        this.policy = policy;
        return this;
    }

    public SnapshotPolicy policy()
    {
        return policy;
    }

    /** The journal's persisted cursor: the shadow applies only what is on disk. */
    public SnapshotContext journalPersistedWireSeq(final LongSupplier journalPersistedWireSeq)
    {
        this.journalPersistedWireSeq = journalPersistedWireSeq;
        return this;
    }

    public LongSupplier journalPersistedWireSeq()
    {
        return journalPersistedWireSeq;
    }

    /** The matching engine options of the node, so the shadow's state equals the sequencer's. */
    public SnapshotContext engineContext(final MatchingContext engineContext)
    {
        this.engineContext = engineContext;
        return this;
    }

    public MatchingContext engineContext()
    {
        return engineContext;
    }

    /** Time for the snapshot interval; default the system nano clock. */
    public SnapshotContext clock(final NanoClock clock)
    {
        this.clock = clock;
        return this;
    }

    public NanoClock clock()
    {
        return clock;
    }

    /** Delete the cycle files each snapshot covers ({@code journal.retention=after-snapshot}); default off. */
    public SnapshotContext retention(final boolean retention)
    {
        this.retention = retention;
        return this;
    }

    public boolean retention()
    {
        return retention;
    }

    /**
     * Lowest wireSeq a replica slot still reads, which retention keeps; {@code Long.MAX_VALUE} when none. Default:
     * none (a replica node has no slots of its own). Asked on the snapshot thread.
     */
    public SnapshotContext oldestWireSeqNeededByReplicas(final LongSupplier oldestWireSeqNeededByReplicas)
    {
        this.oldestWireSeqNeededByReplicas = oldestWireSeqNeededByReplicas;
        return this;
    }

    public LongSupplier oldestWireSeqNeededByReplicas()
    {
        return oldestWireSeqNeededByReplicas;
    }

    /**
     * Fills in defaults and checks every option.
     *
     * @return this.
     * @throws IllegalArgumentException naming the missing option.
     */
    public SnapshotContext conclude()
    {
        if (journal == null || policy == null || journalPersistedWireSeq == null || engineContext == null)
        {
            throw new IllegalArgumentException("snapshot journal, policy, journalPersistedWireSeq and engineContext " +
                "must be set");
        }
        if (store == null)
        {
            store = new SnapshotStore(journal.snapshotDirectory());
        }
        if (clock == null)
        {
            clock = SystemNanoClock.INSTANCE;
        }
        if (oldestWireSeqNeededByReplicas == null)
        {
            oldestWireSeqNeededByReplicas = () -> Long.MAX_VALUE;
        }
        return this;
    }
}
