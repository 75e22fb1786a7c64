package io.sluice.pipeline.shard;

import java.util.concurrent.TimeUnit;

/**
 * When the dynamic shard manager adds and drains reader shards. Mutable while being configured; the
 * {@link ShardManager} takes a validated copy at construction and never reads the original again.
 * <p>
 * A shard is overloaded when its ring fill ratio exceeds {@link #fillRatioThreshold()} or its average publish latency
 * exceeds {@link #publishLatencyThresholdNs()}; underutilised when its fill ratio is below
 * {@link #underutilizedFillRatio()} and it ingested nothing in the last metrics window. More than half the active
 * shards overloaded advises adding {@code max(1, overloaded / 2)} shards; more than half underutilised advises draining
 * {@code max(1, underutilised / 2)}; both bounded by {@link #minShards()} and {@link #maxShards()}. Shards activated
 * less than {@link #warmUpNs()} ago do not vote (their metrics are still placeholders), and no scaling action follows
 * another within {@link #cooldownNs()}.
 */
public final class ScalingPolicy
{
    public static final int DEFAULT_MIN_SHARDS = 1;
    public static final int DEFAULT_MAX_SHARDS = 4;
    /** Upper bound on {@link #maxShards()}: each shard is a reader thread's worth of work and a ring. */
    public static final int MAX_SHARDS_LIMIT = 1024;
    public static final double DEFAULT_FILL_RATIO_THRESHOLD = 0.7;
    public static final double DEFAULT_UNDERUTILIZED_FILL_RATIO = 0.1;
    public static final long DEFAULT_PUBLISH_LATENCY_THRESHOLD_NS = 1_000;
    public static final long DEFAULT_COOLDOWN_NS = TimeUnit.SECONDS.toNanos(30);
    public static final long DEFAULT_METRICS_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    public static final long DEFAULT_DRAIN_GRACE_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Marks {@link #warmUpNs()} as following {@link #cooldownNs()}. */
    public static final long WARM_UP_SAME_AS_COOLDOWN = -1;

    private int minShards = DEFAULT_MIN_SHARDS;
    private int maxShards = DEFAULT_MAX_SHARDS;
    private boolean autoScale = true;
    private double fillRatioThreshold = DEFAULT_FILL_RATIO_THRESHOLD;
    private double underutilizedFillRatio = DEFAULT_UNDERUTILIZED_FILL_RATIO;
    private long publishLatencyThresholdNs = DEFAULT_PUBLISH_LATENCY_THRESHOLD_NS;
    private long cooldownNs = DEFAULT_COOLDOWN_NS;
    private long warmUpNs = WARM_UP_SAME_AS_COOLDOWN;
    private long metricsIntervalNs = DEFAULT_METRICS_INTERVAL_NS;
    private long drainGraceNs = DEFAULT_DRAIN_GRACE_NS;

    public ScalingPolicy minShards(final int minShards)
    {
        this.minShards = minShards;
        return this;
    }

    /**
     * @return fewest active shards; draining never goes below it. At least 1.
     */
    public int minShards()
    {
        return minShards;
    }

    public ScalingPolicy maxShards(final int maxShards)
    {
        this.maxShards = maxShards;
        return this;
    }

    /**
     * @return most active plus provisioning shards.
     */
    public int maxShards()
    {
        return maxShards;
    }

    public ScalingPolicy autoScale(final boolean autoScale)
    {
        this.autoScale = autoScale;
        return this;
    }

    /**
     * @return false to make {@link ShardManager#evaluateScaling()} always advise nothing; manual scaling still works.
     */
    public boolean autoScale()
    {
        return autoScale;
    }

    public ScalingPolicy fillRatioThreshold(final double fillRatioThreshold)
    {
        this.fillRatioThreshold = fillRatioThreshold;
        return this;
    }

    public double fillRatioThreshold()
    {
        return fillRatioThreshold;
    }

    public ScalingPolicy underutilizedFillRatio(final double underutilizedFillRatio)
    {
        this.underutilizedFillRatio = underutilizedFillRatio;
        return this;
    }

    public double underutilizedFillRatio()
    {
        return underutilizedFillRatio;
    }

    public ScalingPolicy publishLatencyThresholdNs(final long publishLatencyThresholdNs)
    {
        this.publishLatencyThresholdNs = publishLatencyThresholdNs;
        return this;
    }

    public long publishLatencyThresholdNs()
    {
        return publishLatencyThresholdNs;
    }

    public ScalingPolicy cooldownNs(final long cooldownNs)
    {
        this.cooldownNs = cooldownNs;
        return this;
    }

    public long cooldownNs()
    {
        return cooldownNs;
    }

    public ScalingPolicy warmUpNs(final long warmUpNs)
    {
        this.warmUpNs = warmUpNs;
        return this;
    }

    /**
     * @return how long after activation a shard's metrics are ignored by {@link ShardManager#evaluateScaling()};
     * the cooldown unless set.
     */
    public long warmUpNs()
    {
        return WARM_UP_SAME_AS_COOLDOWN == warmUpNs ? cooldownNs : warmUpNs;
    }

    public ScalingPolicy metricsIntervalNs(final long metricsIntervalNs)
    {
        this.metricsIntervalNs = metricsIntervalNs;
        return this;
    }

    /**
     * @return how often the {@link ShardScalingAgent} samples metrics and applies the policy.
     */
    public long metricsIntervalNs()
    {
        return metricsIntervalNs;
    }

    public ScalingPolicy drainGraceNs(final long drainGraceNs)
    {
        this.drainGraceNs = drainGraceNs;
        return this;
    }

    /**
     * @return shortest time a shard stays draining before it may stop, even when already empty.
     */
    public long drainGraceNs()
    {
        return drainGraceNs;
    }

    /**
     * Raises {@link #maxShards()} to {@link #minShards()} when it is below it.
     *
     * @return this.
     */
    public ScalingPolicy normalize()
    {
        if (maxShards < minShards)
        {
            maxShards = minShards;
        }

        return this;
    }

    /**
     * @return this policy when every value is in range.
     * @throws IllegalArgumentException naming the first key out of range and the range allowed.
     */
    public ScalingPolicy validate()
    {
        if (minShards < 1 || minShards > MAX_SHARDS_LIMIT)
        {
            throw new IllegalArgumentException(
                "shards.min must be in [1, " + MAX_SHARDS_LIMIT + "]: " + minShards);
        }

        if (maxShards < minShards || maxShards > MAX_SHARDS_LIMIT)
        {
            throw new IllegalArgumentException(
                "shards.max must be in [shards.min=" + minShards + ", " + MAX_SHARDS_LIMIT + "]: " + maxShards);
        }

        if (!(fillRatioThreshold > 0.0 && fillRatioThreshold <= 1.0))
        {
            throw new IllegalArgumentException("shards.fillRatioThreshold must be in (0, 1]: " + fillRatioThreshold);
        }

        if (!(underutilizedFillRatio >= 0.0 && underutilizedFillRatio < fillRatioThreshold))
        {
            throw new IllegalArgumentException("shards.underutilizedFillRatio must be in " +
                "[0, shards.fillRatioThreshold=" + fillRatioThreshold + "): " + underutilizedFillRatio);
        }

        if (publishLatencyThresholdNs <= 0)
        {
            throw new IllegalArgumentException(
                "shards.publishLatencyThresholdNs must be > 0: " + publishLatencyThresholdNs);
        }

        if (cooldownNs < 0)
        {
            throw new IllegalArgumentException("shards.cooldownNs must be >= 0: " + cooldownNs);
        }

        if (warmUpNs < 0 && WARM_UP_SAME_AS_COOLDOWN != warmUpNs)
        {
            throw new IllegalArgumentException("shards.warmUpNs must be >= 0, or -1 for the cooldown: " + warmUpNs);
        }

        if (metricsIntervalNs <= 0)
        {
            throw new IllegalArgumentException("shards.metricsIntervalNs must be > 0: " + metricsIntervalNs);
        }

        if (drainGraceNs < 0)
        {
            throw new IllegalArgumentException("shards.drainGraceNs must be >= 0: " + drainGraceNs);
        }

        return this;
    }

    public ScalingPolicy copy()
    {
        return new ScalingPolicy()
            .minShards(minShards)
            .maxShards(maxShards)
            .autoScale(autoScale)
            .fillRatioThreshold(fillRatioThreshold)
            .underutilizedFillRatio(underutilizedFillRatio)
            .publishLatencyThresholdNs(publishLatencyThresholdNs)
            .cooldownNs(cooldownNs)
            .warmUpNs(warmUpNs)
            .metricsIntervalNs(metricsIntervalNs)
            .drainGraceNs(drainGraceNs);
    }

    public String toString()
    {
        return "ScalingPolicy{minShards=" + minShards +
            ", maxShards=" + maxShards +
            ", autoScale=" + autoScale +
            ", fillRatioThreshold=" + fillRatioThreshold +
            ", underutilizedFillRatio=" + underutilizedFillRatio +
            ", publishLatencyThresholdNs=" + publishLatencyThresholdNs +
            ", cooldownNs=" + cooldownNs +
            ", warmUpNs=" + warmUpNs() +
            ", metricsIntervalNs=" + metricsIntervalNs +
            ", drainGraceNs=" + drainGraceNs + '}';
    }
}
