package io.sluice.matching;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Structural checks of an engine's internals between commands.
 */
final class EngineInvariants
{
    private EngineInvariants()
    {
    }

    /**
     * The book is not crossed, levels agree with their orders, every resting order is indexed and in its account's
     * list (in ascending order id), and nothing else is.
     */
    static void check(final MatchingEngine engine)
    {
        int resting = 0;
        final Map<Account, Integer> perAccount = new HashMap<>();
        for (int i = 0; i < engine.instrumentCount; i++)
        {
            final Instrument instrument = engine.instruments[i];
            final PriceLevel bestBid = instrument.bids.best();
            final PriceLevel bestAsk = instrument.asks.best();
            if (null != bestBid && null != bestAsk)
            {
                assertTrue(bestBid.price < bestAsk.price,
                    "crossed book on " + instrument.instrumentId + ": " + bestBid.price + " >= " + bestAsk.price);
            }

            for (final BookSide side : new BookSide[]{ instrument.bids, instrument.asks })
            {
                side.verifyInvariants();
                for (PriceLevel level = side.best(); null != level; level = level.worse)
                {
                    long quantity = 0;
                    int count = 0;
                    assertTrue(level.orderCount > 0, "empty level left in book");
                    for (Order order = level.head; null != order; order = order.nextInLevel)
                    {
                        assertSame(level, order.level);
                        assertEquals(level.price, order.price);
                        assertEquals(side.side(), order.side);
                        assertSame(instrument, order.instrument);
                        assertTrue(order.leavesQuantity > 0);
                        assertEquals(order.quantity - order.cumQuantity, order.leavesQuantity);
                        assertTrue(order.indexed);
                        assertSame(order, engine.orderIndex.get(order.accountId, order.clientOrderId));
                        assertNotNull(order.account);
                        perAccount.merge(order.account, 1, Integer::sum);
                        quantity += order.leavesQuantity;
                        count++;
                        resting++;
                    }
                    assertEquals(quantity, level.totalQuantity);
                    assertEquals(count, level.orderCount);
                }
            }
        }
        assertEquals(resting, engine.orderIndex.size(), "index holds orders that do not rest");

        for (final Account account : engine.accountById.values())
        {
            int count = 0;
            long lastOrderId = 0;
            for (Order order = account.head; null != order; order = order.nextInAccount)
            {
                assertSame(account, order.account);
                assertTrue(order.orderId > lastOrderId, "account list out of entry order");
                lastOrderId = order.orderId;
                count++;
            }
            assertEquals(count, account.openOrders);
            assertEquals(perAccount.getOrDefault(account, 0), count);
        }
    }
}
