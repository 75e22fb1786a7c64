package io.sluice.node.wiring;

import io.sluice.durability.DurabilityMode;
import io.sluice.durability.Policy;
import io.sluice.journal.DiskSpaceGuard;
import io.sluice.journal.FreeSpaceProbe;
import io.sluice.journal.Journal;
import io.sluice.journal.JournalAgent;
import io.sluice.journal.JournalSyncPolicy;
import io.sluice.journal.SnapshotPolicy;
import io.sluice.matching.MatchingContext;
import io.sluice.matching.SelfTradePrevention;
import io.sluice.node.config.Endpoints;
import io.sluice.node.config.InstrumentConfig;
import io.sluice.node.config.NodeConfig;
import io.sluice.node.config.ReplicaSlotConfig;
import io.sluice.pipeline.net.Authenticator;
import io.sluice.pipeline.net.ConnectionRegistry;
import io.sluice.pipeline.net.ReaderContext;
import io.sluice.pipeline.sequencer.SequencerContext;
import io.sluice.pipeline.shard.ScalingPolicy;
import io.sluice.pipeline.shard.ShardManager;
import io.sluice.pipeline.snapshot.SnapshotContext;
import io.sluice.replication.ReplicaAgentContext;
import io.sluice.replication.ReplicationProtocol;
import io.sluice.replication.ReplicationSenderContext;
import io.sluice.replication.ReplicationTransport;
import io.sluice.response.ResponseContext;
import io.aeron.driver.ThreadingMode;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The one place a {@link NodeConfig} becomes the options of each stage: every key a stage reads is mapped here onto
 * that stage's context, for primaries and replicas alike. The contexts come back with their configured options set;
 * the node that wires the stages adds the live parts (rings, cursors, the transport) and each stage concludes its
 * own context.
 */
public final class StageContexts
{
    private static final Logger LOG = LoggerFactory.getLogger(StageContexts.class);

    private final NodeConfig config;

    public StageContexts(final NodeConfig config)
    {
        this.config = config;
    }

    public NodeConfig config()
    {
        return config;
    }

    /**
     * @return the options of the node's journal, with the configured fault injection (tests only) wrapped around
     * Chronicle's sync.
     */
    public Journal.Context journal()
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
     * Say once, at start-up, which of the journal's safety settings are off or faked.
     */
    public void warnAboutJournalSettings()
    {
        if (JournalSyncPolicy.parse(config.get(NodeConfig.JOURNAL_SYNC)) == JournalSyncPolicy.NONE)
        {
            LOG.warn("journal sync disabled journal.sync=none: acknowledged orders can be lost on power failure; " +
                "benchmarks only");
        }
        if (config.get(NodeConfig.JOURNAL_MIN_FREE_BYTES) == 0)
        {
            LOG.warn("journal free-space check off journal.min.free.bytes=0: a full disk can lose acknowledged " +
                "orders");
        }
        final long delayMs = config.get(NodeConfig.FAULT_JOURNAL_SYNC_DELAY_MS);
        final long failAfter = config.get(NodeConfig.FAULT_JOURNAL_SYNC_FAIL_AFTER);
        if (delayMs > 0 || failAfter > 0)
        {
            LOG.warn("journal fault injection on: sync delay {} ms, syncs fail after {} (0 never); tests only",
                delayMs, failAfter);
        }
        final long simulatedFreeBytes = config.get(NodeConfig.FAULT_JOURNAL_DISK_FREE_BYTES);
        if (simulatedFreeBytes > 0)
        {
            LOG.warn("journal fault injection on: disk starts with {} bytes free and fills as the journal grows; " +
                "tests only", simulatedFreeBytes);
        }
    }

    /**
     * @param journal the node's open journal.
     * @return its free-space guard: {@code journal.min.free.bytes} on the journal's filesystem, or on a simulated
     * filling disk when {@code fault.journal.disk.free.bytes} is set (tests only).
     */
    public DiskSpaceGuard diskSpaceGuard(final Journal journal)
    {
        final long minFreeBytes = config.get(NodeConfig.JOURNAL_MIN_FREE_BYTES);
        final long simulatedFreeBytes = config.get(NodeConfig.FAULT_JOURNAL_DISK_FREE_BYTES);
        if (simulatedFreeBytes > 0)
        {
            return new DiskSpaceGuard(FreeSpaceProbe.shrinking(simulatedFreeBytes), minFreeBytes);
        }
        return DiskSpaceGuard.of(journal.queueDirectory(), minFreeBytes);
    }

