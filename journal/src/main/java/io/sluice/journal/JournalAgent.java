package io.sluice.journal;

import io.sluice.concurrent.Waker;
import org.HdrHistogram.Recorder;
import java.util.concurrent.atomic.AtomicLongArray;
import net.openhft.chronicle.bytes.MappedBytesStore;
import net.openhft.chronicle.core.Jvm;
import net.openhft.chronicle.core.onoes.ExceptionHandler;
import net.openhft.chronicle.core.onoes.ThreadLocalisedExceptionHandler;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.status.Position;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.zip.CRC32C;

import static io.sluice.journal.EntryLayout.CRC_OFFSET;
import static io.sluice.journal.EntryLayout.MAX_ENTRY_LENGTH;
import static io.sluice.journal.EntryLayout.MIN_ENTRY_LENGTH;
import static io.sluice.journal.EntryLayout.ORDER;
import static io.sluice.journal.EntryLayout.WIRE_SEQ_OFFSET;

/**
 * The journal stage: drains the journal ring (records from {@link JournalPublisher}), appends one Chronicle excerpt
 * per entry with its CRC32C filled in, and after each group (ring drained, or {@link Journal.Context#maxGroupEntries}
 * / {@link Journal.Context#maxGroupBytes} reached) syncs the written range and only then publishes the group's last
 * {@code wireSeq} to the {@code journalPersistedWireSeq} position with release semantics (readers use
 * {@link Position#getAcquire()}). The position never runs ahead of what is on disk; with
 * {@link JournalSyncPolicy#NONE} it means "in the page cache".
 * <p>
 * Any failure to append or sync (an {@code IOException}, an error Chronicle reports, a {@code wireSeq} gap from the
 * sequencer, a malformed record) is fatal for the primary role: the agent stops consuming, keeps the position
 * where it was, and exposes {@link #isFailed()} / {@link #failureReason()} for the pipeline to halt order entry on.
 * <p>
 * Chronicle's {@code appender.sync()} does not throw when msync fails: it reports the error through its own
 * exception handler and returns. The agent therefore installs a thread-local Chronicle error handler while it runs
 * and treats an msync error reported during its sync as a failed sync.
 * <p>
 * A full filesystem is stopped <em>before</em> it is hit: the {@link DiskSpaceGuard} is asked before each group and
 * the agent fails with a "journal disk full" reason while less than its minimum is free. Writing into a full
 * filesystem through Chronicle's memory mapping raises SIGBUS, which HotSpot reports as an {@code InternalError} at
 * some later instruction, after the damaged append (and its msync) may already have returned; the agent still
 * catches that error and reports it as disk full, but only the guard keeps an acknowledged entry safe.
 */
public final class JournalAgent implements Agent, ControlledMessageHandler
{
    /** Forces a group to disk; the test seam for sync failures (see {@link Journal.Context#syncAction}). */
    @FunctionalInterface
    public interface SyncAction
    {
        void sync(ExcerptAppender appender) throws IOException;
    }

    /** Chronicle's msync of the written range (queue built with {@code SyncMode.SYNC}). */
    public static final SyncAction CHRONICLE_SYNC = ExcerptAppender::sync;

    private static final Logger LOG = LoggerFactory.getLogger(JournalAgent.class);
    private static final int NO_CYCLE = Integer.MIN_VALUE;

    private final Journal journal;
    private final RingBuffer ring;
    private final Position journalPersistedWireSeq;
    private final JournalSyncPolicy syncPolicy;
    private final SyncAction syncAction;
    private final int maxGroupEntries;
    private final int maxGroupBytes;
    private final RollCycle rollCycle;
    private final DiskSpaceGuard diskSpaceGuard;
    private final byte[] scratch = new byte[MAX_ENTRY_LENGTH];
    private final UnsafeBuffer scratchBuffer = new UnsafeBuffer(scratch);
    private final CRC32C crc = new CRC32C();
    private final MsyncErrorCapture msyncErrors = new MsyncErrorCapture();

    // Agent-thread state.
    private ExcerptAppender appender;
    private long lastAppendedWireSeq;
    private int groupEntries;
    private int groupBytes;
    private int cycle = NO_CYCLE;
    private long firstWireSeqOfCycle;
    /** Set by {@link #onMessage} when the guard refuses a group; the duty cycle then stops the agent. */
    private boolean diskFull;

    /** Highest wireSeq appended (not necessarily synced), updated per group; written by the agent thread. */
    private volatile long appendedWireSeq;

    /**
     * Cycle and file offset just past the last appended entry, published after each group for the
     * {@link JournalPreparer}; written by the agent thread, cycle before position.
     */
    private volatile int writeCycle = NO_CYCLE;
    private volatile long writePositionBytes = -1;
    private long lastEntryEndBytes = -1;

