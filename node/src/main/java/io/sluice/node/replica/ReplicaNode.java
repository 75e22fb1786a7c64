package io.sluice.node.replica;

import io.sluice.concurrent.Waker;
import io.sluice.durability.DurabilityControl;
import io.sluice.journal.Journal;
import io.sluice.journal.JournalAgent;
import io.sluice.journal.RecoveryResult;
import io.sluice.journal.SnapshotInfo;
import io.sluice.journal.SnapshotInstall;
import io.sluice.journal.SnapshotStore;
import io.sluice.matching.MatchingEngine;
import io.sluice.matching.SilentListener;
import io.sluice.node.DataDirLock;
import io.sluice.node.admin.AdminServer;
import io.sluice.node.audit.AuditLog;
import io.sluice.node.auth.AuthorizedKeys;
import io.sluice.node.auth.KeyFiles;
import io.sluice.node.auth.OperatorKeys;
import io.sluice.node.auth.ReplicationKeys;
import io.sluice.node.config.Endpoints;
import io.sluice.node.config.NodeConfig;
import io.sluice.node.primary.PrimaryNode;
import io.sluice.node.wiring.AgentThreads;
import io.sluice.node.wiring.StageContexts;
import io.sluice.pipeline.sequencer.CommandApplier;
import io.sluice.pipeline.sequencer.ExchangeStateMachine;
import io.sluice.pipeline.snapshot.SnapshotAgent;
import io.sluice.replication.ReplicaAgent;
import io.sluice.replication.ReplicationTransport;
import io.sluice.sbe.replication.RejectCode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.AtomicLongPosition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A replica: follows a primary's journal over Aeron, appends each entry to its own journal (group fsync) and applies
 * it to its own matching engine, a hot standby, acknowledging in memory as soon as applied and persisted after its
 * fsync.
 * <pre>
 *   primary ─Aeron─▶ replica agent ─┬─▶ journal ring ─▶ journal agent (fsync) ─▶ persisted cursor ─▶ acks
 *                                   └─▶ matching engine (hot standby)
 * </pre>
 * Serves {@code GET /healthz} (role, lag, state hash) and admin STATUS on its own ports.
 * <p>
 * When the primary no longer holds this replica's position (its retention deleted it), or on {@code --resync}, the
 * primary sends its newest snapshot; {@link #installSnapshot} swaps the journal for one seeded from it (the old one
 * is renamed {@code journal.behind-<time>}, never deleted) and the replica follows from there.
 */
