package io.sluice.matching;

import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An engine with a recording listener and a sequencer stand-in: it numbers wireSeq, timestamps and each session's
 * requestSeq, and one session per account (sessionId = 100 + accountId) unless a test says otherwise. Each call
 * returns the reports of that one command.
 */
final class TestExchange
{
    static final int INSTRUMENT = 1;
    static final int OTHER_INSTRUMENT = 2;
    static final long TICK = 5;
    static final long LOT = 10;
    static final long MIN_QTY = 10;
    static final long MAX_QTY = 100_000;
    static final long REFERENCE_PRICE = 10_000;
    static final int BAND_BPS = 1_000;

    final RecordingListener listener = new RecordingListener();
    final MatchingEngine engine;
    private final Map<Long, Long> requestSeqBySession = new HashMap<>();
    long wireSeq;

    TestExchange()
    {
        this(new MatchingContext());
    }

    TestExchange(final MatchingContext ctx)
    {
        engine = new MatchingEngine(withInstruments(ctx), listener);
    }

    static MatchingContext withInstruments(final MatchingContext ctx)
    {
        return ctx
            .instrument(INSTRUMENT, "ACME", TICK, LOT, MIN_QTY, MAX_QTY, REFERENCE_PRICE, BAND_BPS)
            .instrument(OTHER_INSTRUMENT, "WIDGET", 1, 1, 1, 1_000_000, 500, 0);
    }

    static long sessionOf(final long accountId)
    {
        return 100 + accountId;
    }

    long nextRequestSeq(final long sessionId)
    {
        // As a reconnecting client would: carry on from the engine's high-water mark (e.g. after a restore).
        final long next =
            Math.max(requestSeqBySession.getOrDefault(sessionId, 0L), engine.lastRequestSeq(sessionId)) + 1;
        requestSeqBySession.put(sessionId, next);
        return next;
    }

    long timestampOf(final long wireSeq)
    {
        return 1_000_000L * wireSeq;
    }

    List<RecordingListener.Report> order(
        final long accountId, final long clientOrderId, final int instrumentId, final Side side, final OrderType type,
        final TimeInForce tif, final boolean postOnly, final long price, final long quantity)
    {
        listener.clear();
        final long sessionId = sessionOf(accountId);
        final long ws = ++wireSeq;
        engine.newOrder(ws, timestampOf(ws), sessionId, accountId, nextRequestSeq(sessionId), clientOrderId,
            instrumentId, side, type, tif, postOnly, price, quantity);
        return listener.reports();
    }

    List<RecordingListener.Report> buy(final long accountId, final long clientOrderId, final long price,
        final long quantity)
    {
        return order(accountId, clientOrderId, INSTRUMENT, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false, price,
            quantity);
    }

    List<RecordingListener.Report> sell(final long accountId, final long clientOrderId, final long price,
        final long quantity)
    {
        return order(accountId, clientOrderId, INSTRUMENT, Side.SELL, OrderType.LIMIT, TimeInForce.GTC, false, price,
            quantity);
    }

    List<RecordingListener.Report> cancel(final long accountId, final long clientOrderId)
    {
        listener.clear();
        final long sessionId = sessionOf(accountId);
        final long ws = ++wireSeq;
        engine.cancelOrder(ws, timestampOf(ws), sessionId, accountId, nextRequestSeq(sessionId), clientOrderId);
        return listener.reports();
    }

    List<RecordingListener.Report> replace(
        final long accountId, final long clientOrderId, final long newPrice, final long newQuantity)
    {
        listener.clear();
        final long sessionId = sessionOf(accountId);
        final long ws = ++wireSeq;
        engine.replaceOrder(ws, timestampOf(ws), sessionId, accountId, nextRequestSeq(sessionId), clientOrderId,
            newPrice, newQuantity);
        return listener.reports();
    }

    List<RecordingListener.Report> massCancel(final long accountId, final int instrumentId)
    {
        listener.clear();
        final long sessionId = sessionOf(accountId);
        final long ws = ++wireSeq;
        engine.massCancel(ws, timestampOf(ws), sessionId, accountId, nextRequestSeq(sessionId), instrumentId);
        return listener.reports();
    }

    List<RecordingListener.Report> endOfDay()
    {
        listener.clear();
        final long ws = ++wireSeq;
        engine.endOfDay(ws, timestampOf(ws));
        return listener.reports();
    }

    int killAccount(final long accountId)
    {
        listener.clear();
        final long ws = ++wireSeq;
        return engine.killAccount(ws, timestampOf(ws), accountId);
    }

    int killSession(final long sessionId)
    {
        listener.clear();
        final long ws = ++wireSeq;
        return engine.killSession(ws, timestampOf(ws), sessionId);
    }

    boolean unkillAccount(final long accountId)
    {
        listener.clear();
        final long ws = ++wireSeq;
        return engine.unkillAccount(ws, timestampOf(ws), accountId);
    }

    boolean unkillSession(final long sessionId)
    {
        listener.clear();
        final long ws = ++wireSeq;
        return engine.unkillSession(ws, timestampOf(ws), sessionId);
    }

    int cancelSessionDayOrders(final long sessionId)
    {
        listener.clear();
        final long ws = ++wireSeq;
        return engine.cancelSessionDayOrders(ws, timestampOf(ws), sessionId);
    }

    RejectReason haltInstrument(final int instrumentId)
    {
        listener.clear();
        final long ws = ++wireSeq;
        return engine.haltInstrument(ws, timestampOf(ws), instrumentId);
    }

    RejectReason resumeInstrument(final int instrumentId)
    {
        listener.clear();
        final long ws = ++wireSeq;
        return engine.resumeInstrument(ws, timestampOf(ws), instrumentId);
    }

    /**
     * @return bid levels then ask levels, best first, as "B price qty count" / "S price qty count" strings.
     */
    List<String> book(final int instrumentId)
    {
        listener.clear();
        engine.bookSnapshot(1, 1, 1, instrumentId, MatchingEngine.MAX_BOOK_DEPTH);
        return listener.levels().stream()
            .map((level) -> (level.side() == Side.BUY ? "B " : "S ") + level.price() + " " + level.quantity() + " " +
                level.orderCount())
            .toList();
    }

    List<String> book()
    {
        return book(INSTRUMENT);
    }

    RecordingListener.Status status(final long accountId, final long clientOrderId)
    {
        listener.clear();
        engine.orderStatus(sessionOf(accountId), accountId, 1, clientOrderId);
        return (RecordingListener.Status)listener.events.get(0);
    }
}
