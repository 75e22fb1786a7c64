package io.sluice.matching;

/**
 * Free list of {@link Order}s so that steady-state matching allocates nothing. Grows by allocating when empty.
 * Single-threaded: owned by the engine thread.
 */
final class OrderPool
{
    private Order free;
    private int available;

    OrderPool(final int initialCapacity)
    {
        for (int i = 0; i < initialCapacity; i++)
        {
            release(new Order());
        }
    }

    Order acquire()
    {
        final Order order = free;
        if (null == order)
        {
            return new Order();
        }

        free = order.nextInLevel;
        order.nextInLevel = null;
        available--;

        return order;
    }

    void release(final Order order)
    {
        order.reset();
        order.nextInLevel = free;
        free = order;
        available++;
    }

    int available()
    {
        return available;
    }
}
