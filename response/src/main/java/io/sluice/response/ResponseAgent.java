package io.sluice.response;

import io.sluice.durability.CursorView;
import io.sluice.durability.DurabilityControl;
import io.sluice.durability.DurabilityEvaluator;
import io.sluice.durability.EvalStatus;
import io.sluice.durability.Policy;
import io.sluice.durability.ReplicationMetrics;
import io.sluice.sbe.client.BatchEndEncoder;
import io.sluice.sbe.client.HeartbeatEncoder;
import io.sluice.sbe.client.MessageHeaderEncoder;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The response stage: takes replies from the output ring and writes them to client sockets, never before the
 * durability policy in force covers their {@code wireSeq}.
 * <p>
 * Each duty cycle:
 * <ol>
 *     <li>picks up a {@code DURABILITY} swap (one acquire load of the policy reference);</li>
 *     <li>copies up to a batch of slots from the ring into its pending store, freeing the ring at once; it keeps
 *     taking while replies are held, until the store is full;</li>
 *     <li>gates the pending slots on the highest {@code wireSeq} among them: if the cached durable position covers
 *     it, everything is released in order; otherwise it re-reads the cursors and the policy, and if the gate is still
 *     shut it keeps the slots and returns, to try again next cycle (it never waits inside {@code doWork});</li>
 *     <li>frames released replies {@code [int32 LE length][SBE header + body]} into per-connection send buffers,
 *     with a {@code BatchEnd} after the last reply to each request;</li>
 *     <li>when the ring has been drained, writes every dirty connection (non-blocking), and heartbeats idle ones.</li>
 * </ol>
 * Ordering while the gate is shut: a gated reply waits; every later gated reply waits behind it, whatever its
 * connection (a later reply may reflect the state the earlier command made). A {@link
 * OutputSlot#DURABILITY_BYPASS_FLAG bypass} reply (HALTED, ServerBusy) is released at once unless an earlier reply
 * to the same connection is being held, in which case it waits behind that one: it never overtakes on its own
 * connection. A reply covered by the durable position is released even if later ones in the batch are not.
 * <p>
 * A gate wait runs from the first fresh evaluation that finds the gate shut to the one that finds it open; each is
 * counted against the journal or replication, whichever the gate was waiting on, and feeds the journal-wait and
 * replica-wait histograms of an optional {@link ResponseTrace}.
 * <p>
 * A slow consumer is dropped, and nothing more is ever written to it: a client whose unsent output would exceed the
 * limit (1 MiB by default), or whose socket has taken none of its waiting output for the stall timeout (5 s by
 * default). A {@link OutputSlot#CLOSE_AFTER_FLAG} reply is a connection's last: once it is written in full the
 * connection is handed back to be closed, and later replies to it are discarded. Connections are learnt from the
 * first reply addressed to them; only those are heartbeated. Not thread safe: runs on one agent thread.
 */
public final class ResponseAgent implements Agent
{
    private static final int FRAME_LENGTH_FIELD = BitUtil.SIZE_OF_INT;
    private static final ByteOrder FRAME_ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int BATCH_END_FRAME_LENGTH =
        FRAME_LENGTH_FIELD + MessageHeaderEncoder.ENCODED_LENGTH + BatchEndEncoder.BLOCK_LENGTH;
    private static final int HEARTBEAT_FRAME_LENGTH =
        FRAME_LENGTH_FIELD + MessageHeaderEncoder.ENCODED_LENGTH + HeartbeatEncoder.BLOCK_LENGTH;

    private final RingBuffer outputRing;
    private final ClientConnections connections;
    private final DurabilityControl durabilityControl;
    private final DurabilityEvaluator evaluator;
    private final NanoClock nanoClock;
    /** Null, or the selector this stage's thread sleeps on (see {@link ResponseContext#idleSelector}). */
    private final Selector idleSelector;
    private final EpochNanoClock epochNanoClock;
    private final ResponseCounters counters;
    private final ResponseTrace trace;
    private final DegradationLogger degradationLogger;
    private final GateCrossTracker crossTracker = new GateCrossTracker();
    private final long heartbeatIntervalNs;
    private final long heartbeatScanIntervalNs;
    private final long policyCheckIntervalNs;
    private final int maxBatchSlots;
    private final int maxSendBufferBytes;
    private final int initialSendBufferBytes;
    private final long sendStallTimeoutNs;

    // Slots taken from the ring and not all released yet, in ring order: copies in pendingBuffer at pendingOffsets.
    private final UnsafeBuffer pendingBuffer;
    private final int[] pendingOffsets;
    private int pendingHead;
    private int pendingTail;
    private int pendingLimitBytes;
    private int unreleasedCount;
    /** Unreleased non-bypass slots with a wireSeq; released in ring order, so the last taken is the highest. */
    private int unreleasedSequencedCount;
    private long lastSequencedWireSeq;
    /** Set when something that could release a pending slot has changed since the last release pass. */
    private boolean pendingChanged;
    private final LongHashSet heldConnectionIds = new LongHashSet();
    private final ControlledMessageHandler ringHandler = this::onRingMessage;
    private final OutputSlot slot = new OutputSlot();

    // The gate. The cached durable position belongs to the policy it was computed under (null until the first
    // evaluation) and is recomputed as soon as another policy is seen in force, so a stricter policy never rides on
    // a looser one's position. A swap away and back that the stage does not see keeps it, which is sound: what a
    // policy has covered stays covered.
    private Policy policy;
    private long cachedDurablePos;
    private boolean waiting;
    private boolean waitEndedThisCycle;
    private final CursorView lastShutView;
    private final CursorView attributionView;
    private final EvalStatus attributionStatus = new EvalStatus();

    // Connections known to this stage.
    private final Long2ObjectHashMap<ConnectionSendState> stateByConnectionId = new Long2ObjectHashMap<>();
    private final ArrayList<ConnectionSendState> dirtyStates = new ArrayList<>(256);
    /** Connections this stage dropped: never written to again, whatever the registry says. */
    private final LongHashSet droppedConnectionIds = new LongHashSet();

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final BatchEndEncoder batchEndEncoder = new BatchEndEncoder();
    private final HeartbeatEncoder heartbeatEncoder = new HeartbeatEncoder();

    private long dutyCycleNs;
    private long nextPolicyCheckNs;
    private long nextHeartbeatScanNs;
    private int slotsTakenThisPoll;

    /**
     * @param ctx configuration; concluded here.
     */
    public ResponseAgent(final ResponseContext ctx)
    {
        ctx.conclude();
        outputRing = ctx.outputRing();
        connections = ctx.connections();
        durabilityControl = ctx.durabilityControl();
        evaluator = new DurabilityEvaluator(ctx.durabilityControl(), ctx.journalPersistedWireSeq(), ctx.replicationMetrics());
        nanoClock = ctx.nanoClock();
        idleSelector = ctx.idleSelector();
        epochNanoClock = ctx.epochNanoClock();
        counters = ctx.counters();
        trace = ctx.trace();
        heartbeatIntervalNs = ctx.heartbeatIntervalNs();
        heartbeatScanIntervalNs = Math.max(TimeUnit.MILLISECONDS.toNanos(1), ctx.heartbeatIntervalNs() / 4);
        policyCheckIntervalNs = ctx.policyCheckIntervalNs();
        maxBatchSlots = ctx.maxBatchSlots();
        maxSendBufferBytes = ctx.maxSendBufferBytes();
        initialSendBufferBytes = ctx.initialSendBufferBytes();
        sendStallTimeoutNs = ctx.sendStallTimeoutNs();
        pendingBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(ctx.pendingCapacityBytes()));
        pendingOffsets = new int[ctx.maxPendingSlots()];
        lastShutView = new CursorView(1 + ctx.replicationMetrics().slotCount());
        attributionView = new CursorView(1 + ctx.replicationMetrics().slotCount());
        final long nowNs = ctx.nanoClock().nanoTime();
        nextPolicyCheckNs = nowNs;
        nextHeartbeatScanNs = nowNs;
        degradationLogger = new DegradationLogger(
            nowNs,
            ctx.degradedFlapHoldNs(),
            ctx.degradedReminderIntervalNs(),
            ctx.counters(),
            ctx.degradationEvents());
    }

    public String roleName()
    {
        return "response";
    }

    public void onStart()
    {
        if (null == policy)
        {
            evaluate(nanoClock.nanoTime());
        }
    }

    public int doWork()
    {
        final long nowNs = nanoClock.nanoTime();
        dutyCycleNs = nowNs;
        int workCount = 0;

        workCount += observePolicySwap(nowNs);
        final int slotsTaken = pollOutputRing();
        workCount += slotsTaken;
        workCount += releasePending(nowNs);
        if (slotsTaken < maxBatchSlots)
        {
            workCount += flushDirty();
        }
        workCount += heartbeatIdleConnections(nowNs);
        if (nowNs - nextPolicyCheckNs >= 0)
        {
            evaluate(nowNs);
        }

        return workCount;
    }

    /**
     * Write what the sockets take, once, without waiting; anything left unsent is abandoned with the stage.
     */
    public void onClose()
    {
        flushDirty();
    }

    /**
     * @return the stage's counters.
     */
    public ResponseCounters counters()
    {
        return counters;
    }

    /**
     * @return the control this stage reads the policy from.
     */
    public DurabilityControl durabilityControl()
    {
        return durabilityControl;
    }

    /**
     * @return slots taken from the ring and not yet released.
     */
    int unreleasedCount()
    {
        return unreleasedCount;
    }

    long cachedDurablePos()
    {
        return cachedDurablePos;
    }

    private int observePolicySwap(final long nowNs)
    {
        if (durabilityControl.policy() != policy)
        {
            evaluate(nowNs);
            return 1;
        }

        return 0;
    }

    /**
     * Evaluate the policy in force against fresh cursors; refresh the cache, the gauge and the degradation log.
     */
    private void evaluate(final long nowNs)
    {
        final EvalStatus status = evaluator.evaluate();
        final Policy evaluated = evaluator.policy();
        // Under one policy the durable position only rises: an entry that reached the nodes the policy asked for
        // stays durable when they later disconnect (a degraded policy evaluates to 0), so a reply already covered,
        // such as a LogonAck held on the session's last request, is still released. A new policy starts from its own
        // evaluation, so a stricter one holds what it does not cover.
        long durablePos = Math.max(cachedDurablePos, status.durablePos());
        if (evaluated != policy)
        {
            durablePos = status.durablePos();
            if (null == policy)
            {
                if (status.degraded())
                {
                    degradationLogger.resetStartingDegraded(nowNs, evaluated);
                }
            }
            else
            {
                counters.increment(ResponseCounters.POLICY_SWAPS_OBSERVED);
                degradationLogger.reset(nowNs);
            }
            policy = evaluated;
            pendingChanged = true;
        }

        if (durablePos != cachedDurablePos)
        {
            cachedDurablePos = durablePos;
            pendingChanged = true;
        }

        degradationLogger.tick(evaluated, status.degraded(), nowNs);
        counters.increment(ResponseCounters.GATE_EVALUATIONS);
        counters.set(ResponseCounters.DURABLE_POSITION, cachedDurablePos);
        nextPolicyCheckNs = nowNs + policyCheckIntervalNs;
    }

    private int pollOutputRing()
    {
        final boolean hasReleasedEntries = pendingTail > unreleasedCount;
        if (hasReleasedEntries &&
            (pendingTail == pendingOffsets.length ||
            pendingBuffer.capacity() - pendingLimitBytes < outputRing.maxMsgLength()))
        {
            compactPending();
        }

        final int limit = Math.min(maxBatchSlots, pendingOffsets.length - pendingTail);
        if (limit <= 0)
        {
            return 0;
        }

        slotsTakenThisPoll = 0;
        outputRing.controlledRead(ringHandler, limit);
        final int taken = slotsTakenThisPoll;
        if (taken > 0)
        {
            counters.add(ResponseCounters.SLOTS_CONSUMED, taken);
            pendingChanged = true;
        }

        return taken;
    }

    private ControlledMessageHandler.Action onRingMessage(
        final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (OutputSlot.MSG_TYPE_ID != msgTypeId)
        {
            counters.increment(ResponseCounters.UNKNOWN_RING_MESSAGES);
            return ControlledMessageHandler.Action.CONTINUE;
        }

        final int alignedLength = BitUtil.align(length, BitUtil.SIZE_OF_LONG);
        if (pendingTail == pendingOffsets.length || pendingLimitBytes + alignedLength > pendingBuffer.capacity())
        {
            return ControlledMessageHandler.Action.ABORT;
        }

        final int offset = pendingLimitBytes;
        pendingBuffer.putBytes(offset, buffer, index, length);
        pendingOffsets[pendingTail++] = offset;
        pendingLimitBytes += alignedLength;
        unreleasedCount++;
        slotsTakenThisPoll++;

        slot.wrap(pendingBuffer, offset);
        final long wireSeq = slot.wireSeq();
        if (!slot.isDurabilityBypass() && wireSeq > 0)
        {
            unreleasedSequencedCount++;
            lastSequencedWireSeq = Math.max(lastSequencedWireSeq, wireSeq);
        }

        if (null != trace)
        {
            trace.record(trace.ringWait(), dutyCycleNs - slot.matchCompleteTs());
        }

        return ControlledMessageHandler.Action.CONTINUE;
    }

    private int releasePending(final long nowNs)
    {
        waitEndedThisCycle = false;
        if (0 == unreleasedCount)
        {
            return 0;
        }

        // Again here, not only at the top of the cycle: a swap landing while this cycle took slots from the ring
        // must not let them out on the position of the policy it replaced.
        observePolicySwap(nowNs);
        if (waiting || (unreleasedSequencedCount > 0 && cachedDurablePos < lastSequencedWireSeq))
        {
            checkGate(nowNs, lastSequencedWireSeq);
        }

        if (!pendingChanged)
        {
            return 0;
        }
        pendingChanged = false;

        final long durablePos = cachedDurablePos;
        final UnsafeBuffer pending = pendingBuffer;
        final int[] offsets = pendingOffsets;
        boolean sequencedHeld = false;
        int released = 0;
        heldConnectionIds.clear();

        for (int i = pendingHead; i < pendingTail; i++)
        {
            final int offset = offsets[i];
            final int flags = pending.getByte(offset + OutputSlot.FLAGS_OFFSET) & 0xFF;
            if (0 != (flags & OutputSlot.RELEASED_FLAG))
            {
                continue;
            }

            final long connectionId = pending.getLong(offset + OutputSlot.CONNECTION_ID_OFFSET);
            if (0 == (flags & OutputSlot.DURABILITY_BYPASS_FLAG))
            {
                final long wireSeq = pending.getLong(offset + OutputSlot.WIRE_SEQ_OFFSET);
                if (sequencedHeld || wireSeq > durablePos)
                {
                    sequencedHeld = true;
                    heldConnectionIds.add(connectionId);
                    continue;
                }

                if (wireSeq > 0)
                {
                    unreleasedSequencedCount--;
                }
            }
            else if (sequencedHeld)
            {
                if (heldConnectionIds.contains(connectionId))
                {
                    continue;
                }
                counters.increment(ResponseCounters.BYPASS_EARLY_RELEASES);
            }

            pending.putByte(offset + OutputSlot.FLAGS_OFFSET, (byte)(flags | OutputSlot.RELEASED_FLAG));
            unreleasedCount--;
            released++;
            deliver(slot.wrap(pending, offset));
        }

        while (pendingHead < pendingTail &&
            0 != (pending.getByte(offsets[pendingHead] + OutputSlot.FLAGS_OFFSET) & OutputSlot.RELEASED_FLAG))
        {
            pendingHead++;
        }

        if (pendingHead == pendingTail)
        {
            pendingHead = 0;
            pendingTail = 0;
            pendingLimitBytes = 0;
        }

        counters.set(ResponseCounters.PENDING_SLOTS, unreleasedCount);

        return released;
    }

    /**
     * The cache does not cover {@code neededWireSeq}, or a wait is under way: evaluate afresh. Tracks the wait from
     * the first evaluation that finds the gate shut to the one that finds it open (this one, or an evaluation since,
     * such as on a policy swap), then says what held it.
     */
    private void checkGate(final long nowNs, final long neededWireSeq)
    {
        evaluate(nowNs);
        final CursorView view = evaluator.view();
        if (!waiting)
        {
            if (cachedDurablePos >= neededWireSeq)
            {
                return;
            }
            waiting = true;
            crossTracker.reset(neededWireSeq);
        }

        crossTracker.observe(view.persistedWireSeq(0), view.minReplicaPersistedWireSeq(), nowNs);
        if (cachedDurablePos >= crossTracker.neededWireSeq())
        {
            attributeWait(view, crossTracker.neededWireSeq());
            waiting = false;
            waitEndedThisCycle = true;
        }
        else
        {
            lastShutView.copyFrom(view);
        }
    }

    /**
     * Say whether the journal or replication held a wait that has just ended: replay the last shut evaluation with
     * only the journal cursor brought up to date, then with only the replica cursors. If exactly one of them opens
     * the gate, that is what it was waiting on. If both or neither do (both moved together, or a swap opened it),
     * fall back to comparing the journal with the slowest replica.
     */
    private void attributeWait(final CursorView openView, final long neededWireSeq)
    {
        final Policy openPolicy = evaluator.policy();
        final CursorView shutView = lastShutView;

        attributionView.clear().addPrimary(openView.persistedWireSeq(0));
        for (int i = 1; i < shutView.size(); i++)
        {
            attributionView.addReplica(shutView.inMemoryWireSeq(i), shutView.persistedWireSeq(i));
        }
        final boolean journalOpens = openPolicy.evaluate(attributionView, attributionStatus).durablePos() >=
            neededWireSeq;

        attributionView.clear().addPrimary(shutView.persistedWireSeq(0));
        for (int i = 1; i < openView.size(); i++)
        {
            attributionView.addReplica(openView.inMemoryWireSeq(i), openView.persistedWireSeq(i));
        }
        final boolean replicasOpen = openPolicy.evaluate(attributionView, attributionStatus).durablePos() >=
            neededWireSeq;

        final boolean journalHeld = journalOpens != replicasOpen ?
            journalOpens : openView.persistedWireSeq(0) <= openView.minReplicaPersistedWireSeq();
        counters.increment(journalHeld ? ResponseCounters.GATE_WAITS_JOURNAL : ResponseCounters.GATE_WAITS_REPLICATION);
    }

    private void deliver(final OutputSlot slot)
    {
        final ConnectionSendState state = sendState(slot.connectionId());
        if (null == state || state.closing)
        {
            counters.increment(ResponseCounters.REPLIES_DISCARDED);
            return;
        }

        if (null != trace)
        {
            recordGateWait(slot);
        }

        final int payloadLength = slot.payloadLength();
        if (payloadLength > 0)
        {
            if (!appendPayloadFrame(state, slot.buffer(), slot.payloadOffset(), payloadLength))
            {
                return;
            }
            counters.increment(ResponseCounters.REPLIES_SENT);
        }

        if (slot.isLastInRequest() && appendBatchEnd(state, slot.requestSeq(), slot.batchEndWireSeq()))
        {
            counters.increment(ResponseCounters.BATCH_ENDS_SENT);
            if (null != trace)
            {
                trace.record(trace.serverEndToEnd(), dutyCycleNs - slot.recvTs());
            }
        }

        if (slot.isCloseAfter() && !state.closed)
        {
            state.closing = true;
            state.closeCode = slot.closeCode();
        }
    }

    private void recordGateWait(final OutputSlot slot)
    {
        if (waitEndedThisCycle && !slot.isDurabilityBypass() && slot.wireSeq() <= crossTracker.neededWireSeq())
        {
            if (crossTracker.journalCrossed())
            {
                trace.record(trace.journalWait(), crossTracker.journalCrossedNs() - slot.matchCompleteTs());
            }
            if (crossTracker.replicaCrossed())
            {
                trace.record(trace.replicaWait(), crossTracker.replicaCrossedNs() - slot.matchCompleteTs());
            }
        }
    }

    private ConnectionSendState sendState(final long connectionId)
    {
        ConnectionSendState state = stateByConnectionId.get(connectionId);
        if (null == state)
        {
            if (droppedConnectionIds.contains(connectionId))
            {
                return null;
            }

            final WritableByteChannel channel = connections.channel(connectionId);
            if (null == channel || !channel.isOpen())
            {
                return null;
            }

            state = new ConnectionSendState(
                connectionId, channel, initialSendBufferBytes, maxSendBufferBytes, dutyCycleNs);
            stateByConnectionId.put(connectionId, state);
        }

        return state;
    }

    private boolean appendPayloadFrame(
        final ConnectionSendState state, final DirectBuffer src, final int srcOffset, final int length)
    {
        final int frameLength = FRAME_LENGTH_FIELD + length;
        if (!makeRoom(state, frameLength))
        {
            return false;
        }

        final UnsafeBuffer buffer = state.buffer();
        final int frameOffset = state.limit();
        buffer.putInt(frameOffset, length, FRAME_ORDER);
        buffer.putBytes(frameOffset + FRAME_LENGTH_FIELD, src, srcOffset, length);
        state.advance(frameLength);
        appended(state);

        return true;
    }

    private boolean appendBatchEnd(final ConnectionSendState state, final long requestSeq, final long wireSeq)
    {
        if (!makeRoom(state, BATCH_END_FRAME_LENGTH))
        {
            return false;
        }

        final UnsafeBuffer buffer = state.buffer();
        final int frameOffset = state.limit();
        buffer.putInt(frameOffset, BATCH_END_FRAME_LENGTH - FRAME_LENGTH_FIELD, FRAME_ORDER);
        batchEndEncoder.wrapAndApplyHeader(buffer, frameOffset + FRAME_LENGTH_FIELD, headerEncoder)
            .requestSeq(requestSeq)
            .wireSeq(wireSeq);
        state.advance(BATCH_END_FRAME_LENGTH);
        appended(state);

        return true;
    }

    private void appendHeartbeat(final ConnectionSendState state)
    {
        final UnsafeBuffer buffer = state.buffer();
        final int frameOffset = state.limit();
        buffer.putInt(frameOffset, HEARTBEAT_FRAME_LENGTH - FRAME_LENGTH_FIELD, FRAME_ORDER);
        heartbeatEncoder.wrapAndApplyHeader(buffer, frameOffset + FRAME_LENGTH_FIELD, headerEncoder)
            .timestampNs(epochNanoClock.nanoTime());
        state.advance(HEARTBEAT_FRAME_LENGTH);
        appended(state);
    }

    private void appended(final ConnectionSendState state)
    {
        state.lastAppendNs = dutyCycleNs;
        if (!state.dirty)
        {
            state.dirty = true;
            state.waitingSinceNs = dutyCycleNs;
            dirtyStates.add(state);
        }
    }

    /**
     * Room for a frame, writing to the socket first if the buffer is at its limit; a client that still has no room
     * is dropped.
     */
    private boolean makeRoom(final ConnectionSendState state, final int frameLength)
    {
        if (state.ensureRoom(frameLength))
        {
            return true;
        }

        write(state);
        if (!state.closed && state.ensureRoom(frameLength))
        {
            return true;
        }

        if (!state.closed)
        {
            drop(state, DropReason.SEND_BUFFER_OVERFLOW);
        }

        return false;
    }

    /**
     * With an idle selector, a socket that did not take all its bytes wakes this stage's sleeping thread once it can
     * take more, instead of waiting for the next wake-up. The socket may already be registered there by its reader
     * (for reading), so only the write bit of that key is changed.
     */
    private void watchWritable(final ConnectionSendState state, final boolean watch)
    {
        if (idleSelector == null || state.watchingWritable == watch ||
            !(state.channel() instanceof SelectableChannel))
        {
            return;
        }
        final SelectableChannel channel = (SelectableChannel)state.channel();
        try
        {
            final SelectionKey key = channel.keyFor(idleSelector);
            if (key != null && key.isValid())
            {
                key.interestOps(watch ? key.interestOps() | SelectionKey.OP_WRITE :
                    key.interestOps() & ~SelectionKey.OP_WRITE);
            }
            else if (watch && channel.isOpen())
            {
                channel.register(idleSelector, SelectionKey.OP_WRITE);
            }
            state.watchingWritable = watch;
        }
        catch (final ClosedChannelException | CancelledKeyException ex)
        {
            state.watchingWritable = false;
        }
    }

    private int flushDirty()
    {
        final ArrayList<ConnectionSendState> dirty = dirtyStates;
        final int size = dirty.size();
        if (0 == size)
        {
            return 0;
        }

        final long startNs = null != trace ? nanoClock.nanoTime() : 0;
        int workCount = 0;
        int kept = 0;
        for (int i = 0; i < size; i++)
        {
            final ConnectionSendState state = dirty.get(i);
            if (!state.closed && write(state) > 0)
            {
                workCount++;
            }

            if (!state.closed && state.unsentBytes() > 0 && dutyCycleNs - state.waitingSinceNs > sendStallTimeoutNs)
            {
                drop(state, DropReason.SEND_STALLED);
            }

            if (!state.closed && state.unsentBytes() > 0)
            {
                dirty.set(kept++, state);
                watchWritable(state, true);
            }
            else
            {
                state.dirty = false;
                watchWritable(state, false);
                if (state.closing && !state.closed)
                {
                    farewellWritten(state);
                }
            }
        }

        for (int i = size - 1; i >= kept; i--)
        {
            dirty.remove(i);
        }

        if (null != trace)
        {
            trace.record(trace.egress(), nanoClock.nanoTime() - startNs);
        }

        return workCount;
    }

    private int write(final ConnectionSendState state)
    {
        try
        {
            final int written = state.write();
            if (written > 0)
            {
                counters.add(ResponseCounters.BYTES_WRITTEN, written);
                state.waitingSinceNs = dutyCycleNs;
            }
            return written;
        }
        catch (final IOException ex)
        {
            if (state.channel().isOpen())
            {
                drop(state, DropReason.WRITE_FAILED);
            }
            else
            {
                forget(state);
            }
            return 0;
        }
    }

    private void drop(final ConnectionSendState state, final DropReason reason)
    {
        forget(state);
        droppedConnectionIds.add(state.connectionId());
        counters.increment(DropReason.WRITE_FAILED == reason ?
            ResponseCounters.WRITE_FAILURE_DROPS : ResponseCounters.SLOW_CONSUMER_DROPS);
        connections.onDropped(state.connectionId(), reason);
    }

    /**
     * Its last message is written: hand the connection back to be closed. The connections forget it at once, so no
     * later reply can find it again.
     */
    private void farewellWritten(final ConnectionSendState state)
    {
        forget(state);
        counters.increment(ResponseCounters.FAREWELLS_WRITTEN);
        connections.onFarewellWritten(state.connectionId(), state.closeCode);
    }

    private void forget(final ConnectionSendState state)
    {
        state.closed = true;
        stateByConnectionId.remove(state.connectionId());
    }

    private int heartbeatIdleConnections(final long nowNs)
    {
        if (0 == heartbeatIntervalNs || nowNs - nextHeartbeatScanNs < 0)
        {
            return 0;
        }
        nextHeartbeatScanNs = nowNs + heartbeatScanIntervalNs;

        int sent = 0;
        final Iterator<ConnectionSendState> states = stateByConnectionId.values().iterator();
        while (states.hasNext())
        {
            final ConnectionSendState state = states.next();
            if (!state.channel().isOpen())
            {
                state.closed = true;
                states.remove();
            }
            else if (!state.closing && nowNs - state.lastAppendNs >= heartbeatIntervalNs &&
                state.ensureRoom(HEARTBEAT_FRAME_LENGTH))
            {
                appendHeartbeat(state);
                sent++;
            }
        }

        if (sent > 0)
        {
            counters.add(ResponseCounters.HEARTBEATS_SENT, sent);
            flushDirty();
        }

        return sent;
    }

    private void compactPending()
    {
        final UnsafeBuffer pending = pendingBuffer;
        final int[] offsets = pendingOffsets;
        int kept = 0;
        int limitBytes = 0;
        for (int i = pendingHead; i < pendingTail; i++)
        {
            final int offset = offsets[i];
            if (0 != (pending.getByte(offset + OutputSlot.FLAGS_OFFSET) & OutputSlot.RELEASED_FLAG))
            {
                continue;
            }

            final int length = BitUtil.align(
                OutputSlot.HEADER_LENGTH + pending.getInt(offset + OutputSlot.PAYLOAD_LENGTH_OFFSET),
                BitUtil.SIZE_OF_LONG);
            if (offset != limitBytes)
            {
                pending.putBytes(limitBytes, pending, offset, length);
            }
            offsets[kept++] = limitBytes;
            limitBytes += length;
        }

        pendingHead = 0;
        pendingTail = kept;
        pendingLimitBytes = limitBytes;
    }

}
