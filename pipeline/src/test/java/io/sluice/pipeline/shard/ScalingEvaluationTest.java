package io.sluice.pipeline.shard;

import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import static io.sluice.pipeline.shard.TestShards.SECOND_NS;
import static io.sluice.pipeline.shard.TestShards.policy;
import static io.sluice.pipeline.shard.TestShards.started;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class ScalingEvaluationTest
{
    private final CachedNanoClock clock = new CachedNanoClock();
    private final RecordingListener listener = new RecordingListener();

    private static void setAll(final ShardManager manager, final double fill, final long events, final long latencyNs)
    {
        for (final Shard shard : manager.shards())
        {
            shard.recordMetrics(fill, events, latencyNs);
        }
    }

    @Test
    void shouldAdviseNothingWhenAutoScaleIsOff()
    {
        final ShardManager manager = started(listener, clock, 4, policy(1, 8, 0).autoScale(false));
        setAll(manager, 0.9, 100, 0);

        assertSame(ScalingDecision.NONE, manager.evaluateScaling());
    }

    @Test
    void shouldAdviseNothingDuringCooldown()
    {
        final ShardManager manager = started(listener, clock, 4, policy(1, 8, 10 * SECOND_NS));
        manager.addShard();
        setAll(manager, 0.9, 100, 0);

        assertSame(ScalingDecision.NONE, manager.evaluateScaling());

        clock.advance(10 * SECOND_NS);
        assertEquals(ScalingDecision.Action.SCALE_UP, manager.evaluateScaling().action());
    }

    @Test
    void shouldScaleUpWhenMostShardsAreFull()
    {
        final ShardManager manager = started(listener, clock, 4, policy(1, 8, 0).fillRatioThreshold(0.7));
        setAll(manager, 0.9, 100, 0);

        final ScalingDecision decision = manager.evaluateScaling();

        assertEquals(ScalingDecision.Action.SCALE_UP, decision.action());
        assertEquals(2, decision.count(), "half the overloaded shards");
    }

    @Test
    void shouldScaleUpWhenPublishLatencyIsHigh()
    {
        final ShardManager manager = started(listener, clock, 4, policy(1, 8, 0).publishLatencyThresholdNs(10));
        setAll(manager, 0.3, 100, 100);

        assertEquals(ScalingDecision.Action.SCALE_UP, manager.evaluateScaling().action());
    }

    @Test
    void shouldNotScaleUpWhenOnlyHalfTheShardsAreOverloaded()
    {
        final ShardManager manager = started(listener, clock, 4, policy(1, 8, 0));
        setAll(manager, 0.3, 100, 0);
        manager.shard(0).recordMetrics(0.9, 100, 0);
        manager.shard(1).recordMetrics(0.9, 100, 0);

        assertSame(ScalingDecision.NONE, manager.evaluateScaling());
    }

    @Test
    void shouldCapScaleUpAtMaximumIncludingProvisioningShards()
    {
        final ShardManager manager = started(listener, clock, 4, policy(1, 6, 0));
        listener.readersRunAtOnce = false;
        manager.addShard();
        setAll(manager, 0.9, 100, 0);

        final ScalingDecision decision = manager.evaluateScaling();

        assertEquals(ScalingDecision.Action.SCALE_UP, decision.action());
        assertEquals(1, decision.count());
    }

    @Test
    void shouldNotScaleUpAtMaximum()
    {
        final ShardManager manager = started(listener, clock, 4, policy(1, 4, 0));
        setAll(manager, 0.9, 100, 0);

        assertSame(ScalingDecision.NONE, manager.evaluateScaling());
    }

    @Test
    void shouldScaleDownWhenMostShardsAreIdle()
    {
        final ShardManager manager = started(listener, clock, 4, policy(2, 8, 0).underutilizedFillRatio(0.2));
        setAll(manager, 0.05, 0, 0);

        final ScalingDecision decision = manager.evaluateScaling();

        assertEquals(ScalingDecision.Action.SCALE_DOWN, decision.action());
        assertEquals(2, decision.count());
    }

    @Test
    void shouldNotCountShardWithTrafficAsIdle()
    {
        final ShardManager manager = started(listener, clock, 4, policy(1, 8, 0));
        setAll(manager, 0.05, 1, 0);

        assertSame(ScalingDecision.NONE, manager.evaluateScaling());
    }

    @Test
    void shouldNotScaleDownAtMinimum()
    {
        final ShardManager manager = started(listener, clock, 4, policy(4, 8, 0));
        setAll(manager, 0.05, 0, 0);

        assertSame(ScalingDecision.NONE, manager.evaluateScaling());
    }

    @Test
    void shouldIgnoreDrainingShards()
    {
        final ShardManager manager = started(listener, clock, 4, policy(1, 8, 0));
        manager.drainShard(0);
        manager.drainShard(1);
        manager.drainShard(2);
        setAll(manager, 0.9, 100, 0);
        manager.shard(3).recordMetrics(0.1, 100, 0);

        assertSame(ScalingDecision.NONE, manager.evaluateScaling(), "the only active shard is not overloaded");
    }

    @Test
    void shouldNotLetFreshShardVoteDuringWarmUp()
    {
        final long warmUpNs = 5 * SECOND_NS;
        final ShardManager manager = started(listener, clock, 2, policy(1, 8, 0).warmUpNs(warmUpNs));
        manager.addShard();
        manager.addShard();
        manager.shard(0).recordMetrics(0.05, 0, 0);
        manager.shard(1).recordMetrics(0.5, 10, 0);
        manager.shard(2).recordMetrics(0.0, 0, 0);
        manager.shard(3).recordMetrics(0.0, 0, 0);

        assertSame(ScalingDecision.NONE, manager.evaluateScaling(),
            "1 idle of 4 active; the two fresh placeholders must not make it 3 of 4");

        clock.advance(warmUpNs);
        final ScalingDecision decision = manager.evaluateScaling();
        assertEquals(ScalingDecision.Action.SCALE_DOWN, decision.action());
        assertEquals(1, decision.count());
    }

    @Test
    void shouldUseCooldownAsWarmUpByDefault()
    {
        final ScalingPolicy policy = policy(1, 8, 7 * SECOND_NS);

        assertEquals(7 * SECOND_NS, policy.warmUpNs());
        assertEquals(3, policy.warmUpNs(3).warmUpNs());
    }

    @Test
    void shouldSampleFillRatioEventsAndLatencyFromRings()
    {
        final ShardManager manager = started(listener, clock, 2, policy(1, 8, 0));
        final Shard shard = manager.shard(0);
        final org.agrona.concurrent.UnsafeBuffer scratch = new org.agrona.concurrent.UnsafeBuffer(new byte[256]);
        for (int i = 0; i < 10; i++)
        {
            TestShards.publish(shard, scratch, 1, i, 100);
        }

        manager.collectMetrics();

        assertEquals(10 * 144.0 / 8192, shard.lastFillRatio(), 1e-9);
        assertEquals(10, shard.lastEventsInWindow());
        assertEquals(0, manager.shard(1).lastEventsInWindow());

        manager.collectMetrics();
        assertEquals(0, shard.lastEventsInWindow(), "each window counts only its own records");
    }
}
