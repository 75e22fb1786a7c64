package io.sluice.pipeline.shard;

import io.sluice.pipeline.ingest.IngestCounters;
import io.sluice.pipeline.ingest.IngestRing;
import org.agrona.concurrent.NanoClock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Shard bookkeeping behind the {@link ShardManager}: the shards and their lifecycle transitions, monotonic ids, the
 * cooldown clock, metrics and scaling advice, and the selection table the acceptor reads.
 * <p>
 * Every mutation runs under {@code synchronized (this)}; that lock is never held while calling out of this class.
 * The selection table is an immutable array of the shards a new connection may go to, rebuilt under the lock on
 * every change that can alter it and published with a release store; {@link #selectShard} and
 * {@link #assignConnection} read it with one acquire load and take no lock and allocate nothing.
 */
final class ShardMapper
{
    /** Active shards whose weight is within this of the lowest form the selection table (dynamic mode). */
    static final double WEIGHT_TOLERANCE = 0.1;

    private static final Shard[] NO_SHARDS = new Shard[0];
    private static final int MAX_ASSIGN_ATTEMPTS = 8;
    private static final VarHandle SELECTION;

    static
    {
        try
        {
            SELECTION = MethodHandles.lookup().findVarHandle(ShardMapper.class, "selection", Shard[].class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final ScalingPolicy policy;
    private final boolean dynamicScaling;
    private final NanoClock nanoClock;

    /** Guarded by this: every shard not yet stopped and removed, in ascending id order. */
    private final ArrayList<Shard> shards = new ArrayList<>();
    /** Guarded by this: next id to allocate; only ever increases, so an id is never given to two shards. */
    private int nextShardId;
    /** Guarded by this: time of the last scaling action, valid once {@code hasScaled}. */
    private long lastScalingNs;
    private boolean hasScaled;
    /** Written under the lock; read by any thread. */
    private volatile boolean shuttingDown;

    /** Replaced whole under the lock with a release store; read lock-free with an acquire load. */
    @SuppressWarnings("FieldMayBeFinal")
    private Shard[] selection = NO_SHARDS;

    /** Connections that found no routable shard; written by the acceptor. */
    private final AtomicLong connectionsUnrouted = new AtomicLong();

    ShardMapper(final ScalingPolicy policy, final boolean dynamicScaling, final NanoClock nanoClock)
    {
        this.policy = policy;
        this.dynamicScaling = dynamicScaling;
        this.nanoClock = nanoClock;
    }

    /**
     * @return a routable shard for the key, without assigning anything; null when no shard is routable.
     */
    Shard selectShard(final long connectionKey)
    {
        final Shard[] candidates = (Shard[])SELECTION.getAcquire(this);
        final int n = candidates.length;
        return 0 == n ? null : candidates[BiasFreeIndex.index(connectionKey, n)];
    }

    /**
     * Picks the key's shard from the selection table and assigns it a connection. If that shard stopped being
     * routable since the table was read, tries the others in table order; if none takes it, reads the table again and
     * retries as long as it has changed. A shard is removed from the table before it leaves ACTIVE, so a failure here
     * means a newer table is already published.
     *
     * @return the shard now counting the connection, or null (counted as unrouted) when none is routable.
     */
    Shard assignConnection(final long connectionKey)
    {
        Shard[] previous = null;
        for (int attempt = 0; attempt < MAX_ASSIGN_ATTEMPTS; attempt++)
        {
            final Shard[] candidates = (Shard[])SELECTION.getAcquire(this);
            final int n = candidates.length;
            if (0 == n || candidates == previous)
            {
                break;
            }

            for (int i = 0, index = BiasFreeIndex.index(connectionKey, n); i < n; i++)
            {
                final Shard shard = candidates[index];
                if (shard.tryAcquireConnection())
                {
                    return shard;
                }

                if (++index == n)
                {
                    index = 0;
                }
            }
            previous = candidates;
        }

        connectionsUnrouted.incrementAndGet();
        return null;
    }

    long connectionsUnrouted()
    {
        return connectionsUnrouted.get();
    }

    /**
     * Allocates {@code count} new shards in {@link ShardState#PROVISIONING} with fresh ids and their rings.
     *
     * @param count       shards to add; 0 is a no-op that does not touch the cooldown.
     * @param boot        true for the start-up shards: no cooldown, no warm-up, allowed in static mode.
     * @param force       true to skip the cooldown check (an operator's request); the cooldown still restarts.
     * @param ringFactory makes the ring of a shard id.
     * @return the new shards in id order.
     */
    synchronized List<Shard> provision(
        final int count, final boolean boot, final boolean force, final IntFunction<IngestRing> ringFactory)
    {
        if (count < 0)
        {
            throw new IllegalArgumentException("count must be >= 0: " + count);
        }

        if (shuttingDown)
        {
            throw new ScalingException(ScalingException.Reason.SHUTTING_DOWN, "shard manager is shutting down");
        }

        if (0 == count)
        {
            return new ArrayList<>(0);
        }

        if (!boot && !dynamicScaling)
        {
            throw new ScalingException(ScalingException.Reason.STATIC_MODE, "dynamic scaling is not enabled");
        }

        final int live = countInState(ShardState.ACTIVE) + countInState(ShardState.PROVISIONING);
        if (live + count > policy.maxShards())
        {
            throw new ScalingException(ScalingException.Reason.AT_MAX_SHARDS,
                "adding " + count + " to " + live + " active or provisioning shards exceeds shards.max=" +
                policy.maxShards());
        }

        final long nowNs = nanoClock.nanoTime();
        if (!boot && !force && inCooldown(nowNs))
        {
            throw new ScalingException(ScalingException.Reason.IN_COOLDOWN, "last scaling action was " +
                (nowNs - lastScalingNs) + "ns ago, cooldown is " + policy.cooldownNs() + "ns");
        }

        if (nextShardId > Integer.MAX_VALUE - count)
        {
            throw new ScalingException(ScalingException.Reason.AT_MAX_SHARDS, "shard ids exhausted");
        }

        final ArrayList<Shard> added = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final int id = nextShardId + i;
            added.add(new Shard(id, ringFactory.apply(id), boot));
        }

        nextShardId += count;
        shards.addAll(added);
        if (!boot)
        {
            markScaled(nowNs);
        }

        return added;
    }

    /**
     * Makes a provisioned shard routable.
     *
     * @return true on the transition, false if it was already active.
     */
    synchronized boolean activate(final int shardId)
    {
        final Shard shard = find(shardId);
        final ShardState state = shard.state();
        if (ShardState.ACTIVE == state)
        {
            return false;
        }

        if (ShardState.PROVISIONING != state || !shard.transition(ShardState.PROVISIONING, ShardState.ACTIVE))
        {
            throw new ScalingException(ScalingException.Reason.INVALID_STATE,
                "shard " + shardId + " is " + state + " and cannot be activated");
        }

        shard.activatedAtNs = nanoClock.nanoTime();
        rebuildSelection();
        return true;
    }

    /**
     * Stops routing new connections to an active shard. Restarts the cooldown, as any scale-down does.
     *
     * @return true on the transition, false if it was already draining.
     */
    synchronized boolean drain(final int shardId)
    {
        if (!dynamicScaling)
        {
            throw new ScalingException(ScalingException.Reason.STATIC_MODE, "dynamic scaling is not enabled");
        }

        final Shard shard = find(shardId);
        final ShardState state = shard.state();
        if (ShardState.DRAINING == state)
        {
            return false;
        }

        if (ShardState.ACTIVE != state)
        {
            throw new ScalingException(ScalingException.Reason.INVALID_STATE,
                "shard " + shardId + " is " + state + " and cannot be drained");
        }

        final int active = countInState(ShardState.ACTIVE);
        if (active <= policy.minShards())
        {
            throw new ScalingException(ScalingException.Reason.AT_MIN_SHARDS,
                active + " active shards, shards.min=" + policy.minShards());
        }

        final long nowNs = nanoClock.nanoTime();
        final List<Shard> leaving = List.of(shard);
        rebuildSelection(leaving);
        startDraining(leaving, nowNs);
        markScaled(nowNs);
        return true;
    }

    /**
     * Drains up to {@code count} of the least loaded active shards, never going below the minimum.
     *
     * @return ids of the shards now draining.
     */
    synchronized int[] scaleDown(final int count)
    {
        if (!dynamicScaling)
        {
            throw new ScalingException(ScalingException.Reason.STATIC_MODE, "dynamic scaling is not enabled");
        }

        if (count <= 0)
        {
            return new int[0];
        }

        final int active = countInState(ShardState.ACTIVE);
        if (active <= policy.minShards())
        {
            throw new ScalingException(ScalingException.Reason.AT_MIN_SHARDS,
                active + " active shards, shards.min=" + policy.minShards());
        }

        final long nowNs = nanoClock.nanoTime();
        if (inCooldown(nowNs))
        {
            throw new ScalingException(ScalingException.Reason.IN_COOLDOWN, "last scaling action was " +
                (nowNs - lastScalingNs) + "ns ago, cooldown is " + policy.cooldownNs() + "ns");
        }

        final ArrayList<Shard> candidates = new ArrayList<>(active);
        for (final Shard shard : shards)
        {
            if (ShardState.ACTIVE == shard.state())
            {
                candidates.add(shard);
            }
        }
        candidates.sort(Comparator.comparingDouble((Shard shard) -> shard.weight).thenComparingInt(Shard::id));

        final int drainCount = Math.min(count, active - policy.minShards());
        final List<Shard> leaving = candidates.subList(0, drainCount);
        rebuildSelection(leaving);
        startDraining(leaving, nowNs);
        markScaled(nowNs);

        final int[] drained = new int[drainCount];
        for (int i = 0; i < drainCount; i++)
        {
            drained[i] = leaving.get(i).id();
        }

        return drained;
    }

    /**
     * Stops and forgets a shard whose reader could not be started.
     *
     * @return false if the shard had left {@link ShardState#PROVISIONING} meanwhile (it then stops by draining).
     */
    synchronized boolean abortProvisioning(final Shard shard)
    {
        if (!shard.tryStopFrom(ShardState.PROVISIONING))
        {
            return false;
        }

        shard.ring().close();
        shards.remove(shard);
        return true;
    }

    /**
     * Stops every draining shard that has no connections and whose ring the sequencer has consumed, once it has
     * drained for the grace period (skipped when shutting down), closes its ring and forgets it.
     * <p>
     * Why that is enough: a reader publishes only for connections it holds, and releases a connection only after its
     * last publish for it, so a connection count of zero read here means every record of the shard is already
     * committed; a draining shard cannot gain a connection; an empty ring then means the sequencer has consumed them
     * all. The CAS to STOPPED requires the count still to be zero.
     *
     * @return the shards stopped, removed from this mapper.
     */
    synchronized List<Shard> stopDrained()
    {
        ArrayList<Shard> stopped = null;
        final long nowNs = nanoClock.nanoTime();
        for (final Shard shard : shards)
        {
            if (ShardState.DRAINING == shard.state() &&
                0 == shard.connectionCount() &&
                shard.ring().isEmpty() &&
                (shuttingDown || nowNs - shard.drainStartedNs >= policy.drainGraceNs()) &&
                shard.tryStopFrom(ShardState.DRAINING))
            {
                shard.ring().close();
                if (null == stopped)
                {
                    stopped = new ArrayList<>(2);
                }
                stopped.add(shard);
            }
        }

        if (null == stopped)
        {
            return List.of();
        }

        shards.removeAll(stopped);
        return stopped;
    }

    /**
     * Stops routing new connections anywhere and moves every active or provisioning shard to draining, so that all
     * stop once their connections are closed and their rings consumed.
     */
    synchronized void beginShutdown()
    {
        shuttingDown = true;
        rebuildSelection();
        final long nowNs = nanoClock.nanoTime();
        for (final Shard shard : shards)
        {
            if (shard.transition(ShardState.ACTIVE, ShardState.DRAINING) ||
                shard.transition(ShardState.PROVISIONING, ShardState.DRAINING))
            {
                shard.drainStartedNs = nowNs;
            }
        }
    }

    boolean isShuttingDown()
    {
        return shuttingDown;
    }

    synchronized boolean isShutdownComplete()
    {
        return shuttingDown && shards.isEmpty();
    }

    /**
     * Samples every shard's ring: fill ratio now, records ingested and average sampled publish latency since the last
     * sample; recomputes weights and the selection table.
     */
    synchronized void collectMetrics()
    {
        for (final Shard shard : shards)
        {
            final IngestCounters counters = shard.counters();
            final long ingested = counters.ingested();
            final long eventsInWindow = ingested - shard.ingestedAtLastSample;
            shard.ingestedAtLastSample = ingested;
            final long avgPublishLatencyNs = IngestCounters.averageNs(counters.takePublishLatency());
            final double fillRatio = shard.ring().fillRatio();

            shard.recordMetrics(fillRatio, eventsInWindow, avgPublishLatencyNs);
            shard.weight = ShardState.DRAINING == shard.state() ?
                Double.MAX_VALUE : weight(fillRatio, avgPublishLatencyNs, eventsInWindow);
        }

        rebuildSelection();
    }

    /**
     * Lower is less loaded: fill ratio dominates, then publish latency, then ingest rate.
     */
    static double weight(final double fillRatio, final long avgPublishLatencyNs, final long eventsInWindow)
    {
        return fillRatio * 100.0 + avgPublishLatencyNs / 10.0 + eventsInWindow / 1_000_000.0;
    }

    /**
     * Applies the policy to the last metrics sample. Advises only; nothing changes.
     */
    synchronized ScalingDecision evaluateScaling()
    {
        if (!dynamicScaling || !policy.autoScale() || shuttingDown)
        {
            return ScalingDecision.NONE;
        }

        final long nowNs = nanoClock.nanoTime();
        if (inCooldown(nowNs))
        {
            return ScalingDecision.NONE;
        }

        final long warmUpNs = policy.warmUpNs();
        int active = 0;
        int provisioning = 0;
        int overloaded = 0;
        int underutilized = 0;
        for (final Shard shard : shards)
        {
            final ShardState state = shard.state();
            if (ShardState.PROVISIONING == state)
            {
                provisioning++;
            }

            if (ShardState.ACTIVE != state)
            {
                continue;
            }

            active++;
            // A just-activated shard's sample is a placeholder (nothing ingested yet) and would vote underutilised,
            // undoing the scale-up that created it on the next tick.
            if (!shard.isBootShard() && nowNs - shard.activatedAtNs < warmUpNs)
            {
                continue;
            }

            final double fillRatio = shard.lastFillRatio();
            if (fillRatio > policy.fillRatioThreshold() ||
                shard.lastAvgPublishLatencyNs() > policy.publishLatencyThresholdNs())
            {
                overloaded++;
            }

            if (fillRatio < policy.underutilizedFillRatio() && 0 == shard.lastEventsInWindow())
            {
                underutilized++;
            }
        }

        final int headroom = policy.maxShards() - active - provisioning;
        if (overloaded > active / 2 && headroom > 0)
        {
            return ScalingDecision.scaleUp(Math.min(Math.max(1, overloaded / 2), headroom));
        }

        if (underutilized > active / 2 && active > policy.minShards())
        {
            return ScalingDecision.scaleDown(Math.min(Math.max(1, underutilized / 2), active - policy.minShards()));
        }

        return ScalingDecision.NONE;
    }

    synchronized Shard shard(final int shardId)
    {
        for (final Shard shard : shards)
        {
            if (shard.id() == shardId)
            {
                return shard;
            }
        }

        return null;
    }

    synchronized List<Shard> shards()
    {
        return new ArrayList<>(shards);
    }

    synchronized int activeCount()
    {
        return countInState(ShardState.ACTIVE);
    }

    synchronized int shardCount()
    {
        return shards.size();
    }

    /**
     * @return a copy of the selection table, for monitoring and tests.
     */
    Shard[] selectionTable()
    {
        return ((Shard[])SELECTION.getAcquire(this)).clone();
    }

    synchronized boolean inCooldown()
    {
        return inCooldown(nanoClock.nanoTime());
    }

    private boolean inCooldown(final long nowNs)
    {
        return hasScaled && nowNs - lastScalingNs < policy.cooldownNs();
    }

    private void markScaled(final long nowNs)
    {
        hasScaled = true;
        lastScalingNs = nowNs;
    }

    private static void startDraining(final List<Shard> leaving, final long nowNs)
    {
        for (final Shard shard : leaving)
        {
            shard.transition(ShardState.ACTIVE, ShardState.DRAINING);
            shard.drainStartedNs = nowNs;
            shard.weight = Double.MAX_VALUE;
        }
    }

    private Shard find(final int shardId)
    {
        for (final Shard shard : shards)
        {
            if (shard.id() == shardId)
            {
                return shard;
            }
        }

        throw new ScalingException(ScalingException.Reason.UNKNOWN_SHARD, "no shard " + shardId);
    }

    private int countInState(final ShardState state)
    {
        int count = 0;
        for (final Shard shard : shards)
        {
            if (state == shard.state())
            {
                count++;
            }
        }

        return count;
    }

    private void rebuildSelection()
    {
        rebuildSelection(List.of());
    }

    /**
     * Publishes the table of shards a new connection may go to: the active shards not in {@code leaving}, in dynamic
     * mode only those within {@link #WEIGHT_TOLERANCE} of the lowest weight. Shards about to leave ACTIVE are passed
     * as {@code leaving} and transitioned only after this returns, so an acceptor that finds a shard no longer active
     * can count on a table without it being visible already.
     */
    private void rebuildSelection(final List<Shard> leaving)
    {
        double minWeight = Double.MAX_VALUE;
        int routable = 0;
        for (final Shard shard : shards)
        {
            if (isRoutable(shard, leaving))
            {
                routable++;
                if (shard.weight < minWeight)
                {
                    minWeight = shard.weight;
                }
            }
        }

        if (0 == routable)
        {
            SELECTION.setRelease(this, NO_SHARDS);
            return;
        }

        final ArrayList<Shard> candidates = new ArrayList<>(routable);
        for (final Shard shard : shards)
        {
            if (isRoutable(shard, leaving) &&
                (!dynamicScaling || Math.abs(shard.weight - minWeight) < WEIGHT_TOLERANCE))
            {
                candidates.add(shard);
            }
        }

        if (candidates.isEmpty())
        {
            // Every weight NaN: no shard is comparably least loaded, so any active one will do.
            for (final Shard shard : shards)
            {
                if (isRoutable(shard, leaving))
                {
                    candidates.add(shard);
                }
            }
        }

        SELECTION.setRelease(this, candidates.toArray(NO_SHARDS));
    }

    private boolean isRoutable(final Shard shard, final List<Shard> leaving)
    {
        return !shuttingDown && ShardState.ACTIVE == shard.state() && !leaving.contains(shard);
    }
}
