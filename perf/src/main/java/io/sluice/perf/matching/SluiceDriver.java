package io.sluice.perf.matching;

import io.sluice.client.flow.OrderFlowGenerator;
import io.sluice.matching.MatchingContext;
import io.sluice.matching.MatchingEngine;
import io.sluice.matching.MatchingListener;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.Liquidity;
import io.sluice.sbe.client.OrderState;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Replays a {@link RecordedFlow} through a Sluice {@link MatchingEngine}, counting what it reports the way a
 * pipeline's listener would look at every report, and checks the final state against the flow's reference book.
 */
final class SluiceDriver implements MatchingListener
{
    private static final Side[] SIDES = { Side.BUY, Side.SELL };
    private static final OrderType[] ORDER_TYPES = { OrderType.LIMIT, OrderType.MARKET };
    private static final TimeInForce[] TIMES_IN_FORCE =
        { TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK, TimeInForce.DAY };
    private static final int MAX_VERIFY_LEVELS = MatchingEngine.MAX_BOOK_DEPTH;

    final MatchingEngine engine;
    private final UnsafeBuffer emptyState;

    // Counters written by the listener callbacks during a replay.
    long reports;
    long rejects;
    long takerFills;
    long takerFilledQuantity;
    long commandsCompleted;

    // Scratch for verification queries.
    private final long[] levelScratch = new long[3 * MAX_VERIFY_LEVELS];
    private Side queryLevels;
    private int levelCount;
    private OrderState lastStatusState;
    private long lastStatusLeaves;
    private long lastStatusPrice;

    SluiceDriver(final OrderFlowGenerator.Config config)
    {
        final MatchingContext ctx = new MatchingContext()
            .maxOpenOrdersPerAccount(100_000)
            .orderPoolCapacity(1 << 17)
            .priceLevelPoolCapacity(1 << 15);
        // The flow keeps prices within ±40% of the reference; a ±50% band never rejects one of its orders.
        for (int i = 0; i < config.instruments(); i++)
        {
            final int instrumentId = config.firstInstrumentId() + i;
            ctx.instrument(instrumentId, "I" + instrumentId, config.tickSize(), config.lotSize(), config.lotSize(),
                1_000_000L * config.lotSize(), config.referencePrice(), 5_000);
        }
        engine = new MatchingEngine(ctx, this);
        emptyState = new UnsafeBuffer(new byte[engine.snapshotLength()]);
        engine.snapshot(emptyState, 0);
    }

    /**
     * Back to the state right after construction (instruments, no orders, no sessions), keeping the pools warm.
     */
    void reset()
    {
        engine.restore(emptyState, 0, emptyState.capacity());
        reports = 0;
        rejects = 0;
        takerFills = 0;
        takerFilledQuantity = 0;
        commandsCompleted = 0;
    }

    long run(final RecordedFlow flow)
    {
        for (int i = 0; i < flow.count; i++)
        {
            apply(flow, i);
        }
        return takerFills;
    }

    void apply(final RecordedFlow flow, final int i)
    {
        final long wireSeq = i + 1;
        final long accountId = flow.accountId[i];
        switch (flow.kind[i])
        {
            case RecordedFlow.NEW_ORDER -> engine.newOrder(wireSeq, wireSeq, accountId, accountId,
                flow.requestSeq[i], flow.clientOrderId[i], flow.instrumentId[i], SIDES[flow.side[i]],
                ORDER_TYPES[flow.orderType[i]], TIMES_IN_FORCE[flow.timeInForce[i]], false, flow.price[i],
                flow.quantity[i]);
            case RecordedFlow.CANCEL -> engine.cancelOrder(
                wireSeq, wireSeq, accountId, accountId, flow.requestSeq[i], flow.clientOrderId[i]);
            default -> engine.replaceOrder(wireSeq, wireSeq, accountId, accountId, flow.requestSeq[i],
                flow.clientOrderId[i], flow.price[i], flow.quantity[i]);
        }
    }

