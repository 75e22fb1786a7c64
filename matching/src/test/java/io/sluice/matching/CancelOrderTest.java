package io.sluice.matching;

import io.sluice.sbe.client.RejectReason;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.sluice.matching.Reports.describe;
import static io.sluice.matching.TestExchange.INSTRUMENT;
import static io.sluice.matching.TestExchange.OTHER_INSTRUMENT;
import static org.junit.jupiter.api.Assertions.assertEquals;

class CancelOrderTest
{
    private final TestExchange exchange = new TestExchange();

    @Test
    void shouldCancelRestingOrder()
    {
        exchange.buy(1, 11, 9_990, 50);
        exchange.buy(2, 21, 9_990, 20);

        final List<RecordingListener.Report> reports = exchange.cancel(1, 11);

        assertEquals(List.of("CANCELED 11 leaves=0 cum=0"), describe(reports));
        assertEquals(List.of("B 9990 20 1"), exchange.book());
    }

    @Test
    void shouldReportFilledQuantityWhenCancellingPartiallyFilledOrder()
    {
        exchange.buy(1, 11, 9_990, 50);
        exchange.sell(2, 21, 9_990, 20);

        assertEquals(List.of("CANCELED 11 leaves=0 cum=20"), describe(exchange.cancel(1, 11)));
    }

    @Test
    void shouldTreatAnotherAccountsOrderAsUnknown()
    {
        exchange.buy(1, 11, 9_990, 50);

        assertEquals(List.of("REJECTED 11 leaves=0 cum=0 UNKNOWN_ORDER"), describe(exchange.cancel(2, 11)));
        assertEquals(List.of("B 9990 50 1"), exchange.book());
    }

    @Test
    void shouldRejectCancellingTwice()
    {
        exchange.buy(1, 11, 9_990, 50);
        exchange.cancel(1, 11);

        assertEquals(RejectReason.UNKNOWN_ORDER, exchange.cancel(1, 11).get(0).rejectReason());
    }

    @Test
    void shouldAllowCancelWhileInstrumentHalted()
    {
        exchange.buy(1, 11, 9_990, 50);
        exchange.haltInstrument(INSTRUMENT);

        assertEquals(List.of("CANCELED 11 leaves=0 cum=0"), describe(exchange.cancel(1, 11)));
    }

    @Test
    void shouldAllowClientOrderIdReuseOnceTheOrderIsGone()
    {
        exchange.buy(1, 11, 9_990, 50);
        exchange.cancel(1, 11);

        assertEquals(List.of("NEW 11 leaves=30 cum=0"), describe(exchange.buy(1, 11, 9_985, 30)));
    }

    @Test
    void shouldMassCancelEveryOrderOfTheAccountOldestFirst()
    {
        exchange.sell(1, 11, 10_010, 10);
        exchange.buy(1, 12, 9_990, 20);
        exchange.buy(2, 21, 9_990, 30);
        exchange.order(1, 13, OTHER_INSTRUMENT, io.sluice.sbe.client.Side.BUY, io.sluice.sbe.client.OrderType.LIMIT,
            io.sluice.sbe.client.TimeInForce.GTC, false, 400, 5);

        final List<RecordingListener.Report> reports = exchange.massCancel(1, 0);

        assertEquals(List.of(
            "CANCELED 11 leaves=0 cum=0",
            "CANCELED 12 leaves=0 cum=0",
            "CANCELED 13 leaves=0 cum=0"), describe(reports));
        assertEquals(List.of("B 9990 30 1"), exchange.book());
        assertEquals(List.of(), exchange.book(OTHER_INSTRUMENT));
    }

    @Test
    void shouldMassCancelOnlyTheGivenInstrument()
    {
        exchange.buy(1, 12, 9_990, 20);
        exchange.order(1, 13, OTHER_INSTRUMENT, io.sluice.sbe.client.Side.BUY, io.sluice.sbe.client.OrderType.LIMIT,
            io.sluice.sbe.client.TimeInForce.GTC, false, 400, 5);

        final List<RecordingListener.Report> reports = exchange.massCancel(1, OTHER_INSTRUMENT);

        assertEquals(List.of("CANCELED 13 leaves=0 cum=0"), describe(reports));
        assertEquals(List.of("B 9990 20 1"), exchange.book());
    }

    @Test
    void shouldReportNothingWhenMassCancelFindsNoOrder()
    {
        exchange.buy(2, 21, 9_990, 20);

        assertEquals(List.of(), exchange.massCancel(1, 0));
        assertEquals(1, exchange.listener.events.size());
    }

    @Test
    void shouldRejectMassCancelOfUnknownInstrument()
    {
        exchange.buy(1, 11, 9_990, 20);

        assertEquals(List.of("REJECTED 0 leaves=0 cum=0 UNKNOWN_INSTRUMENT"), describe(exchange.massCancel(1, 42)));
        assertEquals(List.of("B 9990 20 1"), exchange.book());
    }
}
