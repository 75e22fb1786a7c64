package io.sluice.pipeline.sequencer;

import io.sluice.matching.MatchingContext;
import io.sluice.pipeline.ingest.IngestRecord;
import io.sluice.pipeline.ingest.IngestResult;
import io.sluice.pipeline.ingest.IngestRing;
import io.sluice.pipeline.ingest.IngestRings;
import io.sluice.pipeline.net.CloseReason;
import io.sluice.response.OutputRingPublisher;
import io.sluice.response.OutputSlot;
import io.sluice.sbe.client.BooleanType;
import io.sluice.sbe.client.CancelOnDisconnect;
import io.sluice.sbe.client.EngineErrorCode;
import io.sluice.sbe.client.EngineErrorDecoder;
import io.sluice.sbe.client.EngineErrorEncoder;
import io.sluice.sbe.client.ExecutionReportDecoder;
import io.sluice.sbe.client.LogonAckDecoder;
import io.sluice.sbe.client.LogonEncoder;
import io.sluice.sbe.client.LogoutDecoder;
import io.sluice.sbe.client.LogoutEncoder;
import io.sluice.sbe.client.MessageHeaderDecoder;
import io.sluice.sbe.client.MessageHeaderEncoder;
import io.sluice.sbe.client.NewOrderEncoder;
import io.sluice.sbe.client.OrderStatusDecoder;
import io.sluice.sbe.client.OrderStatusQueryEncoder;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import io.sluice.sbe.journal.EntryType;
import io.sluice.sbe.journal.JournalEntryDecoder;
import io.sluice.sbe.journal.KillSwitchDecoder;
import io.sluice.sbe.journal.KillTarget;
import io.sluice.sbe.journal.SessionCommandDecoder;
import org.agrona.BitUtil;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sequencer's session table and the slots it writes: who a report goes to and with which requestSeq, what a
 * resend's BatchEnd carries, logons that name another account or take a session over, the readers' own answers,
 * cancel-on-disconnect's grace period and the kill switch.
 */
class SequencerSessionTest
{
    private static final int INSTRUMENT = 1;
    private static final long GRACE_NS = 5_000_000_000L;

    private final IngestRings rings = new IngestRings();
    private final IngestRing ring = new IngestRing(0, 64 * 1024, 4, 64, System::nanoTime);
    private final RingBuffer journalRing = ring(256 * 1024);
    private final RingBuffer outputRing = ring(256 * 1024);
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[256]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private SequencerAgent sequencer;
    private long nowNs = 1_000_000_000L;
    /** What the gate says of the sequencer's own commands; null lets them through. */
    private String nodeCommandHalt;

    @BeforeEach
    void setUp()
    {
        rings.add(ring);
        sequencer = newSequencer();
        assertTrue(sequencer.addInstrument(INSTRUMENT, "TEST", 1, 1, 1, 1_000_000, 10_000, 5_000) > 0);
    }

    private SequencerAgent newSequencer()
    {
        return new SequencerAgent(new SequencerContext()
            .ingestRings(rings)
            .batchPerRing(64)
            .journalRing(journalRing)
            .output(new OutputRingPublisher(outputRing))
            .tradingGate(new TradingGate()
            {
                public String haltReason()
                {
                    return null;
                }

                public String nodeCommandHaltReason()
                {
                    return nodeCommandHalt;
                }
            })
            .engineContext(new MatchingContext())
            .epochClock(new SystemEpochNanoClock())
            .nanoClock(() -> nowNs)
            .cancelOnDisconnectGraceNs(GRACE_NS));
    }

    @Test
    void shouldSendMakerFillsUnsolicitedWithRequestSeqZeroAndTheTakersOwnWithItsRequestSeq()
    {
        logon(1, 10, 100);
        logon(2, 20, 200);
        order(1, 10, 100, 5, Side.BUY, 10_000);
        order(2, 20, 200, 9, Side.SELL, 10_000);
        poll();

        final List<String> slots = slots();
        assertTrue(slots.contains("conn=1 ExecutionReport requestSeq=0 FILL"), slots.toString());
        assertTrue(slots.contains("conn=2 ExecutionReport requestSeq=9 FILL"), slots.toString());
        assertTrue(slots.contains("conn=2 BatchEnd requestSeq=9 wireSeq=3"), slots.toString());
    }

