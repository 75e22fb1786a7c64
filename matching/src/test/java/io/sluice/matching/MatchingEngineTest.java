package io.sluice.matching;

import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.Liquidity;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.sluice.matching.Reports.describe;
import static io.sluice.matching.TestExchange.INSTRUMENT;
import static io.sluice.matching.TestExchange.sessionOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Order types, time in force, price-time priority and the shape of the report stream.
 */
class MatchingEngineTest
{
    private final TestExchange exchange = new TestExchange();

    @Test
    void shouldRestLimitOrderThatDoesNotCross()
    {
        final List<RecordingListener.Report> reports = exchange.buy(1, 11, 9_990, 100);

        assertEquals(List.of("NEW 11 leaves=100 cum=0"), describe(reports));
        final RecordingListener.Report report = reports.get(0);
        assertEquals(sessionOf(1), report.sessionId());
        assertEquals(1, report.accountId());
        assertEquals(1, report.requestSeq());
        assertEquals(1, report.wireSeq());
        assertEquals(exchange.timestampOf(1), report.timestampNs());
        assertEquals(1, report.orderId());
        assertEquals(INSTRUMENT, report.instrumentId());
        assertEquals(Side.BUY, report.side());
        assertEquals(9_990, report.price());
        assertEquals(100, report.quantity());
        assertEquals(Liquidity.NONE, report.liquidity());
        assertEquals(List.of("B 9990 100 1"), exchange.book());
    }

    @Test
    void shouldEndEveryCommandWithOneCompletionAfterItsReports()
    {
        exchange.sell(2, 21, 10_000, 50);
        exchange.buy(1, 11, 10_000, 100);

        final List<Object> events = exchange.listener.events;
        assertEquals(4, events.size());
        assertEquals(new RecordingListener.Complete(sessionOf(1), 1, 2), events.get(3));
    }

    @Test
    void shouldTradeAtMakerPriceAndReportTakerThenMakerWithSameTradeId()
    {
        exchange.sell(2, 21, 9_995, 100);

        final List<RecordingListener.Report> reports = exchange.buy(1, 11, 10_010, 100);

        assertEquals(List.of(
            "NEW 11 leaves=100 cum=0",
            "FILL 11 leaves=0 cum=100 last=100@9995 TAKER",
            "FILL 21 leaves=0 cum=100 last=100@9995 MAKER"), describe(reports));
        final RecordingListener.Report taker = reports.get(1);
        final RecordingListener.Report maker = reports.get(2);
        assertEquals(1, taker.tradeId());
        assertEquals(taker.tradeId(), maker.tradeId());
        assertEquals(sessionOf(2), maker.sessionId());
        assertEquals(2, maker.accountId());
        assertEquals(1, maker.requestSeq(), "maker fill carries the taker's requestSeq");
        assertEquals(taker.wireSeq(), maker.wireSeq());
        assertEquals(List.of(), exchange.book());
    }

    @Test
    void shouldSweepLevelsBestPriceFirstAndRestTheRemainder()
    {
        exchange.sell(2, 21, 10_005, 30);
        exchange.sell(3, 31, 10_000, 20);
        exchange.sell(4, 41, 10_010, 50);

        final List<RecordingListener.Report> reports = exchange.buy(1, 11, 10_005, 100);

        assertEquals(List.of(
            "NEW 11 leaves=100 cum=0",
            "PARTIAL_FILL 11 leaves=80 cum=20 last=20@10000 TAKER",
            "FILL 31 leaves=0 cum=20 last=20@10000 MAKER",
            "PARTIAL_FILL 11 leaves=50 cum=50 last=30@10005 TAKER",
            "FILL 21 leaves=0 cum=30 last=30@10005 MAKER"), describe(reports));
        assertEquals(List.of("B 10005 50 1", "S 10010 50 1"), exchange.book());
    }

    @Test
    void shouldFillOlderOrderFirstWithinALevel()
    {
        exchange.sell(2, 21, 10_000, 30);
        exchange.sell(3, 31, 10_000, 30);
        exchange.sell(4, 41, 10_000, 30);

        final List<RecordingListener.Report> reports = exchange.buy(1, 11, 10_000, 40);

        assertEquals(List.of(
            "NEW 11 leaves=40 cum=0",
            "PARTIAL_FILL 11 leaves=10 cum=30 last=30@10000 TAKER",
            "FILL 21 leaves=0 cum=30 last=30@10000 MAKER",
            "FILL 11 leaves=0 cum=40 last=10@10000 TAKER",
            "PARTIAL_FILL 31 leaves=20 cum=10 last=10@10000 MAKER"), describe(reports));
        assertEquals(List.of("S 10000 50 2"), exchange.book());
    }

