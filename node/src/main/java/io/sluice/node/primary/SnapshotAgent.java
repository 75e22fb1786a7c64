package io.sluice.node.primary;

import io.sluice.matching.SilentListener;

import io.sluice.journal.Journal;
import io.sluice.journal.JournalEntryView;
import io.sluice.journal.JournalReader;
import io.sluice.journal.SnapshotInfo;
import io.sluice.journal.SnapshotPolicy;
import io.sluice.journal.SnapshotStore;
import io.sluice.matching.MatchingEngine;
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
 */
final class SnapshotAgent implements Agent
{
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotAgent.class);
    private static final int MAX_ENTRIES_PER_CYCLE = 4096;

    private final Journal journal;
    private final SnapshotStore store;
    private final SnapshotPolicy policy;
    private final LongSupplier journalPersistedWireSeq;
    private final NanoClock clock;
    private final ExchangeStateMachine shadow;
    private JournalReader reader;
    private long appliedWireSeq;
    private long snapshotsWritten;
    private volatile long lastSnapshotWireSeq;

    SnapshotAgent(
        final Journal journal,
        final SnapshotStore store,
        final SnapshotPolicy policy,
        final LongSupplier journalPersistedWireSeq,
        final MatchingEngine.Context engineContext,
        final NanoClock clock)
    {
        this.journal = journal;
        this.store = store;
        this.policy = policy;
        this.journalPersistedWireSeq = journalPersistedWireSeq;
        this.clock = clock;
        this.shadow = new ExchangeStateMachine(new CommandApplier(new MatchingEngine(engineContext,
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
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot load snapshot for the shadow state", ex);
        }
        policy.reset(appliedWireSeq, clock.nanoTime());
        reader = journal.newReader();
        reader.seek(appliedWireSeq + 1);
    }

    @Override
    public int doWork() throws IOException
    {
        final long persisted = journalPersistedWireSeq.getAsLong();
        int work = 0;
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
            snapshotsWritten++;
            LOG.info("snapshot written wireSeq={} bytes={} stateHash={} tookMs={}", info.wireSeq(),
                info.stateLengthBytes(), Long.toHexString(info.stateHash()), (clock.nanoTime() - startNs) / 1_000_000);
            work++;
        }
        return work;
    }

    /**
     * Ask for a snapshot at the next duty cycle; any thread.
     */
    void requestSnapshot()
    {
        policy.requestNow();
    }

    long lastSnapshotWireSeq()
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
