package io.sluice.matching;

import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.OrderType;
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
 * Cancel-on-disconnect in the engine: which sessions want it (state), and the command that cancels a session's DAY
 * orders and keeps its GTC orders.
 */
class CancelSessionDayOrdersTest
{
    private final TestExchange exchange = new TestExchange();

    @Test
    void shouldCancelTheSessionsDayOrdersAndKeepItsGtcOrders()
    {
        day(1, 11, Side.BUY, 9_990);
        exchange.buy(1, 12, 9_985, 10);
        day(1, 13, Side.SELL, 10_010);
        day(2, 21, Side.BUY, 9_980);

        final int cancelled = exchange.cancelSessionDayOrders(sessionOf(1));

        assertEquals(2, cancelled);
        assertEquals(List.of(11L, 13L), exchange.listener.reports().stream()
            .map(RecordingListener.Report::clientOrderId).toList());
        exchange.listener.reports().forEach((report) -> assertEquals(ExecType.CANCELED, report.execType()));
        assertEquals(List.of("B 9985 10 1", "B 9980 10 1"), exchange.book());
        assertEquals(0, exchange.cancelSessionDayOrders(sessionOf(1)), "nothing left to cancel");
        assertEquals(0, exchange.cancelSessionDayOrders(555), "a session never seen has no orders");
    }

    @Test
    void shouldGiveEqualStatesOnEnginesThatApplyTheSameCommands()
    {
        final TestExchange other = new TestExchange();
        for (final TestExchange engine : List.of(exchange, other))
        {
            engine.order(1, 11, TestExchange.INSTRUMENT, Side.BUY, OrderType.LIMIT, TimeInForce.DAY, false, 9_990, 10);
            engine.buy(1, 12, 9_985, 10);
            engine.cancelSessionDayOrders(sessionOf(1));
        }

        assertEquals(exchange.engine.stateHash(), other.engine.stateHash());
    }

    @Test
    void shouldKeepWhichSessionsWantCancelOnDisconnectAsStateThroughASnapshot()
    {
        final long before = exchange.engine.stateHash();
        exchange.engine.cancelOnDisconnect(++exchange.wireSeq, 0, 12, true);
        exchange.engine.cancelOnDisconnect(++exchange.wireSeq, 0, 11, true);
        exchange.engine.cancelOnDisconnect(++exchange.wireSeq, 0, 13, true);
        exchange.engine.cancelOnDisconnect(++exchange.wireSeq, 0, 13, false);
        assertNotEquals(before, exchange.engine.stateHash());

        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[exchange.engine.snapshotLength()]);
        exchange.engine.snapshot(buffer, 0);
        final TestExchange copy = new TestExchange();
        copy.engine.restore(buffer, 0, buffer.capacity());

        assertArrayEquals(new long[]{ 11, 12 }, copy.engine.cancelOnDisconnectSessions());
        assertTrue(copy.engine.isCancelOnDisconnect(11));
        assertFalse(copy.engine.isCancelOnDisconnect(13));
        assertEquals(exchange.engine.stateHash(), copy.engine.stateHash());
    }

    private void day(final long accountId, final long clientOrderId, final Side side, final long price)
    {
        exchange.order(accountId, clientOrderId, TestExchange.INSTRUMENT, side, OrderType.LIMIT, TimeInForce.DAY,
            false, price, 10);
    }
}
