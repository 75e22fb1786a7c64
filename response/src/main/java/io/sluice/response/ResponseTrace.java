package io.sluice.response;

import org.HdrHistogram.Recorder;

/**
 * Optional latency histograms of the response stage, for the tick-to-trade breakdown. Recorded by the response
 * thread; read by any thread through each {@link Recorder}'s interval histogram. A stage built without a trace
 * records nothing and pays one null check per slot.
 * <p>
 * All values are nanoseconds between timestamps from the same clock: the stage's nano clock, which must be the clock
 * the reader and the sequencer stamp {@code recvTs} and {@code matchCompleteTs} with.
 */
public final class ResponseTrace
{
    /** Longest value recorded as is; longer values are recorded as this. */
    public static final long DEFAULT_HIGHEST_TRACKABLE_NS = 60_000_000_000L;
    private static final int SIGNIFICANT_DIGITS = 3;

    private final long highestTrackableNs;
    private final Recorder ringWait;
    private final Recorder journalWait;
    private final Recorder replicaWait;
    private final Recorder egress;
    private final Recorder serverEndToEnd;

    public ResponseTrace()
    {
        this(DEFAULT_HIGHEST_TRACKABLE_NS);
    }

    /**
     * @param highestTrackableNs longest value to track exactly.
     */
    public ResponseTrace(final long highestTrackableNs)
    {
        this.highestTrackableNs = highestTrackableNs;
        ringWait = new Recorder(highestTrackableNs, SIGNIFICANT_DIGITS);
        journalWait = new Recorder(highestTrackableNs, SIGNIFICANT_DIGITS);
        replicaWait = new Recorder(highestTrackableNs, SIGNIFICANT_DIGITS);
        egress = new Recorder(highestTrackableNs, SIGNIFICANT_DIGITS);
        serverEndToEnd = new Recorder(highestTrackableNs, SIGNIFICANT_DIGITS);
    }

    /**
     * @return sequencer's {@code matchCompleteTs} to the response stage taking the slot from the ring.
     */
    public Recorder ringWait()
    {
        return ringWait;
    }

    /**
     * @return {@code matchCompleteTs} to the journal cursor first reaching the wait's {@code wireSeq}; only for
     * waits where the journal was behind.
     */
    public Recorder journalWait()
    {
        return journalWait;
    }

    /**
     * @return {@code matchCompleteTs} to the slowest replica's persisted cursor first reaching the wait's
     * {@code wireSeq}; only for waits where replication was behind.
     */
    public Recorder replicaWait()
    {
        return replicaWait;
    }

    /**
     * @return time spent in one flush of all dirty connections.
     */
    public Recorder egress()
    {
        return egress;
    }

    /**
     * @return reader {@code recvTs} to the request's {@code BatchEnd} being queued for its socket.
     */
    public Recorder serverEndToEnd()
    {
        return serverEndToEnd;
    }

    void record(final Recorder recorder, final long valueNs)
    {
        recorder.recordValue(Math.min(Math.max(valueNs, 0), highestTrackableNs));
    }
}
