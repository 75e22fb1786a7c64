package io.sluice.harness.floor;

import io.sluice.journal.DiskSpaceGuard;
import io.sluice.journal.Journal;
import io.sluice.journal.JournalAgent;
import io.sluice.journal.JournalEntryView;
import io.sluice.journal.JournalPublisher;
import io.sluice.journal.JournalStateMachine;
import io.sluice.journal.SnapshotStore;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.AtomicLongPosition;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Function;

/**
 * Groups of journal-sized entries made durable, two ways: {@link JournalGroups} the way a node's journal does it, and
 * {@link RawGroups} with a plain file. Each call appends one group and returns once it is on disk; the caller times
 * it. Single-threaded: they measure the disk path, not thread hand-offs.
 */
public final class SyncProbe
{
    /**
     * Command bytes of each entry: with the journal's header a stored entry of about 160 bytes, within the
     * 64-128-byte command range the journal carries.
     */
    public static final int JOURNAL_COMMAND_BYTES = 96;

    private SyncProbe()
    {
    }

    /**
     * @return bytes of a stored journal entry with a {@link #JOURNAL_COMMAND_BYTES}-byte command.
     */
    public static int journalEntryBytes()
    {
        return FloorMessages.journalEntryBytes();
    }

    /**
     * Sluice's journal on the calling thread: each group's commands are offered to the journal ring through a
     * {@link JournalPublisher}, and the {@link JournalAgent} duty cycle runs until the persisted cursor covers the
     * group: Chronicle Queue appends, the agent's sync ({@code appender.sync()}, an msync of the written range, when
     * the journal syncs every group) and the cursor's release.
     */
    public static final class JournalGroups implements AutoCloseable
    {
        private final Journal journal;
        private final JournalAgent agent;
        private final JournalPublisher publisher;
        private final AtomicLongPosition persistedWireSeq;
        private final UnsafeBuffer command = new UnsafeBuffer(new byte[JOURNAL_COMMAND_BYTES]);
        private final int groupSize;
        private long wireSeq;

        private JournalGroups(
            final Journal journal,
            final JournalAgent agent,
            final JournalPublisher publisher,
            final AtomicLongPosition persistedWireSeq,
            final int groupSize)
        {
            this.journal = journal;
            this.agent = agent;
            this.publisher = publisher;
            this.persistedWireSeq = persistedWireSeq;
            this.groupSize = groupSize;
        }

        /**
         * Open and recover the journal of {@code context} (a new one in an empty directory) and start an agent on
         * it.
         *
         * @param context   the journal's options, e.g. a node's ({@code PrimaryNode.journalContext}).
         * @param guard     the agent's free-space guard for the opened journal.
         * @param groupSize entries per group.
         * @return the open journal.
         * @throws IOException if the journal cannot be opened.
         */
        public static JournalGroups open(
            final Journal.Context context, final Function<Journal, DiskSpaceGuard> guard, final int groupSize)
            throws IOException
        {
            final Journal journal = Journal.open(context);
            try
            {
                journal.recover(new SnapshotStore(journal.snapshotDirectory()), NoState.INSTANCE);
                final OneToOneRingBuffer ring = new OneToOneRingBuffer(new UnsafeBuffer(
                    ByteBuffer.allocateDirect((1 << 20) + RingBufferDescriptor.TRAILER_LENGTH)));
                final AtomicLongPosition persisted = new AtomicLongPosition();
                final JournalAgent agent = new JournalAgent(journal, ring, persisted, guard.apply(journal));
                final JournalGroups groups = new JournalGroups(journal, agent, new JournalPublisher(ring), persisted,
                    groupSize);
                groups.wireSeq = journal.lastWireSeq();
                agent.onStart();
                return groups;
            }
            catch (final IOException | RuntimeException ex)
            {
                journal.close();
                throw ex;
            }
        }

        /**
         * Append one group and return once the journal's persisted cursor covers it.
         *
         * @throws IOException if the journal agent stopped on a failure.
         */
        public void appendAndSync() throws IOException
        {
            final long timestampNs = System.nanoTime();
            for (int i = 0; i < groupSize; i++)
            {
                wireSeq++;
                command.putLong(0, wireSeq);
                if (!publisher.offerClientCommand(wireSeq, timestampNs, 1, 1, wireSeq, 1, command, 0,
                    JOURNAL_COMMAND_BYTES))
                {
                    throw new IOException("journal ring full at wireSeq " + wireSeq);
                }
            }
            while (persistedWireSeq.getAcquire() < wireSeq)
            {
                agent.doWork();
                if (agent.isFailed())
                {
                    throw new IOException("journal failed: " + agent.failureReason());
                }
            }
        }

        @Override
        public void close()
        {
            agent.onClose();
            journal.close();
        }
    }

    /**
     * A plain file: each group's bytes go in with {@code FileChannel.write} and {@code force(false)} (fdatasync)
     * makes them durable. The file is filled with zeros and forced up front, and groups are written over it in
     * turn (from its start again once they reach its end), so a force flushes the written data and no change of
     * size or block allocation: the least the filesystem can do to make an append durable.
     */
    public static final class RawGroups implements AutoCloseable
    {
        private final FileChannel channel;
        private final ByteBuffer group;
        private final long lengthBytes;
        private long positionBytes;

        private RawGroups(final FileChannel channel, final int groupBytes, final long groupsInFile)
        {
            this.channel = channel;
            this.group = ByteBuffer.allocateDirect(groupBytes);
            this.lengthBytes = groupsInFile * groupBytes;
        }

        /**
         * @param file           to create.
         * @param entryBytes     bytes of each entry.
         * @param groupSize      entries per group.
         * @param expectedGroups how many groups the caller expects to write: the file holds that many (at least
         *                       one) before it is written over from its start.
         * @return the open file, filled and forced.
         * @throws IOException if it cannot be created or filled.
         */
        public static RawGroups open(final Path file, final int entryBytes, final int groupSize,
            final long expectedGroups) throws IOException
        {
            final FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try
            {
                final RawGroups raw = new RawGroups(channel, entryBytes * groupSize, Math.max(1, expectedGroups));
                raw.fillWithZeros();
                return raw;
            }
            catch (final IOException | RuntimeException ex)
            {
                channel.close();
                throw ex;
            }
        }

        private void fillWithZeros() throws IOException
        {
            final ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 16);
            long position = 0;
            while (position < lengthBytes)
            {
                zeros.clear().limit((int)Math.min(zeros.capacity(), lengthBytes - position));
                position += channel.write(zeros, position);
            }
            channel.force(true);
        }

        /**
         * Write one group and force it to disk.
         *
         * @throws IOException if the write or the force fails.
         */
        public void writeAndForce() throws IOException
        {
            if (positionBytes + group.capacity() > lengthBytes)
            {
                positionBytes = 0;
            }
            group.clear();
            while (group.hasRemaining())
            {
                positionBytes += channel.write(group, positionBytes);
            }
            channel.force(false);
        }

        @Override
        public void close() throws IOException
        {
            channel.close();
        }
    }

    /** The probes journal bytes; nothing applies them. */
    static final class NoState implements JournalStateMachine
    {
        static final NoState INSTANCE = new NoState();

        public void loadState(final DirectBuffer buffer, final int offset, final int length)
        {
        }

        public void apply(final JournalEntryView entry)
        {
        }

        public int writeState(final MutableDirectBuffer buffer, final int offset)
        {
            return 0;
        }

        public long stateHash()
        {
            return 0;
        }
    }
}
