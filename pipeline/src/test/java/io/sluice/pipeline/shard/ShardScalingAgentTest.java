package io.sluice.pipeline.shard;

import io.sluice.pipeline.ingest.IngestResult;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.sluice.pipeline.shard.TestShards.SECOND_NS;
import static io.sluice.pipeline.shard.TestShards.policy;
import static io.sluice.pipeline.shard.TestShards.started;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardScalingAgentTest
{
    private final CachedNanoClock clock = new CachedNanoClock();
    private final RecordingListener listener = new RecordingListener();
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[512]);

    private void fill(final Shard shard, final double toFillRatio)
    {
        long seq = 0;
        while (shard.ring().fillRatio() < toFillRatio)
        {
            assertEquals(IngestResult.INGESTED, TestShards.publish(shard, scratch, 1, seq++, 200));
        }
    }

    @Test
    void shouldDoNothingBetweenTicks()
    {
        final ShardManager manager = started(listener, clock, 2, policy(1, 8, 0).metricsIntervalNs(SECOND_NS));
        final ShardScalingAgent agent = new ShardScalingAgent(manager);
        fill(manager.shard(0), 0.8);

        clock.advance(SECOND_NS - 1);
        assertEquals(0, agent.doWork());
        assertEquals(0.0, manager.shard(0).lastFillRatio());

        clock.advance(1);
        assertTrue(agent.doWork() > 0);
        assertTrue(manager.shard(0).lastFillRatio() > 0.7);
        assertEquals(0, agent.doWork(), "next tick is a whole interval later");
        assertEquals("shard-scaling", agent.roleName());
    }

    @Test
    void shouldScaleUpWhenRingsFillAndWaitOutCooldownBeforeScalingAgain()
    {
        final ScalingPolicy policy = policy(1, 4, 10 * SECOND_NS).metricsIntervalNs(SECOND_NS);
        final ShardManager manager = started(listener, clock, 2, policy);
        final ShardScalingAgent agent = new ShardScalingAgent(manager);
        fill(manager.shard(0), 0.8);
        fill(manager.shard(1), 0.8);

        clock.advance(SECOND_NS);
        agent.doWork();
        assertEquals(3, manager.activeShardCount());

        for (int i = 0; i < 9; i++)
        {
            clock.advance(SECOND_NS);
            agent.doWork();
            assertEquals(3, manager.activeShardCount(), "cooldown holds at tick " + i);
        }

        clock.advance(SECOND_NS);
        agent.doWork();
        assertEquals(4, manager.activeShardCount(), "two of three still full once the cooldown is over");

        clock.advance(20 * SECOND_NS);
        agent.doWork();
        assertEquals(4, manager.activeShardCount(), "at the maximum");
    }

    @Test
    void shouldAddEveryShardOfOneDecisionDespiteCooldown()
    {
        final ScalingPolicy policy = policy(1, 8, 10 * SECOND_NS).metricsIntervalNs(SECOND_NS);
        final ShardManager manager = started(listener, clock, 4, policy);
        final ShardScalingAgent agent = new ShardScalingAgent(manager);
        for (final Shard shard : manager.shards())
        {
            fill(shard, 0.8);
        }

        clock.advance(SECOND_NS);
        agent.doWork();

        assertEquals(6, manager.activeShardCount());
    }

    @Test
    void shouldDrainIdleShardsAndStopThemOnceEmpty()
    {
        final ScalingPolicy policy = policy(1, 8, 0).metricsIntervalNs(SECOND_NS).drainGraceNs(SECOND_NS / 2);
        final ShardManager manager = started(listener, clock, 4, policy);
        final ShardScalingAgent agent = new ShardScalingAgent(manager);

        clock.advance(SECOND_NS);
        agent.doWork();
        assertEquals(2, manager.activeShardCount());
        assertEquals(4, manager.shardCount());
        assertEquals(0, listener.stopped.size(), "grace period not yet over");

        clock.advance(SECOND_NS);
        agent.doWork();
        assertEquals(2, listener.stopped.size());
        assertEquals(2, manager.ingestRings().ringCount());
    }

    @Test
    void shouldStopDrainedShardsOnEveryCycleWhileShuttingDown()
    {
        final ShardManager manager = started(listener, clock, 2, policy(1, 8, 0).metricsIntervalNs(SECOND_NS));
        final ShardScalingAgent agent = new ShardScalingAgent(manager);
        final Shard held = manager.assignConnection(1);

        manager.beginShutdown();
        assertEquals(1, agent.doWork(), "the shard without connections stops at once");
        assertEquals(0, agent.doWork());

        held.releaseConnection();
        assertEquals(1, agent.doWork());
        assertTrue(manager.isShutdownComplete());
        assertEquals(0, agent.doWork());
    }
}