    @Test
    void shouldKeepPartiallyFilledMakerAtTheFrontOfItsLevel()
    {
        exchange.sell(2, 21, 10_000, 50);
        exchange.sell(3, 31, 10_000, 50);
        exchange.buy(1, 11, 10_000, 20);

        final List<RecordingListener.Report> reports = exchange.buy(1, 12, 10_000, 20);

        assertEquals("PARTIAL_FILL 21 leaves=10 cum=40 last=20@10000 MAKER", describe(reports.get(2)));
    }

    @Test
    void shouldExpireUnfilledRestOfIocOrder()
    {
        exchange.sell(2, 21, 10_000, 30);

        final List<RecordingListener.Report> reports = exchange.order(
            1, 11, INSTRUMENT, Side.BUY, OrderType.LIMIT, TimeInForce.IOC, false, 10_000, 100);

        assertEquals(List.of(
            "NEW 11 leaves=100 cum=0",
            "PARTIAL_FILL 11 leaves=70 cum=30 last=30@10000 TAKER",
            "FILL 21 leaves=0 cum=30 last=30@10000 MAKER",
            "EXPIRED 11 leaves=0 cum=30"), describe(reports));
        assertEquals(List.of(), exchange.book());
    }

    @Test
    void shouldExpireIocThatCrossesNothing()
    {
        exchange.sell(2, 21, 10_010, 30);

        final List<RecordingListener.Report> reports = exchange.order(
            1, 11, INSTRUMENT, Side.BUY, OrderType.LIMIT, TimeInForce.IOC, false, 10_000, 100);

        assertEquals(List.of("NEW 11 leaves=100 cum=0", "EXPIRED 11 leaves=0 cum=0"), describe(reports));
        assertEquals(List.of("S 10010 30 1"), exchange.book());
    }

    @Test
    void shouldFillMarketOrderAtAnyPriceAndExpireItsRest()
    {
        exchange.buy(2, 21, 9_000, 30);
        exchange.buy(3, 31, 9_500, 30);

        final List<RecordingListener.Report> reports = exchange.order(
            1, 11, INSTRUMENT, Side.SELL, OrderType.MARKET, TimeInForce.GTC, false, 0, 100);

        assertEquals(List.of(
            "NEW 11 leaves=100 cum=0",
            "PARTIAL_FILL 11 leaves=70 cum=30 last=30@9500 TAKER",
            "FILL 31 leaves=0 cum=30 last=30@9500 MAKER",
            "PARTIAL_FILL 11 leaves=40 cum=60 last=30@9000 TAKER",
            "FILL 21 leaves=0 cum=30 last=30@9000 MAKER",
            "EXPIRED 11 leaves=0 cum=60"), describe(reports));
        assertEquals(0, reports.get(0).price(), "a market order has no price");
        assertEquals(List.of(), exchange.book());
    }

    @Test
    void shouldRejectMarketOrderWhenOppositeSideIsEmpty()
    {
        exchange.sell(2, 21, 10_000, 30);

        final List<RecordingListener.Report> reports = exchange.order(
            1, 11, INSTRUMENT, Side.SELL, OrderType.MARKET, TimeInForce.IOC, false, 0, 100);

        assertEquals(List.of("REJECTED 11 leaves=0 cum=0 NO_LIQUIDITY"), describe(reports));
        assertEquals(0, reports.get(0).orderId());
    }

    @Test
    void shouldRejectFokThatCannotFillCompletelyWithoutTouchingTheBook()
    {
        exchange.sell(2, 21, 10_000, 30);
        exchange.sell(3, 31, 10_010, 30);

        final List<RecordingListener.Report> reports = exchange.order(
            1, 11, INSTRUMENT, Side.BUY, OrderType.LIMIT, TimeInForce.FOK, false, 10_005, 40);

        assertEquals(List.of("REJECTED 11 leaves=0 cum=0 FOK_NOT_FILLABLE"), describe(reports));
        assertEquals(List.of("S 10000 30 1", "S 10010 30 1"), exchange.book());
    }

    @Test
    void shouldFillFokCompletelyAcrossLevels()
    {
        exchange.sell(2, 21, 10_000, 30);
        exchange.sell(3, 31, 10_010, 30);

        final List<RecordingListener.Report> reports = exchange.order(
            1, 11, INSTRUMENT, Side.BUY, OrderType.LIMIT, TimeInForce.FOK, false, 10_010, 60);

        assertEquals(List.of(
            "NEW 11 leaves=60 cum=0",
            "PARTIAL_FILL 11 leaves=30 cum=30 last=30@10000 TAKER",
            "FILL 21 leaves=0 cum=30 last=30@10000 MAKER",
            "FILL 11 leaves=0 cum=60 last=30@10010 TAKER",
            "FILL 31 leaves=0 cum=30 last=30@10010 MAKER"), describe(reports));
    }

