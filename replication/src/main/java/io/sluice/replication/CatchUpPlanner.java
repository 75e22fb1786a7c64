package io.sluice.replication;

import io.sluice.journal.Journal;
import io.sluice.journal.JournalCorruptionException;
import io.sluice.journal.JournalReader;
import io.sluice.journal.SnapshotInfo;
import io.sluice.journal.SnapshotStore;
import io.sluice.sbe.replication.RejectCode;
import org.agrona.CloseHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.function.Supplier;

/**
 * Decides, for a replica whose handshake passed its version, key, epoch and config checks, how it catches up with
 * this primary's journal from the position it names:
 * <ul>
 *     <li>{@link Plan#JOURNAL}: the journal from just after that position, if the journal holds the entry there
 *     with the same CRC (or was seeded from a snapshot there), or from wireSeq 1 for an empty replica;</li>
 *     <li>{@link Plan#SNAPSHOT}: the newest valid snapshot, then the journal after it, if the journal no longer
 *     holds the position (retention deleted it) or an empty replica asked for a snapshot;</li>
 *     <li>{@link Plan#REJECT}: an entry at the position that differs from the primary's (DIVERGED), a position
 *     past its journal (AHEAD_OF_PRIMARY), or one that needs a snapshot the primary does not have (TOO_FAR_BEHIND,
 *     retried).</li>
 * </ul>
 * What the plan needs is read from the planner until the next {@link #plan}; the reader and the snapshot file it
 * opened pass to the caller. Sender thread only.
 */
final class CatchUpPlanner
{
    /** How the replica catches up. */
    enum Plan
    {
        /** Stream {@link #reader()} from {@link #fromWireSeq()} + 1. */
        JOURNAL,
        /** Send {@link #snapshot()} ({@link #snapshotFile()}), then stream {@link #reader()} after it. */
        SNAPSHOT,
        /** Refuse the handshake with {@link #rejectCode()} and {@link #reason()}. */
        REJECT
    }

    private static final Logger LOG = LoggerFactory.getLogger(CatchUpPlanner.class);

    private final int slot;
    private final Journal journal;
    /** The snapshot writer's newest, checked on its thread; null to check the directory here. */
    private final Supplier<SnapshotInfo> newestSnapshot;
    private final SnapshotStore snapshotStore;
    private JournalReader reader;
    private long fromWireSeq;
    private RejectCode rejectCode;
    private String reason;
    private SnapshotInfo snapshot;
    private FileChannel snapshotFile;
    private long snapshotBytes;
    private long entryCrc32c;

    CatchUpPlanner(final int slot, final Journal journal, final Supplier<SnapshotInfo> newestSnapshot)
    {
        this.slot = slot;
        this.journal = journal;
        this.newestSnapshot = newestSnapshot;
        this.snapshotStore = new SnapshotStore(journal.snapshotDirectory());
    }

    /**
     * @param lastDurableWireSeq the replica's last durable entry, 0 if it has none; not negative.
     * @param lastEntryCrc32c    stored CRC32C of that entry.
     * @param snapshotRequested  an empty replica asks for a snapshot rather than the journal from wireSeq 1.
     */
    Plan plan(
        final int nodeId, final long lastDurableWireSeq, final long lastEntryCrc32c, final boolean snapshotRequested)
    {
        reader = null;
        snapshotFile = null;
        final long firstWireSeq = journal.firstWireSeq();
        if (lastDurableWireSeq > 0 && lastDurableWireSeq >= firstWireSeq)
        {
            // The entry the replica ends at is in the journal: compare CRCs and stream from just after it.
            final JournalReader candidate = journal.newReader();
            final String problem = checkReplicaTail(candidate, nodeId, lastDurableWireSeq, lastEntryCrc32c);
            if (problem == null)
            {
                return journal(candidate, lastDurableWireSeq);
            }
            candidate.close();
            if (lastDurableWireSeq >= journal.firstWireSeq())
            {
                return reject(problem.startsWith("diverged") ? RejectCode.DIVERGED : RejectCode.AHEAD_OF_PRIMARY,
                    problem);
            }
            // Retention raised the journal's start (header first, files after) while this was read: the entry
            // is gone, not different; fall through to a snapshot.
        }
        else if (lastDurableWireSeq == 0 && firstWireSeq == 1 && !snapshotRequested)
        {
            return journal(journal.newReader(), 0);
        }
        else if (lastDurableWireSeq > 0 && lastDurableWireSeq == firstWireSeq - 1 &&
            journal.entryCrc32c(lastDurableWireSeq) >= 0)
        {
            // This journal was seeded from a snapshot at the replica's position: its seed holds the entry's CRC.
            final long primaryCrc32c = journal.entryCrc32c(lastDurableWireSeq);
            if (primaryCrc32c != lastEntryCrc32c)
            {
                return reject(RejectCode.DIVERGED, "diverged: entry wireSeq " + lastDurableWireSeq +
                    " of replica node " + nodeId + " has CRC32C " + Long.toHexString(lastEntryCrc32c) +
                    ", the primary's has " + Long.toHexString(primaryCrc32c) +
                    "; its journal must be set aside and resynced");
            }
            return journal(journal.newReader(), lastDurableWireSeq);
        }
        return planSnapshot(nodeId, lastDurableWireSeq, snapshotRequested);
    }

