package io.sluice.journal;

import net.openhft.chronicle.core.time.SetTimeProvider;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalPreparerTest
{
    private static final long LEAD = 1024 * 1024;
    private static final long STEP = 256 * 1024;

    @TempDir
    Path dir;

    private static void prepareFully(final JournalPreparer preparer)
    {
        while (preparer.doWork() > 0)
        {
            // until the lead is covered
        }
    }

    @Test
    void shouldPrepareAheadOfTheWriterWithoutChangingAnyEntry() throws IOException
    {
        final long[] hashes;
        try (JournalTestSupport.Writer writer = new JournalTestSupport.Writer(
            JournalTestSupport.context(dir).blockSizeBytes(8L << 20)))
        {
            final JournalPreparer preparer = new JournalPreparer(writer.journal, writer.agent, LEAD, STEP);
            assertEquals(0, preparer.doWork());
            writer.append(1, 100);
            prepareFully(preparer);
            final long writePosition = writer.agent.writePositionBytes();
            assertTrue(preparer.preparedToBytes() >= writePosition + LEAD, preparer.preparedToBytes() + " vs " +
                writePosition);
            assertTrue(preparer.preparedToBytes() < writePosition + LEAD + STEP + JournalPreparer.MARGIN_BYTES);

            for (long wireSeq = 101; wireSeq <= 20_000; wireSeq += 100)
            {
                writer.append(wireSeq, wireSeq + 99);
                preparer.doWork();
            }
            preparer.onClose();
            hashes = JournalTestSupport.prefixHashes(writer.journal, 20_000);
        }
        final JournalTestSupport.Recovered recovered = JournalTestSupport.recover(dir);
        assertEquals(20_000, recovered.result.lastWireSeq());
        assertEquals(hashes[20_000], recovered.state.stateHash());
        assertEquals(JournalVerifier.OK, JournalVerifier.verify(dir, new PrintStream(OutputStream.nullOutputStream())));
    }

    @Test
    void shouldFollowTheWriterIntoTheNextCycleFile() throws IOException
    {
        final SetTimeProvider clock = new SetTimeProvider(TestEntries.BASE_TIME_NS / 1_000_000_000 * 1_000_000_000);
        try (JournalTestSupport.Writer writer = new JournalTestSupport.Writer(
            JournalTestSupport.secondlyContext(dir, clock).blockSizeBytes(4L << 20)))
        {
            final JournalPreparer preparer = new JournalPreparer(writer.journal, writer.agent, LEAD, STEP);
            writer.append(1, 50);
            prepareFully(preparer);
            final long firstFilePrepared = preparer.preparedToBytes();
            clock.advanceMillis(1_000);
            writer.append(51, 52);
            assertEquals(1, preparer.doWork());
            assertTrue(preparer.preparedToBytes() < firstFilePrepared,
                "restarted in the new file: " + preparer.preparedToBytes());
            assertTrue(preparer.preparedToBytes() > writer.agent.writePositionBytes());
            prepareFully(preparer);
            writer.append(53, 3_000);
            preparer.onClose();
        }
        assertEquals(2, JournalTestSupport.cycleFiles(dir).size());
        try (Journal journal = Journal.open(JournalTestSupport.secondlyContext(dir, clock)))
        {
            final RecoveryResult result =
                journal.recover(new SnapshotStore(journal.snapshotDirectory()), new HashingStateMachine());
            assertEquals(3_000, result.lastWireSeq());
        }
    }

    @Test
    void shouldRunAlongsideTheAgentOnItsOwnThread() throws Exception
    {
        final long count = 20_000;
        try (Journal journal = Journal.open(JournalTestSupport.context(dir).blockSizeBytes(4L << 20)))
        {
            journal.recover(new SnapshotStore(journal.snapshotDirectory()), new HashingStateMachine());
            final org.agrona.concurrent.ringbuffer.OneToOneRingBuffer ring = JournalTestSupport.newRing();
            final JournalPublisher publisher = new JournalPublisher(ring);
            final org.agrona.concurrent.status.AtomicLongPosition persisted =
                new org.agrona.concurrent.status.AtomicLongPosition();
            final JournalAgent agent = new JournalAgent(journal, ring, persisted);
            final JournalPreparer preparer = new JournalPreparer(journal, agent, LEAD, STEP);
            try (AgentRunner agentRunner = new AgentRunner(
                new SleepingMillisIdleStrategy(1), Throwable::printStackTrace, null, agent);
                AgentRunner preparerRunner = new AgentRunner(
                    new SleepingMillisIdleStrategy(1), Throwable::printStackTrace, null, preparer))
            {
                AgentRunner.startOnThread(agentRunner);
                AgentRunner.startOnThread(preparerRunner);
                final TestEntries entries = new TestEntries();
                final SleepingMillisIdleStrategy idle = new SleepingMillisIdleStrategy(1);
                for (long wireSeq = 1; wireSeq <= count; wireSeq++)
                {
                    while (!entries.offer(publisher, wireSeq))
                    {
                        idle.idle();
                    }
                }
                final long deadlineMs = System.currentTimeMillis() + 60_000;
                while (persisted.getAcquire() < count && System.currentTimeMillis() < deadlineMs)
                {
                    idle.idle();
                }
                assertFalse(agent.isFailed(), agent::failureReason);
                assertEquals(count, persisted.getAcquire());
                assertTrue(preparer.preparedToBytes() > agent.writePositionBytes());
            }
        }
        final JournalTestSupport.Recovered recovered = JournalTestSupport.recover(dir);
        assertEquals(count, recovered.result.lastWireSeq());
    }

    @Test
    void shouldRejectAStepLargerThanTheLead() throws IOException
    {
        try (JournalTestSupport.Writer writer = new JournalTestSupport.Writer(JournalTestSupport.context(dir)))
        {
            assertThrows(IllegalArgumentException.class,
                () -> new JournalPreparer(writer.journal, writer.agent, STEP, LEAD));
        }
    }
}
