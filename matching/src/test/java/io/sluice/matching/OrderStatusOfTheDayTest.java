package io.sluice.matching;

import io.sluice.sbe.client.OrderState;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.sluice.matching.TestExchange.INSTRUMENT;
import static io.sluice.matching.TestExchange.sessionOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Status queries answer how the orders of the trading day ended, within a bounded number of records; the session's
 * account binding and the requestSeq bounds; the depth rules of book snapshots.
 */
class OrderStatusOfTheDayTest
{
    private final TestExchange exchange = new TestExchange();

    private static String describe(final RecordingListener.Status status)
    {
        return status.state() + " order=" + status.orderId() + " side=" + status.side() + " price=" + status.price() +
            " qty=" + status.quantity() + " leaves=" + status.leavesQuantity() + " cum=" + status.cumQuantity() +
            (RejectReason.NONE == status.rejectReason() ? "" : " " + status.rejectReason());
    }

    @Test
    void shouldAnswerFilledCanceledExpiredAndRejectedWithTheirReason()
    {
        exchange.buy(1, 11, 9_990, 30);
        exchange.sell(2, 21, 9_990, 30);
        exchange.buy(1, 12, 9_980, 20);
        exchange.cancel(1, 12);
        exchange.order(1, 13, INSTRUMENT, Side.BUY, OrderType.LIMIT, TimeInForce.IOC, false, 9_980, 20);
        exchange.buy(1, 14, 9_981, 20);

        assertEquals("FILLED order=1 side=BUY price=9990 qty=30 leaves=0 cum=30", describe(exchange.status(1, 11)));
        assertEquals("FILLED order=2 side=SELL price=9990 qty=30 leaves=0 cum=30", describe(exchange.status(2, 21)));
        assertEquals("CANCELED order=3 side=BUY price=9980 qty=20 leaves=0 cum=0", describe(exchange.status(1, 12)));
        assertEquals("EXPIRED order=4 side=BUY price=9980 qty=20 leaves=0 cum=0", describe(exchange.status(1, 13)));
        assertEquals("REJECTED order=0 side=BUY price=9981 qty=20 leaves=0 cum=0 INVALID_PRICE",
            describe(exchange.status(1, 14)));
    }

    @Test
    void shouldSayWhenSelfTradePreventionCanceledTheOrder()
    {
        exchange.buy(1, 11, 9_990, 30);
        exchange.sell(1, 12, 9_990, 30);

        assertEquals(OrderState.CANCELED, exchange.status(1, 12).state());
        assertEquals(RejectReason.SELF_TRADE_PREVENTED, exchange.status(1, 12).rejectReason());
        assertEquals(OrderState.NEW, exchange.status(1, 11).state());
    }

    @Test
    void shouldNotRememberCommandsThatWereNotApplied()
    {
        exchange.buy(1, 11, 9_990, 30);
        exchange.listener.clear();
        exchange.engine.newOrder(++exchange.wireSeq, 0, sessionOf(1), 1, exchange.engine.lastRequestSeq(sessionOf(1)),
            15, INSTRUMENT, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false, 9_981, 10);
        assertEquals(RejectReason.DUPLICATE_REQUEST, exchange.listener.reports().get(0).rejectReason());

        assertEquals(OrderState.UNKNOWN, exchange.status(1, 15).state());
    }

    @Test
    void shouldAnswerTheLiveOrderBeforeAnEndedOneWithTheSameClientOrderIdThenTheNewestEnded()
    {
        exchange.buy(1, 11, 9_990, 30);
        exchange.cancel(1, 11);
        exchange.buy(1, 11, 9_985, 40);

        assertEquals("NEW order=2 side=BUY price=9985 qty=40 leaves=40 cum=0", describe(exchange.status(1, 11)));

        exchange.sell(2, 21, 9_985, 40);
        assertEquals("FILLED order=2 side=BUY price=9985 qty=40 leaves=0 cum=40", describe(exchange.status(1, 11)));
    }

    @Test
    void shouldKeepClientOrderIdsPerAccount()
    {
        exchange.buy(1, 11, 9_990, 30);
        exchange.cancel(1, 11);

        assertEquals(OrderState.CANCELED, exchange.status(1, 11).state());
        assertEquals(OrderState.UNKNOWN, exchange.status(2, 11).state());
    }

    @Test
    void shouldForgetTheOldestEndedOrderWhenFull()
    {
        final TestExchange small = new TestExchange(new MatchingContext().terminalOrderCapacity(3));
        for (long id = 1; id <= 4; id++)
        {
            small.buy(1, id, 9_990, 10);
            small.cancel(1, id);
        }

        assertEquals(OrderState.UNKNOWN, small.status(1, 1).state());
        for (long id = 2; id <= 4; id++)
        {
            assertEquals(OrderState.CANCELED, small.status(1, id).state());
        }
    }