    private static final int SYNC_COUNT = 0;
    private static final int SYNC_TOTAL_NS = 1;
    private static final int SYNC_MAX_NS = 2;

    /** Group sync count, total and max duration; written by the agent thread only, read by metrics. */
    private final AtomicLongArray syncStats = new AtomicLongArray(3);
    private Recorder syncRecorder;
    /** Woken after a group is appended (before its sync) and after it is persisted; set before the agent starts. */
    private Waker appendWaker = Waker.NONE;
    private Waker persistWaker = Waker.NONE;

    /** Null while healthy; set once, by the agent thread, when the agent stops for good. */
    private volatile String failureReason;

    /**
     * An agent that keeps {@link DiskSpaceGuard#DEFAULT_MIN_FREE_BYTES} free on the journal's filesystem.
     *
     * @param journal                 a recovered journal; appending continues at its last {@code wireSeq} + 1.
     * @param ring                    the journal ring; this agent is its only consumer.
     * @param journalPersistedWireSeq where the persisted cursor is published; set to the recovered last
     *                                {@code wireSeq} when the agent starts.
     */
    public JournalAgent(final Journal journal, final RingBuffer ring, final Position journalPersistedWireSeq)
    {
        this(journal, ring, journalPersistedWireSeq,
            DiskSpaceGuard.of(journal.queueDirectory(), DiskSpaceGuard.DEFAULT_MIN_FREE_BYTES));
    }

    /**
     * @param journal                 a recovered journal; appending continues at its last {@code wireSeq} + 1.
     * @param ring                    the journal ring; this agent is its only consumer.
     * @param journalPersistedWireSeq where the persisted cursor is published; set to the recovered last
     *                                {@code wireSeq} when the agent starts.
     * @param diskSpaceGuard          asked before each group; its minimum must be 0 (off) or at least twice a
     *                                group ({@link Journal.Context#maxGroupBytes()} plus one entry).
     * @throws IllegalArgumentException if the guard's minimum cannot hold a group.
     */
    public JournalAgent(
        final Journal journal,
        final RingBuffer ring,
        final Position journalPersistedWireSeq,
        final DiskSpaceGuard diskSpaceGuard)
    {
        final Journal.Context context = journal.context();
        final long largestGroupBytes = (long)context.maxGroupBytes() + MAX_ENTRY_LENGTH;
        if (diskSpaceGuard.minFreeBytes() != 0 && diskSpaceGuard.minFreeBytes() < 2 * largestGroupBytes)
        {
            throw new IllegalArgumentException("journal minFreeBytes=" + diskSpaceGuard.minFreeBytes() +
                " must be 0 (off) or >= " + 2 * largestGroupBytes + " (twice maxGroupBytes plus one entry)");
        }
        this.diskSpaceGuard = diskSpaceGuard;
        this.journal = journal;
        this.ring = ring;
        this.journalPersistedWireSeq = journalPersistedWireSeq;
        this.syncPolicy = context.syncPolicy();
        this.syncAction = context.syncAction();
        this.maxGroupEntries = context.maxGroupEntries();
        this.maxGroupBytes = context.maxGroupBytes();
        this.rollCycle = journal.queue().rollCycle();

        final Journal.RecoveryState recovered = journal.recoveryState();
        this.lastAppendedWireSeq = recovered.lastWireSeq;
        this.appendedWireSeq = recovered.lastWireSeq;
        if (recovered.lastEntryCycle >= 0)
        {
            this.cycle = recovered.lastEntryCycle;
            this.firstWireSeqOfCycle = recovered.lastWireSeq - recovered.lastEntrySeqInCycle;
        }
    }

    public String roleName()
    {
        return "journal";
    }

    public void onStart()
    {
        appender = journal.queue().createAppender();
        msyncErrors.install();
        journalPersistedWireSeq.setRelease(lastAppendedWireSeq);
    }

