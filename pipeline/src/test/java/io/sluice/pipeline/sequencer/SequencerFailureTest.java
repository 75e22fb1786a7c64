package io.sluice.pipeline.sequencer;

import io.sluice.matching.MatchingContext;
import io.sluice.pipeline.ingest.IngestResult;
import io.sluice.pipeline.ingest.IngestRing;
import io.sluice.pipeline.ingest.IngestRings;
import io.sluice.response.OutputRingPublisher;
import io.sluice.response.OutputSlot;
import io.sluice.sbe.client.BooleanType;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.ExecutionReportDecoder;
import io.sluice.sbe.client.HaltedDecoder;
import io.sluice.sbe.client.LogonEncoder;
import io.sluice.sbe.client.MessageHeaderDecoder;
import io.sluice.sbe.client.MessageHeaderEncoder;
import io.sluice.sbe.client.NewOrderEncoder;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.HdrHistogram.Recorder;
import org.agrona.BitUtil;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A record whose handling throws inside the sequencer (a bug, such as the soak's gate evaluator shared with STATUS
 * threads) must never vanish unanswered: the next request of its session would otherwise be applied in its place
 * and the lost one would later be answered DUPLICATE_REQUEST, "already applied", for something never journaled.
 */
class SequencerFailureTest
{
    private static final long SESSION = 7;
    private static final int INSTRUMENT = 1;

    private final IngestRings rings = new IngestRings();
    private final IngestRing ring = new IngestRing(0, 64 * 1024, 4, 64, System::nanoTime);
    private final RingBuffer journalRing = ring(256 * 1024);
    private final RingBuffer outputRing = ring(256 * 1024);
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[256]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ScriptedGate gate = new ScriptedGate();
    private final ScriptedClock clock = new ScriptedClock();
    private SequencerAgent sequencer;

    @BeforeEach
    void setUp()
    {
        rings.add(ring);
        sequencer = new SequencerAgent(new SequencerContext()
            .ingestRings(rings)
            .batchPerRing(64)
            .journalRing(journalRing)
            .output(new OutputRingPublisher(outputRing))
            .tradingGate(gate)
            .engineContext(new MatchingContext())
            .epochClock(new SystemEpochNanoClock())
            .nanoClock(clock));
        assertTrue(sequencer.addInstrument(INSTRUMENT, "TEST", 1, 1, 1, 1_000_000, 10_000, 5_000) > 0);
        journalRing.read((type, buffer, index, length) -> { }, Integer.MAX_VALUE);
    }

    @Test
    void shouldAnswerHaltedAndRefuseTheConnectionWhenARequestThrowsBeforeItIsJournaled()
    {
        logon(1);
        order(1, 1);
        pollAll();
        gate.throwOnNextCall = true;
        order(1, 2);
        order(1, 3);

        assertThrows(IllegalStateException.class, this::pollAll);
        pollAll();

        final List<String> replies = replies();
        assertTrue(replies.contains("1:NEW"), replies.toString());
        assertTrue(replies.stream().anyMatch(reply -> reply.startsWith("2:HALTED " + SequencerAgent.INTERNAL_ERROR)),
            replies.toString());
        assertTrue(replies.contains("3:HALTED " + SequencerAgent.AFTER_REFUSAL), replies.toString());
        assertEquals(1, journalEntries(), "only request 1 was journaled");
        assertEquals(1, sequencer.internalErrors());
        assertNull(sequencer.failureReason(), "nothing was part-applied: the node goes on");

        // The client logs on again and resends: both are applied, in order.
        logon(2);
        order(2, 2);
        order(2, 3);
        pollAll();
        assertEquals(List.of("2:NEW", "3:NEW"), replies());
        assertEquals(2, journalEntries());
    }

