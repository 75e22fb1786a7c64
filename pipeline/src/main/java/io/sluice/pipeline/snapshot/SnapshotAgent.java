package io.sluice.pipeline.snapshot;

import io.sluice.journal.Journal;
import io.sluice.journal.JournalEntryView;
import io.sluice.journal.JournalReader;
import io.sluice.journal.SnapshotInfo;
import io.sluice.journal.SnapshotPolicy;
import io.sluice.journal.SnapshotStore;
import io.sluice.matching.MatchingEngine;
import io.sluice.matching.SilentListener;
import io.sluice.pipeline.sequencer.CommandApplier;
import io.sluice.pipeline.sequencer.ExchangeStateMachine;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.LongSupplier;

/**
 * Takes snapshots without pausing matching: a shadow matching engine follows the journal, applying only entries
 * the journal has already fsynced, and its state is written to the snapshot store whenever the policy says so.
 * Because the shadow applies exactly the journal through the same {@link CommandApplier}, its state at wireSeq S
 * is the state the sequencer had at S. Runs on a background thread; snapshot writes block only that thread.
 * <p>
 * Retention ({@code journal.retention=after-snapshot}): after each snapshot, whole cycle files it covers are
 * deleted, except what a replica slot still reads ({@link SnapshotContext#oldestWireSeqNeededByReplicas}); a replica
 * that comes back from further behind is sent the snapshot. Deleting here, on the thread that has just made the snapshot durable, means a cycle
 * file never goes before a snapshot that covers it is on disk.
 */
public final class SnapshotAgent implements Agent
{
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotAgent.class);
    private static final int MAX_ENTRIES_PER_CYCLE = 4096;

    private final Journal journal;
    private final SnapshotStore store;
    private final SnapshotPolicy policy;
    private final LongSupplier journalPersistedWireSeq;
    private final NanoClock clock;
    private final ExchangeStateMachine shadow;
    private final boolean retention;
    private final LongSupplier oldestWireSeqNeededByReplicas;
    private JournalReader reader;
    /** False until the reader is positioned at appliedWireSeq + 1 (that entry may not be journaled yet). */
    private boolean positioned;
    private long appliedWireSeq;
    private volatile long snapshotsWritten;
    private volatile long lastSnapshotWireSeq;
    /** The newest snapshot this agent loaded or wrote, checked on its own thread; null until it started. */
    private volatile SnapshotInfo newestSnapshot;
    /** Cycle files deleted by retention; written by this agent's thread, read by status. */
    private volatile long cyclesDeleted;

    /**
     * @param context what the agent follows and where it writes; concluded here.
     */
    public SnapshotAgent(final SnapshotContext context)
    {
        context.conclude();
        this.journal = context.journal();
        this.store = context.store();
        this.policy = context.policy();
        this.journalPersistedWireSeq = context.journalPersistedWireSeq();
        this.clock = context.clock();
        this.retention = context.retention();
        this.oldestWireSeqNeededByReplicas = context.oldestWireSeqNeededByReplicas();
        this.shadow = new ExchangeStateMachine(new CommandApplier(new MatchingEngine(context.engineContext(),
            SilentListener.INSTANCE)));
    }

    @Override
    public String roleName()
    {
        return "snapshot";
    }

    @Override
    public void onStart()
    {
        try
        {
            final SnapshotInfo newest = store.loadNewest(shadow);
            appliedWireSeq = newest == null ? journal.firstWireSeq() - 1 : newest.wireSeq();
            lastSnapshotWireSeq = appliedWireSeq;
            newestSnapshot = newest;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot load snapshot for the shadow state", ex);
        }
        policy.reset(appliedWireSeq, clock.nanoTime());
        reader = journal.newReader();
        positioned = reader.seek(appliedWireSeq + 1);
    }

    @Override
    public int doWork() throws IOException
    {
        final long persisted = journalPersistedWireSeq.getAsLong();
        int work = 0;
        if (!positioned)
        {
            // A failed seek leaves the reader nowhere in particular: seek again once the entry exists.
            if (persisted <= appliedWireSeq || !reader.seek(appliedWireSeq + 1))
            {
                return 0;
            }
            positioned = true;
        }
        while (work < MAX_ENTRIES_PER_CYCLE && appliedWireSeq < persisted && reader.next())
        {
            final JournalEntryView entry = reader.entry();
            shadow.apply(entry);
            appliedWireSeq = entry.wireSeq();
            work++;
        }
        if (policy.isDue(appliedWireSeq, clock.nanoTime()))
        {
            final long startNs = clock.nanoTime();
            final SnapshotInfo info = store.write(appliedWireSeq, shadow.epoch(), shadow);
            policy.onSnapshotTaken(appliedWireSeq, clock.nanoTime());
            lastSnapshotWireSeq = appliedWireSeq;
            newestSnapshot = info;
            snapshotsWritten++;
            LOG.info("snapshot written wireSeq={} bytes={} stateHash={} tookMs={}", info.wireSeq(),
                info.stateLengthBytes(), Long.toHexString(info.stateHash()), (clock.nanoTime() - startNs) / 1_000_000);
            work++;
            if (retention)
            {
                retain(info.wireSeq());
            }
        }
        return work;
    }

    private void retain(final long snapshotWireSeq) throws IOException
    {
        // Keep the journal from the oldest snapshot the store still holds, not just the newest: recovery falls back
        // to the older one when the newest is damaged, and needs every entry after it.
        long keepFromSnapshotWireSeq = snapshotWireSeq;
        for (final SnapshotInfo snapshot : store.list())
        {
            if (snapshot.isValid())
            {
                keepFromSnapshotWireSeq = Math.min(keepFromSnapshotWireSeq, snapshot.wireSeq());
            }
        }
        final long oldestNeeded = oldestWireSeqNeededByReplicas.getAsLong();
        final int deleted = journal.deleteCyclesCoveredBy(keepFromSnapshotWireSeq, oldestNeeded);
        if (deleted > 0)
        {
            cyclesDeleted += deleted;
            LOG.info("journal retention deleted {} cycle files; journal now starts at wireSeq {} (oldest snapshot " +
                "kept {}, replicas need from {})", deleted, journal.firstWireSeq(), keepFromSnapshotWireSeq,
                oldestNeeded == Long.MAX_VALUE ? "none" : Long.toString(oldestNeeded));
        }
    }

    /**
     * @return the newest snapshot this agent loaded at start or has written since, already checked (on this agent's
     * thread), or null if there is none yet; any thread. What replication senders offer, so they never read and CRC
     * a whole snapshot file on their own duty cycle.
     */
    public SnapshotInfo newestSnapshot()
    {
        return newestSnapshot;
    }

    public long cyclesDeleted()
    {
        return cyclesDeleted;
    }

    public long snapshotsWritten()
    {
        return snapshotsWritten;
    }

    /**
     * Ask for a snapshot at the next duty cycle; any thread.
     */
    public void requestSnapshot()
    {
        policy.requestNow();
    }

    public long lastSnapshotWireSeq()
    {
        return lastSnapshotWireSeq;
    }

    @Override
    public void onClose()
    {
        if (reader != null)
        {
            reader.close();
        }
    }
}