    public int doWork()
    {
        if (failureReason != null)
        {
            return 0;
        }
        groupEntries = 0;
        groupBytes = 0;
        int read;
        try
        {
            read = ring.controlledRead(this, maxGroupEntries);
            if (!diskFull && groupEntries < maxGroupEntries && groupBytes < maxGroupBytes)
            {
                // A read stops at the end of the ring's buffer; the records that wrapped join this group.
                read += ring.controlledRead(this, maxGroupEntries - groupEntries);
            }
        }
        catch (final Throwable ex)
        {
            appendedWireSeq = lastAppendedWireSeq;
            failOn("append of wireSeq " + (lastAppendedWireSeq + 1), ex);
            return 1;
        }
        if (diskFull)
        {
            // The guard refused the group before its first entry: nothing of it was appended.
            fail(diskFullReason("usable space below the minimum kept free", diskSpaceGuard.lastUsableBytes()) +
                "; stopped before wireSeq " + (lastAppendedWireSeq + 1), null);
            return 1;
        }
        if (groupEntries > 0)
        {
            appendedWireSeq = lastAppendedWireSeq;
            appendWaker.wake();
            if (syncPolicy == JournalSyncPolicy.EVERY_GROUP)
            {
                try
                {
                    msyncErrors.clear();
                    final long syncStartNs = System.nanoTime();
                    syncAction.sync(appender);
                    recordSync(System.nanoTime() - syncStartNs);
                    final String msyncError = msyncErrors.clear();
                    if (msyncError != null)
                    {
                        throw new IOException(msyncError);
                    }
                }
                catch (final Throwable ex)
                {
                    failOn("sync of wireSeq up to " + lastAppendedWireSeq, ex);
                    return read;
                }
            }
            journalPersistedWireSeq.setRelease(lastAppendedWireSeq);
            persistWaker.wake();
            if (writeCycle != cycle)
            {
                writeCycle = cycle;
            }
            writePositionBytes = lastEntryEndBytes;
        }
        return read;
    }

    public Action onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (msgTypeId != JournalPublisher.ENTRY_MSG_TYPE_ID || length < MIN_ENTRY_LENGTH || length > MAX_ENTRY_LENGTH)
        {
            throw new IllegalStateException("journal ring record type " + msgTypeId + " of " + length + " bytes");
        }
        if (groupEntries == 0 && !hasRoomForGroup())
        {
            diskFull = true;
            return Action.ABORT;
        }
        scratchBuffer.putBytes(0, buffer, index, length);
        final long wireSeq = scratchBuffer.getLong(WIRE_SEQ_OFFSET, ORDER);
        if (wireSeq != lastAppendedWireSeq + 1)
        {
            throw new IllegalStateException("sequencer offered wireSeq " + wireSeq + " after " + lastAppendedWireSeq);
        }
        final String problem = EntryLayout.structureProblem(scratchBuffer, 0, length);
        if (problem != null)
        {
            throw new IllegalStateException("malformed entry wireSeq " + wireSeq + ": " + problem);
        }
        scratchBuffer.putInt(CRC_OFFSET, EntryLayout.crc32c(crc, scratch, 0, length), ORDER);

        try (DocumentContext dc = appender.writingDocument())
        {
            dc.wire().bytes().write(scratch, 0, length);
            lastEntryEndBytes = dc.wire().bytes().writePosition();
        }
        checkIndex(wireSeq, appender.lastIndexAppended());

