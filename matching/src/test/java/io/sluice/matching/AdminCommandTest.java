package io.sluice.matching;

import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Journaled admin commands and the configuration context.
 */
class AdminCommandTest
{
    private final TestExchange exchange = new TestExchange();

    @Test
    void shouldTradeOnAnInstrumentAddedByAdminCommand()
    {
        final RejectReason added =
            exchange.engine.addInstrument(++exchange.wireSeq, 0, 9, "NEWCO", 1, 1, 1, 100, 50, 0);

        final List<RecordingListener.Report> reports = exchange.order(
            1, 11, 9, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false, 50, 10);

        assertEquals(RejectReason.NONE, added);
        assertEquals(RejectReason.NONE, reports.get(0).rejectReason());
        assertEquals(List.of("B 50 10 1"), exchange.book(9));
    }

    @Test
    void shouldSignalCompletionOfAdminCommands()
    {
        exchange.listener.clear();
        exchange.engine.addInstrument(41, 0, 9, "NEWCO", 1, 1, 1, 100, 50, 0);
        exchange.engine.haltInstrument(42, 0, 9);

        assertEquals(List.of(
            new RecordingListener.Complete(MatchingEngine.ADMIN_SESSION_ID, 0, 41),
            new RecordingListener.Complete(MatchingEngine.ADMIN_SESSION_ID, 0, 42)), exchange.listener.events);
    }

    @Test
    void shouldRefuseInvalidOrDuplicateInstrument()
    {
        final MatchingEngine engine = exchange.engine;
        final long hash = engine.stateHash();

        assertEquals(RejectReason.INVALID_FIELD, engine.addInstrument(1, 0, TestExchange.INSTRUMENT, "DUP", 1, 1, 1,
            100, 50, 0));
        assertEquals(RejectReason.INVALID_FIELD, engine.addInstrument(2, 0, 0, "ZERO", 1, 1, 1, 100, 50, 0));
        assertEquals(RejectReason.INVALID_FIELD, engine.addInstrument(3, 0, 9, "", 1, 1, 1, 100, 50, 0));
        assertEquals(RejectReason.INVALID_FIELD, engine.addInstrument(4, 0, 9, "WAY_TOO_LONG_SYMBOL", 1, 1, 1, 100,
            50, 0));
        assertEquals(RejectReason.INVALID_FIELD, engine.addInstrument(5, 0, 9, "X", 0, 1, 1, 100, 50, 0));
        assertEquals(RejectReason.INVALID_FIELD, engine.addInstrument(6, 0, 9, "X", 1, 10, 5, 100, 50, 0));
        assertEquals(RejectReason.INVALID_FIELD, engine.addInstrument(7, 0, 9, "X", 1, 1, 10, 5, 50, 0));
        assertEquals(RejectReason.INVALID_FIELD, engine.addInstrument(8, 0, 9, "X", 5, 1, 1, 100, 52, 0));
        assertEquals(RejectReason.INVALID_FIELD, engine.addInstrument(9, 0, 9, "X", 1, 1, 1, 100, 50, 10_001));
        assertEquals(hash, engine.stateHash());
    }

    @Test
    void shouldReportUnknownInstrumentForHaltAndResume()
    {
        assertEquals(RejectReason.UNKNOWN_INSTRUMENT, exchange.haltInstrument(42));
        assertEquals(RejectReason.UNKNOWN_INSTRUMENT, exchange.resumeInstrument(42));
    }

    @Test
    void shouldKeepRestingOrdersThroughAHalt()
    {
        exchange.buy(1, 11, 9_990, 10);
        exchange.haltInstrument(TestExchange.INSTRUMENT);
        exchange.resumeInstrument(TestExchange.INSTRUMENT);

        assertEquals(List.of("B 9990 10 1"), exchange.book());
    }

    @Test
    void shouldChangeStateHashWhenInstrumentIsHalted()
    {
        final long before = exchange.engine.stateHash();
        exchange.haltInstrument(TestExchange.INSTRUMENT);

        assertNotEquals(before, exchange.engine.stateHash());
    }

    @Test
    void shouldRejectInvalidConfigurationNamingTheOption()
    {
        final IllegalArgumentException notional = assertThrows(IllegalArgumentException.class,
            () -> new MatchingEngine(new MatchingContext().maxOrderNotional(0), new RecordingListener()));
        final IllegalArgumentException openOrders = assertThrows(IllegalArgumentException.class,
            () -> new MatchingEngine(new MatchingContext().maxOpenOrdersPerAccount(-1),
                new RecordingListener()));
        final IllegalArgumentException instrument = assertThrows(IllegalArgumentException.class,
            () -> new MatchingEngine(new MatchingContext().instrument(1, "A", 0, 1, 1, 10, 10, 0),
                new RecordingListener()));

        assertTrue(notional.getMessage().contains("maxOrderNotional"), notional.getMessage());
        assertTrue(openOrders.getMessage().contains("maxOpenOrdersPerAccount"), openOrders.getMessage());
        assertTrue(instrument.getMessage().contains("tickSize"), instrument.getMessage());
    }

    @Test
    void shouldGiveSameConfigDigestForSameOptionsAndDifferentOtherwise()
    {
        final long base = new TestExchange().engine.configDigest();
        final long same = new TestExchange().engine.configDigest();
        final long otherNotional = new TestExchange(new MatchingContext().maxOrderNotional(5))
            .engine.configDigest();
        final long otherStp = new TestExchange(new MatchingContext()
            .selfTradePrevention(3, SelfTradePrevention.CANCEL_BOTH)).engine.configDigest();
        final long otherPool = new TestExchange(new MatchingContext().orderPoolCapacity(7))
            .engine.configDigest();
        final long noInstruments = new MatchingEngine(new MatchingContext(), new RecordingListener())
            .configDigest();

        assertEquals(base, same);
        assertEquals(base, otherPool, "pool sizes do not change behaviour");
        assertNotEquals(base, otherNotional);
        assertNotEquals(base, otherStp);
        assertNotEquals(base, noInstruments);
    }
}
