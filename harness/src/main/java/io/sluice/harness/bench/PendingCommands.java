package io.sluice.harness.bench;

import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.agrona.BitUtil;

/**
 * Commands generated for one connection and not yet sent, oldest first, with the time each was due. Fixed capacity,
 * preallocated parallel arrays; nothing is allocated per command. Owned by the driving thread.
 */
final class PendingCommands
{
    static final byte NEW_ORDER = 1;
    static final byte CANCEL = 2;
    static final byte REPLACE = 3;

    private final int mask;
    private final byte[] kind;
    private final long[] clientOrderId;
    private final int[] instrumentId;
    private final Side[] side;
    private final OrderType[] orderType;
    private final TimeInForce[] timeInForce;
    private final long[] price;
    private final long[] quantity;
    private final long[] scheduledNs;
    private final boolean[] measured;
    private long head;
    private long tail;

    PendingCommands(final int capacity)
    {
        final int length = BitUtil.findNextPositivePowerOfTwo(capacity);
        mask = length - 1;
        kind = new byte[length];
        clientOrderId = new long[length];
        instrumentId = new int[length];
        side = new Side[length];
        orderType = new OrderType[length];
        timeInForce = new TimeInForce[length];
        price = new long[length];
        quantity = new long[length];
        scheduledNs = new long[length];
        measured = new boolean[length];
    }

    int capacity()
    {
        return mask + 1;
    }

    int size()
    {
        return (int)(tail - head);
    }

    boolean isEmpty()
    {
        return head == tail;
    }

    boolean isFull()
    {
        return size() == capacity();
    }

    void addNewOrder(
        final long clientOrderId,
        final int instrumentId,
        final Side side,
        final OrderType orderType,
        final TimeInForce timeInForce,
        final long price,
        final long quantity,
        final long scheduledNs,
        final boolean measured)
    {
        final int slot = claim(NEW_ORDER, clientOrderId, scheduledNs, measured);
        this.instrumentId[slot] = instrumentId;
        this.side[slot] = side;
        this.orderType[slot] = orderType;
        this.timeInForce[slot] = timeInForce;
        this.price[slot] = price;
        this.quantity[slot] = quantity;
    }

    void addCancel(final long clientOrderId, final long scheduledNs, final boolean measured)
    {
        claim(CANCEL, clientOrderId, scheduledNs, measured);
    }

    void addReplace(
        final long clientOrderId, final long newPrice, final long newQuantity, final long scheduledNs,
        final boolean measured)
    {
        final int slot = claim(REPLACE, clientOrderId, scheduledNs, measured);
        this.price[slot] = newPrice;
        this.quantity[slot] = newQuantity;
    }

    private int claim(final byte kind, final long clientOrderId, final long scheduledNs, final boolean measured)
    {
        if (isFull())
        {
            throw new IllegalStateException("pending commands full: capacity " + capacity());
        }
        final int slot = (int)(tail++ & mask);
        this.kind[slot] = kind;
        this.clientOrderId[slot] = clientOrderId;
        this.scheduledNs[slot] = scheduledNs;
        this.measured[slot] = measured;
        return slot;
    }

    /**
     * Send the oldest command.
     *
     * @param entry to send it through.
     * @return its requestSeq, or {@link OrderEntry#BACK_PRESSURED} (the command then stays at the head).
     */
    long sendHead(final OrderEntry entry)
    {
        final int slot = (int)(head & mask);
        switch (kind[slot])
        {
            case NEW_ORDER:
                return entry.placeOrder(clientOrderId[slot], instrumentId[slot], side[slot], orderType[slot],
                    timeInForce[slot], price[slot], quantity[slot]);
            case CANCEL:
                return entry.cancelOrder(clientOrderId[slot]);
            default:
                return entry.replaceOrder(clientOrderId[slot], price[slot], quantity[slot]);
        }
    }

    long headScheduledNs()
    {
        return scheduledNs[(int)(head & mask)];
    }

    boolean headMeasured()
    {
        return measured[(int)(head & mask)];
    }

    void removeHead()
    {
        if (isEmpty())
        {
            throw new IllegalStateException("no pending command");
        }
        head++;
    }
}
