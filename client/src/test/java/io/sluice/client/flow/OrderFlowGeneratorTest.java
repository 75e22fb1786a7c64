package io.sluice.client.flow;

import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OrderFlowGeneratorTest
{
    private static final int COMMANDS = 100_000;

    /** Keeps commands as text and checks each against what the sink has seen so far. */
    private static final class CheckingSink implements OrderFlowSink
    {
        final List<String> commands = new ArrayList<>();
        final Set<Long> placed = new HashSet<>();
        final Set<Long> cancelled = new HashSet<>();
        long lowest = Long.MAX_VALUE;
        long highest = Long.MIN_VALUE;
        int market;
        int ioc;

        public void newOrder(final long accountId, final long clientOrderId, final int instrumentId, final Side side,
            final OrderType orderType, final TimeInForce timeInForce, final long price, final long quantity)
        {
            commands.add("N " + accountId + " " + clientOrderId + " " + instrumentId + " " + side + " " + orderType +
                " " + timeInForce + " " + price + " " + quantity);
            assertTrue(placed.add(clientOrderId), "client order id reused");
            assertTrue(quantity > 0);
            if (OrderType.MARKET == orderType)
            {
                market++;
            }
            else
            {
                lowest = Math.min(lowest, price);
                highest = Math.max(highest, price);
            }
            if (TimeInForce.IOC == timeInForce)
            {
                ioc++;
            }
        }

        public void cancelOrder(final long accountId, final long clientOrderId, final int instrumentId)
        {
            commands.add("C " + accountId + " " + clientOrderId + " " + instrumentId);
            assertTrue(placed.contains(clientOrderId) && cancelled.add(clientOrderId), "cancel of a dead order");
        }

        public void replaceOrder(final long accountId, final long clientOrderId, final int instrumentId,
            final long newPrice, final long newQuantity)
        {
            commands.add("R " + accountId + " " + clientOrderId + " " + instrumentId + " " + newPrice + " " +
                newQuantity);
            assertTrue(placed.contains(clientOrderId) && !cancelled.contains(clientOrderId), "replace of dead order");
        }
    }

    @Test
    void shouldProduceTheSameFlowForTheSameSeed()
    {
        final CheckingSink first = new CheckingSink();
        final CheckingSink second = new CheckingSink();
        final CheckingSink other = new CheckingSink();

        new OrderFlowGenerator(new OrderFlowGenerator.Config().seed(7)).generate(20_000, first);
        new OrderFlowGenerator(new OrderFlowGenerator.Config().seed(7)).generate(20_000, second);
        new OrderFlowGenerator(new OrderFlowGenerator.Config().seed(8)).generate(20_000, other);

        assertEquals(first.commands, second.commands);
        assertNotEquals(first.commands, other.commands);
    }

    @Test
    void shouldFollowTheDocumentedMix()
    {
        final CheckingSink sink = new CheckingSink();
        final OrderFlowGenerator generator = new OrderFlowGenerator(new OrderFlowGenerator.Config());

        generator.generate(COMMANDS, sink);

        assertEquals(COMMANDS, generator.commands());
        assertEquals(COMMANDS, sink.commands.size());
        assertShare(0.35, generator.cancels(), 0.02);
        assertShare(0.10, generator.replaces(), 0.01);
        assertShare(0.05, generator.aggressiveOrders(), 0.01);
        assertShare(0.50, generator.placements(), 0.02);
        assertEquals(generator.aggressiveOrders(), sink.ioc);
        assertShare(0.2 * 0.05, sink.market, 0.005);
    }

    @Test
    void shouldKeepPricesInRangeAndTheReferenceBookUncrossed()
    {
        final OrderFlowGenerator.Config config = new OrderFlowGenerator.Config().instruments(5).accounts(50);
        final CheckingSink sink = new CheckingSink();
        final OrderFlowGenerator generator = new OrderFlowGenerator(config);

        generator.generate(COMMANDS, sink);

        assertTrue(sink.lowest >= config.lowestPrice() && sink.highest <= config.highestPrice());
        final ReferenceBook book = generator.referenceBook();
        for (int instrumentId = 1; instrumentId <= 5; instrumentId++)
        {
            final long bestBid = book.bestPrice(instrumentId, Side.BUY);
            final long bestAsk = book.bestPrice(instrumentId, Side.SELL);
            assertTrue(bestBid == Long.MIN_VALUE || bestAsk == Long.MIN_VALUE || bestBid < bestAsk);
        }
        assertTrue(book.trades() > 1_000, "aggressive orders trade");
        assertTrue(book.liveOrderCount() > 1_000, "the book builds up");
    }

    private static void assertShare(final double expected, final long count, final double tolerance)
    {
        final double share = (double)count / COMMANDS;
        assertTrue(Math.abs(share - expected) <= tolerance, "share " + share + ", expected " + expected);
    }
}
