package io.sluice.matching;

/**
 * Free list of {@link PriceLevel}s shared by every book of an engine. Grows by allocating when empty.
 * Single-threaded: owned by the engine thread.
 */
final class PriceLevelPool
{
    private PriceLevel free;

    PriceLevelPool(final int initialCapacity)
    {
        for (int i = 0; i < initialCapacity; i++)
        {
            release(new PriceLevel());
        }
    }

    PriceLevel acquire()
    {
        final PriceLevel level = free;
        if (null == level)
        {
            return new PriceLevel();
        }

        free = level.worse;
        level.worse = null;

        return level;
    }

    void release(final PriceLevel level)
    {
        level.reset();
        level.worse = free;
        free = level;
    }
}
