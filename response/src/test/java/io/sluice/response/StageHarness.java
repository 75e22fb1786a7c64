package io.sluice.response;

import io.sluice.durability.DurabilityControl;
import io.sluice.durability.Policy;
import io.sluice.durability.ReplicationMetrics;
import io.sluice.sbe.client.ExecutionReportEncoder;
import io.sluice.sbe.client.HaltedEncoder;
import io.sluice.sbe.client.MessageHeaderEncoder;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A response stage wired to fakes: an output ring with a publisher, a journal cursor, replica metrics, a clock the
 * test moves, and fake client channels.
 */
final class StageHarness
{
    static final int RING_CAPACITY = 1024 * 1024;

    final OneToOneRingBuffer ring = new OneToOneRingBuffer(
        new UnsafeBuffer(ByteBuffer.allocateDirect(RING_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH)));
    final OutputRingPublisher publisher = new OutputRingPublisher(ring);
    final AtomicLong journalPersistedWireSeq = new AtomicLong();
    final ReplicationMetrics metrics;
    final DurabilityControl control;
    final CachedNanoClock clock = new CachedNanoClock();
    final FakeConnections connections = new FakeConnections();
    final RecordingDegradationEvents degradationEvents = new RecordingDegradationEvents();
    final ResponseContext context;
    private ResponseAgent agent;

    private final ExpandableArrayBuffer payload = new ExpandableArrayBuffer(512);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ExecutionReportEncoder executionReportEncoder = new ExecutionReportEncoder();
    private final HaltedEncoder haltedEncoder = new HaltedEncoder();

    StageHarness(final int replicaSlots, final Policy initialPolicy)
    {
        clock.update(1_000_000_000L);
        metrics = new ReplicationMetrics(replicaSlots);
        control = new DurabilityControl(initialPolicy);
        context = new ResponseContext()
            .outputRing(ring)
            .connections(connections)
            .durabilityControl(control)
            .journalPersistedWireSeq(journalPersistedWireSeq::get)
            .replicationMetrics(metrics)
            .nanoClock(clock)
            .epochNanoClock(() -> 42L)
            .heartbeatIntervalNs(0)
            .degradationEvents(degradationEvents);
    }

    ResponseAgent agent()
    {
        if (null == agent)
        {
            agent = new ResponseAgent(context);
            agent.onStart();
        }
        return agent;
    }

    ResponseCounters counters()
    {
        return agent().counters();
    }

    int doWork()
    {
        return agent().doWork();
    }

    /** Run duty cycles until one does no work (bounded). */
    void settle()
    {
        for (int i = 0; i < 100; i++)
        {
            if (0 == doWork())
            {
                return;
            }
        }
        throw new AssertionError("stage did not settle");
    }

    /** An execution report for a sequenced command, the last reply of its request. */
    void publishReport(final long connectionId, final long requestSeq, final long wireSeq)
    {
        publishReport(connectionId, requestSeq, wireSeq, true);
    }

    void publishReport(final long connectionId, final long requestSeq, final long wireSeq, final boolean last)
    {
        executionReportEncoder.wrapAndApplyHeader(payload, 0, headerEncoder)
            .requestSeq(requestSeq)
            .wireSeq(wireSeq)
            .timestampNs(clock.nanoTime());
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + executionReportEncoder.encodedLength();
        publish(connectionId, wireSeq, requestSeq, last ? OutputSlot.LAST_IN_REQUEST_FLAG : 0, length);
    }

    /** A HALTED reject: no wireSeq, bypasses the gate. */
    void publishHalted(final long connectionId, final long requestSeq)
    {
        haltedEncoder.wrapAndApplyHeader(payload, 0, headerEncoder)
            .requestSeq(requestSeq)
            .reason("policy degraded");
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + haltedEncoder.encodedLength();
        publish(connectionId, 0, requestSeq,
            OutputSlot.LAST_IN_REQUEST_FLAG | OutputSlot.DURABILITY_BYPASS_FLAG, length);
    }

    /** A query reply: no wireSeq, but not a bypass (it shows state earlier commands made). */
    void publishQueryReply(final long connectionId, final long requestSeq)
    {
        executionReportEncoder.wrapAndApplyHeader(payload, 0, headerEncoder)
            .requestSeq(requestSeq)
            .wireSeq(0);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + executionReportEncoder.encodedLength();
        publish(connectionId, 0, requestSeq, OutputSlot.LAST_IN_REQUEST_FLAG, length);
    }

    /** A connection's last message (a HALTED stands in for it): bypasses the gate, then the connection closes. */
    void publishFarewell(final long connectionId, final int closeCode)
    {
        haltedEncoder.wrapAndApplyHeader(payload, 0, headerEncoder)
            .requestSeq(0)
            .reason("closing");
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + haltedEncoder.encodedLength();
        publish(connectionId, 0, 0, OutputSlot.DURABILITY_BYPASS_FLAG | OutputSlot.closeAfter(closeCode), length);
    }

    /**
     * The answer to a request applied earlier: its report carries no wireSeq, the slot waits for {@code gateWireSeq}.
     */
    void publishDuplicateAnswer(final long connectionId, final long requestSeq, final long gateWireSeq)
    {
        executionReportEncoder.wrapAndApplyHeader(payload, 0, headerEncoder)
            .requestSeq(requestSeq)
            .wireSeq(0);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + executionReportEncoder.encodedLength();
        publish(connectionId, gateWireSeq, requestSeq,
            OutputSlot.LAST_IN_REQUEST_FLAG | OutputSlot.GATE_ONLY_WIRE_SEQ_FLAG, length);
    }

    private void publish(
        final long connectionId, final long wireSeq, final long requestSeq, final int flags, final int length)
    {
        final long now = clock.nanoTime();
        if (!publisher.offer(connectionId, wireSeq, requestSeq, flags, now, now, payload, 0, length))
        {
            throw new AssertionError("output ring full");
        }
    }
}
