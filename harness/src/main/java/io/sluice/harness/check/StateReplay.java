package io.sluice.harness.check;

import io.sluice.journal.Journal;
import io.sluice.journal.JournalCorruptionException;
import io.sluice.journal.JournalReader;
import io.sluice.journal.SnapshotInfo;
import io.sluice.journal.SnapshotStore;
import io.sluice.matching.MatchingContext;
import io.sluice.matching.MatchingEngine;
import io.sluice.matching.MatchingListener;
import io.sluice.pipeline.sequencer.CommandApplier;
import io.sluice.pipeline.sequencer.ExchangeStateMachine;
import org.agrona.IoUtil;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Replays one journal into a fresh matching engine, through the same {@link CommandApplier} the sequencer, recovery
 * and replicas use, up to a chosen {@code wireSeq}, so that nodes can be compared at the same point. A journal that
 * still starts at {@code wireSeq} 1 is replayed from an empty state; one whose early entries retention deleted starts
 * from the newest valid snapshot at or before the target.
 */
final class StateReplay implements AutoCloseable
{
    private final JournalImage image;
    private final MatchingEngine engine;
    private final ExchangeStateMachine stateMachine;
    private Journal journal;
    private JournalReader reader;
    private long appliedWireSeq;
    private long startWireSeq;

    /**
     * @param image         the journal, already read once.
     * @param engineContext the matching options every node of the cluster runs with.
     * @param listener      receives the engine's reports during replay.
     */
    StateReplay(final JournalImage image, final MatchingContext engineContext, final MatchingListener listener)
    {
        this.image = image;
        this.engine = new MatchingEngine(engineContext, listener);
        this.stateMachine = new ExchangeStateMachine(new CommandApplier(engine));
    }

    /**
     * Load the starting state: empty, or a snapshot no later than {@code notAfterWireSeq}.
     *
     * @return null when ready, else why the journal cannot be replayed to that point.
     */
    String start(final long notAfterWireSeq) throws IOException
    {
        if (image.firstWireSeq() > 1)
        {
            final SnapshotInfo snapshot = snapshotAtOrBefore(notAfterWireSeq);
            if (snapshot == null)
            {
                return image.name() + " starts at wireSeq " + image.firstWireSeq() + " and has no valid snapshot " +
                    "between wireSeq " + (image.firstWireSeq() - 1) + " and " + notAfterWireSeq + " to replay from";
            }
            load(snapshot);
            appliedWireSeq = snapshot.wireSeq();
            startWireSeq = appliedWireSeq;
        }
        journal = Journal.open(new Journal.Context().directory(image.directory()).nodeId(image.nodeId()));
        reader = journal.newReader();
        if (appliedWireSeq > 0 && appliedWireSeq < image.lastWireSeq() && !reader.seek(appliedWireSeq + 1))
        {
            return image.name() + ": cannot find wireSeq " + (appliedWireSeq + 1) + " after its snapshot";
        }
        return null;
    }

    /**
     * Apply entries up to and including {@code wireSeq}, or to the end of the journal if it ends first.
     *
     * @return the last wireSeq applied.
     * @throws JournalCorruptionException if an entry is damaged.
     */
    long applyTo(final long wireSeq)
    {
        while (appliedWireSeq < wireSeq && reader.next())
        {
            if (reader.entry().wireSeq() <= appliedWireSeq)
            {
                continue;
            }
            stateMachine.apply(reader.entry());
            appliedWireSeq = reader.entry().wireSeq();
        }
        return appliedWireSeq;
    }

    /**
     * @return the wireSeq the starting state covers: 0 for an empty start, else the snapshot's.
     */
    long startWireSeq()
    {
        return startWireSeq;
    }

    long appliedWireSeq()
    {
        return appliedWireSeq;
    }

    long stateHash()
    {
        return engine.stateHash();
    }

    @Override
    public void close()
    {
        if (reader != null)
        {
            reader.close();
        }
        if (journal != null)
        {
            journal.close();
        }
    }

    private SnapshotInfo snapshotAtOrBefore(final long wireSeq) throws IOException
    {
        final SnapshotStore store = new SnapshotStore(image.directory().resolve(Journal.SNAPSHOT_DIRECTORY));
        for (final SnapshotInfo snapshot : store.list())
        {
            if (snapshot.isValid() && snapshot.wireSeq() <= wireSeq && snapshot.wireSeq() >= image.firstWireSeq() - 1)
            {
                return snapshot;
            }
        }
        return null;
    }

    /**
     * The store loads only its newest snapshot, which may be past the target: load the chosen one from a private
     * copy, leaving the node's directory untouched.
     */
    private void load(final SnapshotInfo snapshot) throws IOException
    {
        final Path scratch = Files.createTempDirectory("sluice-check-snapshot");
        try
        {
            Files.copy(snapshot.file(), scratch.resolve(snapshot.file().getFileName()),
                StandardCopyOption.COPY_ATTRIBUTES);
            if (new SnapshotStore(scratch).loadNewest(stateMachine) == null)
            {
                throw new IOException("snapshot " + snapshot.file() + " did not load");
            }
        }
        finally
        {
            IoUtil.delete(scratch.toFile(), true);
        }
    }
}
