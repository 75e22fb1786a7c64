package io.sluice.perf.matching;

import io.sluice.client.flow.OrderFlowGenerator;
import io.sluice.client.flow.OrderFlowSink;
import io.sluice.client.flow.ReferenceBook;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.agrona.collections.Long2LongHashMap;

/**
 * A pre-generated flow held in flat arrays, so replaying it costs the engine under test and nothing else. One
 * session per account (sessionId = accountId), with its own requestSeq from 1.
 * <p>
 * Replaces are also translated for exchange-core, which has no replace: a price change becomes a move, a lower
 * quantity becomes a reduce by the difference. The generator never does both at once.
 */
final class RecordedFlow implements OrderFlowSink
{
    static final byte NEW_ORDER = 1;
    static final byte CANCEL = 2;
    static final byte REPLACE_MOVE = 3;
    static final byte REPLACE_REDUCE = 4;

    final int capacity;
    final byte[] kind;
    final long[] accountId;
    final long[] requestSeq;
    final long[] clientOrderId;
    final int[] instrumentId;
    final byte[] side;
    final byte[] orderType;
    final byte[] timeInForce;
    final long[] price;
    /** New order: quantity; replace: new total quantity; reduce (exchange-core): not used. */
    final long[] quantity;
    /** Reduce (exchange-core): quantity to take off. */
    final long[] reduceBy;
    int count;

    private final Long2LongHashMap lastRequestSeqByAccount = new Long2LongHashMap(0);
    private final Long2LongHashMap priceByClientOrderId = new Long2LongHashMap(Long.MIN_VALUE);
    private final Long2LongHashMap quantityByClientOrderId = new Long2LongHashMap(Long.MIN_VALUE);

    /** What the generator expects the engines to end with. */
    ReferenceBook expected;
    OrderFlowGenerator.Config config;
    /** The expected book flattened once, so that checking an engine against it allocates nothing. */
    ExpectedState expectedState;

    RecordedFlow(final int capacity)
    {
        this.capacity = capacity;
        kind = new byte[capacity];
        accountId = new long[capacity];
        requestSeq = new long[capacity];
        clientOrderId = new long[capacity];
        instrumentId = new int[capacity];
        side = new byte[capacity];
        orderType = new byte[capacity];
        timeInForce = new byte[capacity];
        price = new long[capacity];
        quantity = new long[capacity];
        reduceBy = new long[capacity];
    }

    /**
     * Generate a flow.
     *
     * @param config   of the generator.
     * @param commands how many.
     * @return the recorded flow with its expected final state.
     */
    static RecordedFlow generate(final OrderFlowGenerator.Config config, final int commands)
    {
        final OrderFlowGenerator generator = new OrderFlowGenerator(config);
        final RecordedFlow flow = new RecordedFlow(commands);
        generator.generate(commands, flow);
        flow.expected = generator.referenceBook();
        flow.expectedState = new ExpectedState(flow.expected);
        flow.config = config;
        flow.forgetTranslationState();
        return flow;
    }

    private int append(final byte kind, final long accountId, final long clientOrderId, final int instrumentId)
    {
        if (count == capacity)
        {
            throw new IllegalStateException("flow full: " + capacity);
        }
        final int i = count++;
        final long seq = lastRequestSeqByAccount.get(accountId) + 1;
        lastRequestSeqByAccount.put(accountId, seq);
        this.kind[i] = kind;
        this.accountId[i] = accountId;
        this.requestSeq[i] = seq;
        this.clientOrderId[i] = clientOrderId;
        this.instrumentId[i] = instrumentId;
        return i;
    }

    public void newOrder(
        final long accountId,
        final long clientOrderId,
        final int instrumentId,
        final Side side,
        final OrderType orderType,
        final TimeInForce timeInForce,
        final long price,
        final long quantity)
    {
        final int i = append(NEW_ORDER, accountId, clientOrderId, instrumentId);
        this.side[i] = (byte)side.value();
        this.orderType[i] = (byte)orderType.value();
        this.timeInForce[i] = (byte)timeInForce.value();
        this.price[i] = price;
        this.quantity[i] = quantity;
        if (TimeInForce.GTC == timeInForce)
        {
            priceByClientOrderId.put(clientOrderId, price);
            quantityByClientOrderId.put(clientOrderId, quantity);
        }
    }