    @Test
    void shouldFillMarketFokOnlyWhenBookHoldsEnough()
    {
        exchange.sell(2, 21, 10_000, 30);

        final List<RecordingListener.Report> rejected = exchange.order(
            1, 11, INSTRUMENT, Side.BUY, OrderType.MARKET, TimeInForce.FOK, false, 0, 40);
        final List<RecordingListener.Report> filled = exchange.order(
            1, 12, INSTRUMENT, Side.BUY, OrderType.MARKET, TimeInForce.FOK, false, 0, 30);

        assertEquals(List.of("REJECTED 11 leaves=0 cum=0 FOK_NOT_FILLABLE"), describe(rejected));
        assertEquals("FILL 12 leaves=0 cum=30 last=30@10000 TAKER", describe(filled.get(1)));
    }

    @Test
    void shouldRejectPostOnlyOrderThatWouldTrade()
    {
        exchange.sell(2, 21, 10_000, 30);

        final List<RecordingListener.Report> reports = exchange.order(
            1, 11, INSTRUMENT, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, true, 10_000, 30);

        assertEquals(List.of("REJECTED 11 leaves=0 cum=0 POST_ONLY_WOULD_TRADE"), describe(reports));
        assertEquals(List.of("S 10000 30 1"), exchange.book());
    }

    @Test
    void shouldRestPostOnlyOrderThatDoesNotCross()
    {
        exchange.sell(2, 21, 10_000, 30);

        final List<RecordingListener.Report> reports = exchange.order(
            1, 11, INSTRUMENT, Side.BUY, OrderType.LIMIT, TimeInForce.DAY, true, 9_995, 30);

        assertEquals(List.of("NEW 11 leaves=30 cum=0"), describe(reports));
        assertEquals(List.of("B 9995 30 1", "S 10000 30 1"), exchange.book());
    }

    @Test
    void shouldRejectPostOnlyWithTimeInForceThatNeverRests()
    {
        final List<RecordingListener.Report> ioc = exchange.order(
            1, 11, INSTRUMENT, Side.BUY, OrderType.LIMIT, TimeInForce.IOC, true, 9_995, 30);
        final List<RecordingListener.Report> market = exchange.order(
            1, 12, INSTRUMENT, Side.BUY, OrderType.MARKET, TimeInForce.GTC, true, 0, 30);

        assertEquals(RejectReason.INVALID_FIELD, ioc.get(0).rejectReason());
        assertEquals(RejectReason.INVALID_FIELD, market.get(0).rejectReason());
    }

    @Test
    void shouldExpireDayOrdersAtEndOfDayAndKeepGtcOrders()
    {
        exchange.order(1, 11, INSTRUMENT, Side.BUY, OrderType.LIMIT, TimeInForce.DAY, false, 9_990, 30);
        exchange.order(1, 12, INSTRUMENT, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false, 9_990, 40);
        exchange.order(2, 21, INSTRUMENT, Side.SELL, OrderType.LIMIT, TimeInForce.DAY, false, 10_010, 50);
        exchange.buy(2, 22, 9_995, 10);
        exchange.sell(1, 13, 10_010, 20);
        exchange.order(3, 31, TestExchange.OTHER_INSTRUMENT, Side.BUY, OrderType.LIMIT, TimeInForce.DAY, false,
            400, 5);

        final List<RecordingListener.Report> reports = exchange.endOfDay();

        assertEquals(List.of(
            "EXPIRED 11 leaves=0 cum=0",
            "EXPIRED 21 leaves=0 cum=0",
            "EXPIRED 31 leaves=0 cum=0"), describe(reports));
        assertEquals(sessionOf(2), reports.get(1).sessionId());
        assertEquals(0, reports.get(0).requestSeq());
        assertEquals(new RecordingListener.Complete(MatchingEngine.ADMIN_SESSION_ID, 0, exchange.wireSeq),
            exchange.listener.events.get(exchange.listener.events.size() - 1));
        assertEquals(List.of("B 9995 10 1", "B 9990 40 1", "S 10010 20 1"), exchange.book());
    }

    @Test
    void shouldTreatMarketOrderWithDayTimeInForceAsNeverResting()
    {
        exchange.sell(2, 21, 10_000, 30);

        final List<RecordingListener.Report> reports = exchange.order(
            1, 11, INSTRUMENT, Side.BUY, OrderType.MARKET, TimeInForce.DAY, false, 0, 50);

        assertEquals("EXPIRED 11 leaves=0 cum=30", describe(reports.get(reports.size() - 1)));
        assertEquals(List.of(), exchange.book());
    }