        lastAppendedWireSeq = wireSeq;
        diskSpaceGuard.onAppended(length);
        groupEntries++;
        groupBytes += length;
        return groupBytes >= maxGroupBytes ? Action.BREAK : Action.CONTINUE;
    }

    private boolean hasRoomForGroup()
    {
        try
        {
            return diskSpaceGuard.hasRoomForGroup();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("journal free-space probe failed: " + ex, ex);
        }
    }

    /**
     * Each cycle file must hold consecutive {@code wireSeq}s from its sequence 0, which is what lets readers find an
     * entry from its {@code wireSeq} through Chronicle's index.
     */
    private void checkIndex(final long wireSeq, final long index)
    {
        final int indexCycle = rollCycle.toCycle(index);
        final long seq = rollCycle.toSequenceNumber(index);
        if (indexCycle != cycle)
        {
            if (seq != 0)
            {
                throw new IllegalStateException("wireSeq " + wireSeq + " opened cycle " + indexCycle +
                    " at sequence " + seq + " instead of 0");
            }
            cycle = indexCycle;
            firstWireSeqOfCycle = wireSeq;
        }
        else if (seq != wireSeq - firstWireSeqOfCycle)
        {
            throw new IllegalStateException("wireSeq " + wireSeq + " got sequence " + seq + " in cycle " + cycle +
                ", expected " + (wireSeq - firstWireSeqOfCycle));
        }
    }

    public void onClose()
    {
        msyncErrors.uninstall();
        if (appender != null)
        {
            appender.close();
            appender = null;
        }
    }

    /** True once the agent has stopped on a failure; order entry must halt. Any thread. */
    public boolean isFailed()
    {
        return failureReason != null;
    }

    /** Why the agent stopped, or null. Any thread. */
    public String failureReason()
    {
        return failureReason;
    }

    /**
     * Wake these stages as the journal advances; before the agent starts.
     *
     * @param onAppend woken after a group is appended and before it is synced: readers of the journal (replication
     *                 senders) can send it while the sync runs.
     * @param onPersist woken after the persisted cursor advances: the stages it gates (the response stage, a
     *                  replica's acknowledgements).
     */
    public void wakers(final Waker onAppend, final Waker onPersist)
    {
        this.appendWaker = onAppend;
        this.persistWaker = onPersist;
    }

    /**
     * Also record each group sync's duration in nanoseconds here (latency trace); before the agent starts.
     */
    public void traceSyncs(final Recorder syncRecorder)
    {
        this.syncRecorder = syncRecorder;
    }

    private void recordSync(final long durationNs)
    {
        if (syncRecorder != null)
        {
            syncRecorder.recordValue(durationNs);
        }
        syncStats.lazySet(SYNC_COUNT, syncStats.get(SYNC_COUNT) + 1);
        syncStats.lazySet(SYNC_TOTAL_NS, syncStats.get(SYNC_TOTAL_NS) + durationNs);
        if (durationNs > syncStats.get(SYNC_MAX_NS))
        {
            syncStats.lazySet(SYNC_MAX_NS, durationNs);
        }
    }

    /**
     * @return group syncs completed; any thread.
     */
    public long syncCount()
    {
        return syncStats.get(SYNC_COUNT);
    }

    /**
     * @return total time spent in group syncs, nanoseconds; any thread.
     */
    public long syncTotalNs()
    {
        return syncStats.get(SYNC_TOTAL_NS);
    }

    /**
     * @return longest single group sync, nanoseconds; any thread.
     */
    public long syncMaxNs()
    {
        return syncStats.get(SYNC_MAX_NS);
    }

    /** Highest {@code wireSeq} appended so far (synced or not). Any thread. */
    public long appendedWireSeq()
    {
        return appendedWireSeq;
    }

    /** Cycle of the last group appended, for the preparer; {@link Integer#MIN_VALUE} before the first. */
    int writeCycle()
    {
        return writeCycle;
    }

    /** File offset just past the last group appended, for the preparer; -1 before the first. */
    long writePositionBytes()
    {
        return writePositionBytes;
    }

    /** Stops on an append or sync error, naming a full disk as such. */
    private void failOn(final String what, final Throwable cause)
    {
        if (DiskSpaceGuard.isDiskFullError(cause))
        {
            fail(diskFullReason(what + " failed: " + cause, diskSpaceGuard.usableBytesNow()), cause);
        }
        else
        {
            fail("journal " + what + " failed: " + cause, cause);
        }
    }

    /** Carries no double quotes: it is shown in JSON and quoted in STATUS. */
    private String diskFullReason(final String detail, final long usableBytes)
    {
        return "journal disk full: " + detail.replace('"', '\'') + "; " + journal.queueDirectory() +
            " has " + usableBytes + " bytes usable, minimum kept free " + diskSpaceGuard.minFreeBytes() + " bytes";
    }

    private void fail(final String reason, final Throwable cause)
    {
        LOG.error("journal stopped dir={} reason=\"{}\"", journal.directory(), reason, cause);
        failureReason = reason;
    }

    /**
     * Thread-local Chronicle error handler that remembers msync failures (Chronicle logs them instead of throwing)
     * and passes every report on to the default handler.
     */
    static final class MsyncErrorCapture implements ExceptionHandler
    {
        private ThreadLocalisedExceptionHandler errors;
        private String lastMsyncError;

        void install()
        {
            final ExceptionHandler handler = Jvm.error();
            if (handler instanceof ThreadLocalisedExceptionHandler)
            {
                errors = (ThreadLocalisedExceptionHandler)handler;
                errors.threadLocalHandler(this);
            }
            else
            {
                LOG.warn("journal msync failure detection unavailable reason=\"Chronicle error handler not thread-local\"");
            }
        }

        void uninstall()
        {
            if (errors != null)
            {
                errors.resetThreadLocalHandler();
                errors = null;
            }
        }

        /** Returns the msync error seen since the last call, if any, and forgets it. */
        String clear()
        {
            final String error = lastMsyncError;
            lastMsyncError = null;
            return error;
        }

        public void on(final Class<?> clazz, final String message, final Throwable thrown)
        {
            if (clazz == MappedBytesStore.class && message != null && message.startsWith("msync failed"))
            {
                lastMsyncError = message;
            }
            final ExceptionHandler fallback = errors != null ? errors.defaultHandler() : null;
            if (fallback != null)
            {
                fallback.on(clazz, message, thrown);
            }
        }

        public void on(final Logger logger, final String message, final Throwable thrown)
        {
            final ExceptionHandler fallback = errors != null ? errors.defaultHandler() : null;
            if (fallback != null)
            {
                fallback.on(logger, message, thrown);
            }
        }
    }
}