    public void cancelOrder(final long accountId, final long clientOrderId, final int instrumentId)
    {
        append(CANCEL, accountId, clientOrderId, instrumentId);
        priceByClientOrderId.remove(clientOrderId);
        quantityByClientOrderId.remove(clientOrderId);
    }

    public void replaceOrder(
        final long accountId, final long clientOrderId, final int instrumentId, final long newPrice,
        final long newQuantity)
    {
        final long oldPrice = priceByClientOrderId.get(clientOrderId);
        final long oldQuantity = quantityByClientOrderId.get(clientOrderId);
        if (Long.MIN_VALUE == oldPrice)
        {
            throw new IllegalStateException("replace of an order never placed: " + clientOrderId);
        }

        final boolean move = newPrice != oldPrice;
        if (move == (newQuantity != oldQuantity))
        {
            throw new IllegalStateException("replace must change exactly one of price and quantity: " + clientOrderId);
        }
        final int i = append(move ? REPLACE_MOVE : REPLACE_REDUCE, accountId, clientOrderId, instrumentId);
        price[i] = newPrice;
        quantity[i] = newQuantity;
        reduceBy[i] = move ? 0 : oldQuantity - newQuantity;
        priceByClientOrderId.put(clientOrderId, newPrice);
        quantityByClientOrderId.put(clientOrderId, newQuantity);
    }

    private void forgetTranslationState()
    {
        lastRequestSeqByAccount.clear();
        priceByClientOrderId.clear();
        priceByClientOrderId.compact();
        quantityByClientOrderId.clear();
        quantityByClientOrderId.compact();
    }

    /**
     * The reference book's final state in arrays: per instrument and side the aggregated levels as
     * {price, quantity, orderCount} triples, best first; and every live order.
     */
    static final class ExpectedState
    {
        final int firstInstrumentId;
        final long[][] bidLevels;
        final long[][] askLevels;
        final int liveOrders;
        final long[] accountId;
        final long[] clientOrderId;
        final int[] instrumentId;
        final long[] price;
        final long[] leavesQuantity;
        final long trades;
        final long tradedQuantity;

        ExpectedState(final ReferenceBook book)
        {
            firstInstrumentId = book.firstInstrumentId();
            bidLevels = new long[book.instrumentCount()][];
            askLevels = new long[book.instrumentCount()][];
            for (int k = 0; k < book.instrumentCount(); k++)
            {
                bidLevels[k] = book.aggregatedLevels(firstInstrumentId + k, Side.BUY);
                askLevels[k] = book.aggregatedLevels(firstInstrumentId + k, Side.SELL);
            }
            liveOrders = book.liveOrderCount();
            accountId = new long[liveOrders];
            clientOrderId = new long[liveOrders];
            instrumentId = new int[liveOrders];
            price = new long[liveOrders];
            leavesQuantity = new long[liveOrders];
            for (int i = 0; i < liveOrders; i++)
            {
                final ReferenceBook.Order order = book.liveOrder(i);
                accountId[i] = order.accountId();
                clientOrderId[i] = order.clientOrderId();
                instrumentId[i] = order.instrumentId();
                price[i] = order.price();
                leavesQuantity[i] = order.leavesQuantity();
            }
            trades = book.trades();
            tradedQuantity = book.tradedQuantity();
        }

        int instrumentCount()
        {
            return bidLevels.length;
        }
    }

    /**
     * @return commands per kind, for the report: {new orders, cancels, replaces, of which IOC/market new orders}.
     */
    long[] kindCounts()
    {
        final long[] counts = new long[4];
        for (int i = 0; i < count; i++)
        {
            switch (kind[i])
            {
                case NEW_ORDER ->
                {
                    counts[0]++;
                    if (timeInForce[i] == (byte)TimeInForce.IOC.value())
                    {
                        counts[3]++;
                    }
                }
                case CANCEL -> counts[1]++;
                default -> counts[2]++;
            }
        }
        return counts;
    }
}
