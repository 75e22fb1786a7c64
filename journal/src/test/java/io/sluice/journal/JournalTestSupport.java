package io.sluice.journal;

import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.AtomicLongPosition;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Builds journals for tests and writes entries through the real publisher, ring and agent, driven on the test
 * thread.
 */
final class JournalTestSupport
{
    static final int RING_BYTES = 64 * 1024;

    private JournalTestSupport()
    {
    }

    static Journal.Context context(final Path dir)
    {
        return new Journal.Context().directory(dir).nodeId(1).blockSizeBytes(64 * 1024);
    }

    /** A context whose cycle files roll every second of the given clock. */
    static Journal.Context secondlyContext(final Path dir, final SetTimeProvider clock)
    {
        return context(dir).rollCycle(TestRollCycles.TEST_SECONDLY).timeProvider(clock);
    }

    static OneToOneRingBuffer newRing()
    {
        return new OneToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect(RING_BYTES + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    /** Opens, recovers and appends on one journal, driving the agent by hand. */
    static final class Writer implements AutoCloseable
    {
        final Journal journal;
        final RecoveryResult recovery;
        final HashingStateMachine state = new HashingStateMachine();
        final OneToOneRingBuffer ring = newRing();
        final JournalPublisher publisher = new JournalPublisher(ring);
        final AtomicLongPosition persisted = new AtomicLongPosition();
        final JournalAgent agent;
        final TestEntries entries = new TestEntries();

        Writer(final Journal.Context context) throws IOException
        {
            journal = Journal.open(context);
            recovery = journal.recover(new SnapshotStore(journal.snapshotDirectory()), state);
            agent = new JournalAgent(journal, ring, persisted);
            agent.onStart();
        }

        /** Appends entries {@code from..to} and waits until they are persisted. */
        Writer append(final long from, final long to)
        {
            for (long wireSeq = from; wireSeq <= to; wireSeq++)
            {
                while (!entries.offer(publisher, wireSeq))
                {
                    agent.doWork();
                }
            }
            drain();
            assertFalse(agent.isFailed(), agent::failureReason);
            assertEquals(to, persisted.getAcquire());
            return this;
        }

        void drain()
        {
            while (ring.consumerPosition() != ring.producerPosition() && !agent.isFailed())
            {
                agent.doWork();
            }
        }

        public void close()
        {
            agent.onClose();
            journal.close();
        }
    }

    /** Recovers a journal into a fresh state machine and closes it again. */
    static Recovered recover(final Path dir) throws IOException
    {
        try (Journal journal = Journal.open(context(dir)))
        {
            final HashingStateMachine state = new HashingStateMachine();
            final RecoveryResult result = journal.recover(new SnapshotStore(journal.snapshotDirectory()), state);
            return new Recovered(result, state);
        }
    }

    static final class Recovered
    {
        final RecoveryResult result;
        final HashingStateMachine state;

        Recovered(final RecoveryResult result, final HashingStateMachine state)
        {
            this.result = result;
            this.state = state;
        }
    }

    /** Hash of the state after entries 1..n, for every n, read back through a {@link JournalReader}. */
    static long[] prefixHashes(final Journal journal, final long lastWireSeq)
    {
        final long[] hashes = new long[(int)lastWireSeq + 1];
        final HashingStateMachine state = new HashingStateMachine();
        hashes[0] = state.stateHash();
        try (JournalReader reader = journal.newReader())
        {
            for (long wireSeq = 1; wireSeq <= lastWireSeq; wireSeq++)
            {
                if (!reader.next())
                {
                    throw new AssertionError("journal ends before wireSeq " + wireSeq);
                }
                state.apply(reader.entry());
                hashes[(int)wireSeq] = state.stateHash();
            }
        }
        return hashes;
    }

    static List<Path> cycleFiles(final Path dir)
    {
        return JournalScanner.listCycleFiles(dir.resolve(Journal.QUEUE_DIRECTORY));
    }

    /** Document header offsets of the data documents (entries) in a cycle file, in order. */
    static List<Long> entryOffsets(final Path cycleFile) throws IOException
    {
        final List<Long> offsets = new ArrayList<>();
        new JournalScanner(List.of(cycleFile)).scan(0, 0, 0, JournalScanner.ANY_WIRE_SEQ,
            JournalScanner.ANY_WIRE_SEQ, 0, (entry, file, headerOffset, seq) -> offsets.add(headerOffset));
        return offsets;
    }

    static void copyTree(final Path from, final Path to)
    {
        try (Stream<Path> stream = Files.walk(from))
        {
            stream.forEach((source) ->
            {
                final Path target = to.resolve(from.relativize(source).toString());
                try
                {
                    if (Files.isDirectory(source))
                    {
                        Files.createDirectories(target);
                    }
                    else
                    {
                        Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            });
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static void deleteTree(final Path root)
    {
        if (!Files.exists(root))
        {
            return;
        }
        try
        {
            Files.walkFileTree(root, new SimpleFileVisitor<>()
            {
                public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException
                {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                public FileVisitResult postVisitDirectory(final Path dir, final IOException exc) throws IOException
                {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
