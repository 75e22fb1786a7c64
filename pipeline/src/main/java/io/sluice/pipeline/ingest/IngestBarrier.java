package io.sluice.pipeline.ingest;

/**
 * A delivery barrier over the ingest rings: captures each ring's producer position at one instant, and is reached
 * once the consumer has consumed past every captured position. Reaching it means every record committed before the
 * capture has been handed to the consumer's handler. A ring removed after the capture was empty when it was removed,
 * so it never holds the barrier back.
 */
public final class IngestBarrier
{
    private final IngestRing[] rings;
    private final long[] producerPositions;

    IngestBarrier(final IngestRing[] rings)
    {
        this.rings = rings;
        this.producerPositions = new long[rings.length];
        for (int i = 0; i < rings.length; i++)
        {
            producerPositions[i] = rings[i].producerPosition();
        }
    }

    /**
     * @return true once every record committed before the barrier was captured has been consumed. Any thread.
     */
    public boolean isReached()
    {
        for (int i = 0; i < rings.length; i++)
        {
            if (rings[i].consumerPosition() < producerPositions[i])
            {
                return false;
            }
        }

        return true;
    }
}
