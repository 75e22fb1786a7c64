package io.sluice.perf.matching;

import exchange.core2.collections.objpool.ObjectsPool;
import exchange.core2.core.common.CoreSymbolSpecification;
import exchange.core2.core.common.IOrder;
import exchange.core2.core.common.L2MarketData;
import exchange.core2.core.common.MatcherEventType;
import exchange.core2.core.common.MatcherTradeEvent;
import exchange.core2.core.common.OrderAction;
import exchange.core2.core.common.SymbolType;
import exchange.core2.core.common.cmd.OrderCommand;
import exchange.core2.core.common.cmd.OrderCommandType;
import exchange.core2.core.common.config.LoggingConfiguration;
import exchange.core2.core.orderbook.IOrderBook;
import exchange.core2.core.orderbook.OrderBookDirectImpl;
import exchange.core2.core.orderbook.OrderBookEventsHelper;
import io.sluice.client.flow.OrderFlowGenerator;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;

import java.util.HashMap;
import java.util.Map;

/**
 * Replays a {@link RecordedFlow} through exchange-core's {@link OrderBookDirectImpl}, one book per instrument
 * sharing one object pool (as its matching engine shard does), and checks the final state against the flow's
 * reference book. Only the order book is exercised: exchange-core's risk engine, ring buffer and journaling are not,
 * so this is its best case.
 * <p>
 * A market order becomes an IOC at the most aggressive price; a replace becomes a move (price change) or a reduce
 * (quantity down), see {@link RecordedFlow}. Trade events are consumed after each command the way a results handler
 * would read them.
 */
final class ExchangeCoreDriver
{
    private final int firstInstrumentId;
    private final IOrderBook[] books;
    private final OrderCommand command = new OrderCommand();

    private L2MarketData l2;

    long trades;
    long tradedQuantity;
    long rejectedQuantity;

    ExchangeCoreDriver(final OrderFlowGenerator.Config config)
    {
        // Pool sizes in the spirit of exchange-core's own matching engine configuration.
        final Map<Integer, Integer> poolConfig = new HashMap<>();
        poolConfig.put(ObjectsPool.DIRECT_ORDER, 1024 * 512);
        poolConfig.put(ObjectsPool.DIRECT_BUCKET, 1024 * 64);
        poolConfig.put(ObjectsPool.ART_NODE_4, 1024 * 32);
        poolConfig.put(ObjectsPool.ART_NODE_16, 1024 * 16);
        poolConfig.put(ObjectsPool.ART_NODE_48, 1024 * 8);
        poolConfig.put(ObjectsPool.ART_NODE_256, 1024 * 4);
        final ObjectsPool pool = new ObjectsPool(poolConfig);

        firstInstrumentId = config.firstInstrumentId();
        books = new IOrderBook[config.instruments()];
        for (int i = 0; i < books.length; i++)
        {
            final CoreSymbolSpecification spec = CoreSymbolSpecification.builder()
                .symbolId(firstInstrumentId + i)
                .type(SymbolType.FUTURES_CONTRACT)
                .baseCurrency(1)
                .quoteCurrency(2)
                .baseScaleK(1)
                .quoteScaleK(1)
                .build();
            books[i] = new OrderBookDirectImpl(
                spec, pool, OrderBookEventsHelper.NON_POOLED_EVENTS_HELPER, LoggingConfiguration.DEFAULT);
        }
    }

    /**
     * Empty every book by cancelling what the previous replay of the flow left resting (the reference's live
     * orders), so the books and the shared pool stay warm between replays.
     */
    void reset(final RecordedFlow flow)
    {
        final RecordedFlow.ExpectedState expected = flow.expectedState;
        for (int i = 0; i < expected.liveOrders; i++)
        {
            command.command = OrderCommandType.CANCEL_ORDER;
            command.orderId = expected.clientOrderId[i];
            command.uid = expected.accountId[i];
            command.matcherEvent = null;
            books[expected.instrumentId[i] - firstInstrumentId].cancelOrder(command);
        }
        command.matcherEvent = null;
        for (final IOrderBook book : books)
        {
            if (book.getOrdersNum(OrderAction.ASK) + book.getOrdersNum(OrderAction.BID) != 0)
            {
                throw new IllegalStateException("exchange-core book not empty after reset");
            }
        }
        trades = 0;
        tradedQuantity = 0;
        rejectedQuantity = 0;
    }

    long run(final RecordedFlow flow)
    {
        for (int i = 0; i < flow.count; i++)
        {
            apply(flow, i);
        }
        return trades;
    }

