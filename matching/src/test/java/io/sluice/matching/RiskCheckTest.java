package io.sluice.matching;

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

/**
 * Pre-trade checks and the reject reason each one gives.
 */
class RiskCheckTest
{
    private final TestExchange exchange = new TestExchange();

    private RejectReason limitBuy(final long price, final long quantity)
    {
        final List<RecordingListener.Report> reports = exchange.buy(1, 11, price, quantity);
        return reports.get(0).rejectReason();
    }

    @Test
    void shouldRejectUnknownInstrument()
    {
        final List<RecordingListener.Report> reports = exchange.order(
            1, 11, 42, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false, 10_000, 10);

        assertEquals(List.of("REJECTED 11 leaves=0 cum=0 UNKNOWN_INSTRUMENT"), describe(reports));
        assertEquals(42, reports.get(0).instrumentId());
    }

    @Test
    void shouldRejectNewOrderOnHaltedInstrumentUntilResumed()
    {
        exchange.haltInstrument(INSTRUMENT);
        assertEquals(RejectReason.INSTRUMENT_HALTED, limitBuy(10_000, 10));

        exchange.resumeInstrument(INSTRUMENT);
        assertEquals(RejectReason.NONE, limitBuy(10_000, 10));
    }

    @Test
    void shouldRejectPriceOffTick()
    {
        assertEquals(RejectReason.INVALID_PRICE, limitBuy(10_001, 10));
        assertEquals(RejectReason.INVALID_PRICE, limitBuy(0, 10));
        assertEquals(RejectReason.INVALID_PRICE, limitBuy(-5, 10));
    }

    @Test
    void shouldRejectPriceOutsideBand()
    {
        // Reference 10000, band 1000 bps: [9000, 11000].
        assertEquals(RejectReason.PRICE_OUT_OF_BAND, limitBuy(8_995, 10));
        assertEquals(RejectReason.PRICE_OUT_OF_BAND, limitBuy(11_005, 10));
        assertEquals(RejectReason.NONE, exchange.buy(1, 12, 9_000, 10).get(0).rejectReason());
        assertEquals(RejectReason.NONE, exchange.sell(2, 21, 11_000, 10).get(0).rejectReason());
    }

    @Test
    void shouldRejectQuantityOffLotOrOutsideLimits()
    {
        assertEquals(RejectReason.INVALID_QUANTITY, limitBuy(10_000, 15));
        assertEquals(RejectReason.INVALID_QUANTITY, limitBuy(10_000, 0));
        assertEquals(RejectReason.INVALID_QUANTITY, limitBuy(10_000, -10));
        assertEquals(RejectReason.INVALID_QUANTITY, limitBuy(10_000, TestExchange.MAX_QTY + TestExchange.LOT));
    }

    @Test
    void shouldRejectQuantityBelowMinimum()
    {
        final TestExchange strict = new TestExchange();
        strict.engine.addInstrument(++strict.wireSeq, 0, 7, "BIGLOT", 1, 10, 100, 1_000, 100, 0);

        final List<RecordingListener.Report> reports = strict.order(
            1, 11, 7, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false, 100, 50);

        assertEquals(RejectReason.INVALID_QUANTITY, reports.get(0).rejectReason());
    }

    @Test
    void shouldRejectOrderAboveMaxNotional()
    {
        final TestExchange limited = new TestExchange(new MatchingContext().maxOrderNotional(1_000_000));

        assertEquals(RejectReason.NONE, limited.buy(1, 11, 10_000, 100).get(0).rejectReason());
        assertEquals(RejectReason.RISK_LIMIT, limited.buy(1, 12, 10_005, 100).get(0).rejectReason());
    }

    @Test
    void shouldCheckMarketOrderNotionalAtTopOfBand()
    {
        final TestExchange limited = new TestExchange(new MatchingContext().maxOrderNotional(1_000_000));
        limited.sell(2, 21, 10_000, 100);

        // 100 at the top of the band (11000) is 1.1M, over the limit even though the book would fill at 10000.
        final List<RecordingListener.Report> reports = limited.order(
            1, 11, INSTRUMENT, Side.BUY, OrderType.MARKET, TimeInForce.IOC, false, 0, 100);

        assertEquals(RejectReason.RISK_LIMIT, reports.get(0).rejectReason());
    }

    @Test
    void shouldRejectRestingOrderBeyondMaxOpenOrdersButNotIoc()
    {
        final TestExchange limited = new TestExchange(new MatchingContext().maxOpenOrdersPerAccount(2));
        limited.buy(1, 11, 9_990, 10);
        limited.buy(1, 12, 9_985, 10);
        limited.sell(2, 21, 10_010, 10);

        assertEquals(RejectReason.MAX_OPEN_ORDERS, limited.buy(1, 13, 9_980, 10).get(0).rejectReason());
        assertEquals(RejectReason.NONE, limited.order(1, 14, INSTRUMENT, Side.BUY, OrderType.LIMIT,
            TimeInForce.IOC, false, 10_010, 10).get(0).rejectReason());

        limited.cancel(1, 11);
        assertEquals(RejectReason.NONE, limited.buy(1, 15, 9_980, 10).get(0).rejectReason());
    }

