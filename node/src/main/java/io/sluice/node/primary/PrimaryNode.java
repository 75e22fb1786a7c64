package io.sluice.node.primary;

import io.sluice.node.config.Endpoints;
import io.sluice.journal.DiskSpaceGuard;
import io.sluice.journal.FreeSpaceProbe;
import io.sluice.journal.Journal;
import io.sluice.journal.JournalAgent;
import io.sluice.journal.JournalSyncPolicy;
import io.sluice.journal.RecoveryResult;
import io.sluice.journal.SnapshotInstall;
import io.sluice.journal.SnapshotPolicy;
import io.sluice.journal.SnapshotStore;
import io.sluice.matching.MatchingEngine;
import io.sluice.matching.SelfTradePrevention;
import io.sluice.node.admin.AdminServer;
import io.sluice.node.auth.AuthorizedKeys;
import io.sluice.node.auth.KeyAuthenticator;
import io.sluice.node.auth.OperatorKeys;
import io.sluice.node.auth.ReplicationKeys;
import io.sluice.node.config.InstrumentConfig;
import io.sluice.node.config.NodeConfig;
import io.sluice.node.config.ReplicaSlotConfig;
import io.sluice.node.replica.ReplicaNode;
import io.sluice.replication.PrimaryFence;
import io.sluice.replication.ReplicationProtocol;
import io.sluice.replication.ReplicationSenderAgent;
import io.sluice.replication.ReplicationSenderContext;
import io.sluice.replication.ReplicationTransport;
import io.sluice.pipeline.DutyCycleCounter;
import io.sluice.pipeline.net.AcceptorAgent;
import io.sluice.pipeline.net.Authenticator;
import io.sluice.pipeline.net.ConnectionRegistry;
import io.sluice.pipeline.net.ReaderAgent;
import io.sluice.pipeline.net.ReaderCounters;
import io.sluice.pipeline.sequencer.ExchangeStateMachine;
import io.sluice.pipeline.sequencer.SequencerAgent;
import io.sluice.pipeline.shard.ScalingPolicy;
import io.sluice.pipeline.shard.Shard;
import io.sluice.pipeline.shard.ShardLifecycleListener;
import io.sluice.pipeline.shard.ShardManager;
import io.sluice.pipeline.shard.ShardScalingAgent;
import io.sluice.durability.DurabilityControl;
import io.sluice.durability.DurabilityEvaluator;
import io.sluice.durability.DurabilityMode;
import io.sluice.response.OutputRingPublisher;
import io.sluice.durability.Policy;
import io.sluice.durability.ReplicationMetrics;
import io.sluice.response.ResponseAgent;
import io.sluice.response.ResponseCounters;
import io.sluice.wire.ClientProtocol;
import io.sluice.wire.FrameDecoder;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.agrona.CloseHelper;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.DynamicCompositeAgent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.AtomicLongPosition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A primary node, wired in the order data flows:
 * <pre>
 *   acceptor ─▶ reader shards ─▶ ingest rings ─▶ sequencer + matching ─┬─▶ journal ring ─▶ journal agent (fsync)
 *                                                                     └─▶ output ring ─▶ response agent ─▶ clients
 * </pre>
 * Start-up recovers the matching state from the journal before any client can connect. Threading follows
 * {@code threading}: {@code shared} runs the network edge (acceptor, readers, shard scaling) and the response stage
 * on one thread and the sequencer and journal on one each, all with a backoff idle strategy; {@code dedicated} gives
 * every stage its own thread with the configured idle strategy.
 */
