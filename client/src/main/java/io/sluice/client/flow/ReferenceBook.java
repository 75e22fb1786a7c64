package io.sluice.client.flow;

import io.sluice.sbe.client.Side;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A deliberately naive price-time-priority book over a set of instruments: sorted maps of FIFO queues, written for
 * obviousness, not speed. The {@link OrderFlowGenerator} keeps one to know the touch and the live orders, and
 * benchmarks compare an engine's final state with it so that a fast but wrong engine cannot pass.
 * <p>
 * It only implements what the generated flow contains: passive limit orders that never cross, immediate-or-cancel
 * takers (limit or market) that never meet an order of their own account, cancels, price moves and quantity
 * reductions. Client order ids are unique across all instruments. Not thread safe.
 */
public final class ReferenceBook
{
    /**
     * A resting order.
     */
    public static final class Order
    {
        private final long accountId;
        private final long clientOrderId;
        private final int instrumentId;
        private final Side side;
        private long price;
        private long quantity;
        private long leavesQuantity;
        /** Position in {@link ReferenceBook#live}, kept so removal is O(1). */
        private int liveIndex;

        Order(
            final long accountId,
            final long clientOrderId,
            final int instrumentId,
            final Side side,
            final long price,
            final long quantity)
        {
            this.accountId = accountId;
            this.clientOrderId = clientOrderId;
            this.instrumentId = instrumentId;
            this.side = side;
            this.price = price;
            this.quantity = quantity;
            this.leavesQuantity = quantity;
        }

        public long accountId()
        {
            return accountId;
        }

        public long clientOrderId()
        {
            return clientOrderId;
        }

        public int instrumentId()
        {
            return instrumentId;
        }

        public Side side()
        {
            return side;
        }

        public long price()
        {
            return price;
        }

        /**
         * @return total quantity including what has been filled.
         */
        public long quantity()
        {
            return quantity;
        }

        public long leavesQuantity()
        {
            return leavesQuantity;
        }
    }

    private final int firstInstrumentId;
    private final TreeMap<Long, ArrayDeque<Order>>[] bids;
    private final TreeMap<Long, ArrayDeque<Order>>[] asks;
    private final Map<Long, Order> byClientOrderId = new HashMap<>();
    private final ArrayList<Order> live = new ArrayList<>();
    private long trades;
    private long tradedQuantity;

    /**
     * @param firstInstrumentId id of the first instrument.
     * @param instruments       number of instruments, with consecutive ids.
     */
    @SuppressWarnings({ "unchecked", "rawtypes" })
    public ReferenceBook(final int firstInstrumentId, final int instruments)
    {
        this.firstInstrumentId = firstInstrumentId;
        this.bids = new TreeMap[instruments];
        this.asks = new TreeMap[instruments];
        for (int i = 0; i < instruments; i++)
        {
            bids[i] = new TreeMap<>(Collections.reverseOrder());
            asks[i] = new TreeMap<>();
        }
    }

    public int firstInstrumentId()
    {
        return firstInstrumentId;
    }

    public int instrumentCount()
    {
        return bids.length;
    }

    /**
     * @return number of trades so far (one per maker/taker pair).
     */
    public long trades()
    {
        return trades;
    }

    /**
     * @return total quantity traded so far.
     */
    public long tradedQuantity()
    {
        return tradedQuantity;
    }

    public int liveOrderCount()
    {
        return live.size();
    }

    /**
     * @param index 0 until {@link #liveOrderCount()}; the order is not meaningful but is deterministic.
     * @return a live order.
     */
    public Order liveOrder(final int index)
    {
        return live.get(index);
    }

    public Order order(final long clientOrderId)
    {
        return byClientOrderId.get(clientOrderId);
    }

    /**
     * @return the best price on a side, or {@link Long#MIN_VALUE} when the side is empty.
     */
    public long bestPrice(final int instrumentId, final Side side)
    {
        final TreeMap<Long, ArrayDeque<Order>> levels = levels(instrumentId, side);
        return levels.isEmpty() ? Long.MIN_VALUE : levels.firstKey();
    }

    /**
     * Aggregated levels of one side, best first.
     *
     * @return {price, quantity, orderCount} triples, flattened.
     */
    public long[] aggregatedLevels(final int instrumentId, final Side side)
    {
        final TreeMap<Long, ArrayDeque<Order>> levels = levels(instrumentId, side);
        final long[] result = new long[levels.size() * 3];
        int i = 0;
        for (final Map.Entry<Long, ArrayDeque<Order>> entry : levels.entrySet())
        {
            long quantity = 0;
            for (final Order order : entry.getValue())
            {
                quantity += order.leavesQuantity;
            }
            result[i++] = entry.getKey();
            result[i++] = quantity;
            result[i++] = entry.getValue().size();
        }

        return result;
    }

    /**
     * Rest an order that does not cross the opposite side.
     */
    public void addPassive(
        final long accountId,
        final long clientOrderId,
        final int instrumentId,
        final Side side,
        final long price,
        final long quantity)
    {
        if (crosses(instrumentId, side, price))
        {
            throw new IllegalStateException("passive order " + clientOrderId + " would cross at " + price);
        }
        final Order order = new Order(accountId, clientOrderId, instrumentId, side, price, quantity);
        if (null != byClientOrderId.putIfAbsent(clientOrderId, order))
        {
            throw new IllegalStateException("client order id reused: " + clientOrderId);
        }
        order.liveIndex = live.size();
        live.add(order);
        levels(instrumentId, side).computeIfAbsent(price, (p) -> new ArrayDeque<>()).addLast(order);
    }

