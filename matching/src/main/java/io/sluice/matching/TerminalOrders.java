package io.sluice.matching;

import io.sluice.sbe.client.OrderState;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * How the orders that ended today ended (FILLED, CANCELED, EXPIRED, or REJECTED with its reason), by (accountId,
 * clientOrderId), so a status query can still answer once an order has left the book.
 * <p>
 * Bounded: at most {@code capacity} records, kept in the order they were made; when full, the oldest record is
 * forgotten to make room. A key recorded again (its clientOrderId reused after the first order ended) leaves its
 * older record behind as a forgotten slot, so the ring always reads oldest to newest and eviction depends only on
 * what was recorded, never on layout. The arrays start small and double up to the capacity; once there, recording
 * allocates nothing. Written only by the engine thread; part of the engine's state (hashed and snapshotted in ring
 * order, forgotten slots included, so a restored engine evicts exactly as the original would).
 */
final class TerminalOrders
{
    /** Records, forgotten slots included, written per slot in a snapshot after the slot's state byte. */
    static final int RECORD_LENGTH = 6 * 8 + 4 + 1 + 1;
    private static final int INITIAL_LENGTH = 1024;
    private static final byte FORGOTTEN = (byte)OrderState.UNKNOWN.value();
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final int capacity;

    private long[] accountIds;
    private long[] clientOrderIds;
    private long[] orderIds;
    private long[] prices;
    private long[] quantities;
    private long[] cumQuantities;
    private int[] instrumentIds;
    private byte[] sides;
    /** OrderState value of each slot; {@link #FORGOTTEN} for a slot whose key was recorded again. */
    private byte[] states;
    private byte[] reasons;

    /** Physical slot of the oldest record. */
    private int head;
    /** Slots in use, forgotten ones included. */
    private int used;

    /** Open addressing over the live slots: slot + 1, 0 for empty; at most half full. */
    private int[] index;
    private int indexMask;

