package io.sluice.pipeline.ingest;

/**
 * Outcome of offering one message to an ingest ring. Every offer ends in exactly one of these and bumps exactly one
 * of the ring's outcome counters, so {@code offered = ingested + rejected + unrouted} holds per ring at quiescence.
 */
public enum IngestResult
{
    /** The record is in the ring; the sequencer will see it. */
    INGESTED,

    /**
     * The ring had no room outside the busy-notice headroom. For a request the reader must answer ServerBusy with the
     * request's requestSeq (see {@link IngestPublisher#publishBusyNotice}); nothing was written. Counted as rejected.
     */
    RING_FULL,

    /**
     * The message is shorter than an SBE header or longer than {@link IngestPublisher#maxMessageLength()}; the reader
     * treats it as malformed input. Nothing was written. Counted as rejected.
     */
    INVALID_LENGTH,

    /** The ring is closed because its shard has stopped; nothing was written and no consumer would see it. */
    UNROUTED;

    /**
     * @return true for the outcomes counted as rejected.
     */
    public boolean isRejected()
    {
        return this == RING_FULL || this == INVALID_LENGTH;
    }
}
