package io.sluice.journal;

import org.agrona.IoUtil;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * Optional companion of the {@link JournalAgent} that gets the pages ahead of the writer allocated on disk, off
 * the hot path, so a group sync writes into blocks that already exist instead of allocating them. Chronicle cycle
 * files are sparse; syncing an append that lands in a hole also commits the block allocation, which on this
 * machine made a 16-entry group sync about 20% slower at the median (see the module README for the measurement).
 * Chronicle Queue's own pretoucher is not usable in the open-source build.
 * <p>
 * Each step touches every page of the next {@code stepBytes} ahead of the write position with a compare-and-set of
 * 0 to 0 (it never changes a byte, so racing the writer is harmless, and it keeps at least 64 KiB away from it),
 * then msyncs that range. It stays within the file's current length (Chronicle grows it chunk by chunk) and
 * follows the writer into each new cycle file. Run it on a non-critical thread; any failure only stops preparing.
 */
public final class JournalPreparer implements Agent
{
    public static final long DEFAULT_LEAD_BYTES = 16L * 1024 * 1024;
    public static final long DEFAULT_STEP_BYTES = 2L * 1024 * 1024;
    static final long MARGIN_BYTES = 64 * 1024;
    private static final int PAGE_BYTES = 4096;
    private static final Logger LOG = LoggerFactory.getLogger(JournalPreparer.class);

    private final Journal journal;
    private final JournalAgent agent;
    private final long leadBytes;
    private final long stepBytes;
    private final UnsafeBuffer pages = new UnsafeBuffer(0, 0);

    // Preparer-thread state.
    private int cycle = Integer.MIN_VALUE;
    private FileChannel channel;
    private boolean stopped;

    /** Offset up to which the current cycle file is prepared; written by the preparer thread, read by tests. */
    private volatile long preparedToBytes;

    public JournalPreparer(final Journal journal, final JournalAgent agent)
    {
        this(journal, agent, DEFAULT_LEAD_BYTES, DEFAULT_STEP_BYTES);
    }

    /**
     * @param leadBytes how far ahead of the write position to keep prepared.
     * @param stepBytes how much to prepare (and msync) at a time.
     */
    public JournalPreparer(final Journal journal, final JournalAgent agent, final long leadBytes, final long stepBytes)
    {
        if (stepBytes < PAGE_BYTES || stepBytes > (1L << 30) || leadBytes < stepBytes)
        {
            throw new IllegalArgumentException("journal preparer stepBytes=" + stepBytes + " must be in [4096, 2^30] " +
                "and leadBytes=" + leadBytes + " at least stepBytes");
        }
        this.journal = journal;
        this.agent = agent;
        this.leadBytes = leadBytes;
        this.stepBytes = stepBytes;
    }

    public String roleName()
    {
        return "journal-preparer";
    }

    public int doWork()
    {
        if (stopped)
        {
            return 0;
        }
        final int writeCycle = agent.writeCycle();
        final long writePosition = agent.writePositionBytes();
        if (writePosition < 0 || writeCycle != agent.writeCycle())
        {
            return 0;
        }
        try
        {
            if (writeCycle != cycle)
            {
                closeChannel();
                channel = FileChannel.open(journal.fileForCycle(writeCycle), StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
                cycle = writeCycle;
                preparedToBytes = 0;
            }
            final long from = Math.max(preparedToBytes, (writePosition + MARGIN_BYTES) & ~(PAGE_BYTES - 1L));
            if (from - writePosition >= leadBytes)
            {
                return 0;
            }
            final long to = Math.min(from + stepBytes, channel.size() & ~(PAGE_BYTES - 1L));
            if (to <= from)
            {
                return 0;
            }
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, from, to - from);
            try
            {
                pages.wrap(mapped);
                for (int page = 0; page < to - from; page += PAGE_BYTES)
                {
                    pages.compareAndSetInt(page, 0, 0);
                }
                mapped.force();
            }
            finally
            {
                pages.wrap(0, 0);
                IoUtil.unmap(mapped);
            }
            preparedToBytes = to;
            return 1;
        }
        catch (final Throwable ex)
        {
            LOG.warn("journal preparer stopped dir={} reason=\"{}\"", journal.directory(), ex.toString());
            stopped = true;
            closeChannel();
            return 0;
        }
    }

    public void onClose()
    {
        closeChannel();
    }

    /** Offset up to which the current cycle file is prepared. Any thread. */
    public long preparedToBytes()
    {
        return preparedToBytes;
    }

    private void closeChannel()
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignored)
            {
                // only used for mapping; nothing was written through it
            }
            channel = null;
        }
    }
}
