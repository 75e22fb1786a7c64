package io.sluice.journal;

import io.sluice.sbe.journal.EntryType;
import net.openhft.chronicle.bytes.MappedBytesStore;
import net.openhft.chronicle.core.Jvm;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.status.AtomicLongPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalAgentTest
{
    @TempDir
    Path dir;

    @Test
    void shouldAppendEntriesAndPublishPersistedWireSeqAfterSync() throws IOException
    {
        final AtomicInteger syncs = new AtomicInteger();
        final Journal.Context context = JournalTestSupport.context(dir).syncAction((appender) ->
        {
            syncs.incrementAndGet();
            appender.sync();
        });
        try (JournalTestSupport.Writer writer = new JournalTestSupport.Writer(context))
        {
            assertEquals(0, writer.persisted.getAcquire());
            for (long wireSeq = 1; wireSeq <= 10; wireSeq++)
            {
                assertTrue(writer.entries.offer(writer.publisher, wireSeq));
            }
            assertEquals(0, writer.persisted.getAcquire());
            writer.agent.doWork();
            assertEquals(10, writer.persisted.getAcquire());
            assertEquals(1, syncs.get());
            assertEquals(10, writer.agent.appendedWireSeq());

            try (JournalReader reader = writer.journal.newReader())
            {
                for (long wireSeq = 1; wireSeq <= 10; wireSeq++)
                {
                    assertTrue(reader.next());
                    final JournalEntryView entry = reader.entry();
                    assertEquals(wireSeq, entry.wireSeq());
                    assertEquals(TestEntries.BASE_TIME_NS + wireSeq * 1_000, entry.timestampNs());
                    assertEquals(TestEntries.EPOCH, entry.epoch());
                    if (entry.entryType() == EntryType.CLIENT_COMMAND)
                    {
                        assertEquals(TestEntries.sessionOf(wireSeq), entry.sessionId());
                        assertEquals(wireSeq, entry.requestSeq());
                    }
                }
                assertFalse(reader.next());
            }
        }
    }

    @Test
    void shouldLetAReplicaCheckAndRepublishAnEntryItReceived() throws IOException
    {
        final Path replicaDir = dir.resolve("replica");
        final long primaryHash;
        try (JournalTestSupport.Writer primary = new JournalTestSupport.Writer(
            JournalTestSupport.context(dir.resolve("primary")));
            JournalTestSupport.Writer replica = new JournalTestSupport.Writer(JournalTestSupport.context(replicaDir));
            JournalReader reader = primary.journal.newReader())
        {
            primary.append(1, 5);
            final org.agrona.concurrent.UnsafeBuffer received = new org.agrona.concurrent.UnsafeBuffer(new byte[512]);
            final JournalEntryView view = new JournalEntryView();
            while (reader.next())
            {
                final JournalEntryView entry = reader.entry();
                received.putBytes(0, entry.buffer(), entry.offset(), entry.length());
                assertEquals(null, view.wrap(received, 0, entry.length()).problem());
                assertTrue(replica.publisher.offerEncoded(received, 0, entry.length()));
            }
            replica.drain();
            assertEquals(5, replica.persisted.getAcquire());

            final int damaged = EntryLayout.COMMAND_OFFSET + 3;
            received.putByte(damaged, (byte)(received.getByte(damaged) ^ 1));
            assertTrue(view.problem().contains("CRC mismatch"), view.problem());
            primaryHash = JournalTestSupport.prefixHashes(primary.journal, 5)[5];
        }
        final JournalTestSupport.Recovered recovered = JournalTestSupport.recover(replicaDir);
        assertEquals(5, recovered.result.lastWireSeq());
        assertEquals(primaryHash, recovered.state.stateHash());
    }

    @Test
    void shouldSyncOncePerGroupBoundedByMaxGroupEntries() throws IOException
    {
        final AtomicInteger syncs = new AtomicInteger();
        final Journal.Context context = JournalTestSupport.context(dir).maxGroupEntries(4).syncAction((appender) ->
        {
            syncs.incrementAndGet();
            appender.sync();
        });
        try (JournalTestSupport.Writer writer = new JournalTestSupport.Writer(context))
        {
            for (long wireSeq = 1; wireSeq <= 10; wireSeq++)
            {
                assertTrue(writer.entries.offer(writer.publisher, wireSeq));
            }
            assertEquals(4, writer.agent.doWork());
            assertEquals(4, writer.persisted.getAcquire());
            assertEquals(4, writer.agent.doWork());
            assertEquals(8, writer.persisted.getAcquire());
            assertEquals(2, writer.agent.doWork());
            assertEquals(10, writer.persisted.getAcquire());
            assertEquals(0, writer.agent.doWork());
            assertEquals(3, syncs.get());
        }
    }

    @Test
    void shouldEndGroupAtMaxGroupBytes() throws IOException
    {
        final Journal.Context context = JournalTestSupport.context(dir).maxGroupBytes(EntryLayout.MAX_ENTRY_LENGTH);
        try (JournalTestSupport.Writer writer = new JournalTestSupport.Writer(context))
        {
            for (long wireSeq = 1; wireSeq <= 100; wireSeq++)
            {
                assertTrue(writer.entries.offer(writer.publisher, wireSeq));
            }
            final int first = writer.agent.doWork();
            assertTrue(first > 1 && first < 100, "group of " + first);
            assertEquals(first, writer.persisted.getAcquire());
            writer.drain();
            assertEquals(100, writer.persisted.getAcquire());
        }
    }

    @Test
    void shouldNotSyncWhenSyncPolicyIsNone() throws IOException
    {
        final AtomicInteger syncs = new AtomicInteger();
        final Journal.Context context = JournalTestSupport.context(dir)
            .syncPolicy(JournalSyncPolicy.NONE)
            .syncAction((appender) -> syncs.incrementAndGet());
        try (JournalTestSupport.Writer writer = new JournalTestSupport.Writer(context))
        {
            writer.append(1, 20);
            assertEquals(0, syncs.get());
            assertEquals(20, writer.persisted.getAcquire());
        }
    }

    @Test
    void shouldStopAndHoldPersistedWireSeqWhenSyncFails() throws IOException
    {
        final AtomicInteger syncs = new AtomicInteger();
        final Journal.Context context = JournalTestSupport.context(dir).syncAction((appender) ->
        {
            if (syncs.incrementAndGet() == 2)
            {
                throw new IOException("injected EIO");
            }
            appender.sync();
        });
        try (JournalTestSupport.Writer writer = new JournalTestSupport.Writer(context))
        {
            writer.append(1, 3);
            for (long wireSeq = 4; wireSeq <= 6; wireSeq++)
            {
                assertTrue(writer.entries.offer(writer.publisher, wireSeq));
            }
            writer.agent.doWork();

            assertTrue(writer.agent.isFailed());
            assertTrue(writer.agent.failureReason().contains("injected EIO"), writer.agent.failureReason());
            assertTrue(writer.agent.failureReason().contains("sync"), writer.agent.failureReason());
            assertEquals(3, writer.persisted.getAcquire());
            assertEquals(6, writer.agent.appendedWireSeq());

            assertTrue(writer.entries.offer(writer.publisher, 7));
            assertEquals(0, writer.agent.doWork());
            assertEquals(3, writer.persisted.getAcquire());
            assertEquals(2, syncs.get());
        }
    }

    @Test
    void shouldTreatMsyncErrorReportedByChronicleAsSyncFailure() throws IOException
    {
        final Journal.Context context = JournalTestSupport.context(dir).syncAction((appender) ->
        {
            appender.sync();
            // What Chronicle's MappedBytesStore does when msync returns an error: report it and carry on.
            Jvm.error().on(MappedBytesStore.class, "msync failed, Input/output error, ret=-1 " + dir + " 0 1000");
        });
        try (JournalTestSupport.Writer writer = new JournalTestSupport.Writer(context))
        {
            assertTrue(writer.entries.offer(writer.publisher, 1));
            writer.agent.doWork();
            assertTrue(writer.agent.isFailed());
            assertTrue(writer.agent.failureReason().contains("msync failed"), writer.agent.failureReason());
            assertEquals(0, writer.persisted.getAcquire());
        }
    }

    @Test
    void shouldStopWhenSequencerSkipsAWireSeq() throws IOException
    {
        try (JournalTestSupport.Writer writer = new JournalTestSupport.Writer(JournalTestSupport.context(dir)))
        {
            writer.append(1, 2);
            assertTrue(writer.entries.offer(writer.publisher, 4));
            writer.agent.doWork();
            assertTrue(writer.agent.isFailed());
            assertTrue(writer.agent.failureReason().contains("wireSeq 4 after 2"), writer.agent.failureReason());
            assertEquals(2, writer.persisted.getAcquire());
        }
    }

    @Test
    void shouldContinueFromRecoveredWireSeqAfterReopen() throws IOException
    {
        try (JournalTestSupport.Writer writer = new JournalTestSupport.Writer(JournalTestSupport.context(dir)))
        {
            writer.append(1, 5);
        }
        try (JournalTestSupport.Writer writer = new JournalTestSupport.Writer(JournalTestSupport.context(dir)))
        {
            assertEquals(5, writer.recovery.lastWireSeq());
            assertEquals(5, writer.persisted.getAcquire());
            writer.append(6, 9);
        }
        final JournalTestSupport.Recovered recovered = JournalTestSupport.recover(dir);
        assertEquals(9, recovered.result.lastWireSeq());
        assertEquals(9, recovered.state.applied);
    }

    @Test
    void shouldRefuseToStartOnJournalThatWasNotRecovered() throws IOException
    {
        try (Journal journal = Journal.open(JournalTestSupport.context(dir)))
        {
            assertThrows(IllegalStateException.class,
                () -> new JournalAgent(journal, JournalTestSupport.newRing(), new AtomicLongPosition()));
        }
    }

    @Test
    void shouldPersistWhileLiveReadersFollowOnOtherThreads() throws Exception
    {
        final long count = 5_000;
        try (Journal journal = Journal.open(JournalTestSupport.context(dir).maxGroupEntries(64)))
        {
            journal.recover(new SnapshotStore(journal.snapshotDirectory()), new HashingStateMachine());
            final org.agrona.concurrent.ringbuffer.OneToOneRingBuffer ring = JournalTestSupport.newRing();
            final JournalPublisher publisher = new JournalPublisher(ring);
            final AtomicLongPosition persisted = new AtomicLongPosition();
            final JournalAgent agent = new JournalAgent(journal, ring, persisted);
            final AtomicLong[] readerLast = {new AtomicLong(), new AtomicLong()};
            final Thread[] readers = new Thread[2];
            for (int i = 0; i < readers.length; i++)
            {
                final AtomicLong last = readerLast[i];
                readers[i] = new Thread(() ->
                {
                    try (JournalReader reader = journal.newReader())
                    {
                        final HashingStateMachine state = new HashingStateMachine();
                        final SleepingMillisIdleStrategy idle = new SleepingMillisIdleStrategy(1);
                        while (last.get() < count)
                        {
                            if (reader.next())
                            {
                                state.apply(reader.entry());
                                last.set(reader.entry().wireSeq());
                            }
                            else
                            {
                                idle.idle();
                            }
                        }
                    }
                });
                readers[i].start();
            }
            try (AgentRunner runner = new AgentRunner(new SleepingMillisIdleStrategy(1), Throwable::printStackTrace,
                null, agent))
            {
                AgentRunner.startOnThread(runner);
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
                while (persisted.getAcquire() < count && !agent.isFailed() && System.currentTimeMillis() < deadlineMs)
                {
                    idle.idle();
                }
                assertFalse(agent.isFailed(), agent::failureReason);
                assertEquals(count, persisted.getAcquire());
                for (final Thread reader : readers)
                {
                    reader.join(60_000);
                }
            }
            assertEquals(count, readerLast[0].get());
            assertEquals(count, readerLast[1].get());
        }
    }
}
