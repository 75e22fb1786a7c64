package io.sluice.journal;

import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.wire.Sequence;

import java.lang.reflect.Field;

/**
 * Sets the two values in a cycle file's Chronicle header that tell an appender where the last document is: the
 * {@code writePosition} and the (sequence, position) pair next to it. Chronicle only ever raises the write
 * position, so after recovery cuts off a torn entry the header would still point at (or past) it and the next
 * append would leave a gap no reader can cross; and a damaged value would make the appender continue from the
 * wrong place. Recovery therefore writes the values its own scan established.
 * <p>
 * The fields are private to Chronicle Queue (checked against the pinned version by the recovery tests), so they
 * are reached by reflection; any failure is reported as a clear error rather than guessed around.
 */
final class ChronicleStoreAccess
{
    private static final Field WRITE_POSITION = field("writePosition");
    private static final Field SEQUENCE = field("sequence");

    private ChronicleStoreAccess()
    {
    }

    private static Field field(final String name)
    {
        try
        {
            final Field field = SingleChronicleQueueStore.class.getDeclaredField(name);
            field.setAccessible(true);
            return field;
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            throw new IllegalStateException("Chronicle Queue's SingleChronicleQueueStore." + name +
                " is not accessible; journal recovery needs it", ex);
        }
    }

    /** Current write position recorded in the header of {@code cycle}'s file. */
    static long writePosition(final SingleChronicleQueue queue, final int cycle)
    {
        final SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), false, null);
        if (store == null)
        {
            return -1;
        }
        try
        {
            return store.writePosition();
        }
        finally
        {
            queue.closeStore(store);
        }
    }

    /**
     * Points the header of {@code cycle}'s file at the document at {@code headerOffset}.
     *
     * @param seqInCycle sequence number of that document if it is an entry, or -1 if it is Chronicle metadata (the
     *                   sequence pair is then left for Chronicle to re-derive from its index).
     */
    static void pointAt(
        final SingleChronicleQueue queue, final int cycle, final long headerOffset, final long seqInCycle)
    {
        final SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), false, null);
        if (store == null)
        {
            throw new IllegalStateException("no Chronicle store for cycle " + cycle);
        }
        try
        {
            final LongValue writePosition = (LongValue)WRITE_POSITION.get(store);
            writePosition.setVolatileValue(headerOffset);
            if (seqInCycle >= 0)
            {
                final Sequence sequence = (Sequence)SEQUENCE.get(store);
                sequence.setSequence(seqInCycle, headerOffset);
            }
        }
        catch (final IllegalAccessException ex)
        {
            throw new IllegalStateException("cannot reset Chronicle write position", ex);
        }
        finally
        {
            queue.closeStore(store);
        }
    }
}
