package io.sluice.matching;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.LongHashSet;

import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A set of account or session ids that is part of the engine's state (the killed accounts, the killed sessions, the
 * sessions with cancel-on-disconnect), so hashed and snapshotted. Both walk the ids in ascending order, so equal sets
 * give equal digests and bytes whatever order the ids were added in. {@link #contains(long)} is what every order pays
 * for the kill switch: an emptiness check while nothing is killed, else one probe of an open-addressing set; it
 * allocates nothing. Written and read only by the engine thread.
 */
final class IdSet
{
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final LongHashSet ids = new LongHashSet();
    /** Reused between hashes and snapshots; holds {@link #ids} in ascending order after {@link #sort()}. */
    private long[] sorted = new long[16];

    boolean contains(final long id)
    {
        return !ids.isEmpty() && ids.contains(id);
    }

    /**
     * @return true if the id was not in the set.
     */
    boolean add(final long id)
    {
        return ids.add(id);
    }

    /**
     * @return true if the id was in the set.
     */
    boolean remove(final long id)
    {
        return ids.remove(id);
    }

    int size()
    {
        return ids.size();
    }

    void clear()
    {
        ids.clear();
    }

    /**
     * @return a new array of the ids in ascending order, for an operator's view.
     */
    long[] toSortedArray()
    {
        return Arrays.copyOf(sorted, sort());
    }

    long hash(final long digest)
    {
        final int count = sort();
        long h = Digest.update(digest, count);
        for (int i = 0; i < count; i++)
        {
            h = Digest.update(h, sorted[i]);
        }

        return h;
    }

    /**
     * @return bytes {@link #write} takes: int32 count, then int64 per id, ascending.
     */
    int length()
    {
        return 4 + 8 * ids.size();
    }

    int write(final MutableDirectBuffer buffer, final int offset)
    {
        final int count = sort();
        buffer.putInt(offset, count, ORDER);
        int pos = offset + 4;
        for (int i = 0; i < count; i++)
        {
            buffer.putLong(pos, sorted[i], ORDER);
            pos += 8;
        }

        return pos;
    }

    /**
     * Replace the set with one {@link #write} wrote at {@code offset}, checked against the snapshot's end.
     *
     * @return the position after it.
     * @throws IllegalStateException if the section overruns {@code end} or repeats an id.
     */
    int read(final DirectBuffer buffer, final int offset, final int end, final String what)
    {
        ids.clear();
        if (offset + 4L > end)
        {
            throw new IllegalStateException(what + " count overruns the snapshot");
        }
        final int count = buffer.getInt(offset, ORDER);
        int pos = offset + 4;
        if (count < 0 || pos + 8L * count > end)
        {
            throw new IllegalStateException(what + " count " + count + " overruns the snapshot");
        }
        for (int i = 0; i < count; i++)
        {
            if (!ids.add(buffer.getLong(pos, ORDER)))
            {
                throw new IllegalStateException(what + " repeat an id in the snapshot");
            }
            pos += 8;
        }

        return pos;
    }

    private int sort()
    {
        final int count = ids.size();
        if (sorted.length < count)
        {
            sorted = new long[Math.max(count, sorted.length * 2)];
        }
        int i = 0;
        final LongHashSet.LongIterator iterator = ids.iterator();
        while (iterator.hasNext())
        {
            sorted[i++] = iterator.nextValue();
        }
        Arrays.sort(sorted, 0, count);

        return count;
    }
}
