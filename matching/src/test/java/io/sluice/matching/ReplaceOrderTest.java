package io.sluice.matching;

import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.sluice.matching.Reports.describe;
import static io.sluice.matching.TestExchange.INSTRUMENT;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ReplaceOrderTest
{
    private final TestExchange exchange = new TestExchange();

    @Test
    void shouldKeepPriorityWhenQuantityGoesDownAtSamePrice()
    {
        exchange.sell(1, 11, 10_000, 50);
        exchange.sell(2, 21, 10_000, 50);

        final List<RecordingListener.Report> replaced = exchange.replace(1, 11, 10_000, 30);
        final List<RecordingListener.Report> fills = exchange.buy(3, 31, 10_000, 10);

        assertEquals(List.of("REPLACED 11 leaves=30 cum=0"), describe(replaced));
        assertEquals(30, replaced.get(0).quantity());
        assertEquals("PARTIAL_FILL 11 leaves=20 cum=10 last=10@10000 MAKER", describe(fills.get(2)));
        assertEquals(List.of("S 10000 70 2"), exchange.book());
    }

    @Test
    void shouldLosePriorityWhenQuantityGoesUp()
    {
        exchange.sell(1, 11, 10_000, 50);
        exchange.sell(2, 21, 10_000, 50);

        exchange.replace(1, 11, 10_000, 60);
        final List<RecordingListener.Report> fills = exchange.buy(3, 31, 10_000, 10);

        assertEquals("PARTIAL_FILL 21 leaves=40 cum=10 last=10@10000 MAKER", describe(fills.get(2)));
        assertEquals(List.of("S 10000 100 2"), exchange.book());
    }

    @Test
    void shouldLosePriorityWhenPriceChanges()
    {
        exchange.sell(1, 11, 10_005, 50);
        exchange.sell(2, 21, 10_000, 50);

        exchange.replace(1, 11, 10_000, 50);
        final List<RecordingListener.Report> fills = exchange.buy(3, 31, 10_000, 10);

        assertEquals("PARTIAL_FILL 21 leaves=40 cum=10 last=10@10000 MAKER", describe(fills.get(2)));
        assertEquals(List.of("S 10000 90 2"), exchange.book());
    }

    @Test
    void shouldMatchWhenNewPriceCrosses()
    {
        exchange.buy(1, 11, 9_990, 50);
        exchange.sell(2, 21, 10_000, 30);

        final List<RecordingListener.Report> reports = exchange.replace(1, 11, 10_000, 50);

        assertEquals(List.of(
            "REPLACED 11 leaves=50 cum=0",
            "PARTIAL_FILL 11 leaves=20 cum=30 last=30@10000 TAKER",
            "FILL 21 leaves=0 cum=30 last=30@10000 MAKER"), describe(reports));
        assertEquals(List.of("B 10000 20 1"), exchange.book());
    }

    @Test
    void shouldCountFilledQuantityInTheNewTotal()
    {
        exchange.buy(1, 11, 9_990, 50);
        exchange.sell(2, 21, 9_990, 20);

        final List<RecordingListener.Report> reports = exchange.replace(1, 11, 9_990, 40);

        assertEquals(List.of("REPLACED 11 leaves=20 cum=20"), describe(reports));
        assertEquals(List.of("B 9990 20 1"), exchange.book());
    }

    @Test
    void shouldCancelRestWhenNewQuantityIsNotAboveFilled()
    {
        exchange.buy(1, 11, 9_990, 50);
        exchange.sell(2, 21, 9_990, 20);

        final List<RecordingListener.Report> reports = exchange.replace(1, 11, 9_990, 20);

        assertEquals(List.of("CANCELED 11 leaves=0 cum=20"), describe(reports));
        assertEquals(List.of(), exchange.book());
        assertEquals(RejectReason.UNKNOWN_ORDER, exchange.cancel(1, 11).get(0).rejectReason());
    }

    @Test
    void shouldRejectPostOnlyReplaceThatWouldTradeAndKeepTheOrder()
    {
        exchange.order(1, 11, INSTRUMENT, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, true, 9_990, 50);
        exchange.sell(2, 21, 10_000, 30);

        final List<RecordingListener.Report> reports = exchange.replace(1, 11, 10_000, 50);

        assertEquals(List.of("REJECTED 11 leaves=50 cum=0 POST_ONLY_WOULD_TRADE"), describe(reports));
        assertEquals(1, reports.get(0).orderId());
        assertEquals(List.of("B 9990 50 1", "S 10000 30 1"), exchange.book());
    }

    @Test
    void shouldRejectReplaceOfUnknownOrAnotherAccountsOrder()
    {
        exchange.buy(1, 11, 9_990, 50);

        final List<RecordingListener.Report> unknown = exchange.replace(1, 99, 9_990, 40);
        final List<RecordingListener.Report> foreign = exchange.replace(2, 11, 9_990, 40);

        assertEquals(List.of("REJECTED 99 leaves=0 cum=0 UNKNOWN_ORDER"), describe(unknown));
        assertEquals(List.of("REJECTED 11 leaves=0 cum=0 UNKNOWN_ORDER"), describe(foreign));
        assertEquals(0, foreign.get(0).orderId());
        assertEquals(List.of("B 9990 50 1"), exchange.book());
    }

    @Test
    void shouldValidateNewPriceAndQuantity()
    {
        exchange.buy(1, 11, 9_990, 50);

        assertEquals(RejectReason.INVALID_PRICE, exchange.replace(1, 11, 9_991, 50).get(0).rejectReason());
        assertEquals(RejectReason.PRICE_OUT_OF_BAND, exchange.replace(1, 11, 5_000, 50).get(0).rejectReason());
        assertEquals(RejectReason.INVALID_QUANTITY, exchange.replace(1, 11, 9_990, 55).get(0).rejectReason());
        assertEquals(RejectReason.INVALID_QUANTITY, exchange.replace(1, 11, 9_990, 0).get(0).rejectReason());
        assertEquals(List.of("B 9990 50 1"), exchange.book());
    }

    @Test
    void shouldRejectReplaceWhileInstrumentHalted()
    {
        exchange.buy(1, 11, 9_990, 50);
        exchange.haltInstrument(INSTRUMENT);

        final List<RecordingListener.Report> reports = exchange.replace(1, 11, 9_995, 50);

        assertEquals(List.of("REJECTED 11 leaves=50 cum=0 INSTRUMENT_HALTED"), describe(reports));
    }

    @Test
    void shouldCancelReplacedOrderStoppedBySelfTradePrevention()
    {
        exchange.buy(1, 11, 9_990, 50);
        exchange.sell(1, 12, 10_000, 30);

        final List<RecordingListener.Report> reports = exchange.replace(1, 11, 10_000, 50);

        assertEquals(List.of(
            "REPLACED 11 leaves=50 cum=0",
            "CANCELED 11 leaves=0 cum=0 SELF_TRADE_PREVENTED"), describe(reports));
        assertEquals(List.of("S 10000 30 1"), exchange.book());
        assertEquals(RejectReason.UNKNOWN_ORDER, exchange.cancel(1, 11).get(0).rejectReason());
    }
}
