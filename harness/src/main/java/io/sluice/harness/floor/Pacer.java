package io.sluice.harness.floor;

import java.io.IOException;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one round trip at a time on a fixed schedule, an interval apart, so each finds both sides idle as at low load:
 * a slot missed because the previous round trip overran it is skipped, never caught up in a burst. Each round trip
 * is timed from the moment it starts to the moment it returns; waiting for its slot is not part of it. Round trips
 * started during the warm-up are made but not recorded; the run goes on past its duration until it has recorded
 * one, so a path slower than a short run still yields a sample.
 */
final class Pacer
{
    /**
     * One request and its answer; returns once the answer is in.
     */
    @FunctionalInterface
    interface RoundTrip
    {
        void run() throws IOException;
    }

    private Pacer()
    {
    }

    /**
     * @param trip       what to time.
     * @param warmupNs   run, unrecorded, this long first.
     * @param durationNs then record this long (and at least one round trip).
     * @param intervalNs between the starts of two round trips.
     * @return the recorded round trips.
     * @throws IOException if a round trip fails; the run stops there.
     */
    static Samples run(final RoundTrip trip, final long warmupNs, final long durationNs, final long intervalNs)
        throws IOException
    {
        if (intervalNs <= 0)
        {
            throw new IllegalArgumentException("the interval between round trips must be positive: " + intervalNs);
        }
        final Samples samples = new Samples();
        final long startNs = System.nanoTime();
        final long recordFromNs = startNs + warmupNs;
        final long endNs = recordFromNs + durationNs;
        long dueNs = startNs;
        while (true)
        {
            long nowNs = System.nanoTime();
            while (dueNs - nowNs > 0)
            {
                LockSupport.parkNanos(dueNs - nowNs);
                nowNs = System.nanoTime();
            }
            if (nowNs - endNs >= 0 && samples.count() > 0)
            {
                return samples;
            }
            final long sentNs = System.nanoTime();
            trip.run();
            final long answeredNs = System.nanoTime();
            if (sentNs - recordFromNs >= 0)
            {
                samples.record(answeredNs - sentNs);
            }
            do
            {
                dueNs += intervalNs;
            }
            while (dueNs - answeredNs <= 0);
        }
    }
}
