package io.sluice.node.primary;

import io.sluice.concurrent.Waker;
import io.sluice.durability.DurabilityControl;
import io.sluice.durability.DurabilityEvaluator;
import io.sluice.durability.Policy;
import io.sluice.durability.ReplicationMetrics;
import io.sluice.journal.Journal;
import io.sluice.journal.JournalAgent;
import io.sluice.journal.RecoveryResult;
import io.sluice.journal.SnapshotInstall;
import io.sluice.journal.SnapshotStore;
import io.sluice.node.DataDirLock;
import io.sluice.node.admin.AdminServer;
import io.sluice.node.audit.AuditLog;
import io.sluice.node.audit.AuditedSessions;
import io.sluice.node.auth.AuthorizedKeys;
import io.sluice.node.auth.KeyAuthenticator;
import io.sluice.node.auth.KeyFiles;
import io.sluice.node.auth.OperatorKeys;
import io.sluice.node.auth.ReplicationKeys;
import io.sluice.node.config.NodeConfig;
import io.sluice.node.config.ReplicaSlotConfig;
import io.sluice.node.wiring.AgentThreads;
import io.sluice.node.wiring.NetworkAgents;
import io.sluice.node.wiring.StageContexts;
import io.sluice.pipeline.DutyCycleCounter;
import io.sluice.pipeline.net.AcceptorAgent;
import io.sluice.pipeline.net.Authenticator;
import io.sluice.pipeline.net.ConnectionRegistry;
import io.sluice.pipeline.net.ReaderAgent;
import io.sluice.pipeline.net.ReaderShards;
import io.sluice.pipeline.sequencer.ExchangeStateMachine;
import io.sluice.pipeline.sequencer.KillSwitchCommand;
import io.sluice.pipeline.sequencer.OrderEntryGate;
import io.sluice.pipeline.sequencer.SequencerAgent;
import io.sluice.pipeline.shard.ShardManager;
import io.sluice.pipeline.shard.ShardScalingAgent;
import io.sluice.pipeline.snapshot.SnapshotAgent;
import io.sluice.replication.PrimaryFence;
import io.sluice.replication.ReplicationSenderAgent;
import io.sluice.replication.ReplicationTransport;
import io.sluice.response.OutputRingPublisher;
import io.sluice.response.ResponseAgent;
import io.sluice.response.ResponseCounters;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.AtomicLongPosition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * A primary node, wired in the order data flows:
 * <pre>
 *   acceptor ─▶ reader shards ─▶ ingest rings ─▶ sequencer + matching ─┬─▶ journal ring ─▶ journal agent (fsync)
 *                                                                     │        └─▶ replication senders ─Aeron─▶ replicas
 *                                                                     └─▶ output ring ─▶ response agent ─▶ clients
 * </pre>
 * Start-up recovers the matching state from the journal before any client can connect. The options of each stage
 * come from {@link StageContexts}; which stages share a thread from {@link AgentThreads}.
 */
