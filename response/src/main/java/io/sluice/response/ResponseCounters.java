package io.sluice.response;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Counters and gauges of the response stage, for health, metrics and tests.
 * <p>
 * Writer: the response stage's thread only (plain read, release store). Readers: any thread (acquire load). Kept in
 * one padded buffer of their own, away from fields other threads write.
 */
public final class ResponseCounters
{
    private static final int PAD_LENGTH = BitUtil.CACHE_LINE_LENGTH * 2;

    static final int SLOTS_CONSUMED = 0;
    static final int REPLIES_SENT = 1;
    static final int BATCH_ENDS_SENT = 2;
    static final int HEARTBEATS_SENT = 3;
    static final int BYTES_WRITTEN = 4;
    static final int REPLIES_DISCARDED = 5;
    static final int SLOW_CONSUMER_DROPS = 6;
    static final int WRITE_FAILURE_DROPS = 7;
    static final int GATE_WAITS_JOURNAL = 8;
    static final int GATE_WAITS_REPLICATION = 9;
    static final int GATE_EVALUATIONS = 10;
    static final int POLICY_DEGRADED = 11;
    static final int DEGRADED_NS_TOTAL = 12;
    static final int DURABLE_POSITION = 13;
    static final int PENDING_SLOTS = 14;
    static final int POLICY_SWAPS_OBSERVED = 15;
    static final int BYPASS_EARLY_RELEASES = 16;
    static final int UNKNOWN_RING_MESSAGES = 17;
    static final int FAREWELLS_WRITTEN = 18;
    private static final int COUNT = 19;

    private final AtomicBuffer buffer = new UnsafeBuffer(
        BufferUtil.allocateDirectAligned(PAD_LENGTH + COUNT * Long.BYTES + PAD_LENGTH, BitUtil.CACHE_LINE_LENGTH));

    void increment(final int id)
    {
        add(id, 1);
    }

    void add(final int id, final long delta)
    {
        final int index = index(id);
        buffer.putLongRelease(index, buffer.getLong(index) + delta);
    }

    void set(final int id, final long value)
    {
        buffer.putLongRelease(index(id), value);
    }

    long get(final int id)
    {
        return buffer.getLongAcquire(index(id));
    }

    private static int index(final int id)
    {
        return PAD_LENGTH + id * Long.BYTES;
    }

    /**
     * @return output-ring slots taken in.
     */
    public long slotsConsumed()
    {
        return get(SLOTS_CONSUMED);
    }

    /**
     * @return reply frames (slot payloads) written into send buffers.
     */
    public long repliesSent()
    {
        return get(REPLIES_SENT);
    }

    /**
     * @return {@code BatchEnd} frames written into send buffers.
     */
    public long batchEndsSent()
    {
        return get(BATCH_ENDS_SENT);
    }

    /**
     * @return {@code Heartbeat} frames written into send buffers.
     */
    public long heartbeatsSent()
    {
        return get(HEARTBEATS_SENT);
    }

    /**
     * @return bytes the sockets accepted.
     */
    public long bytesWritten()
    {
        return get(BYTES_WRITTEN);
    }

    /**
     * @return released slots whose connection was unknown, closed or dropped.
     */
    public long repliesDiscarded()
    {
        return get(REPLIES_DISCARDED);
    }

    /**
     * @return connections dropped as slow consumers: their unsent output would have exceeded the limit, or their
     * socket took none of it for the stall timeout.
     */
    public long slowConsumerDrops()
    {
        return get(SLOW_CONSUMER_DROPS);
    }

    /**
     * @return connections dropped because a write failed.
     */
    public long writeFailureDrops()
    {
        return get(WRITE_FAILURE_DROPS);
    }

    /**
     * @return gate waits the primary journal was holding.
     */
    public long gateWaitsJournal()
    {
        return get(GATE_WAITS_JOURNAL);
    }

    /**
     * @return gate waits replication was holding.
     */
    public long gateWaitsReplication()
    {
        return get(GATE_WAITS_REPLICATION);
    }

    /**
     * @return policy evaluations against live cursors.
     */
    public long gateEvaluations()
    {
        return get(GATE_EVALUATIONS);
    }

    /**
     * @return the policy-degraded gauge as of the latest evaluation.
     */
    public boolean policyDegraded()
    {
        return 0 != get(POLICY_DEGRADED);
    }

    /**
     * @return time spent degraded, in nanoseconds.
     */
    public long degradedNsTotal()
    {
        return get(DEGRADED_NS_TOTAL);
    }

    /**
     * @return time spent degraded, in seconds (for {@code sluice_policy_degraded_seconds_total}).
     */
    public double degradedSecondsTotal()
    {
        return degradedNsTotal() / 1e9;
    }

    /**
     * @return the durable position the stage last evaluated.
     */
    public long durablePosition()
    {
        return get(DURABLE_POSITION);
    }

    /**
     * @return slots taken from the ring and not yet released.
     */
    public long pendingSlots()
    {
        return get(PENDING_SLOTS);
    }

    /**
     * @return policy swaps the stage has picked up.
     */
    public long policySwapsObserved()
    {
        return get(POLICY_SWAPS_OBSERVED);
    }

    /**
     * @return bypass slots released while an earlier gated slot (of another connection) was still held.
     */
    public long bypassEarlyReleases()
    {
        return get(BYPASS_EARLY_RELEASES);
    }

    /**
     * @return ring messages of an unknown type, skipped.
     */
    public long unknownRingMessages()
    {
        return get(UNKNOWN_RING_MESSAGES);
    }

    /**
     * @return connections closed after their last message was written in full.
     */
    public long farewellsWritten()
    {
        return get(FAREWELLS_WRITTEN);
    }

    public String toString()
    {
        return "ResponseCounters{" +
            "slotsConsumed=" + slotsConsumed() +
            ", repliesSent=" + repliesSent() +
            ", batchEndsSent=" + batchEndsSent() +
            ", heartbeatsSent=" + heartbeatsSent() +
            ", bytesWritten=" + bytesWritten() +
            ", repliesDiscarded=" + repliesDiscarded() +
            ", slowConsumerDrops=" + slowConsumerDrops() +
            ", writeFailureDrops=" + writeFailureDrops() +
            ", gateWaitsJournal=" + gateWaitsJournal() +
            ", gateWaitsReplication=" + gateWaitsReplication() +
            ", policyDegraded=" + policyDegraded() +
            ", durablePosition=" + durablePosition() +
            ", pendingSlots=" + pendingSlots() +
            '}';
    }
}