    /**
     * Would an immediate-or-cancel order trade against an order of the given account?
     */
    public boolean wouldMeetAccount(
        final long accountId,
        final int instrumentId,
        final Side side,
        final boolean market,
        final long limitPrice,
        final long quantity)
    {
        long remaining = quantity;
        for (final Map.Entry<Long, ArrayDeque<Order>> level : levels(instrumentId, opposite(side)).entrySet())
        {
            if (!market && !takerCrosses(side, limitPrice, level.getKey()))
            {
                return false;
            }
            for (final Order maker : level.getValue())
            {
                if (maker.accountId == accountId)
                {
                    return true;
                }
                remaining -= maker.leavesQuantity;
                if (remaining <= 0)
                {
                    return false;
                }
            }
        }

        return false;
    }

    /**
     * Match an immediate-or-cancel order; what does not fill is dropped.
     *
     * @return quantity filled.
     */
    public long takeLiquidity(
        final int instrumentId, final Side side, final boolean market, final long limitPrice, final long quantity)
    {
        final TreeMap<Long, ArrayDeque<Order>> opposite = levels(instrumentId, opposite(side));
        long remaining = quantity;
        while (remaining > 0 && !opposite.isEmpty())
        {
            final Map.Entry<Long, ArrayDeque<Order>> level = opposite.firstEntry();
            if (!market && !takerCrosses(side, limitPrice, level.getKey()))
            {
                break;
            }
            final ArrayDeque<Order> queue = level.getValue();
            final Order maker = queue.peekFirst();
            final long fill = Math.min(remaining, maker.leavesQuantity);
            maker.leavesQuantity -= fill;
            remaining -= fill;
            trades++;
            tradedQuantity += fill;
            if (0 == maker.leavesQuantity)
            {
                queue.pollFirst();
                forget(maker);
                if (queue.isEmpty())
                {
                    opposite.remove(level.getKey());
                }
            }
        }

        return quantity - remaining;
    }

    public void cancel(final long clientOrderId)
    {
        final Order order = requireLive(clientOrderId);
        unlink(order);
        forget(order);
    }

    /**
     * Lower the total quantity of an order at the same price; it keeps its place in the queue.
     *
     * @param newQuantity new total, above what has been filled.
     */
    public void reduce(final long clientOrderId, final long newQuantity)
    {
        final Order order = requireLive(clientOrderId);
        final long filled = order.quantity - order.leavesQuantity;
        if (newQuantity <= filled || newQuantity >= order.quantity)
        {
            throw new IllegalStateException("reduce of " + clientOrderId + " to " + newQuantity + " out of range");
        }
        order.leavesQuantity = newQuantity - filled;
        order.quantity = newQuantity;
    }

    /**
     * Move an order to a new price that does not cross; it goes to the back of the new level's queue.
     */
    public void move(final long clientOrderId, final long newPrice)
    {
        final Order order = requireLive(clientOrderId);
        if (crosses(order.instrumentId, order.side, newPrice) || newPrice == order.price)
        {
            throw new IllegalStateException("move of " + clientOrderId + " to " + newPrice + " not allowed");
        }
        unlink(order);
        order.price = newPrice;
        levels(order.instrumentId, order.side).computeIfAbsent(newPrice, (p) -> new ArrayDeque<>()).addLast(order);
    }

    /**
     * Would a limit order at this price trade against the opposite side?
     */
    public boolean crosses(final int instrumentId, final Side side, final long price)
    {
        final long oppositeBest = bestPrice(instrumentId, opposite(side));
        return Long.MIN_VALUE != oppositeBest && takerCrosses(side, price, oppositeBest);
    }

    private static boolean takerCrosses(final Side takerSide, final long limitPrice, final long makerPrice)
    {
        return takerSide == Side.BUY ? makerPrice <= limitPrice : makerPrice >= limitPrice;
    }

    private static Side opposite(final Side side)
    {
        return side == Side.BUY ? Side.SELL : Side.BUY;
    }

    private TreeMap<Long, ArrayDeque<Order>> levels(final int instrumentId, final Side side)
    {
        final int index = instrumentId - firstInstrumentId;
        return side == Side.BUY ? bids[index] : asks[index];
    }

    private Order requireLive(final long clientOrderId)
    {
        final Order order = byClientOrderId.get(clientOrderId);
        if (null == order)
        {
            throw new IllegalStateException("no live order " + clientOrderId);
        }
        return order;
    }

    private void unlink(final Order order)
    {
        final TreeMap<Long, ArrayDeque<Order>> levels = levels(order.instrumentId, order.side);
        final ArrayDeque<Order> queue = levels.get(order.price);
        queue.remove(order);
        if (queue.isEmpty())
        {
            levels.remove(order.price);
        }
    }

    private void forget(final Order order)
    {
        byClientOrderId.remove(order.clientOrderId);
        final Order last = live.remove(live.size() - 1);
        if (last != order)
        {
            live.set(order.liveIndex, last);
            last.liveIndex = order.liveIndex;
        }
    }
}
