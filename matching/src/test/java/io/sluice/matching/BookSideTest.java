package io.sluice.matching;

import io.sluice.sbe.client.Side;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class BookSideTest
{
    @Test
    void shouldKeepBestBidAsHighestPrice()
    {
        final BookSide bids = new BookSide(Side.BUY, new PriceLevelPool(0));
        bids.findOrInsert(100);
        bids.findOrInsert(105);
        bids.findOrInsert(95);

        assertEquals(105, bids.best().price);
        assertEquals(100, bids.best().worse.price);
        assertEquals(95, bids.best().worse.worse.price);
    }

    @Test
    void shouldKeepBestAskAsLowestPrice()
    {
        final BookSide asks = new BookSide(Side.SELL, new PriceLevelPool(0));
        asks.findOrInsert(100);
        asks.findOrInsert(105);
        asks.findOrInsert(95);

        assertEquals(95, asks.best().price);
        assertEquals(105, asks.best().worse.worse.price);
    }

    @Test
    void shouldReturnExistingLevelForSamePrice()
    {
        final BookSide asks = new BookSide(Side.SELL, new PriceLevelPool(0));
        final PriceLevel first = asks.findOrInsert(100);

        assertSame(first, asks.findOrInsert(100));
        assertSame(first, asks.find(100));
        assertNull(asks.find(101));
        assertEquals(1, asks.levelCount());
    }

    /**
     * Random inserts and removals against a TreeSet: same content in the same order, and the red-black invariants
     * (hence O(log n) height) hold after every step.
     */
    @Property(tries = 200)
    void shouldMatchSortedSetAndKeepRedBlackInvariants(
        @ForAll("operations") final List<Integer> operations, @ForAll final boolean bid)
    {
        final BookSide side = new BookSide(bid ? Side.BUY : Side.SELL, new PriceLevelPool(4));
        final TreeSet<Long> expected = new TreeSet<>();

        for (final int operation : operations)
        {
            final long price = Math.abs(operation);
            if (operation >= 0)
            {
                side.findOrInsert(price);
                expected.add(price);
            }
            else
            {
                final PriceLevel level = side.find(price);
                if (null != level)
                {
                    side.removeLevel(level);
                }
                expected.remove(price);
            }

            final int blackHeight = side.verifyInvariants();
            final List<Long> actual = new ArrayList<>();
            for (PriceLevel level = side.best(); null != level; level = level.worse)
            {
                actual.add(level.price);
            }
            assertEquals(new ArrayList<>(bid ? expected.descendingSet() : expected), actual);
            assertEquals(expected.size(), side.levelCount());
            assertEquals(true, blackHeight <= 2 + 2 * (32 - Integer.numberOfLeadingZeros(expected.size() + 1)));
        }
    }

    @Provide
    Arbitrary<List<Integer>> operations()
    {
        return Arbitraries.integers().between(-60, 60).filter((i) -> i != 0).list().ofMaxSize(300);
    }
}
