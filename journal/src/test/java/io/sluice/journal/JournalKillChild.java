package io.sluice.journal;

import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.status.AtomicLongPosition;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.locks.LockSupport;

/**
 * Child process for {@link JournalKillRecoveryTest}: recovers the journal in {@code args[0]}, then appends entries
 * as fast as the journal takes them until it is killed. A shadow thread follows the journal with a reader, applies
 * the entries to a {@link HashingStateMachine}, writes a snapshot every 500 entries of persisted state, and prints
 * {@code P <wireSeq> <stateHash>} each time {@code journalPersistedWireSeq} advances.
 */
final class JournalKillChild
{
    private static final int MAX_TRACKED = 2_000_000;

    private JournalKillChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path dir = Paths.get(args[0]);
        final Journal journal = Journal.open(JournalTestSupport.context(dir).maxGroupEntries(32));
        final HashingStateMachine recovered = new HashingStateMachine();
        final RecoveryResult recovery = journal.recover(new SnapshotStore(journal.snapshotDirectory()), recovered);
        System.out.println("RECOVERED " + recovery.lastWireSeq() + " " + recovered.stateHash());

        final OneToOneRingBuffer ring = JournalTestSupport.newRing();
        final JournalPublisher publisher = new JournalPublisher(ring);
        final AtomicLongPosition persisted = new AtomicLongPosition();
        final JournalAgent agent = new JournalAgent(journal, ring, persisted);
        final AgentRunner runner = new AgentRunner(
            new SleepingMillisIdleStrategy(1), Throwable::printStackTrace, null, agent);
        AgentRunner.startOnThread(runner);

        final long startWireSeq = recovery.lastWireSeq();
        final Thread shadow = new Thread(() -> followJournal(journal, recovered, startWireSeq, persisted));
        shadow.setDaemon(true);
        shadow.start();

        final TestEntries entries = new TestEntries();
        for (long wireSeq = startWireSeq + 1; wireSeq < startWireSeq + MAX_TRACKED; wireSeq++)
        {
            while (!entries.offer(publisher, wireSeq))
            {
                LockSupport.parkNanos(50_000);
            }
            if (agent.isFailed())
            {
                System.out.println("FAILED " + agent.failureReason());
                System.exit(3);
            }
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void followJournal(
        final Journal journal,
        final HashingStateMachine state,
        final long startWireSeq,
        final AtomicLongPosition persisted)
    {
        final long[] hashes = new long[MAX_TRACKED];
        final SnapshotStore snapshots = new SnapshotStore(journal.snapshotDirectory());
        long reported = startWireSeq;
        long lastSnapshot = startWireSeq;
        try (JournalReader reader = journal.newReader())
        {
            if (startWireSeq > 0 && !reader.seek(startWireSeq + 1))
            {
                reader.seek(startWireSeq);
                reader.next();
            }
            while (true)
            {
                boolean progressed = false;
                final long persistedWireSeq = persisted.getAcquire();
                while (state.lastWireSeq < persistedWireSeq && reader.next())
                {
                    state.apply(reader.entry());
                    hashes[(int)(state.lastWireSeq - startWireSeq)] = state.stateHash();
                    progressed = true;
                }
                if (state.lastWireSeq - lastSnapshot >= 500)
                {
                    snapshots.write(state.lastWireSeq, TestEntries.EPOCH, state);
                    lastSnapshot = state.lastWireSeq;
                }
                if (state.lastWireSeq > reported)
                {
                    reported = state.lastWireSeq;
                    System.out.println("P " + reported + " " + hashes[(int)(reported - startWireSeq)]);
                    System.out.flush();
                }
                if (!progressed)
                {
                    LockSupport.parkNanos(500_000);
                }
            }
        }
        catch (final Exception ex)
        {
            ex.printStackTrace();
            System.out.println("SHADOW FAILED " + ex);
            System.out.flush();
        }
    }
}
