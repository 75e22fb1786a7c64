package io.sluice.journal;

import java.nio.file.Path;

/**
 * The journal or a snapshot is damaged in a way recovery must not paper over: a gap or repeat in {@code wireSeq},
 * a CRC failure before the last entry, a length that runs into other data, data after a zeroed range, or a
 * Chronicle structure that disagrees with the entries. The message names the file, the {@code wireSeq} (the
 * entry involved, or the last good one) and what is wrong; start-up stops on it.
 */
public final class JournalCorruptionException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** Marker for "no wireSeq is known" in {@link #wireSeq()}. */
    public static final long UNKNOWN_WIRE_SEQ = -1;

    private final transient Path file;
    private final long wireSeq;

    public JournalCorruptionException(final Path file, final long wireSeq, final String problem)
    {
        this(file, wireSeq, problem, null);
    }

    public JournalCorruptionException(final Path file, final long wireSeq, final String problem, final Throwable cause)
    {
        super("journal corrupt: file=" + file + ", wireSeq=" + (wireSeq == UNKNOWN_WIRE_SEQ ? "unknown" : wireSeq) +
            ": " + problem, cause);
        this.file = file;
        this.wireSeq = wireSeq;
    }

    /** File in which the damage was found. */
    public Path file()
    {
        return file;
    }

    /** The entry involved, or {@link #UNKNOWN_WIRE_SEQ}. */
    public long wireSeq()
    {
        return wireSeq;
    }
}