    /**
     * @return the matching engine options and start-up instruments; the same on every node of a cluster, which the
     * replication handshake checks through the config digest.
     */
    public MatchingContext engine()
    {
        final MatchingContext context = new MatchingContext()
            .maxOrderNotional(config.get(NodeConfig.RISK_MAX_ORDER_NOTIONAL))
            .maxOpenOrdersPerAccount(config.get(NodeConfig.RISK_MAX_OPEN_ORDERS))
            .defaultSelfTradePrevention(selfTradePrevention(config.get(NodeConfig.STP_DEFAULT)))
            .orderPoolCapacity(config.get(NodeConfig.ORDER_POOL_CAPACITY))
            .terminalOrderCapacity(config.get(NodeConfig.TERMINAL_ORDERS));
        for (final InstrumentConfig instrument : config.instruments())
        {
            context.instrument(instrument.instrumentId(), instrument.symbol(), instrument.tickSize(),
                instrument.lotSize(), instrument.minQuantity(), instrument.maxQuantity(), instrument.referencePrice(),
                instrument.priceBandBps());
        }
        return context.conclude();
    }

    /**
     * @return the sequencer's batch size and engine; the node adds the rings, the output and the trading gate.
     */
    public SequencerContext sequencer()
    {
        return new SequencerContext()
            .batchPerRing(config.get(NodeConfig.SEQUENCER_BATCH_PER_RING))
            .cancelOnDisconnectDefault(config.get(NodeConfig.CLIENT_CANCEL_ON_DISCONNECT))
            .cancelOnDisconnectGraceNs(
                TimeUnit.MILLISECONDS.toNanos(config.get(NodeConfig.CLIENT_CANCEL_ON_DISCONNECT_GRACE_MS)))
            .engineContext(engine());
    }

    /**
     * @param authenticator checks each logon.
     * @param registry      the node's connections.
     * @return what every reader shard is built from.
     */
    public ReaderContext reader(final Authenticator authenticator, final ConnectionRegistry registry)
    {
        return new ReaderContext()
            .frameMaxBytes(config.get(NodeConfig.FRAME_MAX_BYTES))
            .logonTimeoutNs(TimeUnit.MILLISECONDS.toNanos(config.get(NodeConfig.CLIENT_LOGON_TIMEOUT_MS)))
            .idleTimeoutNs(TimeUnit.MILLISECONDS.toNanos(config.get(NodeConfig.CLIENT_IDLE_TIMEOUT_MS)))
            .throttleRatePerSecond(config.get(NodeConfig.CLIENT_THROTTLE_MESSAGES_PER_SECOND))
            .throttleBurst(config.get(NodeConfig.CLIENT_THROTTLE_BURST))
            .throttleCloseAfterNs(TimeUnit.MILLISECONDS.toNanos(config.get(NodeConfig.CLIENT_THROTTLE_CLOSE_AFTER_MS)))
            .authenticator(authenticator)
            .registry(registry);
    }

    /**
     * @return socket receive buffer for accepted connections, as large as a reader's per-connection buffer.
     */
    public int receiveBufferBytes()
    {
        return reader(Authenticator.NONE, new ConnectionRegistry()).conclude().receiveBufferBytes();
    }

    /**
     * @return the shard manager's options: static {@code reader.shards}, or dynamic between {@code shards.min} and
     * {@code shards.max}; the reader shards set its listener.
     */
    public ShardManager.Context shards()
    {
        final boolean dynamic = dynamicShards();
        final ShardManager.Context context = new ShardManager.Context()
            .initialShards(dynamic ? config.get(NodeConfig.SHARDS_MIN) : config.get(NodeConfig.READER_SHARDS))
            .dynamicScaling(dynamic)
            .ringCapacityBytes(config.get(NodeConfig.INGEST_RING_BYTES))
            .busyNoticeReserve(Math.min(64, config.get(NodeConfig.INGEST_RING_BYTES) / 256));
        if (dynamic)
        {
            context.scalingPolicy(new ScalingPolicy()
                .minShards(config.get(NodeConfig.SHARDS_MIN))
                .maxShards(config.get(NodeConfig.SHARDS_MAX)));
        }
        return context;
    }

    public boolean dynamicShards()
    {
        return "dynamic".equals(config.get(NodeConfig.SHARDS_MODE));
    }

