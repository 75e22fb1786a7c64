package io.sluice.journal;

import java.nio.file.Path;

/**
 * One snapshot file as found on disk: the {@code wireSeq} it covers, epoch, state hash and size, or why it is not
 * usable.
 */
public final class SnapshotInfo
{
    private final Path file;
    private final long wireSeq;
    private final long epoch;
    private final long stateHash;
    private final long stateLengthBytes;
    private final String problem;

    SnapshotInfo(
        final Path file,
        final long wireSeq,
        final long epoch,
        final long stateHash,
        final long stateLengthBytes,
        final String problem)
    {
        this.file = file;
        this.wireSeq = wireSeq;
        this.epoch = epoch;
        this.stateHash = stateHash;
        this.stateLengthBytes = stateLengthBytes;
        this.problem = problem;
    }

    public Path file()
    {
        return file;
    }

    /** Last {@code wireSeq} applied to the state in the snapshot. */
    public long wireSeq()
    {
        return wireSeq;
    }

    public long epoch()
    {
        return epoch;
    }

    public long stateHash()
    {
        return stateHash;
    }

    public long stateLengthBytes()
    {
        return stateLengthBytes;
    }

    /** True if the file passed every check (header, length, CRC32C). */
    public boolean isValid()
    {
        return problem == null;
    }

    /** Why the file is unusable, or null. */
    public String problem()
    {
        return problem;
    }

    public String toString()
    {
        return problem == null ?
            "snapshot " + file + ": wireSeq=" + wireSeq + ", epoch=" + epoch + ", stateHash=" +
            Long.toHexString(stateHash) + ", stateBytes=" + stateLengthBytes :
            "snapshot " + file + ": DAMAGED: " + problem;
    }
}
