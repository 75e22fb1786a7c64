package io.sluice.durability;

import io.sluice.concurrent.Waker;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Per replica slot: the cursors the durability gate counts, the slot's active flag, and ack statistics.
 * <p>
 * Writers: the replication ack listener (one thread) for the active flag, the cursors and the ack statistics;
 * replication sender {@code i} for slot {@code i}'s bytes sent. Readers: the response stage and the sequencer (via
 * {@link CursorView#capture}), health and metrics. Each field has one writer, which publishes with a release store;
 * readers load with acquire. Slots sit on separate cache-line pairs, and the senders' field on a different pair from
 * the listener's, so no two writers share a line.
 * <p>
 * The transitions follow one rule, so the gate never counts a slot with cursors that do not belong to it:
 * <ul>
 *     <li>{@link #activate}: seed the cursors from the replica's handshake, then set active. A reader that sees
 *     active also sees the seeded cursors, so a reconnected replica does not freeze the gate at zero.</li>
 *     <li>{@link #deactivate}: zero the cursors, then clear active. A reader racing the transition sees the slot
 *     either absent or with zero cursors; either way the gate can only stall, never open early.</li>
 * </ul>
 * A standalone primary has zero slots.
 */
public final class ReplicationMetrics
{
    /** Replica slots of a primary with two replicas. */
    public static final int DEFAULT_SLOT_COUNT = 2;

    private static final int PAD_LENGTH = BitUtil.CACHE_LINE_LENGTH * 2;
    private static final int SLOT_LENGTH = PAD_LENGTH * 2;

    // Written by the ack listener.
    private static final int ACTIVE_OFFSET = 0;
    private static final int IN_MEMORY_WIRE_SEQ_OFFSET = 8;
    private static final int PERSISTED_WIRE_SEQ_OFFSET = 16;
    private static final int ACK_COUNT_OFFSET = 24;
    private static final int LAST_ACK_LATENCY_NS_OFFSET = 32;
    private static final int MAX_ACK_LATENCY_NS_OFFSET = 40;
    private static final int TOTAL_ACK_LATENCY_NS_OFFSET = 48;
    private static final int ACTIVATION_COUNT_OFFSET = 56;

    // Written by the slot's replication sender.
    private static final int BYTES_SENT_OFFSET = PAD_LENGTH;

    private final int slotCount;
    private final AtomicBuffer buffer;
    /** Woken after a slot's cursors move: the stages the gate holds back; set before replication starts. */
    private Waker cursorWaker = Waker.NONE;

    /**
     * Two slots, the usual primary with two replicas.
     */
    public ReplicationMetrics()
    {
        this(DEFAULT_SLOT_COUNT);
    }

    /**
     * @param slotCount replica slots; 0 for a standalone primary.
     */
    public ReplicationMetrics(final int slotCount)
    {
        if (slotCount < 0 || slotCount > 64)
        {
            throw new IllegalArgumentException("slotCount must be in 0..64: " + slotCount);
        }

        this.slotCount = slotCount;
        final int length = PAD_LENGTH + slotCount * SLOT_LENGTH + PAD_LENGTH;
        buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(length, BitUtil.CACHE_LINE_LENGTH * 2));
    }

    /**
     * @return replica slots; 0 when standalone.
     */
    public int slotCount()
    {
        return slotCount;
    }

    /**
     * A replica connected and handshook: seed its cursors, then mark it active. Ack listener only.
     *
     * @param slot             replica slot.
     * @param inMemoryWireSeq  replica's applied {@code wireSeq} from the handshake.
     * @param persistedWireSeq replica's last durable {@code wireSeq} from the handshake.
     */
    public void activate(final int slot, final long inMemoryWireSeq, final long persistedWireSeq)
    {
        final int offset = offset(slot);
        buffer.putLongRelease(offset + IN_MEMORY_WIRE_SEQ_OFFSET, inMemoryWireSeq);
        buffer.putLongRelease(offset + PERSISTED_WIRE_SEQ_OFFSET, persistedWireSeq);
        buffer.putLongRelease(offset + ACTIVATION_COUNT_OFFSET, buffer.getLong(offset + ACTIVATION_COUNT_OFFSET) + 1);
        buffer.putLongRelease(offset + ACTIVE_OFFSET, 1);
        cursorWaker.wake();
    }

    /**
     * A replica disconnected or timed out: zero its cursors, then mark it inactive. Ack listener only.
     *
     * @param slot replica slot.
     */
    public void deactivate(final int slot)
    {
        final int offset = offset(slot);
        buffer.putLongRelease(offset + IN_MEMORY_WIRE_SEQ_OFFSET, 0);
        buffer.putLongRelease(offset + PERSISTED_WIRE_SEQ_OFFSET, 0);
        buffer.putLongRelease(offset + ACTIVE_OFFSET, 0);
        cursorWaker.wake();
    }

    /**
     * @param waker woken whenever a slot's cursors move (an ack, an activation), so the stages waiting on the gate
     *              look again; set before replication starts.
     */
    public void wakeOnCursorMove(final Waker waker)
    {
        this.cursorWaker = waker;
    }

    /**
     * An ack arrived. Cursors only move forward: an ack older than one already applied leaves them as they are.
     * Ack listener only.
     *
     * @param slot             replica slot.
     * @param inMemoryWireSeq  highest {@code wireSeq} the replica has applied.
     * @param persistedWireSeq highest {@code wireSeq} the replica has synced.
     * @param ackLatencyNs     time from sending the newest acked entry to receiving this ack.
     */
    public void onAck(final int slot, final long inMemoryWireSeq, final long persistedWireSeq, final long ackLatencyNs)
    {
        final int offset = offset(slot);
        if (inMemoryWireSeq > buffer.getLong(offset + IN_MEMORY_WIRE_SEQ_OFFSET))
        {
            buffer.putLongRelease(offset + IN_MEMORY_WIRE_SEQ_OFFSET, inMemoryWireSeq);
        }
        if (persistedWireSeq > buffer.getLong(offset + PERSISTED_WIRE_SEQ_OFFSET))
        {
            buffer.putLongRelease(offset + PERSISTED_WIRE_SEQ_OFFSET, persistedWireSeq);
        }
        cursorWaker.wake();

        buffer.putLongRelease(offset + ACK_COUNT_OFFSET, buffer.getLong(offset + ACK_COUNT_OFFSET) + 1);
        buffer.putLongRelease(offset + LAST_ACK_LATENCY_NS_OFFSET, ackLatencyNs);
        if (ackLatencyNs > buffer.getLong(offset + MAX_ACK_LATENCY_NS_OFFSET))
        {
            buffer.putLongRelease(offset + MAX_ACK_LATENCY_NS_OFFSET, ackLatencyNs);
        }
        buffer.putLongRelease(
            offset + TOTAL_ACK_LATENCY_NS_OFFSET, buffer.getLong(offset + TOTAL_ACK_LATENCY_NS_OFFSET) + ackLatencyNs);
    }

    /**
     * Count bytes sent to a replica. Replication sender for that slot only.
     *
     * @param slot  replica slot.
     * @param bytes sent.
     */
    public void addBytesSent(final int slot, final long bytes)
    {
        final int index = offset(slot) + BYTES_SENT_OFFSET;
        buffer.putLongRelease(index, buffer.getLong(index) + bytes);
    }

    /**
     * @param slot replica slot.
     * @return whether the slot's replica is connected and counted by the gate (acquire).
     */
    public boolean isActive(final int slot)
    {
        return 0 != buffer.getLongAcquire(offset(slot) + ACTIVE_OFFSET);
    }

    /**
     * @param slot replica slot.
     * @return highest {@code wireSeq} the replica has applied, 0 while inactive.
     */
    public long inMemoryWireSeq(final int slot)
    {
        return buffer.getLongAcquire(offset(slot) + IN_MEMORY_WIRE_SEQ_OFFSET);
    }

    /**
     * @param slot replica slot.
     * @return highest {@code wireSeq} the replica has synced to its journal, 0 while inactive.
     */
    public long persistedWireSeq(final int slot)
    {
        return buffer.getLongAcquire(offset(slot) + PERSISTED_WIRE_SEQ_OFFSET);
    }

    /**
     * @param slot replica slot.
     * @return acks received over the slot's lifetime.
     */
    public long ackCount(final int slot)
    {
        return buffer.getLongAcquire(offset(slot) + ACK_COUNT_OFFSET);
    }

    /**
     * @param slot replica slot.
     * @return latency of the newest ack.
     */
    public long lastAckLatencyNs(final int slot)
    {
        return buffer.getLongAcquire(offset(slot) + LAST_ACK_LATENCY_NS_OFFSET);
    }

    /**
     * @param slot replica slot.
     * @return highest ack latency seen.
     */
    public long maxAckLatencyNs(final int slot)
    {
        return buffer.getLongAcquire(offset(slot) + MAX_ACK_LATENCY_NS_OFFSET);
    }

    /**
     * @param slot replica slot.
     * @return sum of ack latencies, for a mean with {@link #ackCount}.
     */
    public long totalAckLatencyNs(final int slot)
    {
        return buffer.getLongAcquire(offset(slot) + TOTAL_ACK_LATENCY_NS_OFFSET);
    }

    /**
     * @param slot replica slot.
     * @return times the slot has been activated (reconnects + 1 once connected).
     */
    public long activationCount(final int slot)
    {
        return buffer.getLongAcquire(offset(slot) + ACTIVATION_COUNT_OFFSET);
    }

    /**
     * @param slot replica slot.
     * @return bytes the slot's sender has sent.
     */
    public long bytesSent(final int slot)
    {
        return buffer.getLongAcquire(offset(slot) + BYTES_SENT_OFFSET);
    }

    /**
     * @return active slots now.
     */
    public int activeCount()
    {
        int count = 0;
        for (int slot = 0; slot < slotCount; slot++)
        {
            if (isActive(slot))
            {
                count++;
            }
        }

        return count;
    }

    private int offset(final int slot)
    {
        if (slot < 0 || slot >= slotCount)
        {
            throw new IndexOutOfBoundsException("slot " + slot + " not in 0.." + (slotCount - 1));
        }

        return PAD_LENGTH + slot * SLOT_LENGTH;
    }
}
