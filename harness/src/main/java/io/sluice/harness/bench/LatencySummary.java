package io.sluice.harness.bench;

import org.HdrHistogram.Histogram;

/**
 * The percentiles of one latency distribution in microseconds, as the table and the JSON show them. The same shape
 * serves the round trip ({@code latency_us}) and, once the node traces them, each stage ({@code stages_us}).
 */
public final class LatencySummary
{
    private static final double NS_PER_US = 1_000.0;

    private final long count;
    private final double meanUs;
    private final double p50Us;
    private final double p90Us;
    private final double p99Us;
    private final double p99_9Us;
    private final double p99_99Us;
    private final double maxUs;

    public LatencySummary(
        final long count,
        final double meanUs,
        final double p50Us,
        final double p90Us,
        final double p99Us,
        final double p99_9Us,
        final double p99_99Us,
        final double maxUs)
    {
        this.count = count;
        this.meanUs = meanUs;
        this.p50Us = p50Us;
        this.p90Us = p90Us;
        this.p99Us = p99Us;
        this.p99_9Us = p99_9Us;
        this.p99_99Us = p99_99Us;
        this.maxUs = maxUs;
    }

    /**
     * @param histogramNs recorded in nanoseconds.
     * @return its summary in microseconds; all zero when it is empty.
     */
    public static LatencySummary ofNanos(final Histogram histogramNs)
    {
        if (histogramNs.getTotalCount() == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0, 0, 0, 0);
        }
        return new LatencySummary(
            histogramNs.getTotalCount(),
            histogramNs.getMean() / NS_PER_US,
            histogramNs.getValueAtPercentile(50) / NS_PER_US,
            histogramNs.getValueAtPercentile(90) / NS_PER_US,
            histogramNs.getValueAtPercentile(99) / NS_PER_US,
            histogramNs.getValueAtPercentile(99.9) / NS_PER_US,
            histogramNs.getValueAtPercentile(99.99) / NS_PER_US,
            histogramNs.getMaxValue() / NS_PER_US);
    }

    public long count()
    {
        return count;
    }

    public double meanUs()
    {
        return meanUs;
    }

    public double p50Us()
    {
        return p50Us;
    }

    public double p90Us()
    {
        return p90Us;
    }

    public double p99Us()
    {
        return p99Us;
    }

    public double p99_9Us()
    {
        return p99_9Us;
    }

    public double p99_99Us()
    {
        return p99_99Us;
    }

    public double maxUs()
    {
        return maxUs;
    }
}
