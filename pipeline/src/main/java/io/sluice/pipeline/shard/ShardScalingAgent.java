package io.sluice.pipeline.shard;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scaling monitor: once per {@link ScalingPolicy#metricsIntervalNs()} it samples every shard's ring fill ratio
 * and publish latency, applies the policy (which holds its own cooldown and warm-up), and stops draining shards that
 * have emptied. While the manager is shutting down it tries to stop drained shards on every duty cycle so shutdown is
 * not held back by the interval. Cheap enough to share a thread with other agents; it never blocks, except for the
 * time the lifecycle listener takes to start or stop a reader.
 */
public final class ShardScalingAgent implements Agent
{
    private static final Logger LOG = LoggerFactory.getLogger(ShardScalingAgent.class);

    private final ShardManager manager;
    private final NanoClock nanoClock;
    private final long intervalNs;
    /** Agent thread only. */
    private long nextTickNs;

    public ShardScalingAgent(final ShardManager manager)
    {
        this.manager = manager;
        this.nanoClock = manager.nanoClock();
        this.intervalNs = manager.scalingPolicy().metricsIntervalNs();
        this.nextTickNs = nanoClock.nanoTime() + intervalNs;
    }

    public int doWork()
    {
        final long nowNs = nanoClock.nanoTime();
        if (nowNs - nextTickNs < 0)
        {
            return manager.isShuttingDown() && !manager.isShutdownComplete() ? manager.finalizeDraining() : 0;
        }

        nextTickNs = nowNs + intervalNs;
        return tick();
    }

    public String roleName()
    {
        return "shard-scaling";
    }

    private int tick()
    {
        manager.collectMetrics();
        int workCount = 1;

        final ScalingDecision decision = manager.evaluateScaling();
        switch (decision.action())
        {
            case SCALE_UP:
                workCount += scaleUp(decision.count());
                break;

            case SCALE_DOWN:
                workCount += scaleDown(decision.count());
                break;

            default:
                break;
        }

        workCount += manager.finalizeDraining();
        return workCount;
    }

    private int scaleUp(final int count)
    {
        LOG.info("shards scaling up count={}", count);
        int added = 0;
        for (int i = 0; i < count; i++)
        {
            try
            {
                // The first add restarts the cooldown; the rest of this one decision must not be refused by it.
                if (0 == i)
                {
                    manager.addShard();
                }
                else
                {
                    manager.addShardForced();
                }
                added++;
            }
            catch (final ScalingException ex)
            {
                LOG.warn("shards scaling up stopped added={} requested={} reason=\"{}\"", added, count, ex.getMessage());
                break;
            }
        }

        return added;
    }

    private int scaleDown(final int count)
    {
        LOG.info("shards scaling down count={}", count);
        try
        {
            return manager.scaleDown(count).length;
        }
        catch (final ScalingException ex)
        {
            LOG.warn("shards scaling down refused reason=\"{}\"", ex.getMessage());
            return 0;
        }
    }
}