    TerminalOrders(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("terminal order capacity must be at least 1: " + capacity);
        }
        this.capacity = capacity;
        allocate(Math.min(capacity, INITIAL_LENGTH));
    }

    int capacity()
    {
        return capacity;
    }

    /**
     * @return slots in use, forgotten ones included.
     */
    int used()
    {
        return used;
    }

    /**
     * Remember how an order ended; a record of the same key made earlier is forgotten.
     */
    void record(
        final long accountId,
        final long clientOrderId,
        final long orderId,
        final int instrumentId,
        final Side side,
        final OrderState state,
        final RejectReason reason,
        final long price,
        final long quantity,
        final long cumQuantity)
    {
        final int earlier = find(accountId, clientOrderId);
        if (earlier >= 0)
        {
            unindex(earlier);
            states[earlier] = FORGOTTEN;
        }
        final int slot = append();
        accountIds[slot] = accountId;
        clientOrderIds[slot] = clientOrderId;
        orderIds[slot] = orderId;
        instrumentIds[slot] = instrumentId;
        sides[slot] = (byte)side.value();
        states[slot] = (byte)state.value();
        reasons[slot] = (byte)reason.value();
        prices[slot] = price;
        quantities[slot] = quantity;
        cumQuantities[slot] = cumQuantity;
        insert(slot);
    }

    /**
     * @return the slot holding the key's record, or -1.
     */
    int find(final long accountId, final long clientOrderId)
    {
        int position = OrderIndex.hash(accountId, clientOrderId) & indexMask;
        int entry;
        while (0 != (entry = index[position]))
        {
            final int slot = entry - 1;
            if (clientOrderIds[slot] == clientOrderId && accountIds[slot] == accountId)
            {
                return slot;
            }
            position = (position + 1) & indexMask;
        }
        return -1;
    }

    long orderId(final int slot)
    {
        return orderIds[slot];
    }

    int instrumentId(final int slot)
    {
        return instrumentIds[slot];
    }

    Side side(final int slot)
    {
        return Side.get((short)(sides[slot] & 0xFF));
    }

    OrderState state(final int slot)
    {
        return OrderState.get((short)(states[slot] & 0xFF));
    }

    RejectReason reason(final int slot)
    {
        return RejectReason.get((short)(reasons[slot] & 0xFF));
    }

    long price(final int slot)
    {
        return prices[slot];
    }

    long quantity(final int slot)
    {
        return quantities[slot];
    }

    long cumQuantity(final int slot)
    {
        return cumQuantities[slot];
    }

    /**
     * Forget everything (a new trading day); keeps the arrays.
     */
    void clear()
    {
        Arrays.fill(index, 0);
        head = 0;
        used = 0;
    }

    long hash(final long digest)
    {
        long h = Digest.update(digest, used);
        for (int i = 0, slot = head; i < used; i++, slot = next(slot))
        {
            h = Digest.update(h, states[slot]);
            if (FORGOTTEN != states[slot])
            {
                h = Digest.update(h, accountIds[slot]);
                h = Digest.update(h, clientOrderIds[slot]);
                h = Digest.update(h, orderIds[slot]);
                h = Digest.update(h, instrumentIds[slot]);
                h = Digest.update(h, sides[slot]);
                h = Digest.update(h, reasons[slot]);
                h = Digest.update(h, prices[slot]);
                h = Digest.update(h, quantities[slot]);
                h = Digest.update(h, cumQuantities[slot]);
            }
        }
        return h;
    }

    /**
     * @return bytes {@link #write} takes: the slot count, then a state byte per slot and a record per live one.
     */
    long length()
    {
        long length = 4 + used;
        for (int i = 0, slot = head; i < used; i++, slot = next(slot))
        {
            if (FORGOTTEN != states[slot])
            {
                length += RECORD_LENGTH;
            }
        }
        return length;
    }

    int write(final MutableDirectBuffer buffer, final int offset)
    {
        int pos = offset;
        buffer.putInt(pos, used, ORDER);
        pos += 4;
        for (int i = 0, slot = head; i < used; i++, slot = next(slot))
        {
            buffer.putByte(pos++, states[slot]);
            if (FORGOTTEN != states[slot])
            {
                buffer.putLong(pos, accountIds[slot], ORDER);
                buffer.putLong(pos + 8, clientOrderIds[slot], ORDER);
                buffer.putLong(pos + 16, orderIds[slot], ORDER);
                buffer.putLong(pos + 24, prices[slot], ORDER);
                buffer.putLong(pos + 32, quantities[slot], ORDER);
                buffer.putLong(pos + 40, cumQuantities[slot], ORDER);
                buffer.putInt(pos + 48, instrumentIds[slot], ORDER);
                buffer.putByte(pos + 52, sides[slot]);
                buffer.putByte(pos + 53, reasons[slot]);
                pos += RECORD_LENGTH;
            }
        }
        return pos;
    }

    /**
     * Rebuild from what {@link #write} wrote; every length is checked against {@code end} before it is read.
     *
     * @return the position after the section.
     * @throws IllegalStateException if the section is damaged.
     */
    int read(final DirectBuffer buffer, final int offset, final int end)
    {
        clear();
        int pos = offset;
        if (end - pos < 4)
        {
            throw new IllegalStateException("terminal order count overruns the snapshot");
        }
        final int count = buffer.getInt(pos, ORDER);
        pos += 4;
        if (count < 0)
        {
            throw new IllegalStateException("terminal order count " + count + " in snapshot");
        }
        for (int i = 0; i < count; i++)
        {
            if (end - pos < 1)
            {
                throw new IllegalStateException("terminal order " + i + " overruns the snapshot");
            }
            final byte state = buffer.getByte(pos++);
            if (FORGOTTEN == state)
            {
                states[append()] = FORGOTTEN;
                continue;
            }
            if (end - pos < RECORD_LENGTH)
            {
                throw new IllegalStateException("terminal order " + i + " overruns the snapshot");
            }
            final OrderState orderState = OrderState.get((short)(state & 0xFF));
            final Side side = Side.get((short)(buffer.getByte(pos + 52) & 0xFF));
            final RejectReason reason = RejectReason.get((short)(buffer.getByte(pos + 53) & 0xFF));
            if (OrderState.NULL_VAL == orderState || OrderState.NEW == orderState ||
                OrderState.PARTIALLY_FILLED == orderState || RejectReason.NULL_VAL == reason)
            {
                throw new IllegalStateException("bad terminal order " + i + " in snapshot");
            }
            record(buffer.getLong(pos, ORDER), buffer.getLong(pos + 8, ORDER), buffer.getLong(pos + 16, ORDER),
                buffer.getInt(pos + 48, ORDER), side, orderState, reason, buffer.getLong(pos + 24, ORDER),
                buffer.getLong(pos + 32, ORDER), buffer.getLong(pos + 40, ORDER));
            pos += RECORD_LENGTH;
        }
        return pos;
    }

    /**
     * Take the next slot at the tail, forgetting the oldest record when the store is at its capacity.
     */
    private int append()
    {
        if (used == states.length)
        {
            if (states.length < capacity)
            {
                grow(Math.min(capacity, states.length * 2));
            }
            else
            {
                if (FORGOTTEN != states[head])
                {
                    unindex(head);
                }
                head = next(head);
                used--;
            }
        }
        int slot = head + used;
        if (slot >= states.length)
        {
            slot -= states.length;
        }
        used++;
        return slot;
    }

    private int next(final int slot)
    {
        return slot + 1 == states.length ? 0 : slot + 1;
    }

    private void insert(final int slot)
    {
        int position = OrderIndex.hash(accountIds[slot], clientOrderIds[slot]) & indexMask;
        while (0 != index[position])
        {
            position = (position + 1) & indexMask;
        }
        index[position] = slot + 1;
    }

    /**
     * Remove a live slot from the index, shifting later entries back so no tombstones build up.
     */
    private void unindex(final int slot)
    {
        int hole = OrderIndex.hash(accountIds[slot], clientOrderIds[slot]) & indexMask;
        while (index[hole] != slot + 1)
        {
            hole = (hole + 1) & indexMask;
        }
        index[hole] = 0;
        int position = hole;
        while (true)
        {
            position = (position + 1) & indexMask;
            final int entry = index[position];
            if (0 == entry)
            {
                return;
            }
            final int home = OrderIndex.hash(accountIds[entry - 1], clientOrderIds[entry - 1]) & indexMask;
            final boolean stays = hole <= position ?
                (home > hole && home <= position) : (home > hole || home <= position);
            if (!stays)
            {
                index[hole] = entry;
                index[position] = 0;
                hole = position;
            }
        }
    }

    private void grow(final int newLength)
    {
        final long[] oldAccountIds = accountIds;
        final long[] oldClientOrderIds = clientOrderIds;
        final long[] oldOrderIds = orderIds;
        final long[] oldPrices = prices;
        final long[] oldQuantities = quantities;
        final long[] oldCumQuantities = cumQuantities;
        final int[] oldInstrumentIds = instrumentIds;
        final byte[] oldSides = sides;
        final byte[] oldStates = states;
        final byte[] oldReasons = reasons;
        final int oldHead = head;
        final int oldLength = oldStates.length;
        final int count = used;
        allocate(newLength);
        for (int i = 0, from = oldHead; i < count; i++, from = from + 1 == oldLength ? 0 : from + 1)
        {
            accountIds[i] = oldAccountIds[from];
            clientOrderIds[i] = oldClientOrderIds[from];
            orderIds[i] = oldOrderIds[from];
            prices[i] = oldPrices[from];
            quantities[i] = oldQuantities[from];
            cumQuantities[i] = oldCumQuantities[from];
            instrumentIds[i] = oldInstrumentIds[from];
            sides[i] = oldSides[from];
            states[i] = oldStates[from];
            reasons[i] = oldReasons[from];
            if (FORGOTTEN != states[i])
            {
                insert(i);
            }
        }
        used = count;
    }

    private void allocate(final int length)
    {
        accountIds = new long[length];
        clientOrderIds = new long[length];
        orderIds = new long[length];
        prices = new long[length];
        quantities = new long[length];
        cumQuantities = new long[length];
        instrumentIds = new int[length];
        sides = new byte[length];
        states = new byte[length];
        reasons = new byte[length];
        int indexLength = 16;
        while (indexLength < 2 * length)
        {
            indexLength <<= 1;
        }
        index = new int[indexLength];
        indexMask = indexLength - 1;
        head = 0;
        used = 0;
    }
}