public final class ReplicaNode implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaNode.class);

    private static final long SHUTDOWN_DRAIN_TIMEOUT_MS = 10_000;
    private static final String JOURNAL_THREAD = "journal";
    private static final String SNAPSHOT_THREAD = "snapshot";
    private static final String REPLICA_THREAD = "replica";
    private static final long PROMOTE_SYNC_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final NodeConfig config;
    /**
     * The journal and its agent: replaced by {@link #installSnapshot} on the snapshot install thread, read by
     * promote and close after they have stopped the replica agent, which waits for an install in progress (so they
     * see the latest).
     */
    private volatile Journal journal;
    private volatile JournalAgent journalAgent;
    private final OneToOneRingBuffer journalRing;
    private final ExchangeStateMachine stateMachine;
    /** Where the last snapshot install set the previous journal aside; written by the snapshot install thread. */
    private volatile Path lastSetAside;
    /**
     * The replica's own periodic snapshots and journal retention, like the primary's (so a replica's journal does
     * not grow without bound either). Replaced by {@link #installSnapshot} (its reader follows the old journal);
     * stopped before the journal closes.
     */
    private volatile SnapshotAgent snapshotAgent;
    private final AtomicLongPosition journalPersistedWireSeq = new AtomicLongPosition();
    private final ReplicationTransport transport;
    /** Wakes the replica thread (asleep on the driver's sockets) when the journal persists; NONE when it polls. */
    private final Waker replicaWaker;
    private final ReplicaAgent replicaAgent;
    private final DurabilityControl durabilityControl = new DurabilityControl();
    private final StageContexts stages;
    private final AgentThreads threads;
    private final AdminServer adminServer;
    private final HttpServer httpServer;
    /** This node's claim on its data directory, taken before the journal is opened; handed over on PROMOTE. */
    private final DataDirLock dataDirLock;
    /** data.dir/audit.log: operators' commands and promotions; handed over on PROMOTE. */
    private final AuditLog audit;
    /** Set once by a successful PROMOTE (admin thread); from then on this process is that primary. */
    private volatile PrimaryNode promoted;
    private boolean closed;

    private ReplicaNode(final NodeConfig config, final boolean resync, final DataDirLock dataDirLock)
        throws IOException
    {
        this.config = config;
        this.dataDirLock = dataDirLock;
        this.audit = AuditLog.open(config);
        stages = new StageContexts(config);
        threads = AgentThreads.of(config, error -> LOG.error("stage failed reason=\"{}\"", error.toString(), error));
        final Path dataDir = config.dataDir();
        Files.createDirectories(dataDir);
        if (resync)
        {
            final Path setAside = setAsideJournal(dataDir);
            if (setAside != null)
            {
                LOG.warn("replica resync: journal set aside as {} (kept, never deleted); copying the primary's",
                    setAside);
            }
        }
        // journal: opened (a snapshot install cut short by a crash is finished first) and recovered
        stages.warnAboutJournalSettings();
        if (SnapshotInstall.completeInterrupted(stages.journal().directory()))
        {
            LOG.warn("replica finished a snapshot install interrupted by a crash: the seeded journal is in place");
        }
        journal = Journal.open(stages.journal());

        // hot standby: the replica's own matching engine, applying what it follows
        final MatchingEngine engine = new MatchingEngine(stages.engine(), SilentListener.INSTANCE);
        stateMachine = new ExchangeStateMachine(new CommandApplier(engine));
        final RecoveryResult recovery = journal.recover(new SnapshotStore(journal.snapshotDirectory()), stateMachine);
        LOG.info("replica recovered journal={} lastWireSeq={} stateHash={}", journal.directory(),
            recovery.lastWireSeq(), Long.toHexString(engine.stateHash()));

        // journal agent: appends what the replica agent hands it, fsync per group, then the persisted cursor
        journalRing = new OneToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(
            config.get(NodeConfig.JOURNAL_RING_BYTES) + RingBufferDescriptor.TRAILER_LENGTH)));
        journalAgent = new JournalAgent(journal, journalRing, journalPersistedWireSeq, stages.diskSpaceGuard(journal));
        journalPersistedWireSeq.setRelease(recovery.lastWireSeq());

        // replica agent: follows the primary over Aeron, checks and applies each entry, acknowledges both cursors;
        // with auth=on only a primary that signs with a listed replication key, and only what it seals
        final AuthorizedKeys keys = config.authEnabled() ?
            AuthorizedKeys.load(config.path(NodeConfig.AUTH_KEYS_FILE)) : null;
        transport = ReplicationTransport.launch(stages.transport());
        final Selector receiveSelector = threads.blocking() ? transport.receiveSelector() : null;
        replicaWaker = receiveSelector == null ? Waker.NONE :
            threads.selectorWaker(REPLICA_THREAD, receiveSelector);
        journalAgent.wakers(Waker.NONE, replicaWaker);
        replicaAgent = new ReplicaAgent(stages.replica()
            .transport(transport)
            .configDigest(engine.configDigest())
            .journal(journal)
            .journalRing(journalRing)
            .journalWaker(threads.waker(JOURNAL_THREAD))
            .journalPersistedWireSeq(journalPersistedWireSeq::getAcquire)
            .stateMachine(stateMachine)
            .snapshotInstaller(this::installSnapshot)
            .snapshotDirectory(dataDir)
            .resyncFromSnapshot(resync)
            .durabilityControl(durabilityControl)
            .keyPair(keys == null ? null : KeyFiles.read(config.path(NodeConfig.REPLICATION_KEY_FILE)))
            .primaryKeys(keys == null ? null : ReplicationKeys.check(keys))
            .epoch(Math.max(1, recovery.lastEpoch())));

        // threads: the journal, then snapshots, then the replica agent. Snapshots start before the replica agent: a
        // snapshot transfer can start at its first handshake, and the install stops the snapshot agent and closes
        // the journal, so both must be in place by then.
        threads.start(JOURNAL_THREAD, journalAgent);
        startSnapshots();
        startReplicaThread();
        adminServer = new AdminServer(config.get(NodeConfig.ADMIN_BIND), this::adminCommand,
            keys == null ? null : OperatorKeys.check(keys), audit);
        httpServer = HttpServer.create(config.get(NodeConfig.HTTP_BIND), 16);
        httpServer.setExecutor(Executors.newSingleThreadExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "sluice-http");
            thread.setDaemon(true);
            return thread;
        }));
        httpServer.createContext("/healthz", this::healthz);
        httpServer.start();
        audit.record("node_started", "role", "replica", "epoch", replicaAgent.epoch(), "wire_seq",
            replicaAgent.appliedWireSeq(), "resync", resync);
        LOG.info("replica started nodeId={} data={} primaryControl={} admin={} http={}",
            config.get(NodeConfig.NODE_ID), config.get(NodeConfig.REPLICATION_DATA_BIND),
            config.get(NodeConfig.REPLICATION_PRIMARY_CONTROL), adminServer.localAddress(), httpServer.getAddress());
    }

    private List<String> adminCommand(final String command, final String args)
    {
        switch (command)
        {
            case "STATUS":
                final List<String> status = new ArrayList<>(List.of(
                    "OK role=replica state=" + replicaAgent.state() + " epoch=" + replicaAgent.epoch(),
                    "primary_node=" + replicaAgent.primaryNodeId() + " primary_epoch=" + replicaAgent.primaryEpoch() +
                    " primary_wire_seq=" + replicaAgent.primaryLastWireSeq(),
                    "applied_wire_seq=" + replicaAgent.appliedWireSeq() + " persisted_wire_seq=" +
                    replicaAgent.persistedWireSeq() + " lag=" + replicaAgent.lagEntries(),
                    "policy=" + durabilityControl.policy().description(),
                    "snapshot" + snapshotStatus(),
                    "replication_link=" + (replicaAgent.authenticated() ? "authenticated" : "unauthenticated") +
                    " malformed_messages=" + replicaAgent.badMessages() + " unauthenticated_messages=" +
                    replicaAgent.unauthenticatedMessages()));
                status.addAll(refusal());
                return status;
            case "PROMOTE":
                return promote("FORCE".equalsIgnoreCase(args));
            case "HELP":
                return List.of(
                    "STATUS          role, follow state, epoch, cursors and lag",
                    "PROMOTE         become the primary: stop following, journal an epoch bump, serve clients",
                    "PROMOTE FORCE   promote even while a primary is still streaming to this replica",
                    "QUIT            close this connection");
            default:
                return List.of("ERR unknown command '" + command + "' on a replica; try HELP");
        }
    }

    /**
     * Becomes the primary, in this process, from the state this replica holds: stop following, let the journal
     * sync everything applied, write that state as a snapshot (so the primary starts without replaying the
     * journal), release the Aeron transport and HTTP port, and start a {@link PrimaryNode} on the same journal
     * and admin listener, which journals an epoch bump before taking any order.
     * <p>
     * Promote the replica with the highest applied wireSeq: an order acknowledged under a policy that needs one
     * replica may be held by only one of them.
     */
    private synchronized List<String> promote(final boolean force)
    {
        if (promoted != null)
        {
            return List.of("ERR already promoted: this node is the primary at epoch " + promoted.sequencer().epoch());
        }
        final ReplicaAgent.State state = replicaAgent.state();
        if (state == ReplicaAgent.State.FAILED)
        {
            return List.of("ERR this replica failed (" + replicaAgent.failureReason() + "); its state cannot be " +
                "promoted");
        }
        if (state == ReplicaAgent.State.FOLLOWING && !force)
        {
            return List.of("ERR still following primary node " + replicaAgent.primaryNodeId() + " at epoch " +
                replicaAgent.primaryEpoch() + ": stop or isolate it first (it is fenced once a replica of the new " +
                "primary reports the new epoch), or PROMOTE FORCE");
        }

        LOG.warn("promoting replica nodeId={} state={} appliedWireSeq={} epoch={}", config.get(NodeConfig.NODE_ID),
            state, replicaAgent.appliedWireSeq(), replicaAgent.epoch());
        threads.stop(REPLICA_THREAD);
        final long appliedWireSeq = replicaAgent.appliedWireSeq();
        final long epoch = replicaAgent.epoch();
        final long deadlineNs = System.nanoTime() + PROMOTE_SYNC_TIMEOUT_NS;
        while (journalPersistedWireSeq.getAcquire() < appliedWireSeq && !journalAgent.isFailed())
        {
            if (System.nanoTime() > deadlineNs)
            {
                return failPromotion("the journal did not sync wireSeq " + appliedWireSeq + " within " +
                    TimeUnit.NANOSECONDS.toSeconds(PROMOTE_SYNC_TIMEOUT_NS) + " s", null);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        if (journalAgent.isFailed())
        {
            return failPromotion("the journal failed: " + journalAgent.failureReason(), null);
        }
        threads.close();

        try
        {
            new SnapshotStore(journal.snapshotDirectory()).write(appliedWireSeq, epoch, stateMachine);
            httpServer.stop(0);
            CloseHelper.quietClose(transport);
            CloseHelper.quietClose(journal);
            promoted = PrimaryNode.promote(config,
                new PrimaryNode.Promotion(adminServer, durabilityControl.policy(), dataDirLock, audit));
        }
        catch (final IOException | RuntimeException ex)
        {
            return failPromotion("starting as primary failed: " + ex, ex);
        }
        final PrimaryNode primary = promoted;
        LOG.warn("promoted nodeId={} epoch={} wireSeq={} client={}", config.get(NodeConfig.NODE_ID),
            primary.sequencer().epoch(), primary.lastWireSeq(), primary.clientAddress());
        return List.of("OK promoted role=primary epoch=" + primary.sequencer().epoch() + " wire_seq=" +
            primary.lastWireSeq() + " client=" + Endpoints.hostPort(primary.clientAddress()) +
            " policy=" + primary.durabilityControl().policy().description());
    }

    /**
     * A promotion that stopped half way leaves a node that neither follows nor serves: say why and exit, so the
     * operator restarts it (as a replica, it resumes from its journal) or promotes another.
     */
    private List<String> failPromotion(final String reason, final Throwable cause)
    {
        LOG.error("promotion failed, exiting: {}", reason, cause);
        final Thread exit = new Thread(() -> System.exit(1), "sluice-promote-failed");
        exit.setDaemon(true);
        exit.start();
        return List.of("ERR promotion failed: " + reason + "; the node exits");
    }

    /** Snapshot transfer in progress (bytes received of total) and what was installed, for STATUS. */
    private String snapshotStatus()
    {
        final boolean receiving = replicaAgent.state() == ReplicaAgent.State.RECEIVING_SNAPSHOT;
        return (receiving ? " snapshot_transfer=" + replicaAgent.snapshotReceivedBytes() + "/" +
            replicaAgent.snapshotTotalBytes() : "") +
            " snapshots_installed=" + replicaAgent.snapshotsInstalled() +
            " last_snapshot_wire_seq=" + replicaAgent.lastInstalledSnapshotWireSeq() +
            " snapshot_transfer_failures=" + replicaAgent.snapshotTransferFailures() +
            " journal_first_wire_seq=" + journal.firstWireSeq() +
            " own_snapshot_wire_seq=" + snapshotAgent.lastSnapshotWireSeq() +
            " cycles_deleted=" + snapshotAgent.cyclesDeleted() +
            (lastSetAside == null ? "" : " set_aside=" + lastSetAside.getFileName());
    }

    /** Why the primary refused this replica, with what to do; empty while it is not refused. */
    private List<String> refusal()
    {
        if (replicaAgent.state() != ReplicaAgent.State.REJECTED)
        {
            return List.of();
        }
        final String refused = "refused=" + replicaAgent.rejectCode() + " reason=\"" + replicaAgent.rejectReason() +
            "\"";
        return divergedFromPrimary() ?
            List.of(refused, "action=\"restart with --resync (or --rejoin): this journal is set aside (renamed, " +
                "kept) and the replica starts from the primary's newest snapshot (or copies its journal if it has " +
                "none)\"") :
            List.of(refused);
    }

    /**
     * @return true once the primary has refused this replica because its journal holds entries the primary's does
     * not ({@code DIVERGED}, {@code AHEAD_OF_PRIMARY}): only a resync brings it back. Any thread.
     */
    public boolean divergedFromPrimary()
    {
        final RejectCode code = replicaAgent.rejectCode();
        return replicaAgent.state() == ReplicaAgent.State.REJECTED &&
            (code == RejectCode.DIVERGED || code == RejectCode.AHEAD_OF_PRIMARY);
    }

    /** The primary this node became, or null while it is a replica. */
    public PrimaryNode promoted()
    {
        return promoted;
    }

    /**
     * @param config a replica configuration ({@code replication.data.bind} and {@code replication.primary.control}).
     * @return the running replica.
     * @throws IOException if the journal cannot be opened or a listener cannot bind.
     * @throws DataDirLock.InUseException if another node holds the data directory.
     */
    public static ReplicaNode start(final NodeConfig config) throws IOException
    {
        return start(config, false);
    }

    private static ReplicaNode start(final NodeConfig config, final boolean resync) throws IOException
    {
        final DataDirLock lock = DataDirLock.acquire(config.dataDir());
        try
        {
            return new ReplicaNode(config, resync, lock);
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            lock.close();
            throw ex;
        }
    }

    /**
     * Starts a replica that first sets its journal aside (renamed, never deleted) and then starts from the
     * primary's newest snapshot and the journal after it (or, if the primary has no snapshot, copies its journal
     * from wireSeq 1): the way back for a replica refused as diverged or ahead of the primary.
     *
     * @param config a replica configuration.
     * @return the running replica.
     * @throws IOException if the journal cannot be moved or opened, or a listener cannot bind.
     */
    public static ReplicaNode startResync(final NodeConfig config) throws IOException
    {
        return start(config, true);
    }

    /**
     * Renames {@code dataDir/journal} (entries and snapshots) to {@code journal.diverged-<UTC time>}.
     *
     * @return where it went, or null if there was no journal.
     */
    static Path setAsideJournal(final Path dataDir) throws IOException
    {
        final Path journalDir = dataDir.resolve("journal");
        if (!Files.exists(journalDir))
        {
            return null;
        }
        final String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")
            .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now());
        return Files.move(journalDir, dataDir.resolve("journal.diverged-" + stamp));
    }

    /**
     * The {@link io.sluice.replication.SnapshotInstaller}: runs on the snapshot install thread while the replica
     * agent waits for it, having applied nothing since its handshake and with every applied entry synced, so the
     * journal ring is empty and stays so until the install ends. Stops the
     * journal agent, closes the journal, swaps it on disk ({@link SnapshotInstall#install}: crash-safe, the old
     * journal renamed aside), opens and recovers the new one into the same state machine (loading the snapshot,
     * replacing the whole state), and starts a new journal agent on the same ring and persisted cursor. A failure
     * after the journal was closed leaves the node unable to follow: the agent fails and the operator restarts it,
     * and start-up finds the old or the new journal complete on disk.
     */
    private void installSnapshot(final SnapshotInfo snapshot, final long entryCrc32c) throws IOException
    {
        threads.stop(SNAPSHOT_THREAD);
        threads.stop(JOURNAL_THREAD);
        if (journalAgent.isFailed())
        {
            throw new IOException("the journal agent failed before the install: " + journalAgent.failureReason());
        }
        journal.close();
        final Path setAside = SnapshotInstall.install(stages.journal(), snapshot, entryCrc32c);
        final Journal seeded = Journal.open(stages.journal());
        final RecoveryResult recovery = seeded.recover(new SnapshotStore(seeded.snapshotDirectory()), stateMachine);
        journal = seeded;
        journalAgent = new JournalAgent(seeded, journalRing, journalPersistedWireSeq, stages.diskSpaceGuard(seeded));
        journalAgent.wakers(Waker.NONE, replicaWaker);
        journalPersistedWireSeq.setRelease(recovery.lastWireSeq());
        threads.start(JOURNAL_THREAD, journalAgent);
        startSnapshots();
        lastSetAside = setAside;
        LOG.warn("replica installed snapshot wireSeq={} epoch={} journal first wireSeq={} previous journal kept as {}",
            snapshot.wireSeq(), snapshot.epoch(), seeded.firstWireSeq(), setAside);
    }

    /**
     * The replica agent's thread, with the embedded driver on it when invoked: it sleeps on the driver's sockets
     * if it can, and polls if the driver's selector is out of reach.
     */
    private void startReplicaThread()
    {
        final List<Agent> agents = new ArrayList<>();
        if (transport.invokerAgent() != null)
        {
            agents.add(transport.invokerAgent());
        }
        agents.add(replicaAgent);
        if (threads.blocking() && !threads.hasWaker(REPLICA_THREAD))
        {
            threads.startPolling(REPLICA_THREAD, agents);
        }
        else
        {
            threads.start(REPLICA_THREAD, agents);
        }
    }

    /** Snapshots of the replica's own journal, on a background thread as on the primary. */
    private void startSnapshots()
    {
        snapshotAgent = new SnapshotAgent(stages.snapshot(journal, journalPersistedWireSeq::getAcquire));
        threads.startBackground(SNAPSHOT_THREAD, snapshotAgent);
    }

    public ReplicaAgent replicaAgent()
    {
        return replicaAgent;
    }

    public InetSocketAddress adminAddress()
    {
        return adminServer.localAddress();
    }

    public InetSocketAddress httpAddress()
    {
        return httpServer.getAddress();
    }

    private void healthz(final HttpExchange exchange) throws IOException
    {
        final ReplicaAgent.State state = replicaAgent.state();
        final boolean following = state == ReplicaAgent.State.FOLLOWING;
        final String json = "{\"role\":\"replica\",\"state\":\"" + state.name().toLowerCase() + "\"" +
            ",\"epoch\":" + replicaAgent.epoch() + ",\"primary_epoch\":" + replicaAgent.primaryEpoch() +
            ",\"cursors\":{\"applied_wire_seq\":" + replicaAgent.appliedWireSeq() +
            ",\"persisted_wire_seq\":" + replicaAgent.persistedWireSeq() +
            ",\"primary_wire_seq\":" + replicaAgent.primaryLastWireSeq() + "},\"lag\":" + replicaAgent.lagEntries() +
            ",\"state_hash\":" + stateHashJson() + ",\"snapshot\":" + snapshotJson() +
            ",\"replication_link\":{\"authenticated\":" + replicaAgent.authenticated() +
            ",\"malformed_messages\":" + replicaAgent.badMessages() +
            ",\"unauthenticated_messages\":" + replicaAgent.unauthenticatedMessages() + "}" +
            ",\"policy\":\"" + durabilityControl.policy().description() +
            "\"" + (state == ReplicaAgent.State.REJECTED ? ",\"refused\":\"" + replicaAgent.rejectCode() + "\"" : "") +
            "}\n";
        final byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(following ? 200 : 503, bytes.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(bytes);
        }
        replicaAgent.requestStateHash();
    }

    private String snapshotJson()
    {
        final boolean receiving = replicaAgent.state() == ReplicaAgent.State.RECEIVING_SNAPSHOT;
        return "{\"receiving\":" + receiving +
            (receiving ? ",\"received_bytes\":" + replicaAgent.snapshotReceivedBytes() + ",\"total_bytes\":" +
            replicaAgent.snapshotTotalBytes() : "") +
            ",\"installed\":" + replicaAgent.snapshotsInstalled() +
            ",\"last_wire_seq\":" + replicaAgent.lastInstalledSnapshotWireSeq() +
            ",\"transfer_failures\":" + replicaAgent.snapshotTransferFailures() +
            ",\"journal_first_wire_seq\":" + journal.firstWireSeq() + "}";
    }

    private String stateHashJson()
    {
        final ReplicaAgent.StateHash hash = replicaAgent.stateHash();
        return hash == null ? "null" :
            "{\"wire_seq\":" + hash.wireSeq() + ",\"hash\":\"" + Long.toHexString(hash.hash()) + "\"}";
    }

    /**
     * Stop following, let the journal sync what it has, and close.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        final PrimaryNode primary = promoted;
        if (primary != null)
        {
            primary.shutdown(SHUTDOWN_DRAIN_TIMEOUT_MS);
            return;
        }
        CloseHelper.quietClose(adminServer);
        httpServer.stop(0);
        CloseHelper.quietClose(threads);
        CloseHelper.quietClose(transport);
        CloseHelper.quietClose(journal);
        audit.record("node_stopped", "role", "replica", "wire_seq", replicaAgent.appliedWireSeq());
        CloseHelper.quietClose(audit);
        CloseHelper.quietClose(dataDirLock);
        LOG.info("replica stopped persistedWireSeq={}", journalPersistedWireSeq.getAcquire());
    }
}