    @Test
    void shouldEndTheAnswerToAResendWithWireSeqZeroWhileWaitingForTheLastWireSeq()
    {
        logon(1, 10, 100);
        order(1, 10, 100, 1, Side.BUY, 9_990);
        order(1, 10, 100, 1, Side.BUY, 9_990);
        poll();

        final List<String> slots = slots();
        final int last = slots.size() - 1;
        assertEquals("conn=1 ExecutionReport requestSeq=1 REJECTED DUPLICATE_REQUEST", slots.get(last - 1));
        assertEquals("conn=1 BatchEnd requestSeq=1 wireSeq=0", slots.get(last));
        assertEquals(List.of(2L, 2L), gates.subList(last - 1, last + 1), "released once the original is durable");
        assertEquals(List.of(true, true), gateOnly.subList(last - 1, last + 1));
    }

    @Test
    void shouldRefuseALogonNamingAnotherAccountThanTheSessionsAndCloseThatConnection()
    {
        logon(1, 10, 100);
        order(1, 10, 100, 1, Side.BUY, 9_990);
        logon(2, 10, 999);
        poll();

        final List<String> slots = slots();
        assertEquals("conn=2 LogonAck REJECTED NOT_AUTHORIZED close=" + CloseReason.LOGON_REFUSED,
            slots.get(slots.size() - 1));
    }

    @Test
    void shouldTellTheConnectionANewerLogonOfItsSessionReplacesThenCloseIt()
    {
        logon(1, 10, 100);
        logon(2, 10, 100);
        poll();

        final List<String> slots = slots();
        assertEquals(List.of("conn=1 LogonAck ACCEPTED", "conn=1 EngineError SESSION_REPLACED close=" +
            CloseReason.SESSION_REPLACED, "conn=2 LogonAck ACCEPTED"), slots);
    }

    @Test
    void shouldPassTheReadersAnswersOnInOrder()
    {
        final EngineErrorEncoder error = new EngineErrorEncoder().wrapAndApplyHeader(message, 0, headerEncoder)
            .requestSeq(4).code(EngineErrorCode.MALFORMED_MESSAGE).detail("ENUM_OUT_OF_RANGE");
        publish(IngestRecord.MSG_TYPE_REPLY, 3, 0, 0, MessageHeaderEncoder.ENCODED_LENGTH + error.encodedLength());
        final LogoutEncoder logout = new LogoutEncoder().wrapAndApplyHeader(message, 0, headerEncoder).sessionId(0);
        publish(IngestRecord.MSG_TYPE_FAREWELL, 3, 0, 0, MessageHeaderEncoder.ENCODED_LENGTH + logout.encodedLength());
        poll();

        assertEquals(List.of("conn=3 EngineError MALFORMED_MESSAGE", "conn=3 BatchEnd requestSeq=4 wireSeq=0",
            "conn=3 Logout close=" + CloseReason.LOGGED_OUT), slots());
    }

    @Test
    void shouldCancelTheDayOrdersOfASessionGoneLongerThanItsGraceAndKeepItsGtcOrders()
    {
        logon(1, 10, 100, CancelOnDisconnect.ON);
        order(1, 10, 100, 1, Side.BUY, 9_990, TimeInForce.DAY);
        order(1, 10, 100, 2, Side.BUY, 9_980, TimeInForce.GTC);
        logout(1, 10, 100);
        poll();

        assertEquals(List.of(10L), entries(EntryType.CANCEL_ON_DISCONNECT_ON), "what the logon asked is state");
        nowNs += GRACE_NS - 1;
        poll();
        assertEquals(List.of(), entries(EntryType.CANCEL_SESSION_DAY_ORDERS), "not before the grace period ends");
        nowNs += 1;
        poll();

        assertEquals(List.of(10L), entries(EntryType.CANCEL_SESSION_DAY_ORDERS));
        assertEquals(0, sequencer.cancelOnDisconnectPending());
        logon(2, 10, 100, CancelOnDisconnect.ON);
        orderStatus(2, 10, 100, 3, 1);
        orderStatus(2, 10, 100, 4, 2);
        poll();
        final List<String> slots = slots();
        assertTrue(slots.contains("conn=2 OrderStatus clientOrderId=1 CANCELED"), slots.toString());
        assertTrue(slots.contains("conn=2 OrderStatus clientOrderId=2 NEW"), slots.toString());
    }