    /**
     * Check the engine ended where the reference book did: every command answered, no reject, same trades, the
     * same aggregated levels on every instrument, and every live order with the same price and leaves. Allocates
     * nothing unless it fails.
     *
     * @throws IllegalStateException describing the first difference.
     */
    void verify(final RecordedFlow flow)
    {
        final RecordedFlow.ExpectedState expected = flow.expectedState;
        if (commandsCompleted != flow.count)
        {
            fail("commands completed " + commandsCompleted + " of " + flow.count);
        }
        if (0 != rejects)
        {
            fail(rejects + " commands rejected");
        }
        if (takerFills != expected.trades || takerFilledQuantity != expected.tradedQuantity)
        {
            fail("trades " + takerFills + " for " + takerFilledQuantity + ", reference " + expected.trades +
                " for " + expected.tradedQuantity);
        }

        for (int k = 0; k < expected.instrumentCount(); k++)
        {
            final int instrumentId = expected.firstInstrumentId + k;
            verifyLevels(instrumentId, Side.BUY, expected.bidLevels[k]);
            verifyLevels(instrumentId, Side.SELL, expected.askLevels[k]);
        }

        for (int i = 0; i < expected.liveOrders; i++)
        {
            lastStatusState = null;
            engine.orderStatus(expected.accountId[i], expected.accountId[i], 0, expected.clientOrderId[i]);
            if ((lastStatusState != OrderState.NEW && lastStatusState != OrderState.PARTIALLY_FILLED) ||
                lastStatusLeaves != expected.leavesQuantity[i] || lastStatusPrice != expected.price[i])
            {
                fail("order " + expected.clientOrderId[i] + " is " + lastStatusState + " " + lastStatusLeaves + "@" +
                    lastStatusPrice + ", reference " + expected.leavesQuantity[i] + "@" + expected.price[i]);
            }
        }
    }

    private void verifyLevels(final int instrumentId, final Side side, final long[] levels)
    {
        levelCount = 0;
        queryLevels = side;
        engine.bookSnapshot(0, 0, 0, instrumentId, MAX_VERIFY_LEVELS);
        final int compared = Math.min(levels.length / 3, MAX_VERIFY_LEVELS);
        if (levelCount != compared)
        {
            fail("instrument " + instrumentId + " " + side + ": " + levelCount + " levels, reference " + compared);
        }
        for (int j = 0; j < compared * 3; j++)
        {
            if (levelScratch[j] != levels[j])
            {
                fail("instrument " + instrumentId + " " + side + " level " + j / 3 + " differs from reference");
            }
        }
    }

    private static void fail(final String message)
    {
        throw new IllegalStateException("Sluice final state is wrong: " + message);
    }

    public void onExecutionReport(
        final long sessionId,
        final long accountId,
        final long requestSeq,
        final long wireSeq,
        final long timestampNs,
        final long clientOrderId,
        final long orderId,
        final int instrumentId,
        final Side side,
        final ExecType execType,
        final RejectReason rejectReason,
        final Liquidity liquidity,
        final long price,
        final long quantity,
        final long leavesQuantity,
        final long cumQuantity,
        final long lastPrice,
        final long lastQuantity,
        final long tradeId)
    {
        reports++;
        if (ExecType.REJECTED == execType)
        {
            rejects++;
        }
        if (Liquidity.TAKER == liquidity)
        {
            takerFills++;
            takerFilledQuantity += lastQuantity;
        }
    }

    public void onOrderStatus(
        final long sessionId,
        final long accountId,
        final long requestSeq,
        final long clientOrderId,
        final long orderId,
        final int instrumentId,
        final Side side,
        final OrderState state,
        final RejectReason rejectReason,
        final long price,
        final long quantity,
        final long leavesQuantity,
        final long cumQuantity)
    {
        lastStatusState = state;
        lastStatusLeaves = leavesQuantity;
        lastStatusPrice = price;
    }

    public void onBookSnapshot(
        final long sessionId, final long requestSeq, final int instrumentId, final int bidLevelCount,
        final int askLevelCount)
    {
    }

    public void onBookLevel(
        final long sessionId, final long requestSeq, final int instrumentId, final Side side, final long price,
        final long quantity, final int orderCount)
    {
        if (side == queryLevels)
        {
            levelScratch[levelCount * 3] = price;
            levelScratch[levelCount * 3 + 1] = quantity;
            levelScratch[levelCount * 3 + 2] = orderCount;
            levelCount++;
        }
    }

    public void onCommandComplete(final long sessionId, final long requestSeq, final long wireSeq)
    {
        if (0 != wireSeq)
        {
            commandsCompleted++;
        }
    }
}
