package io.sluice.harness.floor;

import io.sluice.harness.bench.LatencySummary;
import org.HdrHistogram.Histogram;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The measured latencies of one path: every value, which the composition draws from, and their HdrHistogram (3
 * significant digits), which the percentiles are read from. Single-threaded.
 */
public final class Samples
{
    /** Longer is recorded as this; a floor path that takes a minute has failed anyway. */
    static final long HIGHEST_TRACKABLE_NS = TimeUnit.MINUTES.toNanos(1);

    private final Histogram histogramNs = new Histogram(HIGHEST_TRACKABLE_NS, 3);
    private long[] valuesNs = new long[1024];
    private int count;

    /**
     * @param valuesNs latencies in nanoseconds.
     * @return samples holding them.
     */
    static Samples of(final long... valuesNs)
    {
        final Samples samples = new Samples();
        for (final long valueNs : valuesNs)
        {
            samples.record(valueNs);
        }
        return samples;
    }

    /**
     * @param valueNs one latency in nanoseconds, clamped to [0, {@link #HIGHEST_TRACKABLE_NS}].
     */
    void record(final long valueNs)
    {
        final long clampedNs = Math.max(0, Math.min(valueNs, HIGHEST_TRACKABLE_NS));
        if (count == valuesNs.length)
        {
            valuesNs = Arrays.copyOf(valuesNs, 2 * count);
        }
        valuesNs[count++] = clampedNs;
        histogramNs.recordValue(clampedNs);
    }

    public int count()
    {
        return count;
    }

    /**
     * @param index from 0 to {@link #count()} - 1, in the order they were recorded.
     * @return that sample in nanoseconds.
     */
    long valueNs(final int index)
    {
        return valuesNs[index];
    }

    public Histogram histogramNs()
    {
        return histogramNs;
    }

    /**
     * @return the percentiles in microseconds, read from the histogram.
     */
    public LatencySummary summary()
    {
        return LatencySummary.ofNanos(histogramNs);
    }
}