    @Test
    void shouldCancelNothingWhenTheSessionLogsOnAgainWithinItsGrace()
    {
        logon(1, 10, 100, CancelOnDisconnect.ON);
        order(1, 10, 100, 1, Side.BUY, 9_990, TimeInForce.DAY);
        logout(1, 10, 100);
        poll();
        nowNs += GRACE_NS / 2;
        logon(2, 10, 100, CancelOnDisconnect.ON);
        poll();
        nowNs += 2 * GRACE_NS;
        orderStatus(2, 10, 100, 2, 1);
        poll();

        assertEquals(List.of(), entries(EntryType.CANCEL_SESSION_DAY_ORDERS));
        assertTrue(slots().contains("conn=2 OrderStatus clientOrderId=1 NEW"));
    }

    @Test
    void shouldStartTheGracePeriodOfEverySessionThatWantsItWhenANewTermStarts()
    {
        logon(1, 10, 100, CancelOnDisconnect.ON);
        logon(2, 20, 200, CancelOnDisconnect.ON);
        order(1, 10, 100, 1, Side.BUY, 9_990, TimeInForce.DAY);
        order(2, 20, 200, 1, Side.BUY, 9_980, TimeInForce.DAY);
        poll();
        slots();
        entries(EntryType.CANCEL_ON_DISCONNECT_ON);
        // A new primary (promoted, or restarted) holding that state: neither session is logged on to it.
        final UnsafeBuffer state = new UnsafeBuffer(new byte[sequencer.engine().snapshotLength()]);
        sequencer.engine().snapshot(state, 0);
        sequencer = newSequencer();
        sequencer.engine().restore(state, 0, state.capacity());
        sequencer.resumeFrom(5, 2);
        poll();
        nowNs += GRACE_NS / 2;
        logon(3, 20, 200, CancelOnDisconnect.ON);
        poll();
        nowNs += GRACE_NS;
        poll();

        assertEquals(List.of(10L), entries(EntryType.CANCEL_SESSION_DAY_ORDERS),
            "the session that did not come back within the grace period, only");
    }

    @Test
    void shouldLeaveTheOrdersOfASessionThatDidNotAskForCancelOnDisconnect()
    {
        logon(1, 10, 100, CancelOnDisconnect.NULL_VAL);
        logon(2, 20, 200, CancelOnDisconnect.OFF);
        order(1, 10, 100, 1, Side.BUY, 9_990, TimeInForce.DAY);
        order(2, 20, 200, 1, Side.BUY, 9_980, TimeInForce.DAY);
        logout(1, 10, 100);
        logout(2, 20, 200);
        poll();
        nowNs += 2 * GRACE_NS;
        poll();

        assertEquals(List.of(), entries(EntryType.CANCEL_SESSION_DAY_ORDERS), "the listener's default is off");
    }

    @Test
    void shouldJournalAKillCancelTheAccountsOrdersAndRejectItsNewOrdersKilled() throws Exception
    {
        logon(1, 10, 100, CancelOnDisconnect.NULL_VAL);
        order(1, 10, 100, 1, Side.BUY, 9_990, TimeInForce.GTC);
        poll();
        slots();

        final KillSwitchCommand kill = KillSwitchCommand.kill(KillTarget.ACCOUNT, 100);
        assertTrue(sequencer.submit(kill));
        poll();
        order(1, 10, 100, 2, Side.BUY, 9_990, TimeInForce.GTC);
        poll();

        assertEquals("OK killed account 100: 1 orders cancelled (wireSeq 3)", kill.reply().get());
        assertEquals(List.of(100L), entries(EntryType.KILL));
        assertEquals(List.of("conn=1 ExecutionReport requestSeq=0 CANCELED KILLED",
            "conn=1 ExecutionReport requestSeq=2 REJECTED KILLED", "conn=1 BatchEnd requestSeq=2 wireSeq=4"), slots());
        assertEquals(List.of(100L), java.util.Arrays.stream(sequencer.killedAccounts()).boxed().toList());

        final KillSwitchCommand unkill = KillSwitchCommand.unkill(KillTarget.ACCOUNT, 100);
        sequencer.submit(unkill);
        poll();
        assertEquals("OK unkilled account 100 (wireSeq 5)", unkill.reply().get());
        assertEquals(0, sequencer.killedAccounts().length);
    }

