package io.sluice.matching;

import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.OrderState;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.sluice.matching.TestExchange.sessionOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kill switch: KILL and UNKILL of an account or a session.
 */
class KillSwitchTest
{
    private final TestExchange exchange = new TestExchange();

    @Test
    void shouldCancelRestingOrdersOfAKilledAccountWithReasonKilled()
    {
        exchange.buy(1, 11, 9_990, 10);
        exchange.sell(1, 12, 10_010, 20);
        exchange.buy(2, 21, 9_985, 10);

        final int cancelled = exchange.killAccount(1);

        assertEquals(2, cancelled);
        final List<RecordingListener.Report> reports = exchange.listener.reports();
        assertEquals(List.of(11L, 12L), reports.stream().map(RecordingListener.Report::clientOrderId).toList());
        reports.forEach((report) ->
        {
            assertEquals(ExecType.CANCELED, report.execType());
            assertEquals(RejectReason.KILLED, report.rejectReason());
            assertEquals(0, report.leavesQuantity());
        });
        assertEquals(List.of("B 9985 10 1"), exchange.book());
        assertEquals(OrderState.CANCELED, exchange.status(1, 11).state());
        assertEquals(RejectReason.KILLED, exchange.status(1, 11).rejectReason());
    }

    @Test
    void shouldRejectNewOrdersAndReplacesOfAKilledAccountButStillCancel()
    {
        exchange.buy(1, 11, 9_990, 10);
        exchange.killAccount(1);

        final RecordingListener.Report order = exchange.buy(1, 13, 9_990, 10).get(0);
        final RecordingListener.Report replace = exchange.replace(1, 11, 9_995, 10).get(0);
        final RecordingListener.Report cancel = exchange.cancel(1, 11).get(0);

        assertEquals(ExecType.REJECTED, order.execType());
        assertEquals(RejectReason.KILLED, order.rejectReason());
        assertEquals(OrderState.REJECTED, exchange.status(1, 13).state());
        assertEquals(RejectReason.KILLED, replace.rejectReason());
        assertEquals(RejectReason.UNKNOWN_ORDER, cancel.rejectReason(), "the cancel ran: the kill took the order");
        assertEquals(List.of(), exchange.book());
        assertTrue(exchange.massCancel(1, 0).isEmpty(), "a mass cancel of a killed account runs and finds nothing");
    }

    @Test
    void shouldKillOnlyTheOrdersOfAKilledSessionAndLetItCancel()
    {
        final long otherSession = 900;
        exchange.buy(1, 11, 9_990, 10);
        exchange.sell(1, 12, 10_010, 10);
        exchange.engine.newOrder(++exchange.wireSeq, 0, otherSession, 1, 1, 14, TestExchange.INSTRUMENT, Side.BUY,
            OrderType.LIMIT, TimeInForce.GTC, false, 9_980, 10);
        exchange.replace(1, 12, 10_015, 10);

        final int cancelled = exchange.killSession(otherSession);
        final RecordingListener.Report order = newOrder(otherSession, 2, 15, TimeInForce.GTC);
        final RecordingListener.Report cancel = cancel(otherSession, 3, 99);

        assertEquals(1, cancelled);
        assertEquals(RejectReason.KILLED, order.rejectReason());
        assertEquals(ExecType.REJECTED, cancel.execType());
        assertEquals(RejectReason.UNKNOWN_ORDER, cancel.rejectReason(), "cancels of a killed session still run");
        assertEquals(List.of("B 9990 10 1", "S 10015 10 1"), exchange.book());
        assertEquals(RejectReason.NONE, exchange.buy(1, 16, 9_975, 10).get(0).rejectReason(),
            "the account's other sessions trade on");
    }

    @Test
    void shouldTradeAgainAfterUnkill()
    {
        exchange.buy(1, 11, 9_990, 10);
        exchange.killAccount(1);
        exchange.killSession(sessionOf(2));

        assertTrue(exchange.unkillAccount(1));
        assertTrue(exchange.unkillSession(sessionOf(2)));
        assertFalse(exchange.unkillAccount(1), "not killed any more");

        assertEquals(RejectReason.NONE, exchange.buy(1, 12, 9_990, 10).get(0).rejectReason());
        assertEquals(RejectReason.NONE, exchange.sell(2, 21, 10_010, 10).get(0).rejectReason());
        assertEquals(List.of("B 9990 10 1", "S 10010 10 1"), exchange.book(), "cancelled orders stay cancelled");
        assertArrayEquals(new long[0], exchange.engine.killedAccounts());
    }

    @Test
    void shouldKillAnAccountNeverSeenAndReportTheKillsAscending()
    {
        assertEquals(0, exchange.killAccount(42));
        exchange.killAccount(7);
        exchange.killSession(5);

        assertEquals(RejectReason.KILLED, exchange.buy(42, 1, 9_990, 10).get(0).rejectReason());
        assertArrayEquals(new long[]{ 7, 42 }, exchange.engine.killedAccounts());
        assertArrayEquals(new long[]{ 5 }, exchange.engine.killedSessions());
        assertTrue(exchange.engine.isAccountKilled(7));
        assertTrue(exchange.engine.isSessionKilled(5));
    }

    @Test
    void shouldChangeTheStateHashAndKeepTheKillsThroughASnapshot()
    {
        exchange.buy(1, 11, 9_990, 10);
        exchange.buy(2, 21, 9_985, 10);
        final long before = exchange.engine.stateHash();
        exchange.killAccount(9);
        exchange.killAccount(3);
        exchange.killSession(sessionOf(2));
        assertNotEquals(before, exchange.engine.stateHash());

        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[exchange.engine.snapshotLength()]);
        exchange.engine.snapshot(buffer, 0);
        final TestExchange copy = new TestExchange();
        copy.engine.restore(buffer, 0, buffer.capacity());

        assertEquals(exchange.engine.stateHash(), copy.engine.stateHash());
        assertArrayEquals(new long[]{ 3, 9 }, copy.engine.killedAccounts());
        assertArrayEquals(new long[]{ sessionOf(2) }, copy.engine.killedSessions());
        assertEquals(RejectReason.KILLED, copy.buy(3, 31, 9_990, 10).get(0).rejectReason());
        assertEquals(RejectReason.KILLED, copy.buy(2, 22, 9_990, 10).get(0).rejectReason());
        assertEquals(RejectReason.NONE, copy.buy(1, 12, 9_990, 10).get(0).rejectReason());
    }

    @Test
    void shouldGiveTheSameHashWhateverOrderTheKillsCameIn()
    {
        final TestExchange other = new TestExchange();
        exchange.killAccount(1);
        exchange.killAccount(2);
        other.killAccount(2);
        other.killAccount(1);

        assertEquals(exchange.engine.stateHash(), other.engine.stateHash());
    }

    private RecordingListener.Report newOrder(
        final long sessionId, final long requestSeq, final long clientOrderId, final TimeInForce tif)
    {
        exchange.listener.clear();
        exchange.engine.newOrder(++exchange.wireSeq, 0, sessionId, 1, requestSeq, clientOrderId,
            TestExchange.INSTRUMENT, Side.BUY, OrderType.LIMIT, tif, false, 9_990, 10);
        return exchange.listener.reports().get(0);
    }

    private RecordingListener.Report cancel(final long sessionId, final long requestSeq, final long clientOrderId)
    {
        exchange.listener.clear();
        exchange.engine.cancelOrder(++exchange.wireSeq, 0, sessionId, 1, requestSeq, clientOrderId);
        return exchange.listener.reports().get(0);
    }
}