    /**
     * The newest valid snapshot, with the journal positioned after it; or, with no usable snapshot, the journal
     * from the start (possible only if it still starts at 1) or TOO_FAR_BEHIND (the replica retries: a snapshot may
     * be written meanwhile).
     */
    private Plan planSnapshot(final int nodeId, final long lastDurableWireSeq, final boolean snapshotRequested)
    {
        reason = snapshotRequested ? "replica node " + nodeId + " asked for a snapshot" :
            "replica node " + nodeId + " ends at wireSeq " + lastDurableWireSeq + " but the primary's journal " +
            "starts at " + journal.firstWireSeq();
        snapshot = null;
        String problem = null;
        try
        {
            // The snapshot writer's newest, checked on its thread; otherwise check the directory here (a primary
            // whose snapshot agent has not started yet, or tests without one).
            snapshot = newestSnapshot != null ? newestSnapshot.get() : null;
            if (snapshot == null)
            {
                snapshot = snapshotStore.newestValid();
            }
        }
        catch (final IOException ex)
        {
            problem = "the snapshot directory cannot be read: " + ex;
        }
        JournalReader tail = null;
        FileChannel file = null;
        if (snapshot == null && problem == null)
        {
            problem = "the primary has no valid snapshot";
        }
        else if (snapshot != null)
        {
            final long wireSeq = snapshot.wireSeq();
            entryCrc32c = wireSeq + 1 < journal.firstWireSeq() ? -1 : journal.entryCrc32c(wireSeq);
            if (entryCrc32c < 0)
            {
                problem = "the newest snapshot (wireSeq " + wireSeq + ") is not followed by the journal, which " +
                    "starts at " + journal.firstWireSeq();
            }
            else
            {
                tail = journal.newReader();
                try
                {
                    if (wireSeq >= journal.firstWireSeq() && (!tail.seek(wireSeq) || !tail.next()))
                    {
                        problem = "the primary's journal cannot be positioned after wireSeq " + wireSeq;
                    }
                    else
                    {
                        file = FileChannel.open(snapshot.file(), StandardOpenOption.READ);
                        snapshotBytes = file.size();
                    }
                }
                catch (final IOException | JournalCorruptionException ex)
                {
                    problem = "snapshot " + snapshot.file() + " cannot be opened: " + ex.getMessage();
                }
            }
        }
        if (problem != null)
        {
            if (tail != null)
            {
                tail.close();
            }
            CloseHelper.quietClose(file);
            if (lastDurableWireSeq == 0 && journal.firstWireSeq() == 1)
            {
                LOG.info("replica slot {}: {} but {}; copying the journal from wireSeq 1", slot, reason, problem);
                return journal(journal.newReader(), 0);
            }
            return reject(RejectCode.TOO_FAR_BEHIND, reason + "; it needs a snapshot first, but " + problem);
        }
        reader = tail;
        fromWireSeq = snapshot.wireSeq();
        snapshotFile = file;
        return Plan.SNAPSHOT;
    }

    /**
     * Positions {@code candidate} just after the replica's last entry if the primary holds the same entry there.
     *
     * @return null if it does, else why the replica must be refused (starting "diverged" for a different entry).
     */
    private String checkReplicaTail(
        final JournalReader candidate, final int nodeId, final long lastDurableWireSeq, final long lastEntryCrc32c)
    {
        try
        {
            if (!candidate.seek(lastDurableWireSeq) || !candidate.next())
            {
                return "replica node " + nodeId + " is ahead of the primary: its journal ends at wireSeq " +
                    lastDurableWireSeq + " which the primary's journal does not hold";
            }
            final long primaryCrc32c = candidate.entry().crc32c();
            if (primaryCrc32c != lastEntryCrc32c)
            {
                return "diverged: entry wireSeq " + lastDurableWireSeq + " of replica node " + nodeId +
                    " has CRC32C " + Long.toHexString(lastEntryCrc32c) + ", the primary's has " +
                    Long.toHexString(primaryCrc32c) + "; its journal must be set aside and resynced";
            }
            return null;
        }
        catch (final JournalCorruptionException ex)
        {
            LOG.error("primary journal unreadable at wireSeq {} for replica slot {}", lastDurableWireSeq, slot, ex);
            return "diverged: the primary's journal cannot be read at wireSeq " + lastDurableWireSeq + ": " +
                ex.getMessage();
        }
    }

    private Plan journal(final JournalReader reader, final long fromWireSeq)
    {
        this.reader = reader;
        this.fromWireSeq = fromWireSeq;
        return Plan.JOURNAL;
    }

    private Plan reject(final RejectCode rejectCode, final String reason)
    {
        this.rejectCode = rejectCode;
        this.reason = reason;
        return Plan.REJECT;
    }

    /** The journal positioned after {@link #fromWireSeq()}; JOURNAL and SNAPSHOT. The caller closes it. */
    JournalReader reader()
    {
        return reader;
    }

    /** The replica's position (JOURNAL) or the snapshot's {@code wireSeq} (SNAPSHOT): the stream follows it. */
    long fromWireSeq()
    {
        return fromWireSeq;
    }

    /** REJECT. */
    RejectCode rejectCode()
    {
        return rejectCode;
    }

    /** Why a REJECT; why a snapshot for SNAPSHOT. */
    String reason()
    {
        return reason;
    }

    /** SNAPSHOT: the snapshot to send. */
    SnapshotInfo snapshot()
    {
        return snapshot;
    }

    /** SNAPSHOT: the snapshot file, open for reading; the caller closes it. */
    FileChannel snapshotFile()
    {
        return snapshotFile;
    }

    /** SNAPSHOT: length of the snapshot file. */
    long snapshotBytes()
    {
        return snapshotBytes;
    }

    /** SNAPSHOT: stored CRC32C of the journal entry at the snapshot's {@code wireSeq}. */
    long entryCrc32c()
    {
        return entryCrc32c;
    }
}
