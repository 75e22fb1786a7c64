package io.sluice.matching;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class OrderIndexTest
{
    private static Order order(final long accountId, final long clientOrderId)
    {
        final Order order = new Order();
        order.accountId = accountId;
        order.clientOrderId = clientOrderId;
        return order;
    }

    @Test
    void shouldKeepSameClientOrderIdOfDifferentAccountsApart()
    {
        final OrderIndex index = new OrderIndex(4);
        final Order a = order(1, 7);
        final Order b = order(2, 7);
        index.add(a);
        index.add(b);

        assertSame(a, index.get(1, 7));
        assertSame(b, index.get(2, 7));
        index.remove(a);
        assertNull(index.get(1, 7));
        assertSame(b, index.get(2, 7));
    }

    /**
     * Random adds and removes on a deliberately small table (so probes collide, wrap and resize) agree with a
     * HashMap, which checks backward-shift deletion never strands an entry.
     */
    @Property(tries = 200)
    void shouldAgreeWithHashMap(@ForAll("operations") final List<Integer> operations)
    {
        final OrderIndex index = new OrderIndex(1);
        final Map<Long, Order> expected = new HashMap<>();

        for (final int operation : operations)
        {
            final long key = Math.abs(operation);
            final long accountId = key % 5;
            final long clientOrderId = key / 5;
            final Order present = index.get(accountId, clientOrderId);
            assertSame(expected.get(key), present);
            if (operation > 0 && null == present)
            {
                final Order order = order(accountId, clientOrderId);
                index.add(order);
                expected.put(key, order);
            }
            else if (operation < 0 && null != present)
            {
                index.remove(present);
                expected.remove(key);
            }
            assertEquals(expected.size(), index.size());
        }

        for (final Map.Entry<Long, Order> entry : expected.entrySet())
        {
            assertSame(entry.getValue(), index.get(entry.getKey() % 5, entry.getKey() / 5));
        }
    }

    @Provide
    Arbitrary<List<Integer>> operations()
    {
        return Arbitraries.integers().between(-200, 200).filter((i) -> i != 0).list().ofMaxSize(400);
    }
}