    @Test
    void shouldAssignIncreasingOrderIdsAndTradeIds()
    {
        exchange.sell(2, 21, 10_000, 10);
        exchange.sell(2, 22, 10_000, 10);
        final List<RecordingListener.Report> reports = exchange.buy(1, 11, 10_000, 20);

        assertEquals(3, reports.get(0).orderId());
        assertEquals(1, reports.get(1).tradeId());
        assertEquals(2, reports.get(3).tradeId());
        assertEquals(1, reports.get(2).orderId());
        assertEquals(2, reports.get(4).orderId());
    }

    @Test
    void shouldReportCancelToTheRequestingSessionOfTheSameAccount()
    {
        exchange.buy(1, 11, 9_990, 30);

        exchange.listener.clear();
        exchange.engine.cancelOrder(++exchange.wireSeq, 0, 999, 1, 1, 11);
        final RecordingListener.Report cancel = exchange.listener.reports().get(0);

        assertEquals(ExecType.CANCELED, cancel.execType());
        assertEquals(999, cancel.sessionId());
        assertEquals(1, cancel.accountId());
    }

    @Test
    void shouldAnswerOrderStatusForLiveAndEndedOrdersAndUnknownOtherwise()
    {
        exchange.buy(1, 11, 9_990, 30);
        exchange.sell(2, 21, 10_000, 50);
        exchange.buy(1, 12, 10_000, 20);

        final RecordingListener.Status partial = exchange.status(2, 21);
        final RecordingListener.Status fresh = exchange.status(1, 11);
        final RecordingListener.Status filled = exchange.status(1, 12);
        final RecordingListener.Status otherAccount = exchange.status(2, 11);

        assertEquals(io.sluice.sbe.client.OrderState.PARTIALLY_FILLED, partial.state());
        assertEquals(30, partial.leavesQuantity());
        assertEquals(20, partial.cumQuantity());
        assertEquals(io.sluice.sbe.client.OrderState.NEW, fresh.state());
        assertEquals(9_990, fresh.price());
        assertEquals(io.sluice.sbe.client.OrderState.FILLED, filled.state());
        assertEquals(0, filled.leavesQuantity());
        assertEquals(20, filled.cumQuantity());
        assertEquals(io.sluice.sbe.client.OrderState.UNKNOWN, otherAccount.state());
        assertEquals(0, otherAccount.orderId());
    }

    @Test
    void shouldAggregateLevelsInBookSnapshotAndLimitDepth()
    {
        exchange.buy(1, 11, 9_990, 30);
        exchange.buy(2, 21, 9_990, 20);
        exchange.buy(1, 12, 9_980, 10);
        exchange.buy(1, 13, 9_970, 10);
        exchange.sell(3, 31, 10_010, 40);

        exchange.listener.clear();
        exchange.engine.bookSnapshot(7, 3, 77, INSTRUMENT, 2);

        assertEquals(List.of(
            new RecordingListener.Snapshot(7, 77, INSTRUMENT, 2, 1),
            new RecordingListener.Level(7, 77, INSTRUMENT, Side.BUY, 9_990, 50, 2),
            new RecordingListener.Level(7, 77, INSTRUMENT, Side.BUY, 9_980, 10, 1),
            new RecordingListener.Level(7, 77, INSTRUMENT, Side.SELL, 10_010, 40, 1),
            new RecordingListener.Complete(7, 77, 0)), exchange.listener.events);
    }

    @Test
    void shouldRejectBookSnapshotOfUnknownInstrument()
    {
        exchange.listener.clear();
        exchange.engine.bookSnapshot(7, 3, 77, 99, 5);

        final RecordingListener.Report report = assertInstanceOf(
            RecordingListener.Report.class, exchange.listener.events.get(0));
        assertEquals(ExecType.REJECTED, report.execType());
        assertEquals(RejectReason.UNKNOWN_INSTRUMENT, report.rejectReason());
        assertEquals(new RecordingListener.Complete(7, 77, 0), exchange.listener.events.get(1));
    }

    @Test
    void shouldAnswerQueriesWithoutChangingState()
    {
        exchange.buy(1, 11, 9_990, 30);
        final long hash = exchange.engine.stateHash();

        exchange.status(1, 11);
        exchange.book();

        assertEquals(hash, exchange.engine.stateHash());
        assertTrue(exchange.engine.lastRequestSeq(sessionOf(1)) == 1);
    }
}
