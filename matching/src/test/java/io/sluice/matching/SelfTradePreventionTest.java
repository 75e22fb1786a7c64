package io.sluice.matching;

import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.sluice.matching.Reports.describe;
import static io.sluice.matching.TestExchange.INSTRUMENT;
import static org.junit.jupiter.api.Assertions.assertEquals;

class SelfTradePreventionTest
{
    @Test
    void shouldCancelIncomingOrderByDefault()
    {
        final TestExchange exchange = new TestExchange();
        exchange.sell(1, 11, 10_000, 30);

        final List<RecordingListener.Report> reports = exchange.buy(1, 12, 10_000, 30);

        assertEquals(List.of(
            "NEW 12 leaves=30 cum=0",
            "CANCELED 12 leaves=0 cum=0 SELF_TRADE_PREVENTED"), describe(reports));
        assertEquals(List.of("S 10000 30 1"), exchange.book());
    }

    @Test
    void shouldTradeWithOthersAheadOfOwnOrderBeforeCancellingNewest()
    {
        final TestExchange exchange = new TestExchange();
        exchange.sell(2, 21, 10_000, 10);
        exchange.sell(1, 11, 10_000, 30);
        exchange.sell(3, 31, 10_000, 30);

        final List<RecordingListener.Report> reports = exchange.buy(1, 12, 10_000, 50);

        assertEquals(List.of(
            "NEW 12 leaves=50 cum=0",
            "PARTIAL_FILL 12 leaves=40 cum=10 last=10@10000 TAKER",
            "FILL 21 leaves=0 cum=10 last=10@10000 MAKER",
            "CANCELED 12 leaves=0 cum=10 SELF_TRADE_PREVENTED"), describe(reports));
        assertEquals(List.of("S 10000 60 2"), exchange.book());
    }

    @Test
    void shouldCancelRestingOrderAndKeepMatchingUnderCancelOldest()
    {
        final TestExchange exchange = new TestExchange(
            new MatchingContext().defaultSelfTradePrevention(SelfTradePrevention.CANCEL_OLDEST));
        exchange.sell(1, 11, 10_000, 30);
        exchange.sell(2, 21, 10_000, 30);

        final List<RecordingListener.Report> reports = exchange.buy(1, 12, 10_000, 50);

        assertEquals(List.of(
            "NEW 12 leaves=50 cum=0",
            "CANCELED 11 leaves=0 cum=0 SELF_TRADE_PREVENTED",
            "PARTIAL_FILL 12 leaves=20 cum=30 last=30@10000 TAKER",
            "FILL 21 leaves=0 cum=30 last=30@10000 MAKER"), describe(reports));
        assertEquals(List.of("B 10000 20 1"), exchange.book());
    }

    @Test
    void shouldCancelBothOrdersUnderCancelBoth()
    {
        final TestExchange exchange = new TestExchange(
            new MatchingContext().defaultSelfTradePrevention(SelfTradePrevention.CANCEL_BOTH));
        exchange.sell(1, 11, 10_000, 30);
        exchange.sell(2, 21, 10_000, 30);

        final List<RecordingListener.Report> reports = exchange.buy(1, 12, 10_000, 50);

        assertEquals(List.of(
            "NEW 12 leaves=50 cum=0",
            "CANCELED 11 leaves=0 cum=0 SELF_TRADE_PREVENTED",
            "CANCELED 12 leaves=0 cum=0 SELF_TRADE_PREVENTED"), describe(reports));
        assertEquals(List.of("S 10000 30 1"), exchange.book());
    }

    @Test
    void shouldApplyPerAccountOverrideOverTheDefault()
    {
        final TestExchange exchange = new TestExchange(new MatchingContext()
            .selfTradePrevention(1, SelfTradePrevention.CANCEL_OLDEST));
        exchange.sell(1, 11, 10_000, 30);
        exchange.sell(2, 21, 10_000, 30);
        exchange.sell(2, 22, 10_000, 30);

        final List<RecordingListener.Report> overridden = exchange.buy(1, 12, 10_000, 10);
        final List<RecordingListener.Report> defaulted = exchange.buy(2, 23, 10_000, 10);

        assertEquals("CANCELED 11 leaves=0 cum=0 SELF_TRADE_PREVENTED", describe(overridden.get(1)));
        assertEquals("CANCELED 23 leaves=0 cum=0 SELF_TRADE_PREVENTED", describe(defaulted.get(1)));
    }

    @Test
    void shouldRejectFokBlockedByOwnOrderUnderCancelNewest()
    {
        final TestExchange exchange = new TestExchange();
        exchange.sell(1, 11, 10_000, 30);
        exchange.sell(2, 21, 10_000, 30);

        final List<RecordingListener.Report> reports = exchange.order(
            1, 12, INSTRUMENT, Side.BUY, OrderType.LIMIT, TimeInForce.FOK, false, 10_000, 30);

        assertEquals(List.of("REJECTED 12 leaves=0 cum=0 FOK_NOT_FILLABLE"), describe(reports));
        assertEquals(List.of("S 10000 60 2"), exchange.book());
    }

    @Test
    void shouldFillFokPastOwnOrderUnderCancelOldest()
    {
        final TestExchange exchange = new TestExchange(
            new MatchingContext().defaultSelfTradePrevention(SelfTradePrevention.CANCEL_OLDEST));
        exchange.sell(1, 11, 10_000, 30);
        exchange.sell(2, 21, 10_000, 30);

        final List<RecordingListener.Report> reports = exchange.order(
            1, 12, INSTRUMENT, Side.BUY, OrderType.LIMIT, TimeInForce.FOK, false, 10_000, 30);

        assertEquals(List.of(
            "NEW 12 leaves=30 cum=0",
            "CANCELED 11 leaves=0 cum=0 SELF_TRADE_PREVENTED",
            "FILL 12 leaves=0 cum=30 last=30@10000 TAKER",
            "FILL 21 leaves=0 cum=30 last=30@10000 MAKER"), describe(reports));
    }
}