    @Test
    void shouldStopTakingOrdersWhenARequestThrowsAfterItWasJournaled()
    {
        sequencer.trace(new Recorder(3), new Recorder(3));
        logon(1);
        order(1, 1);
        pollAll();
        replies();
        assertEquals(1, journalEntries());

        clock.throwAfterCalls = 1; // the call stamping the reply, after the entry was published to the journal
        order(1, 2);
        assertThrows(IllegalStateException.class, this::pollAll);
        assertEquals(1, journalEntries(), "request 2 was journaled before it failed");
        final String failure = sequencer.failureReason();
        assertNotNull(failure);
        assertTrue(failure.contains("wireSeq 3"), failure);

        clock.throwAfterCalls = -1;
        logon(2);
        order(2, 3);
        pollAll();
        assertEquals(List.of("3:HALTED " + failure), replies());
        assertEquals(0, journalEntries(), "nothing more is journaled once the state may be part-applied");
    }

    private void pollAll()
    {
        while (sequencer.doWork() > 0)
        {
            Thread.onSpinWait();
        }
    }

    private void logon(final long connectionId)
    {
        final LogonEncoder logon = new LogonEncoder().wrapAndApplyHeader(message, 0, headerEncoder)
            .sessionId(SESSION).accountId(SESSION);
        publish(connectionId, MessageHeaderEncoder.ENCODED_LENGTH + logon.encodedLength());
    }

    private void order(final long connectionId, final long requestSeq)
    {
        final NewOrderEncoder order = new NewOrderEncoder().wrapAndApplyHeader(message, 0, headerEncoder)
            .requestSeq(requestSeq).clientOrderId(requestSeq).instrumentId(INSTRUMENT).side(Side.BUY)
            .orderType(OrderType.LIMIT).timeInForce(TimeInForce.GTC).postOnly(BooleanType.FALSE).price(9_990)
            .quantity(1);
        publish(connectionId, MessageHeaderEncoder.ENCODED_LENGTH + order.encodedLength());
    }

    private void publish(final long connectionId, final int length)
    {
        assertEquals(IngestResult.INGESTED,
            ring.publisher().publish(connectionId, SESSION, SESSION, System.nanoTime(), message, 0, length));
    }

    /** Drains the output ring: "requestSeq:EXECTYPE" per execution report, "requestSeq:HALTED reason". */
    private List<String> replies()
    {
        final List<String> replies = new ArrayList<>();
        final OutputSlot slot = new OutputSlot();
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        final ExecutionReportDecoder report = new ExecutionReportDecoder();
        final HaltedDecoder halted = new HaltedDecoder();
        outputRing.read((type, buffer, index, length) ->
        {
            slot.wrap(buffer, index);
            header.wrap(buffer, slot.payloadOffset());
            if (header.templateId() == ExecutionReportDecoder.TEMPLATE_ID)
            {
                report.wrapAndApplyHeader(buffer, slot.payloadOffset(), header);
                final ExecType execType = report.execType();
                replies.add(report.requestSeq() + ":" + execType);
            }
            else if (header.templateId() == HaltedDecoder.TEMPLATE_ID)
            {
                halted.wrapAndApplyHeader(buffer, slot.payloadOffset(), header);
                replies.add(halted.requestSeq() + ":HALTED " + halted.reason());
            }
        }, Integer.MAX_VALUE);
        return replies;
    }

    private int journalEntries()
    {
        return journalRing.read((type, buffer, index, length) -> { }, Integer.MAX_VALUE);
    }

    private static RingBuffer ring(final int capacity)
    {
        return new OneToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(
            BitUtil.align(capacity + RingBufferDescriptor.TRAILER_LENGTH, 64))));
    }

    /** Open, but throws on the call after being told to, as a gate with a bug would. */
    private static final class ScriptedGate implements TradingGate
    {
        boolean throwOnNextCall;

        @Override
        public String haltReason()
        {
            if (throwOnNextCall)
            {
                throwOnNextCall = false;
                throw new IllegalStateException("view capacity 3 exceeded");
            }
            return null;
        }
    }

    /** System time, but throws once the given number of further calls were made (-1 never). */
    private static final class ScriptedClock implements NanoClock
    {
        int throwAfterCalls = -1;

        @Override
        public long nanoTime()
        {
            if (throwAfterCalls == 0)
            {
                throwAfterCalls = -1;
                throw new IllegalStateException("clock failed while the command was being applied");
            }
            if (throwAfterCalls > 0)
            {
                throwAfterCalls--;
            }
            return System.nanoTime();
        }
    }
}
