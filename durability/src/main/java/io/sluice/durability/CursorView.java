package io.sluice.durability;

/**
 * The nodes a durability policy may count, each as a pair of {@code wireSeq} cursors: the primary first, then every
 * replica slot whose active flag was set when the view was captured. Inactive slots are left out rather than counted
 * with zero cursors, so the view's size is the number of nodes that can take part.
 * <p>
 * The primary's in-memory cursor is {@link #PRIMARY_IN_MEMORY_WIRE_SEQ}: a reply only exists once the sequencer has
 * applied its command, so the primary holds in memory everything the gate can be asked about.
 * <p>
 * Reused across captures; owned by one thread.
 */
public final class CursorView
{
    public static final long PRIMARY_IN_MEMORY_WIRE_SEQ = Long.MAX_VALUE;

    private final long[] inMemoryWireSeqs;
    private final long[] persistedWireSeqs;
    private final long[] scratch;
    private int size;

    /**
     * @param capacity most nodes the view will hold: 1 + the number of replica slots.
     */
    public CursorView(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("capacity must be >= 1 (the primary): " + capacity);
        }

        inMemoryWireSeqs = new long[capacity];
        persistedWireSeqs = new long[capacity];
        scratch = new long[capacity];
    }

    /**
     * Fill the view from live cursors: the primary, then each active replica slot. Each slot's active flag is read
     * (acquire) before its cursors, which pairs with {@link ReplicationMetrics#activate} seeding them first.
     *
     * @param journalPersistedWireSeq primary's journal cursor, highest {@code wireSeq} synced to disk.
     * @param metrics                 replica slots; zero slots for a standalone primary.
     * @return this view.
     */
    public CursorView capture(final long journalPersistedWireSeq, final ReplicationMetrics metrics)
    {
        clear();
        addPrimary(journalPersistedWireSeq);
        for (int slot = 0, slotCount = metrics.slotCount(); slot < slotCount; slot++)
        {
            if (metrics.isActive(slot))
            {
                addReplica(metrics.inMemoryWireSeq(slot), metrics.persistedWireSeq(slot));
            }
        }

        return this;
    }

    /**
     * Empty the view.
     *
     * @return this view.
     */
    public CursorView clear()
    {
        size = 0;
        return this;
    }

    /**
     * Add the primary, which must come first.
     *
     * @param journalPersistedWireSeq highest {@code wireSeq} the primary's journal has synced.
     * @return this view.
     */
    public CursorView addPrimary(final long journalPersistedWireSeq)
    {
        if (0 != size)
        {
            throw new IllegalStateException("the primary must be the first node in the view");
        }

        return add(PRIMARY_IN_MEMORY_WIRE_SEQ, journalPersistedWireSeq);
    }

    /**
     * Add an active replica after the primary.
     *
     * @param inMemoryWireSeq  highest {@code wireSeq} the replica has applied.
     * @param persistedWireSeq highest {@code wireSeq} the replica has synced to its journal.
     * @return this view.
     */
    public CursorView addReplica(final long inMemoryWireSeq, final long persistedWireSeq)
    {
        if (0 == size)
        {
            throw new IllegalStateException("add the primary before any replica");
        }

        return add(inMemoryWireSeq, persistedWireSeq);
    }

    private CursorView add(final long inMemoryWireSeq, final long persistedWireSeq)
    {
        if (size == inMemoryWireSeqs.length)
        {
            throw new IllegalStateException("view capacity " + inMemoryWireSeqs.length + " exceeded");
        }

        inMemoryWireSeqs[size] = inMemoryWireSeq;
        persistedWireSeqs[size] = persistedWireSeq;
        size++;
        return this;
    }

    /**
     * @return nodes in the view, the primary included.
     */
    public int size()
    {
        return size;
    }

    /**
     * @return most nodes the view can hold.
     */
    public int capacity()
    {
        return inMemoryWireSeqs.length;
    }

    /**
     * @param index 0 for the primary, then the active replicas in slot order.
     * @return the node's in-memory cursor as reported.
     */
    public long inMemoryWireSeq(final int index)
    {
        checkIndex(index);
        return inMemoryWireSeqs[index];
    }

    /**
     * @param index 0 for the primary, then the active replicas in slot order.
     * @return the node's persisted cursor.
     */
    public long persistedWireSeq(final int index)
    {
        checkIndex(index);
        return persistedWireSeqs[index];
    }

    /**
     * @param index 0 for the primary, then the active replicas in slot order.
     * @return what the node holds in memory: the larger of its two cursors, since acks for the two may arrive in
     * either order and a persisted command is also in memory.
     */
    public long effectiveInMemoryWireSeq(final int index)
    {
        checkIndex(index);
        return Math.max(inMemoryWireSeqs[index], persistedWireSeqs[index]);
    }

    /**
     * Lowest persisted cursor among the replicas in the view: used to say whether a gate wait was on the journal or
     * on replication, never to decide durability.
     *
     * @return the minimum, or {@link Long#MAX_VALUE} when no replica is in the view (only the journal can be waited
     * on).
     */
    public long minReplicaPersistedWireSeq()
    {
        long min = Long.MAX_VALUE;
        for (int i = 1; i < size; i++)
        {
            min = Math.min(min, persistedWireSeqs[i]);
        }

        return min;
    }

    /**
     * Copy another view's nodes into this one.
     *
     * @param other to copy; must fit.
     * @return this view.
     */
    public CursorView copyFrom(final CursorView other)
    {
        if (other.size > inMemoryWireSeqs.length)
        {
            throw new IllegalStateException("view capacity " + inMemoryWireSeqs.length + " < " + other.size);
        }

        System.arraycopy(other.inMemoryWireSeqs, 0, inMemoryWireSeqs, 0, other.size);
        System.arraycopy(other.persistedWireSeqs, 0, persistedWireSeqs, 0, other.size);
        size = other.size;
        return this;
    }

    /**
     * The {@code k}-th largest cursor at a level, by partial selection into a scratch array: views hold a handful of
     * nodes and k is at most 3, so this is a few comparisons and no allocation.
     */
    long kthLargest(final Level level, final int k)
    {
        final long[] values = scratch;
        final int n = size;
        for (int i = 0; i < n; i++)
        {
            values[i] = Level.PERSISTED == level ?
                persistedWireSeqs[i] : Math.max(inMemoryWireSeqs[i], persistedWireSeqs[i]);
        }

        for (int rank = 0; rank < k; rank++)
        {
            int maxIndex = rank;
            for (int i = rank + 1; i < n; i++)
            {
                if (values[i] > values[maxIndex])
                {
                    maxIndex = i;
                }
            }
            final long swap = values[rank];
            values[rank] = values[maxIndex];
            values[maxIndex] = swap;
        }

        return values[k - 1];
    }

    private void checkIndex(final int index)
    {
        if (index < 0 || index >= size)
        {
            throw new IndexOutOfBoundsException("index " + index + " not in view of size " + size);
        }
    }

    public String toString()
    {
        final StringBuilder sb = new StringBuilder("CursorView{");
        for (int i = 0; i < size; i++)
        {
            if (i > 0)
            {
                sb.append(", ");
            }
            sb.append(0 == i ? "primary" : "replica").append("=[")
                .append(PRIMARY_IN_MEMORY_WIRE_SEQ == inMemoryWireSeqs[i] ? "MAX" : inMemoryWireSeqs[i])
                .append(", ").append(persistedWireSeqs[i]).append(']');
        }
        return sb.append('}').toString();
    }
}
