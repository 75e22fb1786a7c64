package io.sluice.pipeline.shard;

import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScalingPolicyTest
{
    private final RecordingListener listener = new RecordingListener();
    private final CachedNanoClock clock = new CachedNanoClock();

    private static String invalid(final ScalingPolicy policy)
    {
        return assertThrows(IllegalArgumentException.class, policy::validate).getMessage();
    }

    @Test
    void shouldAcceptDefaults()
    {
        final ScalingPolicy policy = new ScalingPolicy().validate();

        assertEquals(ScalingPolicy.DEFAULT_MIN_SHARDS, policy.minShards());
        assertEquals(ScalingPolicy.DEFAULT_COOLDOWN_NS, policy.warmUpNs());
    }

    @Test
    void shouldNameTheKeyOutOfRange()
    {
        assertTrue(invalid(new ScalingPolicy().fillRatioThreshold(1.5)).startsWith("shards.fillRatioThreshold"));
        assertTrue(invalid(new ScalingPolicy().fillRatioThreshold(Double.NaN)).startsWith("shards.fillRatioThreshold"));
        assertTrue(invalid(new ScalingPolicy().minShards(0)).startsWith("shards.min"));
        assertTrue(invalid(new ScalingPolicy().minShards(10).maxShards(5)).startsWith("shards.max"));
        assertTrue(invalid(new ScalingPolicy().underutilizedFillRatio(0.8)).startsWith("shards.underutilized"));
        assertTrue(invalid(new ScalingPolicy().publishLatencyThresholdNs(0)).startsWith("shards.publishLatency"));
        assertTrue(invalid(new ScalingPolicy().cooldownNs(-1)).startsWith("shards.cooldownNs"));
        assertTrue(invalid(new ScalingPolicy().warmUpNs(-2)).startsWith("shards.warmUpNs"));
        assertTrue(invalid(new ScalingPolicy().metricsIntervalNs(0)).startsWith("shards.metricsIntervalNs"));
        assertTrue(invalid(new ScalingPolicy().drainGraceNs(-1)).startsWith("shards.drainGraceNs"));
    }

    @Test
    void shouldRaiseMaximumToMinimumWhenNormalised()
    {
        final ScalingPolicy policy = new ScalingPolicy().minShards(8).maxShards(2).normalize().validate();

        assertEquals(8, policy.maxShards());
        assertEquals(16, new ScalingPolicy().minShards(4).maxShards(16).normalize().maxShards());
    }

    @Test
    void shouldFixShardCountInStaticMode()
    {
        final ShardManager manager = new ShardManager(TestShards.context(listener, clock, 3, null));

        final ScalingPolicy policy = manager.scalingPolicy();
        assertEquals(3, policy.minShards());
        assertEquals(3, policy.maxShards());
        assertFalse(policy.autoScale());
    }

    @Test
    void shouldRaiseMaximumToInitialShardsInDynamicMode()
    {
        final ShardManager manager = new ShardManager(
            TestShards.context(listener, clock, 8, new ScalingPolicy().minShards(1).maxShards(2)));

        assertEquals(8, manager.scalingPolicy().maxShards());
    }

    @Test
    void shouldNotChangeWithCallersPolicyAfterConstruction()
    {
        final ScalingPolicy policy = TestShards.policy(1, 4, 0);
        final ShardManager manager = TestShards.started(listener, clock, 1, policy);

        policy.maxShards(1);

        assertEquals(4, manager.scalingPolicy().maxShards());
        manager.addShard();
        assertEquals(2, manager.activeShardCount());
    }

    @Test
    void shouldRejectInvalidContext()
    {
        assertThrows(NullPointerException.class,
            () -> new ShardManager(TestShards.context(null, clock, 1, null)));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> new ShardManager(TestShards.context(listener, clock, 0, null))).getMessage()
            .startsWith("shards.initial"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> new ShardManager(TestShards.context(listener, clock, 1, new ScalingPolicy().minShards(2))))
            .getMessage().startsWith("shards.initial"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> new ShardManager(TestShards.context(listener, clock, 1, null).ringCapacityBytes(5000)))
            .getMessage().startsWith("ingest.ringCapacityBytes"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> new ShardManager(TestShards.context(listener, clock, 1, null).busyNoticeReserve(1_000)))
            .getMessage().startsWith("ingest.busyNoticeReserve"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> new ShardManager(TestShards.context(listener, clock, 1, null).latencySampleInterval(3)))
            .getMessage().startsWith("ingest.latencySampleInterval"));
    }
}
