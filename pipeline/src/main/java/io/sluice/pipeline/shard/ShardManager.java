package io.sluice.pipeline.shard;

import io.sluice.pipeline.ingest.IngestRing;
import io.sluice.pipeline.ingest.IngestRings;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * Owns the reader shards: their ingest rings, their lifecycle, which shard a new connection goes to, and (in dynamic
 * mode) adding and draining shards by the {@link ScalingPolicy}.
 * <p>
 * Who calls what:
 * <ul>
 *     <li>the node, once: {@link #start()}, which provisions the initial shards and starts their readers through the
 *     {@link ShardLifecycleListener};</li>
 *     <li>the acceptor, per connection: {@link #assignConnection(long)} (lock-free, allocation-free);</li>
 *     <li>each reader: {@link Shard#publisher()} for every message, {@link Shard#releaseConnection()} when a
 *     connection closes;</li>
 *     <li>the sequencer: {@link #ingestRings()}{@code .poll(handler, maxPerRing)};</li>
 *     <li>the {@link ShardScalingAgent} (or an operator): metrics, scaling and {@link #finalizeDraining()}.</li>
 * </ul>
 * A new shard is polled by the sequencer before its reader starts, and routable only once its reader runs. A draining
 * shard keeps serving its connections, gets no new ones, and stops only when it has no connection left and its ring
 * has been consumed, so no record is stranded. Shard ids come from a counter that only increases.
 * <p>
 * Lossless shutdown, in order: {@link #beginShutdown()} (no connection is routed any more; every shard drains);
 * stop accepting; readers close their connections and release them; the sequencer keeps polling; call
 * {@link #finalizeDraining()} until {@link #isShutdownComplete()}; only then stop the sequencer.
 * <p>
 * Static mode runs a fixed set of {@link Context#initialShards()} shards: adding, draining and scaling are refused;
 * shutdown works the same.
 */
public final class ShardManager
{
    private static final Logger LOG = LoggerFactory.getLogger(ShardManager.class);

    private final Context ctx;
    private final ShardMapper mapper;
    private final IngestRings ingestRings = new IngestRings();
    private final ShardLifecycleListener listener;
    private final IntFunction<IngestRing> ringFactory;
    private boolean started;

    /**
     * @param ctx configuration; concluded (validated) here and not to be changed afterwards.
     */
    public ShardManager(final Context ctx)
    {
        this.ctx = ctx.conclude();
        this.listener = ctx.listener();
        this.mapper = new ShardMapper(ctx.scalingPolicy().copy(), ctx.dynamicScaling(), ctx.nanoClock());
        this.ringFactory = (shardId) -> new IngestRing(
            shardId, ctx.ringCapacityBytes(), ctx.busyNoticeReserve(), ctx.latencySampleInterval(), ctx.nanoClock());
    }

    /**
     * Provisions the initial shards (ids {@code 0..initialShards-1}), adds their rings to {@link #ingestRings()} and
     * starts their readers; each becomes routable once its reader runs.
     *
     * @throws ScalingException with {@link ScalingException.Reason#READER_START_FAILED} if a reader fails to start.
     */
    public void start()
    {
        synchronized (this)
        {
            if (started)
            {
                throw new IllegalStateException("already started");
            }
            started = true;
        }

        final List<Shard> bootShards = mapper.provision(ctx.initialShards(), true, true, ringFactory);
        for (final Shard shard : bootShards)
        {
            ingestRings.add(shard.ring());
        }

        for (final Shard shard : bootShards)
        {
            startReader(shard);
        }
    }

    /**
     * Assigns a new connection to a routable shard. Lock-free and allocation-free; for the acceptor.
     *
     * @param connectionKey identifies the connection, e.g. its connection id; spread over shards without bias.
     * @return the shard now counting the connection (hand the connection to its reader, or release it), or null when
     * no shard is routable (shutting down, or none active); null is counted in {@link #connectionsUnrouted()}.
     */
    public Shard assignConnection(final long connectionKey)
    {
        return mapper.assignConnection(connectionKey);
    }

    /**
     * @return the shard {@link #assignConnection} would try first for the key, without assigning; null if none is
     * routable.
     */
    public Shard selectShard(final long connectionKey)
    {
        return mapper.selectShard(connectionKey);
    }

    /**
     * @return connections {@link #assignConnection} could not place.
     */
    public long connectionsUnrouted()
    {
        return mapper.connectionsUnrouted();
    }

    /**
     * @return the rings of all shards not yet stopped, for the sequencer to poll.
     */
    public IngestRings ingestRings()
    {
        return ingestRings;
    }

    /**
     * Adds one shard (dynamic mode): provisions it, starts its reader, and makes it routable once the reader runs.
     *
     * @return the new shard's id.
     * @throws ScalingException if the policy forbids it now (maximum, cooldown) or the reader fails to start.
     */
    public int addShard()
    {
        return provisionOne(false);
    }

    /**
     * {@link #addShard()} without the cooldown check, for an operator's explicit request; the maximum still holds and
     * the cooldown restarts.
     */
    public int addShardForced()
    {
        return provisionOne(true);
    }

    /**
     * Makes a provisioned shard routable; for a {@link ShardLifecycleListener} that starts readers asynchronously.
     *
     * @return true on the transition, false if it was already active.
     * @throws ScalingException if the shard is unknown, draining or stopped.
     */
    public boolean activate(final int shardId)
    {
        final boolean activated = mapper.activate(shardId);
        if (activated)
        {
            LOG.info("shard active shardId={}", shardId);
        }

        return activated;
    }

    /**
     * Stops routing new connections to a shard (dynamic mode); it stops by itself once empty, see
     * {@link #finalizeDraining()}. Restarts the cooldown.
     *
     * @return true on the transition, false if it was already draining.
     * @throws ScalingException if that would go below the minimum, or the shard is not active.
     */
    public boolean drainShard(final int shardId)
    {
        final boolean drained = mapper.drain(shardId);
        if (drained)
        {
            LOG.info("shard draining shardId={}", shardId);
        }

        return drained;
    }

    /**
     * Drains up to {@code count} of the least loaded active shards (dynamic mode), never below the minimum.
     *
     * @return the ids now draining.
     * @throws ScalingException if already at the minimum or in cooldown.
     */
    public int[] scaleDown(final int count)
    {
        final int[] drained = mapper.scaleDown(count);
        for (final int shardId : drained)
        {
            LOG.info("shard draining shardId={}", shardId);
        }

        return drained;
    }

    /**
     * Stops every draining shard that has no connections left and whose ring is consumed, removes its ring from
     * {@link #ingestRings()} and tells the listener.
     *
     * @return number of shards stopped.
     */
    public int finalizeDraining()
    {
        final List<Shard> stopped = mapper.stopDrained();
        for (final Shard shard : stopped)
        {
            ingestRings.remove(shard.ring());
        }

        for (final Shard shard : stopped)
        {
            LOG.info("shard stopped shardId={}", shard.id());
            try
            {
                listener.onShardStopped(shard);
            }
            catch (final RuntimeException ex)
            {
                LOG.error("shard reader stop failed shardId={}", shard.id(), ex);
            }
        }

        return stopped.size();
    }

    /**
     * Samples every shard: ring fill ratio, records ingested and average publish latency in the window since the last
     * call. Refreshes the selection table from the new weights.
     */
    public void collectMetrics()
    {
        mapper.collectMetrics();
    }

    /**
     * @return what the policy advises given the last {@link #collectMetrics()}; changes nothing.
     */
    public ScalingDecision evaluateScaling()
    {
        return mapper.evaluateScaling();
    }

    /**
     * Routes no new connection anywhere and moves every shard to draining. See the class comment for the order of a
     * lossless shutdown.
     */
    public void beginShutdown()
    {
        mapper.beginShutdown();
        LOG.info("shard manager shutting down shards={}", shardCount());
    }

    public boolean isShuttingDown()
    {
        return mapper.isShuttingDown();
    }

    /**
     * @return true once shutting down and every shard has stopped.
     */
    public boolean isShutdownComplete()
    {
        return mapper.isShutdownComplete();
    }

    /**
     * @return the shard with that id, or null if it never existed or has stopped.
     */
    public Shard shard(final int shardId)
    {
        return mapper.shard(shardId);
    }

    /**
     * @return a snapshot of the shards not yet stopped, in id order.
     */
    public List<Shard> shards()
    {
        return mapper.shards();
    }

    public int activeShardCount()
    {
        return mapper.activeCount();
    }

    /**
     * @return shards not yet stopped, in any state.
     */
    public int shardCount()
    {
        return mapper.shardCount();
    }

    public boolean isDynamicScaling()
    {
        return ctx.dynamicScaling();
    }

    /**
     * @return a copy of the policy in force (normalised).
     */
    public ScalingPolicy scalingPolicy()
    {
        return ctx.scalingPolicy().copy();
    }

    public NanoClock nanoClock()
    {
        return ctx.nanoClock();
    }

    ShardMapper mapper()
    {
        return mapper;
    }

    private int provisionOne(final boolean force)
    {
        final Shard shard = mapper.provision(1, false, force, ringFactory).get(0);
        ingestRings.add(shard.ring());
        LOG.info("shard provisioned shardId={}", shard.id());
        startReader(shard);
        return shard.id();
    }

    private void startReader(final Shard shard)
    {
        final boolean running;
        try
        {
            running = listener.onShardProvisioned(shard);
        }
        catch (final RuntimeException ex)
        {
            if (mapper.abortProvisioning(shard))
            {
                ingestRings.remove(shard.ring());
            }
            throw new ScalingException(
                ScalingException.Reason.READER_START_FAILED, "reader of shard " + shard.id() + " failed to start", ex);
        }

        if (running)
        {
            activate(shard.id());
        }
    }

    /**
     * Configuration of a {@link ShardManager}. Every option has a default except the listener; {@link #conclude()}
     * validates and fails naming the key and the range allowed.
     */
    public static final class Context
    {
        public static final int DEFAULT_INITIAL_SHARDS = 1;
        public static final int DEFAULT_RING_CAPACITY_BYTES = 1024 * 1024;
        public static final int DEFAULT_BUSY_NOTICE_RESERVE = 64;
        public static final int DEFAULT_LATENCY_SAMPLE_INTERVAL = 64;

        private int initialShards = DEFAULT_INITIAL_SHARDS;
        private boolean dynamicScaling = false;
        private ScalingPolicy scalingPolicy = new ScalingPolicy();
        private int ringCapacityBytes = DEFAULT_RING_CAPACITY_BYTES;
        private int busyNoticeReserve = DEFAULT_BUSY_NOTICE_RESERVE;
        private int latencySampleInterval = DEFAULT_LATENCY_SAMPLE_INTERVAL;
        private NanoClock nanoClock = SystemNanoClock.INSTANCE;
        private ShardLifecycleListener listener;
        private boolean concluded;

        public Context initialShards(final int initialShards)
        {
            this.initialShards = initialShards;
            return this;
        }

        /**
         * @return shards started by {@link ShardManager#start()}; in static mode the fixed number of shards.
         */
        public int initialShards()
        {
            return initialShards;
        }

        public Context dynamicScaling(final boolean dynamicScaling)
        {
            this.dynamicScaling = dynamicScaling;
            return this;
        }

        /**
         * @return true to add and drain shards by the {@link #scalingPolicy()}; false (default) for a fixed set.
         */
        public boolean dynamicScaling()
        {
            return dynamicScaling;
        }

        public Context scalingPolicy(final ScalingPolicy scalingPolicy)
        {
            this.scalingPolicy = scalingPolicy;
            return this;
        }

        public ScalingPolicy scalingPolicy()
        {
            return scalingPolicy;
        }

        public Context ringCapacityBytes(final int ringCapacityBytes)
        {
            this.ringCapacityBytes = ringCapacityBytes;
            return this;
        }

        /**
         * @return data capacity of each ingest ring; a power of two. The longest message a ring takes is
         * {@code ringCapacityBytes / 8 - 32} bytes.
         */
        public int ringCapacityBytes()
        {
            return ringCapacityBytes;
        }

        public Context busyNoticeReserve(final int busyNoticeReserve)
        {
            this.busyNoticeReserve = busyNoticeReserve;
            return this;
        }

        /**
         * @return busy notices each ring keeps room for after client messages are refused as ring-full.
         */
        public int busyNoticeReserve()
        {
            return busyNoticeReserve;
        }

        public Context latencySampleInterval(final int latencySampleInterval)
        {
            this.latencySampleInterval = latencySampleInterval;
            return this;
        }

        /**
         * @return one publish in this many is timed for the scaling metrics; a power of two.
         */
        public int latencySampleInterval()
        {
            return latencySampleInterval;
        }

        public Context nanoClock(final NanoClock nanoClock)
        {
            this.nanoClock = nanoClock;
            return this;
        }

        public NanoClock nanoClock()
        {
            return nanoClock;
        }

        public Context listener(final ShardLifecycleListener listener)
        {
            this.listener = listener;
            return this;
        }

        public ShardLifecycleListener listener()
        {
            return listener;
        }

        /**
         * Validates every option and settles the policy: in static mode {@code shards.min = shards.max =
         * initialShards}; in dynamic mode {@code shards.max} is raised to at least {@code shards.min} and
         * {@code initialShards}.
         *
         * @return this.
         * @throws IllegalArgumentException naming the offending key.
         */
        public Context conclude()
        {
            if (concluded)
            {
                return this;
            }

            Objects.requireNonNull(listener, "shards.listener must be set");
            Objects.requireNonNull(nanoClock, "nanoClock must be set");
            Objects.requireNonNull(scalingPolicy, "shards.scalingPolicy must be set");
            if (initialShards < 1 || initialShards > ScalingPolicy.MAX_SHARDS_LIMIT)
            {
                throw new IllegalArgumentException(
                    "shards.initial must be in [1, " + ScalingPolicy.MAX_SHARDS_LIMIT + "]: " + initialShards);
            }
            IngestRing.validate(ringCapacityBytes, busyNoticeReserve, latencySampleInterval);

            final ScalingPolicy policy = scalingPolicy.copy();
            if (dynamicScaling)
            {
                policy.normalize();
                if (policy.maxShards() < initialShards)
                {
                    policy.maxShards(initialShards);
                }
                if (initialShards < policy.minShards())
                {
                    throw new IllegalArgumentException("shards.initial must be in [shards.min=" +
                        policy.minShards() + ", " + ScalingPolicy.MAX_SHARDS_LIMIT + "]: " + initialShards);
                }
            }
            else
            {
                policy.minShards(initialShards).maxShards(initialShards).autoScale(false);
            }
            scalingPolicy = policy.validate();
            concluded = true;

            return this;
        }
    }
}
