package io.sluice.matching;

import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.sluice.matching.TestExchange.sessionOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Cancel-on-disconnect's command: cancel a session's DAY orders, keep its GTC orders.
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

    private void day(final long accountId, final long clientOrderId, final Side side, final long price)
    {
        exchange.order(accountId, clientOrderId, TestExchange.INSTRUMENT, side, OrderType.LIMIT, TimeInForce.DAY,
            false, price, 10);
    }
}