    @Test
    void shouldRefuseAKillAndHoldCancelOnDisconnectWhileTheNodeMayNotJournalItsOwnCommands() throws Exception
    {
        logon(1, 10, 100, CancelOnDisconnect.ON);
        order(1, 10, 100, 1, Side.BUY, 9_990, TimeInForce.DAY);
        logout(1, 10, 100);
        poll();
        nodeCommandHalt = "fenced";

        final KillSwitchCommand kill = KillSwitchCommand.kill(KillTarget.ACCOUNT, 100);
        sequencer.submit(kill);
        nowNs += 2 * GRACE_NS;
        poll();

        assertEquals("ERR not applied: fenced", kill.reply().get());
        assertEquals(List.of(), entries(EntryType.KILL));
        assertEquals(List.of(), entries(EntryType.CANCEL_SESSION_DAY_ORDERS));
        assertEquals(1, sequencer.cancelOnDisconnectPending(), "kept until the node may journal again");
        nodeCommandHalt = null;
        poll();
        assertEquals(List.of(10L), entries(EntryType.CANCEL_SESSION_DAY_ORDERS));
    }

    /** Per line of {@link #slots()}: the wireSeq its slot waits for, and whether that is all it is. */
    private final List<Long> gates = new ArrayList<>();
    private final List<Boolean> gateOnly = new ArrayList<>();

    private void poll()
    {
        while (sequencer.doWork() > 0)
        {
            Thread.onSpinWait();
        }
    }

    private void logon(final long connectionId, final long sessionId, final long accountId)
    {
        logon(connectionId, sessionId, accountId, CancelOnDisconnect.NULL_VAL);
    }

    private void logon(
        final long connectionId, final long sessionId, final long accountId, final CancelOnDisconnect cancel)
    {
        final LogonEncoder logon = new LogonEncoder().wrapAndApplyHeader(message, 0, headerEncoder)
            .sessionId(sessionId).accountId(accountId).cancelOnDisconnect(cancel);
        publish(IngestRecord.MSG_TYPE_CLIENT_MESSAGE, connectionId, sessionId, accountId,
            MessageHeaderEncoder.ENCODED_LENGTH + logon.encodedLength());
    }

    /** A client's Logout, or the one its reader sends for it when its connection drops: the same to the sequencer. */
    private void logout(final long connectionId, final long sessionId, final long accountId)
    {
        final LogoutEncoder logout = new LogoutEncoder().wrapAndApplyHeader(message, 0, headerEncoder)
            .sessionId(sessionId);
        publish(IngestRecord.MSG_TYPE_CLIENT_MESSAGE, connectionId, sessionId, accountId,
            MessageHeaderEncoder.ENCODED_LENGTH + logout.encodedLength());
    }

    private void orderStatus(
        final long connectionId, final long sessionId, final long accountId, final long requestSeq,
        final long clientOrderId)
    {
        final OrderStatusQueryEncoder query = new OrderStatusQueryEncoder()
            .wrapAndApplyHeader(message, 0, headerEncoder).requestSeq(requestSeq).clientOrderId(clientOrderId);
        publish(IngestRecord.MSG_TYPE_CLIENT_MESSAGE, connectionId, sessionId, accountId,
            MessageHeaderEncoder.ENCODED_LENGTH + query.encodedLength());
    }

    /**
     * Takes the entries journaled since the last call off the journal ring.
     *
     * @return per entry of the type, in order, the account or session it kills, or the session it is about.
     */
    private List<Long> entries(final EntryType type)
    {
        final List<Long> ids = new ArrayList<>();
        final JournalEntryDecoder entry = new JournalEntryDecoder();
        final io.sluice.sbe.journal.MessageHeaderDecoder header = new io.sluice.sbe.journal.MessageHeaderDecoder();
        final KillSwitchDecoder killSwitch = new KillSwitchDecoder();
        final SessionCommandDecoder sessionCommand = new SessionCommandDecoder();
        journalRing.controlledRead((msgTypeId, buffer, index, length) ->
        {
            entry.wrapAndApplyHeader(buffer, index, header);
            if (entry.entryType() == type)
            {
                final int body = entry.limit() + 4;
                header.wrap(buffer, body);
                if (header.templateId() == SessionCommandDecoder.TEMPLATE_ID)
                {
                    ids.add(sessionCommand.wrapAndApplyHeader(buffer, body, header).sessionId());
                }
                else
                {
                    ids.add(killSwitch.wrapAndApplyHeader(buffer, body, header).targetId());
                }
            }
            return org.agrona.concurrent.ControlledMessageHandler.Action.CONTINUE;
        }, Integer.MAX_VALUE);
        return ids;
    }