    /**
     * @return the response stage's heartbeat and slow-consumer limits; the node adds the rings, cursors and policy.
     */
    public ResponseContext response()
    {
        return new ResponseContext()
            .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(config.get(NodeConfig.CLIENT_HEARTBEAT_INTERVAL_MS)))
            .maxSendBufferBytes(config.get(NodeConfig.CLIENT_MAX_UNSENT_BYTES))
            .sendStallTimeoutNs(TimeUnit.MILLISECONDS.toNanos(config.get(NodeConfig.CLIENT_SEND_STALL_TIMEOUT_MS)));
    }

    /**
     * @return the kernel send buffer of each accepted client socket, 0 for the system's.
     */
    public int socketSendBufferBytes()
    {
        return config.get(NodeConfig.CLIENT_SOCKET_SEND_BUFFER_BYTES);
    }

    /**
     * @param journal                 the node's recovered journal.
     * @param journalPersistedWireSeq its persisted cursor.
     * @return the snapshot stage's interval and retention over that journal.
     */
    public SnapshotContext snapshot(final Journal journal, final LongSupplier journalPersistedWireSeq)
    {
        return new SnapshotContext()
            .journal(journal)
            .policy(new SnapshotPolicy(config.get(NodeConfig.SNAPSHOT_INTERVAL_ENTRIES),
                TimeUnit.SECONDS.toNanos(config.get(NodeConfig.SNAPSHOT_INTERVAL_SECONDS))))
            .journalPersistedWireSeq(journalPersistedWireSeq)
            .engineContext(engine())
            .retention("after-snapshot".equals(config.get(NodeConfig.JOURNAL_RETENTION)));
    }

    /**
     * The node's Aeron transport: an embedded media driver in {@code aeron.dir} (inside the data area, so a killed
     * node leaves nothing in /dev/shm and the next start cleans it up), or an external one. When stages sleep until
     * woken, the embedded driver has no thread: it runs on the replication thread, which sleeps on its sockets.
     */
    public ReplicationTransport.Context transport()
    {
        return new ReplicationTransport.Context()
            .aeronDirectoryName(config.path(NodeConfig.AERON_DIR).toString())
            .embeddedDriver(Boolean.TRUE.equals(config.get(NodeConfig.AERON_EMBEDDED)))
            .threadingMode(AgentThreads.BLOCK.equals(config.get(NodeConfig.IDLE_STRATEGY)) ?
                ThreadingMode.INVOKER : ThreadingMode.SHARED);
    }

    /**
     * @param slot a replica slot of this primary.
     * @return the sender's endpoints, streams and timing for that slot; the node adds the transport, journal,
     * cursors, policy, keys and fence.
     */
    public ReplicationSenderContext sender(final ReplicaSlotConfig slot)
    {
        return new ReplicationSenderContext()
            .slot(slot.slot())
            .nodeId(config.get(NodeConfig.NODE_ID))
            .dataEndpoint(Endpoints.hostPort(slot.data()))
            .controlEndpoint(Endpoints.hostPort(slot.control()))
            .dataStreamId(ReplicationProtocol.DATA_STREAM_ID)
            .controlStreamId(ReplicationProtocol.CONTROL_STREAM_ID)
            .heartbeatIntervalNs(heartbeatIntervalNs())
            .heartbeatTimeoutNs(heartbeatTimeoutNs())
            .maxLagEntries(config.get(NodeConfig.REPLICATION_MAX_LAG_ENTRIES));
    }

    /**
     * @return a replica's endpoints, streams and timing; the node adds the transport, journal, rings, state machine
     * and keys.
     */
    public ReplicaAgentContext replica()
    {
        return new ReplicaAgentContext()
            .nodeId(config.get(NodeConfig.NODE_ID))
            .dataEndpoint(Endpoints.hostPort(config.get(NodeConfig.REPLICATION_DATA_BIND)))
            .primaryControlEndpoint(Endpoints.hostPorts(config.get(NodeConfig.REPLICATION_PRIMARY_CONTROL)))
            .dataStreamId(ReplicationProtocol.DATA_STREAM_ID)
            .controlStreamId(ReplicationProtocol.CONTROL_STREAM_ID)
            .heartbeatIntervalNs(heartbeatIntervalNs())
            .heartbeatTimeoutNs(heartbeatTimeoutNs());
    }

    /**
     * @return the configured {@code durability}, or {@code hybrid} with replicas and {@code local} without.
     */
    public Policy initialPolicy()
    {
        final String durability = config.get(NodeConfig.DURABILITY);
        if (durability != null)
        {
            return Policy.resolve(durability);
        }
        return config.replicaCount() > 0 ? DurabilityMode.HYBRID.policy() : DurabilityMode.LOCAL.policy();
    }

    private long heartbeatIntervalNs()
    {
        return TimeUnit.MILLISECONDS.toNanos(config.get(NodeConfig.REPLICATION_HEARTBEAT_INTERVAL_MS));
    }

    private long heartbeatTimeoutNs()
    {
        return TimeUnit.MILLISECONDS.toNanos(config.get(NodeConfig.REPLICATION_HEARTBEAT_TIMEOUT_MS));
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

    private static SelfTradePrevention selfTradePrevention(final String name)
    {
        return switch (name)
        {
            case "cancel-oldest" -> SelfTradePrevention.CANCEL_OLDEST;
            case "cancel-both" -> SelfTradePrevention.CANCEL_BOTH;
            default -> SelfTradePrevention.CANCEL_NEWEST;
        };
    }
}