public final class PrimaryNode implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(PrimaryNode.class);
    private static final String SEQUENCER = "sequencer";
    private static final String JOURNAL = "journal";
    private static final String RESPONSE = "response";
    private static final String REPLICATION = "replication";
    private static final String SNAPSHOT = "snapshot";
    /** How long an operator's kill switch command waits for the sequencer to journal and apply it. */
    private static final long KILL_SWITCH_TIMEOUT_MS = 5_000;

    private final NodeConfig config;
    private final AgentThreads threads;
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final AtomicLongPosition journalPersistedWireSeq = new AtomicLongPosition();
    private final ResponseCounters responseCounters = new ResponseCounters();
    private final PrimaryFence fence;
    private final Journal journal;
    private final DurabilityControl durabilityControl;
    private final ReplicationMetrics replicationMetrics;
    private final OrderEntryGate orderEntryGate;
    private final NetworkAgents network;
    /** Null unless stages sleep until woken: the selector the network thread sleeps on, closed with the node. */
    private final Selector networkSelector;
    private final ReaderShards readerShards;
    private final AcceptorAgent acceptor;
    private final SequencerAgent sequencer;
    /** Wakes the thread the sequencer runs on, for an operator's command; does nothing where that thread polls. */
    private final Waker sequencerWaker;
    private final RecoveryResult recovery;
    private final JournalAgent journalAgent;
    private final SnapshotAgent snapshotAgent;
    /** Null when no replicas are configured. */
    private final ReplicationTransport transport;
    private final List<ReplicationSenderAgent> senders = new ArrayList<>();
    private final OneToOneRingBuffer outputRing;
    private final ResponseAgent responseAgent;
    private final AdminServer adminServer;
    private final HealthServer healthServer;
    /** Null unless {@code trace=on}. */
    private final StageStats stageStats;
    private final long startedNs = System.nanoTime();
    /** This node's claim on its data directory, taken before the journal is opened; released by {@link #close}. */
    private final DataDirLock dataDirLock;
    /** data.dir/audit.log: operators' commands, client sessions, fences, promotions; kept from a promoted replica. */
    private final AuditLog audit;

    /**
     * What a promoted replica hands over to the primary it becomes.
     *
     * @param adminServer the replica's admin listener, kept (same port, same operator sessions) and switched to
     *                    the primary's commands.
     * @param policy      the durability policy the replica last heard from the old primary, so the operator's
     *                    choice survives the failover; null to take the configured one.
     * @param dataDirLock the replica's claim on the data directory, which the primary holds from now on.
     * @param audit       the replica's audit log, which the primary writes from now on.
     */
    public record Promotion(AdminServer adminServer, Policy policy, DataDirLock dataDirLock, AuditLog audit)
    {
    }

    private PrimaryNode(final NodeConfig config, final Promotion promotion, final DataDirLock dataDirLock)
        throws IOException
    {
        this.config = config;
        this.dataDirLock = dataDirLock;
        this.audit = promotion != null ? promotion.audit() : AuditLog.open(config);
        this.fence = new PrimaryFence((epoch, why) -> audit.record("fenced", "epoch", epoch, "reason", why));
        final StageContexts stages = new StageContexts(config);
        threads = AgentThreads.of(config, PrimaryNode::onStageError);
        network = new NetworkAgents(threads);
        Files.createDirectories(config.dataDir());
        final AuthorizedKeys keys = config.authEnabled() ?
            AuthorizedKeys.load(config.path(NodeConfig.AUTH_KEYS_FILE)) : null;
        stageStats = Boolean.TRUE.equals(config.get(NodeConfig.TRACE)) ? new StageStats() : null;

        // journal: opened (a replica's snapshot install cut short by a crash is finished first); recovered below
        stages.warnAboutJournalSettings();
        SnapshotInstall.completeInterrupted(stages.journal().directory());
        journal = Journal.open(stages.journal());
        final OneToOneRingBuffer journalRing = newRing(config.get(NodeConfig.JOURNAL_RING_BYTES));
        outputRing = newRing(config.get(NodeConfig.OUTPUT_RING_BYTES));

        // durability: the policy in force, the replicas' cursors, and the gate that halts order entry
        durabilityControl = new DurabilityControl(promotion != null && promotion.policy() != null ?
            promotion.policy() : stages.initialPolicy());
        replicationMetrics = new ReplicationMetrics(config.replicaCount());
        orderEntryGate = new OrderEntryGate(evaluator(), evaluator(), fence::isFenced);

        // hand-offs: with idle.strategy=block the network thread (acceptor, readers, sequencer, response stage)
        // sleeps in a select on every client socket, woken by the kernel and by the journal and replication threads;
        // the journal thread sleeps until the sequencer wakes it
        networkSelector = threads.blocking() ? Selector.open() : null;
        final Waker networkWaker = networkSelector == null ? Waker.NONE :
            threads.selectorWaker(NetworkAgents.NETWORK_THREAD, networkSelector);
        final Waker journalWaker = threads.waker(JOURNAL);
        replicationMetrics.wakeOnCursorMove(networkWaker);

        // ingest: reader shards ─▶ ingest rings (the acceptor in front of them opens last, after recovery)
        readerShards = new ReaderShards(
            stages.reader(keys == null ? Authenticator.NONE : new KeyAuthenticator(keys), registry)
                .sessionListener(new AuditedSessions(audit))
                .ingestWaker(networkWaker)
                .idleSelector(networkSelector),
            stages.shards(), network);

        // sequencer + matching: one thread changes exchange state; the book is recovered from the journal
        sequencerWaker = networkWaker;
        sequencer = new SequencerAgent(stages.sequencer()
            .ingestRings(readerShards.shardManager().ingestRings())
            .journalRing(journalRing)
            .output(new OutputRingPublisher(outputRing))
            .tradingGate(orderEntryGate)
            .journalWaker(journalWaker)
            .outputWaker(networkWaker));
        recovery = journal.recover(new SnapshotStore(journal.snapshotDirectory()),
            new ExchangeStateMachine(sequencer.applier()));
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

        // journal agent: appends each sequenced command, fsync per group, then advances the persisted cursor
        journalAgent = new JournalAgent(journal, journalRing, journalPersistedWireSeq, stages.diskSpaceGuard(journal));
        journalPersistedWireSeq.setRelease(recovery.lastWireSeq());
        orderEntryGate.watch(journalAgent);

        // snapshots: a shadow engine behind the fsynced journal; retention keeps what replicas still read
        snapshotAgent = new SnapshotAgent(stages.snapshot(journal, journalPersistedWireSeq::getAcquire)
            .oldestWireSeqNeededByReplicas(this::oldestWireSeqNeededByReplicas));

        // replication: a sender per replica slot streams the journal over Aeron and records the replica's cursors;
        // with auth=on the link is authenticated both ways, this node signing with its replication key
        transport = config.replicaCount() == 0 ? null : ReplicationTransport.launch(stages.transport());
        journalAgent.wakers(replicationWaker(), networkWaker);
        final KeyPair replicationKey = keys == null || config.replicaCount() == 0 ? null :
            KeyFiles.read(config.path(NodeConfig.REPLICATION_KEY_FILE));
        for (final ReplicaSlotConfig slot : config.replicas())
        {
            senders.add(new ReplicationSenderAgent(stages.sender(slot)
                .transport(transport)
                .journal(journal)
                .replicationMetrics(replicationMetrics)
                .durabilityControl(durabilityControl)
                .epoch(sequencer::epoch)
                .configDigest(sequencer.engine().configDigest())
                .fence(fence)
                .replicationKeys(keys == null ? null : ReplicationKeys.check(keys))
                .keyPair(replicationKey)
                .lastWireSeq(journalAgent::appendedWireSeq)
                .newestSnapshot(snapshotAgent::newestSnapshot)));
        }

        // response: holds each reply until the policy covers it, then writes it to its client
        responseAgent = new ResponseAgent(stages.response()
            .idleSelector(networkSelector)
            .outputRing(outputRing)
            .connections(registry)
            .durabilityControl(durabilityControl)
            .journalPersistedWireSeq(journalPersistedWireSeq::getAcquire)
            .replicationMetrics(replicationMetrics)
            .counters(responseCounters)
            .trace(stageStats == null ? null : stageStats.responseTrace()));
        if (stageStats != null)
        {
            sequencer.trace(stageStats.ingestWait(), stageStats.matchExecute());
            journalAgent.traceSyncs(stageStats.journalSync());
        }

        // network edge: clients can connect only now, to a recovered node
        readerShards.start();
        acceptor = new AcceptorAgent(config.get(NodeConfig.CLIENT_BIND), readerShards, registry,
            SystemNanoClock.INSTANCE, stages.receiveBufferBytes(), stages.socketSendBufferBytes());
        startThreads(stages.dynamicShards());

        // listeners: admin (kept from the replica when promoted) and health/metrics
        if (promotion != null && promotion.adminServer() != null)
        {
            adminServer = promotion.adminServer();
            adminServer.handler(new PrimaryAdminCommands(this));
        }
        else
        {
            adminServer = new AdminServer(config.get(NodeConfig.ADMIN_BIND), new PrimaryAdminCommands(this),
                keys == null ? null : OperatorKeys.check(keys), audit);
        }
        healthServer = new HealthServer(config.get(NodeConfig.HTTP_BIND), this);
        audit.record(promotion != null ? "promoted" : "node_started", "role", "primary", "epoch", sequencer.epoch(),
            "wire_seq", sequencer.lastWireSeq(), "policy", durabilityControl.policy().description());
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
     * @throws DataDirLock.InUseException if another node holds the data directory.
     */
    public static PrimaryNode start(final NodeConfig config) throws IOException
    {
        final DataDirLock lock = DataDirLock.acquire(config.dataDir());
        try
        {
            return new PrimaryNode(config, null, lock);
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            lock.close();
            throw ex;
        }
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
        return new PrimaryNode(config, promotion, promotion.dataDirLock());
    }

    /**
     * Threads, in data-flow order: the network (acceptor, readers, shard scaling, and the response stage unless
     * threads are dedicated), the sequencer, the journal, snapshots in the background, and replication (one thread
     * for every sender, or one each when dedicated).
     */
    private void startThreads(final boolean dynamicShards)
    {
        final List<Agent> edge = new ArrayList<>();
        edge.add(acceptor);
        if (dynamicShards)
        {
            edge.add(new ShardScalingAgent(readerShards.shardManager()));
        }
        if (threads.blocking())
        {
            // Three threads that ever run, each asleep until woken: the network thread (a request goes from its
            // socket through the sequencer to the output ring in one duty cycle, and its reply out once the gate
            // opens), the journal (which spends its time blocked in the kernel's sync), and replication.
            try
            {
                acceptor.wakeOn(networkSelector);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot register the listening socket with the network thread", ex);
            }
            network.start(edge, List.of(sequencer, responseAgent));
            threads.start(JOURNAL, journalAgent);
            startReplication();
        }
        else
        {
            if (!threads.dedicated())
            {
                edge.add(responseAgent);
            }
            network.start(edge, List.of());
            threads.start(SEQUENCER, sequencer);
            threads.start(JOURNAL, journalAgent);
            if (threads.dedicated())
            {
                threads.start(RESPONSE, responseAgent);
                for (final ReplicationSenderAgent sender : senders)
                {
                    threads.start(REPLICATION + "-" + sender.slot(), sender);
                }
            }
            else if (!senders.isEmpty())
            {
                threads.start(REPLICATION, senders);
            }
        }
        threads.startBackground(SNAPSHOT, snapshotAgent);
    }

    /**
     * The waker of the replication thread, which the journal agent wakes after each append; asked before the
     * thread starts. With the driver invoked on that thread, it sleeps in a select on the driver's sockets, so both
     * a new journal entry and an ack from a replica wake it.
     */
    private Waker replicationWaker()
    {
        if (transport == null || !threads.blocking())
        {
            return Waker.NONE;
        }
        final Selector selector = transport.receiveSelector();
        return selector == null ? Waker.NONE : threads.selectorWaker(REPLICATION, selector);
    }

    private void startReplication()
    {
        if (senders.isEmpty())
        {
            return;
        }
        final List<Agent> agents = new ArrayList<>();
        if (transport.invokerAgent() != null)
        {
            agents.add(transport.invokerAgent());
        }
        agents.addAll(senders);
        if (threads.hasWaker(REPLICATION))
        {
            threads.start(REPLICATION, agents);
        }
        else
        {
            threads.startPolling(REPLICATION, agents);
        }
    }

    private DurabilityEvaluator evaluator()
    {
        return new DurabilityEvaluator(durabilityControl, journalPersistedWireSeq::getAcquire, replicationMetrics);
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

    private static OneToOneRingBuffer newRing(final int capacityBytes)
    {
        return new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(capacityBytes + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    private static void onStageError(final Throwable error)
    {
        LOG.error("stage failed reason=\"{}\"", error.toString(), error);
    }

    /**
     * Have the sequencer journal and apply an operator's kill switch change, and wait for what it did. Runs on an
     * admin connection's thread.
     *
     * @return the reply line: what changed and how many orders were cancelled, or ERR and why not.
     */
    String killSwitch(final KillSwitchCommand command)
    {
        if (!sequencer.submit(command))
        {
            return "ERR too many kill switch commands waiting for the sequencer; try again";
        }
        sequencerWaker.wake();
        try
        {
            return command.reply().get(KILL_SWITCH_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException ex)
        {
            return "ERR no answer from the sequencer within " + KILL_SWITCH_TIMEOUT_MS + " ms; the command is " +
                "queued and may still apply: check STATUS";
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "ERR interrupted waiting for the sequencer; the command may still apply: check STATUS";
        }
        catch (final ExecutionException ex)
        {
            return "ERR " + ex.getCause();
        }
    }

    /**
     * @return why the node does not accept orders now, or null; any thread (never the sequencer's gate evaluator).
     */
    String haltReason()
    {
        final String sequencerFailure = sequencer.failureReason();
        final String reason = sequencerFailure != null ? sequencerFailure : orderEntryGate.statusHaltReason();
        // Operators see why the journal stopped (a full disk, a failed sync); clients get the short reason.
        return reason == OrderEntryGate.JOURNAL_FAILED ? reason + ": " + journalAgent.failureReason() : reason;
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

    OrderEntryGate orderEntryGate()
    {
        return orderEntryGate;
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
        return orderEntryGate.policyDegraded();
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
        return readerShards.shardManager();
    }

    List<ReaderAgent> readers()
    {
        return readerShards.readers();
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
        return threads.stages();
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
        readerShards.shardManager().beginShutdown();
        final List<ReaderAgent> readers = readers();
        readers.forEach(ReaderAgent::stopReading);
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        boolean drained = false;
        long lastReplies = -1;
        while (System.nanoTime() < deadlineNs)
        {
            final boolean idle = readers.stream().allMatch(ReaderAgent::hasStoppedReading) &&
                readerShards.shardManager().ingestRings().isEmpty() &&
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
        orderEntryGate.shuttingDown();
        if (drained)
        {
            LOG.info("primary drained: every request taken was journaled and answered lastWireSeq={}",
                sequencer.lastWireSeq());
        }
        else
        {
            LOG.warn("primary shutdown timed out after {} ms: ingestRingsEmpty={} unsyncedEntries={} " +
                "outputRingBytes={} heldReplies={}; those requests were not answered", timeoutMs,
                readerShards.shardManager().ingestRings().isEmpty(), sequencer.lastWireSeq() - journalPersistedWireSeq.getAcquire(),
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
        CloseHelper.quietClose(threads);
        CloseHelper.quietClose(networkSelector);
        CloseHelper.quietClose(transport);
        CloseHelper.quietClose(journal);
        audit.record("node_stopped", "role", "primary", "wire_seq", sequencer.lastWireSeq());
        CloseHelper.quietClose(audit);
        CloseHelper.quietClose(dataDirLock);
    }
}
