package io.sluice.matching;

/**
 * Live orders by (accountId, clientOrderId): open addressing with linear probing over the orders themselves, and
 * backward-shift deletion so no tombstones build up. O(1) expected lookup, insert and remove; grows (allocating) when
 * the load passes {@link #LOAD_FACTOR}, never shrinks. Never iterated, so its layout cannot leak into behaviour.
 * Written only by the engine thread.
 */
final class OrderIndex
{
    static final float LOAD_FACTOR = 0.5f;

    private Order[] slots;
    private int mask;
    private int size;
    private int resizeThreshold;

    OrderIndex(final int initialCapacity)
    {
        int capacity = 16;
        while (capacity * LOAD_FACTOR < initialCapacity)
        {
            capacity <<= 1;
        }
        allocate(capacity);
    }

    int size()
    {
        return size;
    }

    Order get(final long accountId, final long clientOrderId)
    {
        final Order[] slots = this.slots;
        final int mask = this.mask;
        int index = hash(accountId, clientOrderId) & mask;
        Order order;
        while (null != (order = slots[index]))
        {
            if (order.clientOrderId == clientOrderId && order.accountId == accountId)
            {
                return order;
            }
            index = (index + 1) & mask;
        }

        return null;
    }

    /**
     * Add an order whose key is not yet present.
     *
     * @param order to add.
     */
    void add(final Order order)
    {
        if (size >= resizeThreshold)
        {
            rehash(slots.length << 1);
        }
        insert(slots, mask, order);
        size++;
    }

    void remove(final Order order)
    {
        final Order[] slots = this.slots;
        final int mask = this.mask;
        int hole = hash(order.accountId, order.clientOrderId) & mask;
        while (slots[hole] != order)
        {
            if (null == slots[hole])
            {
                throw new IllegalStateException("order not in index: " + order.orderId);
            }
            hole = (hole + 1) & mask;
        }
        slots[hole] = null;
        size--;

        int index = hole;
        while (true)
        {
            index = (index + 1) & mask;
            final Order candidate = slots[index];
            if (null == candidate)
            {
                break;
            }

            // The candidate may move into the hole unless its home slot lies cyclically in (hole, index].
            final int home = hash(candidate.accountId, candidate.clientOrderId) & mask;
            final boolean stays = hole <= index ? (home > hole && home <= index) : (home > hole || home <= index);
            if (!stays)
            {
                slots[hole] = candidate;
                slots[index] = null;
                hole = index;
            }
        }
    }

    void clear()
    {
        java.util.Arrays.fill(slots, null);
        size = 0;
    }

    private void rehash(final int newCapacity)
    {
        final Order[] oldSlots = slots;
        allocate(newCapacity);
        for (final Order order : oldSlots)
        {
            if (null != order)
            {
                insert(slots, mask, order);
            }
        }
    }

    private void allocate(final int capacity)
    {
        slots = new Order[capacity];
        mask = capacity - 1;
        resizeThreshold = (int)(capacity * LOAD_FACTOR);
    }

    private static void insert(final Order[] slots, final int mask, final Order order)
    {
        int index = hash(order.accountId, order.clientOrderId) & mask;
        while (null != slots[index])
        {
            index = (index + 1) & mask;
        }
        slots[index] = order;
    }

    static int hash(final long accountId, final long clientOrderId)
    {
        long h = accountId * 0x9E3779B97F4A7C15L + clientOrderId;
        h = (h ^ (h >>> 32)) * 0xD6E8FEB86659FD93L;
        h ^= h >>> 32;

        return (int)h;
    }
}