    @Test
    void shouldForgetTheDayAtEndOfDayButRememberTheDayOrdersItExpires()
    {
        exchange.buy(1, 11, 9_990, 30);
        exchange.cancel(1, 11);
        exchange.order(1, 12, INSTRUMENT, Side.BUY, OrderType.LIMIT, TimeInForce.DAY, false, 9_980, 20);

        exchange.endOfDay();

        assertEquals(OrderState.UNKNOWN, exchange.status(1, 11).state());
        assertEquals(OrderState.EXPIRED, exchange.status(1, 12).state());
    }

    @Test
    void shouldRestoreEndedOrdersAndForgetAfterwardsExactlyAsTheOriginal()
    {
        final TestExchange original = new TestExchange(new MatchingContext().terminalOrderCapacity(4));
        original.buy(1, 1, 9_990, 10);
        original.cancel(1, 1);
        original.buy(1, 2, 9_990, 10);
        original.cancel(1, 2);
        original.buy(1, 2, 9_985, 10);
        original.cancel(1, 2);
        original.buy(1, 3, 9_990, 10);
        original.cancel(1, 3);

        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[original.engine.snapshotLength()]);
        original.engine.snapshot(buffer, 0);
        final TestExchange copy = new TestExchange(new MatchingContext().terminalOrderCapacity(4));
        copy.engine.restore(buffer, 0, buffer.capacity());
        assertEquals(original.engine.stateHash(), copy.engine.stateHash());

        // The first record of clientOrderId 2 was left behind as a forgotten slot: it still takes room, so the next
        // ended order pushes out clientOrderId 1 on both engines.
        for (final TestExchange exchange : List.of(original, copy))
        {
            exchange.wireSeq = 100;
            exchange.buy(1, 4, 9_990, 10);
            exchange.cancel(1, 4);
        }
        assertEquals(original.engine.stateHash(), copy.engine.stateHash());
        assertEquals(OrderState.UNKNOWN, copy.status(1, 1).state());
        assertEquals("CANCELED order=3 side=BUY price=9985 qty=10 leaves=0 cum=0", describe(copy.status(1, 2)));
    }

    @Test
    void shouldBindASessionToTheAccountOfItsFirstCommand()
    {
        assertEquals(0, exchange.engine.accountOf(sessionOf(1)));
        exchange.buy(1, 11, 9_990, 30);

        assertEquals(1, exchange.engine.accountOf(sessionOf(1)));
    }

    @Test
    void shouldRefuseRequestSeqBelowOneOrTooFarAboveTheHighWaterMarkWithoutMovingIt()
    {
        exchange.buy(1, 11, 9_990, 30);
        final long last = exchange.engine.lastRequestSeq(sessionOf(1));

        for (final long requestSeq : new long[]{ 0, -5, last + MatchingEngine.MAX_REQUEST_SEQ_STEP + 1,
            Long.MAX_VALUE })
        {
            assertFalse(exchange.engine.isNextRequest(sessionOf(1), requestSeq));
            exchange.listener.clear();
            exchange.engine.cancelOrder(++exchange.wireSeq, 0, sessionOf(1), 1, requestSeq, 11);
            assertEquals(RejectReason.INVALID_FIELD, exchange.listener.reports().get(0).rejectReason());
            assertEquals(last, exchange.engine.lastRequestSeq(sessionOf(1)));
        }

        assertTrue(exchange.engine.isNextRequest(sessionOf(1), last + MatchingEngine.MAX_REQUEST_SEQ_STEP));
        exchange.listener.clear();
        exchange.engine.cancelOrder(++exchange.wireSeq, 0, sessionOf(1), 1,
            last + MatchingEngine.MAX_REQUEST_SEQ_STEP, 11);
        assertEquals(RejectReason.NONE, exchange.listener.reports().get(0).rejectReason());
    }

    @Test
    void shouldRejectBookDepthBelowOneAndGiveAtMostTheMaximum()
    {
        exchange.buy(1, 11, 9_990, 30);

        exchange.listener.clear();
        exchange.engine.bookSnapshot(7, 3, 77, INSTRUMENT, 0);
        assertEquals(RejectReason.INVALID_FIELD, exchange.listener.reports().get(0).rejectReason());
        assertEquals(77, exchange.listener.reports().get(0).requestSeq());

        exchange.listener.clear();
        exchange.engine.bookSnapshot(7, 3, 78, INSTRUMENT, 65_535);
        assertEquals(List.of(new RecordingListener.Level(7, 78, INSTRUMENT, Side.BUY, 9_990, 30, 1)),
            exchange.listener.levels());
    }
}