    private void order(
        final long connectionId, final long sessionId, final long accountId, final long requestSeq, final Side side,
        final long price)
    {
        order(connectionId, sessionId, accountId, requestSeq, side, price, TimeInForce.GTC);
    }

    private void order(
        final long connectionId, final long sessionId, final long accountId, final long requestSeq, final Side side,
        final long price, final TimeInForce timeInForce)
    {
        final NewOrderEncoder order = new NewOrderEncoder().wrapAndApplyHeader(message, 0, headerEncoder)
            .requestSeq(requestSeq).clientOrderId(requestSeq).instrumentId(INSTRUMENT).side(side)
            .orderType(OrderType.LIMIT).timeInForce(timeInForce).postOnly(BooleanType.FALSE).price(price)
            .quantity(10);
        publish(IngestRecord.MSG_TYPE_CLIENT_MESSAGE, connectionId, sessionId, accountId,
            MessageHeaderEncoder.ENCODED_LENGTH + order.encodedLength());
    }

    private void publish(
        final int msgTypeId, final long connectionId, final long sessionId, final long accountId, final int length)
    {
        assertEquals(IngestResult.INGESTED, ring.publisher().publish(
            msgTypeId, connectionId, sessionId, accountId, System.nanoTime(), message, 0, length));
    }

    /**
     * Drains the output ring: one line per slot, and a BatchEnd line after each slot that ends its request.
     */
    private List<String> slots()
    {
        final List<String> slots = new ArrayList<>();
        gates.clear();
        gateOnly.clear();
        final OutputSlot slot = new OutputSlot();
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        final ExecutionReportDecoder report = new ExecutionReportDecoder();
        final LogonAckDecoder logonAck = new LogonAckDecoder();
        final EngineErrorDecoder error = new EngineErrorDecoder();
        final OrderStatusDecoder status = new OrderStatusDecoder();
        outputRing.read((type, buffer, index, length) ->
        {
            slot.wrap(buffer, index);
            final String close = slot.isCloseAfter() ? " close=" + CloseReason.values()[slot.closeCode()] : "";
            if (slot.payloadLength() > 0)
            {
                header.wrap(buffer, slot.payloadOffset());
                final String line;
                switch (header.templateId())
                {
                    case ExecutionReportDecoder.TEMPLATE_ID:
                        report.wrapAndApplyHeader(buffer, slot.payloadOffset(), header);
                        line = "ExecutionReport requestSeq=" + report.requestSeq() + " " + report.execType() +
                            (report.rejectReason() == io.sluice.sbe.client.RejectReason.NONE ? "" :
                            " " + report.rejectReason());
                        break;
                    case LogonAckDecoder.TEMPLATE_ID:
                        logonAck.wrapAndApplyHeader(buffer, slot.payloadOffset(), header);
                        line = "LogonAck " + logonAck.status() + (logonAck.status() ==
                            io.sluice.sbe.client.LogonStatus.ACCEPTED ? "" : " " + logonAck.rejectReason());
                        break;
                    case EngineErrorDecoder.TEMPLATE_ID:
                        error.wrapAndApplyHeader(buffer, slot.payloadOffset(), header);
                        line = "EngineError " + error.code();
                        break;
                    case OrderStatusDecoder.TEMPLATE_ID:
                        status.wrapAndApplyHeader(buffer, slot.payloadOffset(), header);
                        line = "OrderStatus clientOrderId=" + status.clientOrderId() + " " + status.state();
                        break;
                    case LogoutDecoder.TEMPLATE_ID:
                        line = "Logout";
                        break;
                    default:
                        line = "template" + header.templateId();
                        break;
                }
                slots.add("conn=" + slot.connectionId() + " " + line + close);
                gates.add(slot.wireSeq());
                gateOnly.add(slot.isGateOnlyWireSeq());
            }
            if (slot.isLastInRequest())
            {
                slots.add("conn=" + slot.connectionId() + " BatchEnd requestSeq=" + slot.requestSeq() + " wireSeq=" +
                    slot.batchEndWireSeq());
                gates.add(slot.wireSeq());
                gateOnly.add(slot.isGateOnlyWireSeq());
            }
        }, Integer.MAX_VALUE);
        return slots;
    }

    private static RingBuffer ring(final int capacity)
    {
        return new OneToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(
            BitUtil.align(capacity + RingBufferDescriptor.TRAILER_LENGTH, 64))));
    }
}