public final class PrimaryNode implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(PrimaryNode.class);
    private static final long LOGON_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    private final NodeConfig config;
    private final Journal journal;
    private final AtomicLongPosition journalPersistedWireSeq = new AtomicLongPosition();
    private final JournalAgent journalAgent;
    private final SequencerAgent sequencer;
    private final ResponseAgent responseAgent;
    private final OneToOneRingBuffer outputRing;
    private final ResponseCounters responseCounters = new ResponseCounters();
    private final DurabilityControl durabilityControl;
    private final ReplicationMetrics replicationMetrics;
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final ShardManager shardManager;
    private final Int2ObjectHashMap<ReaderAgent> readers = new Int2ObjectHashMap<>();
    /** Set once in {@link #startRunners}; readers of shards added later join it while it runs. */
    private volatile DynamicCompositeAgent networkAgent;
    private final AcceptorAgent acceptor;
    private final NodeTradingGate tradingGate;
    private final PrimaryFence fence;
    /** Null when no replicas are configured. */
    private final ReplicationTransport transport;
    private final List<ReplicationSenderAgent> senders = new ArrayList<>();
    private final List<AgentRunner> runners = new ArrayList<>();
    private final List<DutyCycleCounter> stages = new ArrayList<>();
    private final AdminServer adminServer;
    private final HealthServer healthServer;
    private final RecoveryResult recovery;
    private final Authenticator authenticator;
    private final SnapshotAgent snapshotAgent;
    /** Null unless {@code trace=on}. */
    private final StageStats stageStats;
    private final long startedNs = System.nanoTime();

    /**
     * What a promoted replica hands over to the primary it becomes.
     *
     * @param adminServer the replica's admin listener, kept (same port, same operator sessions) and switched to
     *                    the primary's commands.
     * @param policy      the durability policy the replica last heard from the old primary, so the operator's
     *                    choice survives the failover; null to take the configured one.
     */
    public record Promotion(AdminServer adminServer, Policy policy)
    {
    }

    private PrimaryNode(final NodeConfig config, final Promotion promotion) throws IOException
    {
        this.config = config;
        final Path dataDir = config.dataDir();
        Files.createDirectories(dataDir);
        final AuthorizedKeys keys = config.authEnabled() ? AuthorizedKeys.load(config.path(NodeConfig.AUTH_KEYS_FILE)) :
            null;
        authenticator = keys == null ? Authenticator.NONE : new KeyAuthenticator(keys);

        final JournalSyncPolicy syncPolicy = JournalSyncPolicy.parse(config.get(NodeConfig.JOURNAL_SYNC));
        if (syncPolicy == JournalSyncPolicy.NONE)
        {
            LOG.warn("journal sync disabled journal.sync=none: acknowledged orders can be lost on power failure; " +
                "benchmarks only");
        }
        // A snapshot install (replica) killed between its renames is finished before the journal is opened.
        SnapshotInstall.completeInterrupted(journalContext(config).directory());
        journal = Journal.open(journalContext(config));

        final OneToOneRingBuffer journalRing = newRing(config.get(NodeConfig.JOURNAL_RING_BYTES));
        outputRing = newRing(config.get(NodeConfig.OUTPUT_RING_BYTES));

        shardManager = new ShardManager(shardContext(config));
        sequencer = new SequencerAgent(
            shardManager.ingestRings(),
            config.get(NodeConfig.SEQUENCER_BATCH_PER_RING),
            journalRing,
            new OutputRingPublisher(outputRing),
            this::sequencerHaltReason,
            engineContext(config),
            new SystemEpochNanoClock(),
            SystemNanoClock.INSTANCE);

        final ExchangeStateMachine stateMachine = new ExchangeStateMachine(sequencer.applier());
        recovery = journal.recover(new SnapshotStore(journal.snapshotDirectory()), stateMachine);
        sequencer.resumeFrom(recovery.lastWireSeq(), Math.max(1, recovery.lastEpoch()));
        if (promotion != null)
        {
            // Journaled before any command: every entry of this term carries the new epoch, and a replica that
            // applies the bump refuses the old primary from then on.
            final long newEpoch = sequencer.bumpEpoch(config.get(NodeConfig.NODE_ID));
            LOG.warn("promoted to primary nodeId={} epoch={} epochBumpWireSeq={}", config.get(NodeConfig.NODE_ID),
                newEpoch, sequencer.lastWireSeq());
        }
        LOG.info("recovered journal={} lastWireSeq={} snapshotWireSeq={} replayed={} stateHash={}",
            journal.directory(), recovery.lastWireSeq(), recovery.snapshotWireSeq(), recovery.entriesReplayed(),
            Long.toHexString(sequencer.engine().stateHash()));

        journalAgent = new JournalAgent(journal, journalRing, journalPersistedWireSeq, diskSpaceGuard(config, journal));
        journalPersistedWireSeq.setRelease(recovery.lastWireSeq());
        snapshotAgent = new SnapshotAgent(journal, new SnapshotStore(journal.snapshotDirectory()),
            new SnapshotPolicy(config.get(NodeConfig.SNAPSHOT_INTERVAL_ENTRIES),
                TimeUnit.SECONDS.toNanos(config.get(NodeConfig.SNAPSHOT_INTERVAL_SECONDS))),
            journalPersistedWireSeq::getAcquire, engineContext(config), SystemNanoClock.INSTANCE,
            "after-snapshot".equals(config.get(NodeConfig.JOURNAL_RETENTION)), this::oldestWireSeqNeededByReplicas);

        stageStats = Boolean.TRUE.equals(config.get(NodeConfig.TRACE)) ? new StageStats() : null;
        if (stageStats != null)
        {
            sequencer.trace(stageStats.ingestWait(), stageStats.matchExecute());
            journalAgent.traceSyncs(stageStats.journalSync());
        }

        replicationMetrics = new ReplicationMetrics(config.replicaCount());
        durabilityControl = new DurabilityControl(promotion != null && promotion.policy() != null ?
            promotion.policy() : initialPolicy(config));
        fence = new PrimaryFence();
        tradingGate = new NodeTradingGate(
            new DurabilityEvaluator(durabilityControl, journalPersistedWireSeq::getAcquire, replicationMetrics),
            new DurabilityEvaluator(durabilityControl, journalPersistedWireSeq::getAcquire, replicationMetrics),
            journalAgent, fence);
        transport = config.replicaCount() == 0 ? null : ReplicationTransport.launch(
            ReplicaNode.transportContext(config));
        for (final ReplicaSlotConfig slot : config.replicas())
        {
            senders.add(new ReplicationSenderAgent(new ReplicationSenderContext()
                .transport(transport)
                .slot(slot.slot())
                .nodeId(config.get(NodeConfig.NODE_ID))
                .dataEndpoint(Endpoints.hostPort(slot.data()))
                .controlEndpoint(Endpoints.hostPort(slot.control()))
                .dataStreamId(ReplicationProtocol.DATA_STREAM_ID)
                .controlStreamId(ReplicationProtocol.CONTROL_STREAM_ID)
                .journal(journal)
                .replicationMetrics(replicationMetrics)
                .durabilityControl(durabilityControl)
                .epoch(sequencer::epoch)
                .configDigest(sequencer.engine().configDigest())
                .fence(fence)
                .replicationKeys(keys == null ? null : ReplicationKeys.check(keys))
                .lastWireSeq(journalAgent::appendedWireSeq)
                .newestSnapshot(snapshotAgent::newestSnapshot)
                .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(
                    config.get(NodeConfig.REPLICATION_HEARTBEAT_INTERVAL_MS)))
                .heartbeatTimeoutNs(TimeUnit.MILLISECONDS.toNanos(
                    config.get(NodeConfig.REPLICATION_HEARTBEAT_TIMEOUT_MS)))
                .maxLagEntries(config.get(NodeConfig.REPLICATION_MAX_LAG_ENTRIES))));
        }

        responseAgent = new ResponseAgent(new ResponseAgent.Context()
            .outputRing(outputRing)
            .connections(registry)
            .durabilityControl(durabilityControl)
            .journalPersistedWireSeq(journalPersistedWireSeq::getAcquire)
            .replicationMetrics(replicationMetrics)
            .counters(responseCounters)
            .trace(stageStats == null ? null : stageStats.responseTrace())
            .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(config.get(NodeConfig.CLIENT_HEARTBEAT_INTERVAL_MS)))
            .maxSendBufferBytes(config.get(NodeConfig.CLIENT_MAX_UNSENT_BYTES)));

        shardManager.start();
        acceptor = new AcceptorAgent(config.get(NodeConfig.CLIENT_BIND), this::route, registry,
            SystemNanoClock.INSTANCE, receiveBufferBytes());

        startRunners();
        if (promotion != null && promotion.adminServer() != null)
        {
            adminServer = promotion.adminServer();
            adminServer.handler(new PrimaryAdminCommands(this));
        }
        else
        {
            adminServer = new AdminServer(config.get(NodeConfig.ADMIN_BIND), new PrimaryAdminCommands(this),
                keys == null ? null : OperatorKeys.check(keys));
        }
        healthServer = new HealthServer(config.get(NodeConfig.HTTP_BIND), this);
        LOG.info("primary started nodeId={} client={} admin={} http={} policy={} threading={}",
            config.get(NodeConfig.NODE_ID), clientAddress(), adminServer.localAddress(), healthServer.localAddress(),
            durabilityControl.policy().description(), config.get(NodeConfig.THREADING));
    }

    /**
     * Recover, start every stage and open the listeners.
     *
     * @param config validated configuration.
     * @return the running node.
     * @throws IOException if the journal cannot be opened or a listener cannot bind.
     */
    public static PrimaryNode start(final NodeConfig config) throws IOException
    {
        return new PrimaryNode(config, null);
    }

    /**
     * Start as the primary a replica is promoted to: recover from the journal the replica kept (its warm state was
     * just written as a snapshot, so nothing is replayed), journal an epoch bump, then serve clients and replicas.
     *
     * @param config    the replica's configuration; its client bind and replica slots are used from now on.
     * @param promotion what the replica hands over.
     * @return the running node.
     * @throws IOException if the journal cannot be opened or a listener cannot bind.
     */
    public static PrimaryNode promote(final NodeConfig config, final Promotion promotion) throws IOException
    {
        return new PrimaryNode(config, promotion);
    }

    /**
     * @param config of the node (primary or replica).
     * @return the options of the node's journal, with the configured fault injection (tests only) wrapped around
     * Chronicle's sync.
     */
    public static Journal.Context journalContext(final NodeConfig config)
    {
        final Journal.Context context = new Journal.Context()
            .directory(config.dataDir().resolve("journal"))
            .nodeId(config.get(NodeConfig.NODE_ID))
            .syncPolicy(JournalSyncPolicy.parse(config.get(NodeConfig.JOURNAL_SYNC)))
            .maxGroupEntries(config.get(NodeConfig.JOURNAL_GROUP_MAX_ENTRIES))
            .rollCycle(rollCycle(config.get(NodeConfig.JOURNAL_ROLL_CYCLE)));
        final long delayMs = config.get(NodeConfig.FAULT_JOURNAL_SYNC_DELAY_MS);
        final long failAfter = config.get(NodeConfig.FAULT_JOURNAL_SYNC_FAIL_AFTER);
        if (delayMs > 0 || failAfter > 0)
        {
            LOG.warn("journal fault injection on: sync delay {} ms, syncs fail after {} (0 never); tests only",
                delayMs, failAfter);
            final long[] syncs = new long[1];
            context.syncAction(appender ->
            {
                if (delayMs > 0)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(delayMs));
                }
                if (failAfter > 0 && ++syncs[0] > failAfter)
                {
                    throw new IOException("injected sync failure (fault.journal.sync.fail.after=" + failAfter + ")");
                }
                JournalAgent.CHRONICLE_SYNC.sync(appender);
            });
        }
        return context;
    }

    /**
     * @return the journal's free-space guard: {@code journal.min.free.bytes} on the journal's filesystem, or on a
     * simulated filling disk when {@code fault.journal.disk.free.bytes} is set (tests only).
     */
    public static DiskSpaceGuard diskSpaceGuard(final NodeConfig config, final Journal journal)
    {
        final long minFreeBytes = config.get(NodeConfig.JOURNAL_MIN_FREE_BYTES);
        final long simulatedFreeBytes = config.get(NodeConfig.FAULT_JOURNAL_DISK_FREE_BYTES);
        if (minFreeBytes == 0)
        {
            LOG.warn("journal free-space check off journal.min.free.bytes=0: a full disk can lose acknowledged " +
                "orders");
        }
        if (simulatedFreeBytes > 0)
        {
            LOG.warn("journal fault injection on: disk starts with {} bytes free and fills as the journal grows; " +
                "tests only", simulatedFreeBytes);
            return new DiskSpaceGuard(FreeSpaceProbe.shrinking(simulatedFreeBytes), minFreeBytes);
        }
        return DiskSpaceGuard.of(journal.queueDirectory(), minFreeBytes);
    }

    /** Chronicle roll cycle of a {@code journal.roll.cycle} value. */
    static RollCycle rollCycle(final String name)
    {
        return switch (name)
        {
            case "ten-minutely" -> RollCycles.TEN_MINUTELY;
            case "test-secondly" -> TestRollCycles.TEST_SECONDLY;
            default -> Journal.Context.DEFAULT_ROLL_CYCLE;
        };
    }

    /** Lowest wireSeq any replica slot still reads (retention keeps it); Long.MAX_VALUE with none. Any thread. */
    private long oldestWireSeqNeededByReplicas()
    {
        long oldest = Long.MAX_VALUE;
        for (int i = 0; i < senders.size(); i++)
        {
            oldest = Math.min(oldest, senders.get(i).retainFromWireSeq());
        }
        return oldest;
    }

    private static Policy initialPolicy(final NodeConfig config)
    {
        final String durability = config.get(NodeConfig.DURABILITY);
        if (durability != null)
        {
            return Policy.resolve(durability);
        }
        return config.replicaCount() > 0 ? DurabilityMode.HYBRID.policy() : DurabilityMode.LOCAL.policy();
    }

    private int receiveBufferBytes()
    {
        return Math.max(64 * 1024, 4 * (config.get(NodeConfig.FRAME_MAX_BYTES) + FrameDecoder.LENGTH_FIELD_LENGTH));
    }

    private static OneToOneRingBuffer newRing(final int capacityBytes)
    {
        return new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(capacityBytes + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    /**
     * @param config of the node.
     * @return the matching engine options and start-up instruments the config defines; the same on every node of
     * a cluster, which the replication handshake checks through the config digest.
     */
    public static MatchingEngine.Context engineContext(final NodeConfig config)
    {
        final MatchingEngine.Context context = new MatchingEngine.Context()
            .maxOrderNotional(config.get(NodeConfig.RISK_MAX_ORDER_NOTIONAL))
            .maxOpenOrdersPerAccount(config.get(NodeConfig.RISK_MAX_OPEN_ORDERS))
            .defaultSelfTradePrevention(stp(config.get(NodeConfig.STP_DEFAULT)))
            .orderPoolCapacity(config.get(NodeConfig.ORDER_POOL_CAPACITY));
        for (final InstrumentConfig instrument : config.instruments())
        {
            context.instrument(instrument.instrumentId(), instrument.symbol(), instrument.tickSize(),
                instrument.lotSize(), instrument.minQuantity(), instrument.maxQuantity(), instrument.referencePrice(),
                instrument.priceBandBps());
        }
        return context.conclude();
    }

    private static SelfTradePrevention stp(final String name)
    {
        switch (name)
        {
            case "cancel-oldest":
                return SelfTradePrevention.CANCEL_OLDEST;
            case "cancel-both":
                return SelfTradePrevention.CANCEL_BOTH;
            default:
                return SelfTradePrevention.CANCEL_NEWEST;
        }
    }

    private ShardManager.Context shardContext(final NodeConfig config)
    {
        final boolean dynamic = "dynamic".equals(config.get(NodeConfig.SHARDS_MODE));
        final ShardManager.Context context = new ShardManager.Context()
            .initialShards(dynamic ? config.get(NodeConfig.SHARDS_MIN) : config.get(NodeConfig.READER_SHARDS))
            .dynamicScaling(dynamic)
            .ringCapacityBytes(config.get(NodeConfig.INGEST_RING_BYTES))
            .busyNoticeReserve(Math.min(64, config.get(NodeConfig.INGEST_RING_BYTES) / 256))
            .listener(new ShardLifecycleListener()
            {
                public boolean onShardProvisioned(final Shard shard)
                {
                    return startReader(shard);
                }

                public void onShardStopped(final Shard shard)
                {
                    stopReader(shard);
                }
            });
        if (dynamic)
        {
            context.scalingPolicy(new ScalingPolicy()
                .minShards(config.get(NodeConfig.SHARDS_MIN))
                .maxShards(config.get(NodeConfig.SHARDS_MAX)));
        }
        return context;
    }

    private boolean startReader(final Shard shard)
    {
        try
        {
            final ReaderAgent reader = new ReaderAgent(shard,
                new FrameDecoder(ClientProtocol.validator(), config.get(NodeConfig.FRAME_MAX_BYTES)),
                authenticator, registry, new ReaderCounters(), SystemNanoClock.INSTANCE, LOGON_TIMEOUT_NS,
                receiveBufferBytes());
            synchronized (readers)
            {
                readers.put(shard.id(), reader);
            }
            final DynamicCompositeAgent running = networkAgent;
            if (running != null && running.status() == DynamicCompositeAgent.Status.ACTIVE)
            {
                running.tryAdd(reader);
            }
            return true;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot start reader for shard " + shard.id(), ex);
        }
    }

    private void stopReader(final Shard shard)
    {
        final ReaderAgent reader;
        synchronized (readers)
        {
            reader = readers.remove(shard.id());
        }
        if (reader != null)
        {
            networkAgent.tryRemove(reader);
        }
    }

    private ReaderAgent route(final long connectionId)
    {
        final Shard shard = shardManager.assignConnection(connectionId);
        if (shard == null)
        {
            return null;
        }
        synchronized (readers)
        {
            final ReaderAgent reader = readers.get(shard.id());
            if (reader == null)
            {
                shard.releaseConnection();
            }
            return reader;
        }
    }

    private void startRunners()
    {
        final List<Agent> network = new ArrayList<>();
        network.add(acceptor);
        synchronized (readers)
        {
            network.addAll(readers.values());
        }
        if ("dynamic".equals(config.get(NodeConfig.SHARDS_MODE)))
        {
            network.add(new ShardScalingAgent(shardManager));
        }
        final boolean dedicated = "dedicated".equals(config.get(NodeConfig.THREADING));
        if (!dedicated)
        {
            network.add(responseAgent);
        }
        networkAgent = new DynamicCompositeAgent("network", network);
        start(networkAgent);
        start(sequencer);
        start(journalAgent);
        final AgentRunner snapshots = new AgentRunner(new SleepingMillisIdleStrategy(5), this::onAgentError, null,
            snapshotAgent);
        AgentRunner.startOnThread(snapshots);
        runners.add(snapshots);
        if (dedicated)
        {
            start(responseAgent);
            senders.forEach(this::start);
        }
        else if (!senders.isEmpty())
        {
            start(new DynamicCompositeAgent("replication", new ArrayList<Agent>(senders)));
        }
    }

    private void start(final Agent agent)
    {
        final DutyCycleCounter counted = new DutyCycleCounter(agent);
        stages.add(counted);
        final AgentRunner runner = new AgentRunner(idleStrategy(), this::onAgentError, null, counted);
        AgentRunner.startOnThread(runner);
        runners.add(runner);
    }

    private IdleStrategy idleStrategy()
    {
        final String strategy = config.get(NodeConfig.IDLE_STRATEGY);
        switch (strategy)
        {
            case "busy-spin":
                return new BusySpinIdleStrategy();
            case "yield":
                return new YieldingIdleStrategy();
            case "sleep":
                return new SleepingMillisIdleStrategy(1);
            default:
                return new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1),
                    TimeUnit.MICROSECONDS.toNanos(100));
        }
    }

    private void onAgentError(final Throwable error)
    {
        LOG.error("stage failed reason=\"{}\"", error.toString(), error);
    }

    /** The sequencer's gate: its own evaluator, on its thread only (assigned before the sequencer starts). */
    private String sequencerHaltReason()
    {
        return tradingGate.haltReason();
    }

    /**
     * @return why the node does not accept orders now, or null; any thread (never the sequencer's gate evaluator).
     */
    String haltReason()
    {
        final String sequencerFailure = sequencer.failureReason();
        final String reason = sequencerFailure != null ? sequencerFailure : tradingGate.statusHaltReason();
        // Operators see why the journal stopped (a full disk, a failed sync); clients get the short reason.
        return reason == NodeTradingGate.JOURNAL_FAILED ? reason + ": " + journalAgent.failureReason() : reason;
    }

    public InetSocketAddress clientAddress()
    {
        try
        {
            return acceptor.localAddress();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    public InetSocketAddress adminAddress()
    {
        return adminServer.localAddress();
    }

    public InetSocketAddress httpAddress()
    {
        return healthServer.localAddress();
    }

    public NodeConfig config()
    {
        return config;
    }

    public DurabilityControl durabilityControl()
    {
        return durabilityControl;
    }

    NodeTradingGate tradingGate()
    {
        return tradingGate;
    }

    ReplicationMetrics replicationMetrics()
    {
        return replicationMetrics;
    }

    /**
     * @return true while the policy in force cannot be met by the connected nodes; any thread.
     */
    public boolean policyDegraded()
    {
        return tradingGate.policyDegraded();
    }

    public ResponseCounters responseCounters()
    {
        return responseCounters;
    }

    public long lastWireSeq()
    {
        return sequencer.lastWireSeq();
    }

    public long journalPersistedWireSeq()
    {
        return journalPersistedWireSeq.getAcquire();
    }

    public SequencerAgent sequencer()
    {
        return sequencer;
    }

    JournalAgent journalAgent()
    {
        return journalAgent;
    }

    ShardManager shardManager()
    {
        return shardManager;
    }

    List<ReaderAgent> readers()
    {
        synchronized (readers)
        {
            return new ArrayList<>(readers.values());
        }
    }

    /**
     * Ask for a snapshot now (admin SNAPSHOT); it is written by the background snapshot stage.
     */
    void requestSnapshot()
    {
        snapshotAgent.requestSnapshot();
    }

    long lastSnapshotWireSeq()
    {
        return snapshotAgent.lastSnapshotWireSeq();
    }

    SnapshotAgent snapshotAgent()
    {
        return snapshotAgent;
    }

    Journal journal()
    {
        return journal;
    }

    /**
     * @return the latency trace, or null when {@code trace=off}.
     */
    StageStats stageStats()
    {
        return stageStats;
    }

    List<ReplicationSenderAgent> senders()
    {
        return senders;
    }

    PrimaryFence fence()
    {
        return fence;
    }

    List<DutyCycleCounter> stages()
    {
        return stages;
    }

    RecoveryResult recovery()
    {
        return recovery;
    }

    long uptimeNs()
    {
        return System.nanoTime() - startedNs;
    }

    /**
     * Stop taking connections and new orders, let what is already in the rings reach the journal and its replies
     * reach their clients (bounded by {@code timeoutMs}), then stop every stage and close the journal.
     *
     * @param timeoutMs how long to wait for in-flight work to drain.
     * @return true if everything in flight drained before the stages were stopped.
     */
    public boolean shutdown(final long timeoutMs)
    {
        LOG.info("primary shutting down lastWireSeq={}", sequencer.lastWireSeq());
        acceptor.stopAccepting();
        shardManager.beginShutdown();
        final List<ReaderAgent> readers = readers();
        readers.forEach(ReaderAgent::stopReading);
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        boolean drained = false;
        long lastReplies = -1;
        while (System.nanoTime() < deadlineNs)
        {
            final boolean idle = readers.stream().allMatch(ReaderAgent::hasStoppedReading) &&
                shardManager.ingestRings().isEmpty() &&
                journalPersistedWireSeq.getAcquire() >= sequencer.lastWireSeq() &&
                outputRing.size() == 0 &&
                responseCounters.pendingSlots() == 0;
            final long replies = responseCounters.bytesWritten();
            if (idle && replies == lastReplies)
            {
                drained = true;
                break;
            }
            lastReplies = replies;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        tradingGate.shuttingDown();
        if (drained)
        {
            LOG.info("primary drained: every request taken was journaled and answered lastWireSeq={}",
                sequencer.lastWireSeq());
        }
        else
        {
            LOG.warn("primary shutdown timed out after {} ms: ingestRingsEmpty={} unsyncedEntries={} " +
                "outputRingBytes={} heldReplies={}; those requests were not answered", timeoutMs,
                shardManager.ingestRings().isEmpty(), sequencer.lastWireSeq() - journalPersistedWireSeq.getAcquire(),
                outputRing.size(), responseCounters.pendingSlots());
        }
        close();
        LOG.info("primary stopped drained={} lastWireSeq={} journalPersistedWireSeq={}", drained,
            sequencer.lastWireSeq(), journalPersistedWireSeq.getAcquire());
        return drained;
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(adminServer);
        CloseHelper.quietClose(healthServer);
        for (int i = runners.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(runners.get(i));
        }
        CloseHelper.quietClose(transport);
        CloseHelper.quietClose(journal);
    }
}
