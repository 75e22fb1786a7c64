package io.sluice.harness.bench;

/**
 * When each request of an open-loop run is due: request {@code i} at {@code startNs + i / rate}, computed from the
 * index rather than accumulated, so rounding never drifts and a late send never shifts the requests after it.
 * Owned by the driving thread.
 */
final class OpenLoopSchedule
{
    private final long startNs;
    private final double ratePerSecond;
    private long nextIndex;

    OpenLoopSchedule(final long startNs, final double ratePerSecond)
    {
        this.startNs = startNs;
        this.ratePerSecond = ratePerSecond;
    }

    long startNs()
    {
        return startNs;
    }

    /**
     * @param index of a request, from 0.
     * @return the time it is due.
     */
    long scheduledNs(final long index)
    {
        // Multiply before dividing: exact to the nanosecond while index * 1e9 fits a double's 53-bit mantissa.
        return startNs + (long)(index * 1e9 / ratePerSecond);
    }

    /**
     * @return the time the next request not yet taken is due.
     */
    long nextScheduledNs()
    {
        return scheduledNs(nextIndex);
    }

    /**
     * Take the next request's slot.
     *
     * @return the time it is due.
     */
    long take()
    {
        return scheduledNs(nextIndex++);
    }

    /**
     * @return requests taken so far.
     */
    long taken()
    {
        return nextIndex;
    }
}
