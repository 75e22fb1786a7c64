package io.sluice.matching;

/**
 * All resting orders at one price on one side of a book, in time priority (head is the oldest).
 * <p>
 * A level is at the same time a node of its side's red-black tree (ordered by {@link #key}) and a member of a
 * doubly linked list of the side's levels from best to worst, which gives O(1) best price, O(1) next level and
 * O(log n) insert/remove. Pooled; written only by the engine thread.
 */
final class PriceLevel
{
    long price;
    /** Tree ordering key: the price for asks, minus the price for bids, so a smaller key is always a better price. */
    long key;
    /** Sum of the leaves quantity of the orders in the level. */
    long totalQuantity;
    int orderCount;
    Order head;
    Order tail;

    PriceLevel parent;
    PriceLevel left;
    PriceLevel right;
    boolean red;

    /** Neighbour towards the best price, null for the best level. */
    PriceLevel better;
    /** Neighbour away from the best price; also the free-list link while pooled. */
    PriceLevel worse;

    void append(final Order order)
    {
        order.level = this;
        order.prevInLevel = tail;
        order.nextInLevel = null;
        if (null == tail)
        {
            head = order;
        }
        else
        {
            tail.nextInLevel = order;
        }
        tail = order;
        orderCount++;
        totalQuantity += order.leavesQuantity;
    }

    void remove(final Order order)
    {
        final Order prev = order.prevInLevel;
        final Order next = order.nextInLevel;
        if (null == prev)
        {
            head = next;
        }
        else
        {
            prev.nextInLevel = next;
        }

        if (null == next)
        {
            tail = prev;
        }
        else
        {
            next.prevInLevel = prev;
        }

        order.level = null;
        order.prevInLevel = null;
        order.nextInLevel = null;
        orderCount--;
        totalQuantity -= order.leavesQuantity;
    }

    void reset()
    {
        price = 0;
        key = 0;
        totalQuantity = 0;
        orderCount = 0;
        head = null;
        tail = null;
        parent = null;
        left = null;
        right = null;
        red = false;
        better = null;
        worse = null;
    }
}