    void apply(final RecordedFlow flow, final int i)
    {
        final OrderCommand cmd = command;
        final IOrderBook book = books[flow.instrumentId[i] - firstInstrumentId];
        cmd.orderId = flow.clientOrderId[i];
        cmd.uid = flow.accountId[i];
        cmd.symbol = flow.instrumentId[i];
        cmd.timestamp = i;
        cmd.matcherEvent = null;
        switch (flow.kind[i])
        {
            case RecordedFlow.NEW_ORDER ->
            {
                final boolean buy = flow.side[i] == (byte)Side.BUY.value();
                final boolean market = flow.orderType[i] == (byte)OrderType.MARKET.value();
                final long price = market ? (buy ? Long.MAX_VALUE : 0) : flow.price[i];
                cmd.command = OrderCommandType.PLACE_ORDER;
                cmd.action = buy ? OrderAction.BID : OrderAction.ASK;
                cmd.orderType = flow.timeInForce[i] == (byte)TimeInForce.IOC.value() ?
                    exchange.core2.core.common.OrderType.IOC : exchange.core2.core.common.OrderType.GTC;
                cmd.price = price;
                cmd.reserveBidPrice = price;
                cmd.size = flow.quantity[i];
                book.newOrder(cmd);
            }
            case RecordedFlow.CANCEL ->
            {
                cmd.command = OrderCommandType.CANCEL_ORDER;
                book.cancelOrder(cmd);
            }
            case RecordedFlow.REPLACE_MOVE ->
            {
                cmd.command = OrderCommandType.MOVE_ORDER;
                cmd.price = flow.price[i];
                book.moveOrder(cmd);
            }
            default ->
            {
                cmd.command = OrderCommandType.REDUCE_ORDER;
                cmd.size = flow.reduceBy[i];
                book.reduceOrder(cmd);
            }
        }

        for (MatcherTradeEvent event = cmd.matcherEvent; null != event; event = event.nextEvent)
        {
            if (MatcherEventType.TRADE == event.eventType)
            {
                trades++;
                tradedQuantity += event.size;
            }
            else if (MatcherEventType.REJECT == event.eventType)
            {
                rejectedQuantity += event.size;
            }
        }
    }

    /**
     * Check the books ended where the reference book did: same trades, the same aggregated quantity per level on
     * every instrument, and every live order with the same price and leaves.
     *
     * @throws IllegalStateException describing the first difference.
     */
    void verify(final RecordedFlow flow)
    {
        final RecordedFlow.ExpectedState expected = flow.expectedState;
        if (trades != expected.trades || tradedQuantity != expected.tradedQuantity)
        {
            fail("trades " + trades + " for " + tradedQuantity + ", reference " + expected.trades + " for " +
                expected.tradedQuantity);
        }

        for (int k = 0; k < books.length; k++)
        {
            final IOrderBook book = books[k];
            final long[] bids = expected.bidLevels[k];
            final long[] asks = expected.askLevels[k];
            final int depth = Math.max(bids.length, asks.length) / 3;
            if (null == l2 || l2.bidPrices.length < depth)
            {
                l2 = new L2MarketData(depth, depth);
            }
            book.fillBids(depth, l2);
            book.fillAsks(depth, l2);
            if (l2.bidSize != bids.length / 3 || l2.askSize != asks.length / 3)
            {
                fail("instrument " + (firstInstrumentId + k) + " level counts differ from reference");
            }
            for (int j = 0; j < l2.bidSize; j++)
            {
                if (l2.bidPrices[j] != bids[3 * j] || l2.bidVolumes[j] != bids[3 * j + 1])
                {
                    fail("instrument " + (firstInstrumentId + k) + " bid level " + j + " differs from reference");
                }
            }
            for (int j = 0; j < l2.askSize; j++)
            {
                if (l2.askPrices[j] != asks[3 * j] || l2.askVolumes[j] != asks[3 * j + 1])
                {
                    fail("instrument " + (firstInstrumentId + k) + " ask level " + j + " differs from reference");
                }
            }
        }

        long resting = 0;
        for (final IOrderBook book : books)
        {
            resting += book.getOrdersNum(OrderAction.ASK) + book.getOrdersNum(OrderAction.BID);
        }
        if (resting != expected.liveOrders)
        {
            fail(resting + " resting orders, reference " + expected.liveOrders);
        }
        for (int i = 0; i < expected.liveOrders; i++)
        {
            final IOrder actual =
                books[expected.instrumentId[i] - firstInstrumentId].getOrderById(expected.clientOrderId[i]);
            if (null == actual || actual.getPrice() != expected.price[i] ||
                actual.getSize() - actual.getFilled() != expected.leavesQuantity[i])
            {
                fail("order " + expected.clientOrderId[i] + " differs from reference");
            }
        }
    }

    private static void fail(final String message)
    {
        throw new IllegalStateException("exchange-core final state is wrong: " + message);
    }
}