    @Test
    void shouldRejectClientOrderIdOfLiveOrder()
    {
        exchange.buy(1, 11, 9_990, 10);

        final List<RecordingListener.Report> reports = exchange.buy(1, 11, 9_985, 10);

        assertEquals(List.of("REJECTED 11 leaves=0 cum=0 DUPLICATE_ORDER_ID"), describe(reports));
        assertEquals(RejectReason.NONE, exchange.buy(2, 11, 9_985, 10).get(0).rejectReason(),
            "client order ids are per account");
    }

    @Test
    void shouldRejectInvalidEnumValues()
    {
        assertEquals(RejectReason.INVALID_FIELD, exchange.order(
            1, 11, INSTRUMENT, Side.NULL_VAL, OrderType.LIMIT, TimeInForce.GTC, false, 10_000, 10)
            .get(0).rejectReason());
        assertEquals(RejectReason.INVALID_FIELD, exchange.order(
            1, 12, INSTRUMENT, Side.BUY, OrderType.NULL_VAL, TimeInForce.GTC, false, 10_000, 10)
            .get(0).rejectReason());
        assertEquals(RejectReason.INVALID_FIELD, exchange.order(
            1, 13, INSTRUMENT, Side.BUY, OrderType.LIMIT, null, false, 10_000, 10)
            .get(0).rejectReason());
    }

    @Test
    void shouldRejectRepeatedOrLowerRequestSeqAndChangeNothing()
    {
        exchange.engine.newOrder(1, 0, 5, 1, 10, 11, INSTRUMENT, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false,
            9_990, 10);
        final long hash = exchange.engine.stateHash();

        exchange.listener.clear();
        exchange.engine.newOrder(2, 0, 5, 1, 10, 12, INSTRUMENT, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false,
            9_990, 10);
        exchange.engine.cancelOrder(3, 0, 5, 1, 9, 11);
        exchange.engine.replaceOrder(4, 0, 5, 1, 1, 11, 9_995, 10);
        exchange.engine.massCancel(5, 0, 5, 1, 10, 0);

        final List<RecordingListener.Report> reports = exchange.listener.reports();
        assertEquals(4, reports.size());
        reports.forEach((report) -> assertEquals(RejectReason.DUPLICATE_REQUEST, report.rejectReason()));
        assertEquals(hash, exchange.engine.stateHash());
        assertEquals(10, exchange.engine.lastRequestSeq(5));
    }

    @Test
    void shouldAdvanceHighWaterMarkEvenWhenTheCommandIsRejected()
    {
        exchange.engine.newOrder(1, 0, 5, 1, 3, 11, 42, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false,
            9_990, 10);

        assertEquals(3, exchange.engine.lastRequestSeq(5));
        assertEquals(0, exchange.engine.lastRequestSeq(6));
    }

    @Test
    void shouldTrackRequestSeqPerSession()
    {
        exchange.engine.newOrder(1, 0, 5, 1, 7, 11, INSTRUMENT, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false,
            9_990, 10);

        exchange.listener.clear();
        exchange.engine.newOrder(2, 0, 6, 1, 1, 12, INSTRUMENT, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false,
            9_990, 10);

        assertEquals(RejectReason.NONE, exchange.listener.reports().get(0).rejectReason());
    }

    @Test
    void shouldRejectEveryStateChangingCommandWhenHaltedWithoutTouchingState()
    {
        exchange.buy(1, 11, 9_990, 10);
        final long hash = exchange.engine.stateHash();
        final long highWaterMark = exchange.engine.lastRequestSeq(sessionOf(1));
        exchange.engine.halted(true);

        final List<RecordingListener.Report> reports = new java.util.ArrayList<>();
        reports.addAll(exchange.buy(1, 12, 9_990, 10));
        reports.addAll(exchange.cancel(1, 11));
        reports.addAll(exchange.replace(1, 11, 9_995, 10));
        reports.addAll(exchange.massCancel(1, 0));

        assertEquals(4, reports.size());
        reports.forEach((report) -> assertEquals(RejectReason.HALTED, report.rejectReason()));
        assertEquals(hash, exchange.engine.stateHash());
        assertEquals(highWaterMark, exchange.engine.lastRequestSeq(sessionOf(1)));
        assertEquals(List.of("B 9990 10 1"), exchange.book(), "queries still answered");
        assertEquals(io.sluice.sbe.client.OrderState.NEW, exchange.status(1, 11).state());

        exchange.engine.halted(false);
        assertEquals(RejectReason.NONE, exchange.buy(1, 13, 9_990, 10).get(0).rejectReason());
    }
}
