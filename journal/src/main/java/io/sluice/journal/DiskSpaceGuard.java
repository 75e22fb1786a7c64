package io.sluice.journal;

import java.nio.file.Path;

/**
 * Keeps the journal from writing into a full filesystem. Chronicle Queue writes through memory-mapped files whose
 * pages are allocated on first touch; on a full filesystem that touch raises SIGBUS, which HotSpot turns into an
 * {@code InternalError} delivered <em>later</em> (at the thread's next VM transition, not at the faulting store):
 * the store is skipped, Chronicle's append and even the following msync return normally, and the entry on disk is
 * damaged although the agent believes it persisted. Catching the error therefore cannot protect an acknowledgement;
 * only never touching a page the filesystem cannot back can. The {@link JournalAgent} asks this guard before
 * appending a group and stops, with a "journal disk full" reason, while less than {@link #minFreeBytes()} is left.
 * <p>
 * The filesystem is asked at most once every {@link #probeIntervalBytes()} appended bytes (an eighth of the
 * minimum), so between two probes the agent writes at most that plus one group; the rest of the minimum covers
 * Chronicle's index pages, a new cycle file's header and whatever else writes to the same filesystem (snapshots).
 * Not thread-safe: used by the agent thread only.
 */
public final class DiskSpaceGuard
{
    /** Default space kept free on the journal's filesystem: 64 MiB, one Chronicle block at the default size. */
    public static final long DEFAULT_MIN_FREE_BYTES = 64L * 1024 * 1024;

    /** Bytes counted per entry on top of its length: Chronicle's 4-byte excerpt header and alignment padding. */
    static final int FRAMING_BYTES_PER_ENTRY = 8;

    private final FreeSpaceProbe probe;
    private final long minFreeBytes;
    private final long probeIntervalBytes;

    // Agent-thread state.
    private long appendedBytes;
    private long bytesSinceProbe;
    private long lastUsableBytes = -1;
    private boolean probedOnce;

    /**
     * @param probe        asks the filesystem (or a test double) for usable space.
     * @param minFreeBytes stop below this many usable bytes; 0 turns the guard off, which is unsafe on a disk that
     *                     can fill up (see the class comment).
     */
    public DiskSpaceGuard(final FreeSpaceProbe probe, final long minFreeBytes)
    {
        if (probe == null)
        {
            throw new IllegalArgumentException("journal free-space probe must be set");
        }
        if (minFreeBytes < 0)
        {
            throw new IllegalArgumentException("journal minFreeBytes=" + minFreeBytes + " must be >= 0 (0 = off)");
        }
        this.probe = probe;
        this.minFreeBytes = minFreeBytes;
        this.probeIntervalBytes = minFreeBytes / 8;
    }

    /** The real filesystem holding {@code directory}, keeping {@code minFreeBytes} free. */
    public static DiskSpaceGuard of(final Path directory, final long minFreeBytes)
    {
        return new DiskSpaceGuard(FreeSpaceProbe.of(directory), minFreeBytes);
    }

    public long minFreeBytes()
    {
        return minFreeBytes;
    }

    public long probeIntervalBytes()
    {
        return probeIntervalBytes;
    }

    /** Usable bytes the last probe saw; -1 before the first. */
    public long lastUsableBytes()
    {
        return lastUsableBytes;
    }

    /** Bytes counted as appended since the agent started. */
    long appendedBytes()
    {
        return appendedBytes;
    }

    /**
     * Called before the first entry of a group.
     *
     * @return true if the group may be appended; false if the filesystem is below the minimum.
     * @throws Exception if the probe fails; the agent stops on it like on any other journal error.
     */
    boolean hasRoomForGroup() throws Exception
    {
        if (minFreeBytes == 0 || (probedOnce && bytesSinceProbe < probeIntervalBytes))
        {
            return true;
        }
        probedOnce = true;
        bytesSinceProbe = 0;
        lastUsableBytes = probe.usableBytes(appendedBytes);
        return lastUsableBytes >= minFreeBytes;
    }

    /** Counts one appended entry of {@code lengthBytes}. */
    void onAppended(final int lengthBytes)
    {
        appendedBytes += lengthBytes + FRAMING_BYTES_PER_ENTRY;
        bytesSinceProbe += lengthBytes + FRAMING_BYTES_PER_ENTRY;
    }

    /** Usable bytes right now, for a failure report; -1 if the probe fails. Not for the duty cycle. */
    long usableBytesNow()
    {
        try
        {
            return probe.usableBytes(appendedBytes);
        }
        catch (final Exception ex)
        {
            return -1;
        }
    }

    /**
     * True if {@code error} is what writing to a full filesystem produces: the {@code InternalError} HotSpot raises
     * for a fault (SIGBUS) in an unsafe memory access to a mapped file, or an I/O error naming ENOSPC/EDQUOT.
     */
    static boolean isDiskFullError(final Throwable error)
    {
        for (Throwable cause = error; cause != null; cause = cause.getCause())
        {
            final String message = cause.getMessage();
            if (message == null)
            {
                continue;
            }
            if (cause instanceof InternalError && message.contains("unsafe memory access"))
            {
                return true;
            }
            if (message.contains("No space left on device") || message.contains("ENOSPC") ||
                message.contains("Disk quota exceeded") || message.contains("EDQUOT"))
            {
                return true;
            }
            if (cause.getCause() == cause)
            {
                break;
            }
        }
        return false;
    }
}
