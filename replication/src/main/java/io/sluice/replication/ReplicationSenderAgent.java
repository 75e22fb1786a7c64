package io.sluice.replication;

import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.sluice.durability.ReplicationMetrics;
import io.sluice.journal.JournalCorruptionException;
import io.sluice.journal.JournalEntryView;
import io.sluice.journal.JournalReader;
import io.sluice.sbe.replication.EpochProofDecoder;
import io.sluice.sbe.replication.HandshakeDecoder;
import io.sluice.sbe.replication.RejectCode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The primary's end of one replica slot: answers the replica's handshake, streams the journal to it, and turns its
 * acks into the slot's cursors in {@link ReplicationMetrics}. Sender and ack listener of the slot in one agent, so
 * every field of the slot in {@code ReplicationMetrics} has this agent's thread as its only writer.
 * <p>
 * Duty cycle: {@link SenderControlAdapter} polls and checks the control stream (handshakes, acks, heartbeats) and
 * calls back here; the stream is dropped if the replica went silent for
 * {@link ReplicationSenderContext#heartbeatTimeoutNs} or its control image was lost; while streaming, the journal is
 * read from where the replica stands and offered in batches of up to {@link ReplicationSenderContext#maxBatchBytes}
 * through {@link SenderDataPublisher}; a {@link SnapshotSendSession} is stepped while a snapshot is sent; a heartbeat
 * goes every {@link ReplicationSenderContext#heartbeatIntervalNs}. Catch-up and live streaming are the same loop: a
 * {@link JournalReader} positioned at the replica's last durable {@code wireSeq} + 1 simply runs until it reaches the
 * tail.
 * <p>
 * Back-pressure never blocks the journal and never drops an entry: the reader is this agent's own, and a batch that
 * the publication refuses stays in the publisher and is offered again on the next duty cycle.
 * <p>
 * Slot transitions follow the rule of {@link ReplicationMetrics}: on accepting a handshake the cursors are seeded
 * from it before the slot is set active ({@link ReplicationMetrics#activate}); on dropping the stream they are zeroed
 * before it is cleared ({@link ReplicationMetrics#deactivate}).
 * <p>
 * A handshake never disturbs the stream being served until it has passed the protocol-version check and, on an
 * authenticated link, the authentication ({@link PrimaryLinkAuth}); only then may it replace that stream (a replica
 * that restarted, or never saw its StreamStart, starts over). An epoch above this primary's fences the node
 * ({@link PrimaryFence}) when it comes from a handshake that passed those checks, from a replica's signed
 * {@code EpochProof} on an authenticated link, or from a heartbeat on an unauthenticated one; a fenced sender stops
 * streaming and refuses every handshake. On an authenticated link every message of the stream is sealed both ways
 * with the keys its handshake agreed; one that is not is dropped before it changes anything and counted in
 * {@link #unauthenticatedMessages()}. Refusals are logged at most a few at a time ({@link RefusalLog}).
 * <p>
 * Snapshot transfer: a replica whose position the journal no longer holds (retention deleted it), or an empty
 * replica that asks for it (resync), is sent the newest valid snapshot first by a {@link SnapshotSendSession}, then
 * {@code StreamStart} from the snapshot's {@code wireSeq} + 1 and the journal through the same loop as ever. The slot
 * stays inactive until the replica acks the installed state; those cursors seed it. While a slot needs entries
 * ({@link #retainFromWireSeq()}), retention keeps them.
 */
public final class ReplicationSenderAgent extends ReplicationSenderStatus
    implements Agent, SenderControlListener, AutoCloseable
{
    /** What the slot is doing. */
    public enum State
    {
        /** No replica is being served; the slot is inactive. */
        AWAITING_HANDSHAKE,
        /** A replica's handshake was accepted; the slot is active and the journal flows to it. */
        STREAMING,
        /** The replica is sent a snapshot before the journal; the slot is inactive until it acks the install. */
        SENDING_SNAPSHOT,
        /** The node is fenced by a higher epoch; handshakes are refused. */
        FENCED
    }

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationSenderAgent.class);
    /** Shortest handshake block of protocol 2: the version 1 block, through snapshotRequested. */
    static final int UNAUTHENTICATED_HANDSHAKE_BLOCK_LENGTH = ReplicaControlPublisher.HANDSHAKE_V1_BLOCK_LENGTH;

    private final ReplicationSenderContext ctx;
    private final int slot;
    /** Where the slot's cursors and active flag live; this agent's thread is the slot's only writer. */
    private final ReplicationMetrics metrics;
    private final PrimaryFence fence;
    private final NanoClock clock;
    private final LongSupplier lastWireSeq;
    private final CatchUpPlanner catchUpPlanner;
    private final SenderControlAdapter controlAdapter;
    private final SenderDataPublisher publisher;

    /** Null on an unauthenticated link. */
    private final PrimaryLinkAuth auth;
    /** The stream's keys on an authenticated link: control (replica to primary) and data; unkeyed when none. */
    private final StreamMac streamControl;
    private final StreamMac streamData;
    private final RefusalLog refusalLog = new RefusalLog(LOG);

    // Agent thread only.
    private final byte[] scratchKey = new byte[ReplicationAuth.KEY_LENGTH];
    private JournalReader reader;
    private long nowNs;
    private long streamCorrelationId;
    private int replicaSessionId;
    private int replicaNodeId;
    private long readWireSeq;
    private long sentWireSeqPlain;
    private long lastReceivedNs;
    private long lastHeartbeatSentNs;
    /** When the replica's in-memory cursor first fell more than maxLagEntries behind; 0 while it is close. */
    private long laggingSinceNs;
    /** The snapshot transfer while SENDING_SNAPSHOT; else null. */
    private SnapshotSendSession sendSession;
    /** After a transfer: the slot is activated by the replica's first ack of the installed state. */
    private boolean awaitingInstallAck;

    /**
     * Creates the slot's data publication and control subscription.
     *
     * @param ctx options; validated here.
     */
    public ReplicationSenderAgent(final ReplicationSenderContext ctx)
    {
        ctx.conclude();
        this.ctx = ctx;
        this.slot = ctx.slot();
        this.metrics = ctx.replicationMetrics();
        this.fence = ctx.fence();
        this.clock = ctx.nanoClock();
        this.lastWireSeq = ctx.lastWireSeq();
        this.catchUpPlanner = new CatchUpPlanner(slot, ctx.journal(), ctx.newestSnapshot());
        final ReplicationTransport transport = ctx.transport();
        ExclusivePublication publication = null;
        final Subscription subscription;
        try
        {
            publication = transport.aeron().addExclusivePublication(
                transport.publicationChannel(ctx.dataEndpoint()), ctx.dataStreamId());
            subscription = transport.aeron().addSubscription(
                transport.subscriptionChannel(ctx.controlEndpoint()), ctx.controlStreamId());
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(publication);
            throw ex;
        }
        if (ctx.replicationKeys() != null)
        {
            auth = new PrimaryLinkAuth(ctx.nodeId(), ctx.keyPair(), ctx.replicationKeys());
            streamControl = new StreamMac();
            streamData = new StreamMac();
        }
        else
        {
            auth = null;
            streamControl = null;
            streamData = null;
        }
        publisher = new SenderDataPublisher(publication, metrics, slot, ctx.nodeId(), ctx.maxBatchBytes(), streamData,
            this::fail);
        controlAdapter = new SenderControlAdapter(subscription, ctx.fragmentLimit(), this);
    }

    public String roleName()
    {
        return "replication-sender-" + slot;
    }

    public int doWork()
    {
        nowNs = clock.nanoTime();
        int workCount = 0;
        workCount += controlAdapter.poll();
        workCount += checkStream();
        if (state == State.STREAMING)
        {
            workCount += stream();
        }
        else if (state == State.SENDING_SNAPSHOT)
        {
            workCount += stepSnapshot();
        }
        workCount += heartbeat();
        return workCount;
    }

    public void onClose()
    {
        if (state == State.STREAMING || state == State.SENDING_SNAPSHOT)
        {
            metrics.deactivate(slot);
            state = State.AWAITING_HANDSHAKE;
        }
        pinnedWireSeq = Long.MAX_VALUE;
        abortSnapshot();
        closeReader();
        CloseHelper.closeAll(publisher, controlAdapter);
    }

    /** Closes the Aeron resources; for an agent that was never run (a running agent closes them itself). */
    public void close()
    {
        onClose();
    }

    /** The control stream's adapter: a test delivers fragments straight to it. */
    SenderControlAdapter controlAdapter()
    {
        return controlAdapter;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Control stream
    // ------------------------------------------------------------------------------------------------------------

    public void onAck(
        final int sessionId,
        final long ackedInMemoryWireSeq,
        final long ackedPersistedWireSeq,
        final long echoTimestampNs,
        final long correlationId,
        final MessageSeal seal)
    {
        if (auth != null && !seal.isPresent())
        {
            // Every node that runs the authenticated link seals every message.
            controlAdapter.countUnauthenticated();
            return;
        }
        if (state != State.STREAMING || sessionId != replicaSessionId || correlationId != streamCorrelationId)
        {
            // Cursors of another stream: the replica follows another primary (its control messages reach every
            // candidate primary), and counting them here could release replies it never held.
            return;
        }
        if (auth != null && !seal.verifiedBy(streamControl))
        {
            controlAdapter.countUnauthenticated();
            return;
        }
        lastReceivedNs = nowNs;
        // A replica cannot hold more than it was sent; never let a confused peer open the gate early.
        final long inMemoryWireSeq = Math.min(ackedInMemoryWireSeq, sentWireSeqPlain);
        final long persistedWireSeq = Math.min(ackedPersistedWireSeq, sentWireSeqPlain);
        if (awaitingInstallAck)
        {
            if (persistedWireSeq < snapshotWireSeq)
            {
                return;
            }
            // The replica installed the snapshot durably: seed the cursors from what it reports, then go active.
            awaitingInstallAck = false;
            metrics.activate(slot, inMemoryWireSeq, persistedWireSeq);
            LOG.info("replica slot {} active: node {} installed snapshot wireSeq {}", slot, replicaNodeId,
                snapshotWireSeq);
            return;
        }
        final long latencyNs = echoTimestampNs != 0 ? Math.max(0, nowNs - echoTimestampNs) : 0;
        metrics.onAck(slot, inMemoryWireSeq, persistedWireSeq, latencyNs);
    }

    public void onHeartbeat(final int sessionId, final int nodeId, final long epoch, final MessageSeal seal)
    {
        final boolean fromStream = (state == State.STREAMING || state == State.SENDING_SNAPSHOT) &&
            sessionId == replicaSessionId;
        if (auth == null)
        {
            checkForeignEpoch(epoch, nodeId, "heartbeat");
            if (fromStream)
            {
                lastReceivedNs = nowNs;
            }
            return;
        }
        // Authenticated link: a heartbeat is liveness of the stream it is sealed for, and never a word on epochs
        // (those come signed, in EpochProofs). One claiming a higher epoch, unsealed, or sealed for the stream but
        // not verifying is counted; a keyless seal is a replica between streams.
        if (fromStream && seal.verifiedBy(streamControl))
        {
            lastReceivedNs = nowNs;
        }
        else if (!seal.isPresent() || epoch > ctx.epoch().getAsLong() || (fromStream && !seal.isKeyless()))
        {
            controlAdapter.countUnauthenticated();
        }
    }

    public void onEpochProof(final int sessionId, final EpochProofDecoder proof)
    {
        final long epoch = proof.epoch();
        if (auth == null || epoch <= ctx.epoch().getAsLong() || epoch <= fence.fencedByEpoch())
        {
            return;
        }
        if (auth.verify(proof, nowNs) == PrimaryLinkAuth.Outcome.ACCEPTED)
        {
            checkForeignEpoch(epoch, proof.nodeId(), "signed epoch proof");
        }
        else
        {
            controlAdapter.countUnauthenticated();
        }
    }

    public void onHandshake(final int sessionId, final HandshakeDecoder handshake, final MessageSeal seal)
    {
        final long correlationId = handshake.correlationId();
        final int nodeId = handshake.nodeId();
        final int protocolVersion = handshake.protocolVersion();
        if (protocolVersion != ctx.protocolVersion())
        {
            reject(RejectCode.PROTOCOL_VERSION, correlationId, "replica node " + nodeId +
                " speaks replication protocol version " + protocolVersion + ", primary node " + ctx.nodeId() +
                " speaks version " + ctx.protocolVersion() + linkHint(protocolVersion), null);
            return;
        }
        if (controlAdapter.blockLength() < (auth != null ? HandshakeDecoder.BLOCK_LENGTH :
            UNAUTHENTICATED_HANDSHAKE_BLOCK_LENGTH))
        {
            controlAdapter.countMalformed();
            return;
        }
        if (auth != null && !authenticated(handshake, nodeId, correlationId, seal))
        {
            return;
        }
        if (state == State.STREAMING || state == State.SENDING_SNAPSHOT)
        {
            // A replica repeats its handshake only while it has not seen StreamStart. After a replica restart the
            // data publication can still count as connected to the dead receiver, so StreamStart (and what
            // followed) may have gone nowhere: start the stream again from the replica's position.
            dropStream(correlationId == streamCorrelationId && sessionId == replicaSessionId ?
                "replica node " + nodeId + " repeated its handshake: it never saw the stream start" :
                "replica node " + nodeId + " started a new handshake");
        }

        final long epoch = handshake.epoch();
        final long ownEpoch = ctx.epoch().getAsLong();
        if (epoch > ownEpoch)
        {
            checkForeignEpoch(epoch, nodeId, "handshake");
            reject(RejectCode.STALE_EPOCH, correlationId, "primary node " + ctx.nodeId() + " is at epoch " +
                ownEpoch + ", older than replica node " + nodeId + "'s epoch " + epoch +
                ": this primary is fenced and no longer accepts orders");
            return;
        }
        if (fence.isFenced())
        {
            reject(RejectCode.NOT_PRIMARY, correlationId, "primary node " + ctx.nodeId() + " is fenced by epoch " +
                fence.fencedByEpoch() + " and no longer primary");
            return;
        }
        final long configDigest = handshake.configDigest();
        if (configDigest != ctx.configDigest())
        {
            reject(RejectCode.CONFIG_DIGEST, correlationId, "config digest of replica node " + nodeId + " is " +
                Long.toHexString(configDigest) + ", primary's is " + Long.toHexString(ctx.configDigest()) +
                ": instruments, risk limits or matching options differ");
            return;
        }

        final long lastDurableWireSeq = handshake.lastDurableWireSeq();
        if (lastDurableWireSeq < 0)
        {
            reject(RejectCode.DIVERGED, correlationId, "replica node " + nodeId + " sent lastDurableWireSeq " +
                lastDurableWireSeq);
            return;
        }
        final boolean snapshotRequested = handshake.snapshotRequested() == 1 && lastDurableWireSeq == 0;
        switch (catchUpPlanner.plan(nodeId, lastDurableWireSeq, handshake.lastEntryCrc32c(), snapshotRequested))
        {
            case JOURNAL:
                accept(catchUpPlanner.reader(), sessionId, nodeId, correlationId, catchUpPlanner.fromWireSeq());
                break;
            case SNAPSHOT:
                sendSnapshot(sessionId, nodeId, correlationId);
                break;
            default:
                reject(catchUpPlanner.rejectCode(), correlationId, catchUpPlanner.reason());
                break;
        }
    }

    /** What to set when a replica speaks the other link's protocol. */
    private String linkHint(final int replicaVersion)
    {
        if (auth != null && replicaVersion == ReplicationProtocol.PROTOCOL_VERSION)
        {
            return ": this primary runs an authenticated link (auth=on); run the replica with auth=on, " +
                "auth.keys.file and replication.key.file";
        }
        if (auth == null && replicaVersion == ReplicationProtocol.AUTHENTICATED_VERSION)
        {
            return ": the replica asks for an authenticated link, this primary runs auth=off";
        }
        return "";
    }

    /** Starts sending the snapshot the planner chose; the journal after it is streamed once it is sent. */
    private void sendSnapshot(final int sessionId, final int nodeId, final long correlationId)
    {
        final long wireSeq = catchUpPlanner.fromWireSeq();
        final long totalBytes = catchUpPlanner.snapshotBytes();
        abortSnapshot();
        beginStream(catchUpPlanner.reader(), wireSeq, sessionId, nodeId, correlationId);
        sendSession = new SnapshotSendSession(publisher, catchUpPlanner.snapshotFile(), totalBytes, correlationId,
            ctx.epoch().getAsLong(), wireSeq, catchUpPlanner.snapshot().epoch(), catchUpPlanner.entryCrc32c(),
            ctx.maxBatchesPerDutyCycle(), ctx.snapshotChunkHook());
        snapshotSentBytes = 0;
        snapshotTotalBytes = totalBytes;
        snapshotWireSeq = wireSeq;
        pinnedWireSeq = wireSeq;
        state = State.SENDING_SNAPSHOT;
        handshakesAccepted++;
        refusalLog.reset();
        LOG.info("replica slot {}: {}; sending snapshot wireSeq {} ({} bytes), then the journal from {}", slot,
            catchUpPlanner.reason(), wireSeq, totalBytes, wireSeq + 1);
    }

    private void accept(
        final JournalReader candidate,
        final int sessionId,
        final int nodeId,
        final long correlationId,
        final long lastDurableWireSeq)
    {
        beginStream(candidate, lastDurableWireSeq, sessionId, nodeId, correlationId);
        pinnedWireSeq = lastDurableWireSeq;
        awaitingInstallAck = false;

        final long epoch = ctx.epoch().getAsLong();
        publisher.holdStreamStart(epoch, lastDurableWireSeq + 1, ctx.durabilityControl().modeCode(), correlationId);

        // Seed, then set active: the gate never sees this slot active with cursors that are not the replica's.
        metrics.activate(slot, lastDurableWireSeq, lastDurableWireSeq);
        state = State.STREAMING;
        handshakesAccepted++;
        refusalLog.reset();
        LOG.info("replica slot {} active: node {} from wireSeq {} at epoch {}", slot, nodeId,
            lastDurableWireSeq + 1, epoch);
    }

    /**
     * Take up a new stream for an accepted handshake: the journal reader positioned after {@code fromWireSeq} (what
     * the replica holds, or the snapshot it is about to be sent) and the replica it goes to.
     */
    private void beginStream(
        final JournalReader newReader, final long fromWireSeq, final int sessionId, final int nodeId,
        final long correlationId)
    {
        closeReader();
        reader = newReader;
        readWireSeq = fromWireSeq;
        sentWireSeqPlain = fromWireSeq;
        sentWireSeq = fromWireSeq;
        publisher.resetStream();
        if (auth != null)
        {
            streamControl.takeOver(auth.pendingControl);
            streamData.takeOver(auth.pendingData);
        }
        replicaSessionId = sessionId;
        replicaNodeId = nodeId;
        streamCorrelationId = correlationId;
        lastReceivedNs = nowNs;
    }

    /**
     * Authenticated link: an unsigned handshake is answered with the standing challenge; a signed one must pass
     * {@link PrimaryLinkAuth#verify}. Only then does the handshake go on, with its stream keys pending.
     *
     * @return true if the handshake may go on.
     */
    private boolean authenticated(
        final HandshakeDecoder handshake, final int nodeId, final long correlationId, final MessageSeal seal)
    {
        if (PrimaryLinkAuth.isUnsigned(handshake, scratchKey))
        {
            final PrimaryLinkAuth.Challenge challenge = auth.challengeDue(nowNs);
            if (challenge != null)
            {
                handshakesChallenged++;
                publisher.sendAuthChallenge(correlationId, challenge);
            }
            return false;
        }
        switch (auth.verify(handshake, seal, nowNs))
        {
            case ACCEPTED:
                return true;
            case REFUSED:
                reject(RejectCode.AUTH_FAILED, correlationId, "replica node " + nodeId + " refused: " + auth.refusal(),
                    auth.pendingData);
                return false;
            default:
                controlAdapter.countUnauthenticated();
                refusalLog.warn(nowNs, "replica slot " + slot + ": dropped a handshake claiming replica node " + nodeId +
                    " that is not signed and sealed as the standing challenge asks");
                return false;
        }
    }

    /** Refuses a handshake that passed authentication, sealed with the keys it agreed, so the replica believes it. */
    private void reject(final RejectCode code, final long correlationId, final String reason)
    {
        reject(code, correlationId, reason, auth == null ? null : auth.pendingData);
    }

    /**
     * @param mac on an authenticated link, seals the refusal so the replica can believe it; null for a refusal made
     *            before authentication (sealed with zeros, which the replica reports but does not act on).
     */
    private void reject(final RejectCode code, final long correlationId, final String reason, final StreamMac mac)
    {
        handshakesRejected++;
        lastRejectReason = reason;
        refusalLog.warn(nowNs, "replica slot " + slot + " handshake refused code=" + code + " reason=\"" + reason +
            "\"");
        publisher.sendReject(code, correlationId, ctx.epoch().getAsLong(), reason, mac);
    }

    private void checkForeignEpoch(final long epoch, final int nodeId, final String where)
    {
        final long ownEpoch = ctx.epoch().getAsLong();
        if (epoch > ownEpoch)
        {
            fence.fence(epoch, "replica node " + nodeId + " reported epoch " + epoch + " in a " + where +
                " on slot " + slot + "; this primary (node " + ctx.nodeId() + ") is at epoch " + ownEpoch);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Liveness
    // ------------------------------------------------------------------------------------------------------------

    private int checkStream()
    {
        if (fence.isFenced())
        {
            if (state != State.FENCED)
            {
                if (state == State.STREAMING || state == State.SENDING_SNAPSHOT)
                {
                    dropStream("this primary is fenced: " + fence.reason());
                }
                state = State.FENCED;
                return 1;
            }
            return 0;
        }
        if (state != State.STREAMING && state != State.SENDING_SNAPSHOT)
        {
            return 0;
        }
        if (nowNs - lastReceivedNs > ctx.heartbeatTimeoutNs())
        {
            dropStream("no ack or heartbeat from replica node " + replicaNodeId + " for " +
                TimeUnit.NANOSECONDS.toMillis(nowNs - lastReceivedNs) + " ms");
            heartbeatTimeouts++;
            return 1;
        }
        if (!controlAdapter.isImageLive(replicaSessionId))
        {
            dropStream("control stream image of replica node " + replicaNodeId + " lost");
            imageLosses++;
            return 1;
        }
        return state == State.STREAMING && !awaitingInstallAck ? checkLag() : 0;
    }

    /**
     * A replica more than {@link ReplicationSenderContext#maxLagEntries} behind for a whole heartbeat timeout is
     * disconnected: it handshakes again from what it has made durable and catches up through the same loop, while this
     * slot stops holding a stream (and a reader deep in the journal) for a node the policy cannot count on.
     */
    private int checkLag()
    {
        final long lagEntries = (lastWireSeq == null ? readWireSeq : lastWireSeq.getAsLong()) -
            metrics.inMemoryWireSeq(slot);
        if (lagEntries <= ctx.maxLagEntries())
        {
            laggingSinceNs = 0;
            return 0;
        }
        if (laggingSinceNs == 0)
        {
            laggingSinceNs = nowNs;
            return 0;
        }
        if (nowNs - laggingSinceNs > ctx.heartbeatTimeoutNs())
        {
            dropStream("replica node " + replicaNodeId + " is " + lagEntries + " entries behind (more than " +
                ctx.maxLagEntries() + ") for " + TimeUnit.NANOSECONDS.toMillis(nowNs - laggingSinceNs) +
                " ms: disconnected, it catches up from its journal");
            lagDisconnects++;
            return 1;
        }
        return 0;
    }

    /** Zero, then deactivate the slot and forget the stream; a new handshake starts the next one. */
    private void dropStream(final String reason)
    {
        metrics.deactivate(slot);
        state = State.AWAITING_HANDSHAKE;
        laggingSinceNs = 0;
        streamCorrelationId = 0;
        publisher.resetStream();
        awaitingInstallAck = false;
        abortSnapshot();
        closeReader();
        if (auth != null)
        {
            streamControl.clear();
            streamData.clear();
        }
        pinnedWireSeq = Long.MAX_VALUE;
        LOG.warn("replica slot {} inactive: {}", slot, reason);
    }

    private void abortSnapshot()
    {
        if (sendSession != null)
        {
            sendSession.abort();
            sendSession = null;
        }
    }

    private void closeReader()
    {
        if (reader != null)
        {
            reader.close();
            reader = null;
        }
    }

    private void fail(final String reason)
    {
        if (failureReason == null)
        {
            failureReason = reason;
            LOG.error("replica slot {} sender failed: {}", slot, reason);
        }
        if (state == State.STREAMING)
        {
            dropStream(reason);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Data stream
    // ------------------------------------------------------------------------------------------------------------

    private int stream()
    {
        int workCount = 0;
        if (publisher.hasHeld())
        {
            if (!publisher.offerHeld())
            {
                return 0;
            }
            workCount++;
        }
        for (int i = 0; i < ctx.maxBatchesPerDutyCycle(); i++)
        {
            if (!publisher.hasBatch() && !fillBatch())
            {
                break;
            }
            if (!publisher.offerBatch(clock.nanoTime()))
            {
                break;
            }
            sentWireSeqPlain = publisher.batchLastWireSeq();
            sentWireSeq = sentWireSeqPlain;
            workCount += publisher.batchEntryCount();
            publisher.batchSent();
        }
        return workCount;
    }

    /**
     * Builds the next batch from the journal: at least one entry, then as many as fit
     * {@link ReplicationSenderContext#maxBatchBytes}.
     *
     * @return false if the journal has nothing new, or the stream was dropped.
     */
    private boolean fillBatch()
    {
        publisher.beginBatch();
        while (publisher.batchHasRoom())
        {
            try
            {
                if (!reader.next())
                {
                    break;
                }
            }
            catch (final JournalCorruptionException ex)
            {
                LOG.error("replica slot {}: primary journal unreadable after wireSeq {}", slot, readWireSeq, ex);
                dropStream("primary journal unreadable after wireSeq " + readWireSeq);
                return false;
            }
            final JournalEntryView entry = reader.entry();
            final long wireSeq = entry.wireSeq();
            if (wireSeq != readWireSeq + 1)
            {
                dropStream("primary journal gave wireSeq " + wireSeq + " after " + readWireSeq);
                return false;
            }
            readWireSeq = wireSeq;
            if (!publisher.appendEntry(wireSeq, entry.buffer(), entry.offset(), entry.length()))
            {
                break;
            }
        }
        return publisher.endBatch();
    }

    /** Steps the snapshot transfer; once it is sent, the slot streams the journal from the snapshot's next entry. */
    private int stepSnapshot()
    {
        final int workCount = sendSession.doWork();
        snapshotSentBytes = sendSession.sentBytes();
        if (sendSession.state() == SnapshotSendSession.State.FAILED)
        {
            final IOException failure = sendSession.failure();
            LOG.error("replica slot {}: snapshot wireSeq {} unreadable", slot, snapshotWireSeq, failure);
            dropStream("snapshot wireSeq " + snapshotWireSeq + " unreadable: " + failure.getMessage());
        }
        else if (sendSession.state() == SnapshotSendSession.State.DONE)
        {
            sendSession = null;
            snapshotsSent++;
            publisher.holdStreamStart(ctx.epoch().getAsLong(), snapshotWireSeq + 1,
                ctx.durabilityControl().modeCode(), streamCorrelationId);
            awaitingInstallAck = true;
            state = State.STREAMING;
            LOG.info("replica slot {}: snapshot wireSeq {} sent ({} bytes) to node {}; streaming from {}", slot,
                snapshotWireSeq, snapshotTotalBytes, replicaNodeId, snapshotWireSeq + 1);
        }
        return workCount;
    }

    private int heartbeat()
    {
        if (nowNs - lastHeartbeatSentNs < ctx.heartbeatIntervalNs() ||
            !publisher.sendHeartbeat(state == State.FENCED, ctx.epoch().getAsLong(),
            ctx.durabilityControl().policy(), nowNs,
            state == State.STREAMING || state == State.SENDING_SNAPSHOT ? streamCorrelationId : 0,
            lastWireSeq == null ? readWireSeq : lastWireSeq.getAsLong()))
        {
            return 0;
        }
        lastHeartbeatSentNs = nowNs;
        return 1;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Observers (any thread), beside those of ReplicationSenderStatus
    // ------------------------------------------------------------------------------------------------------------

    public int slot()
    {
        return slot;
    }

    /**
     * Lowest {@code wireSeq} this slot may still read from the journal: the entry after a snapshot being sent, or
     * the replica's persisted cursor while it streams; {@code Long.MAX_VALUE} while no replica is served. Retention
     * keeps every entry from the lowest of these over all slots. Any thread.
     */
    public long retainFromWireSeq()
    {
        final long pinned = pinnedWireSeq;
        return pinned != Long.MAX_VALUE && metrics.isActive(slot) ?
            Math.max(pinned, metrics.persistedWireSeq(slot)) : pinned;
    }

    /** Control messages dropped because their block was shorter than their template's, or their fields are. */
    public long malformedMessages()
    {
        return controlAdapter.malformedMessages();
    }

    /**
     * Control messages dropped on an authenticated link because they were not sealed or signed as they had to be
     * (forged or replayed acks and heartbeats, handshakes that fail the challenge, epochs claimed without proof).
     */
    public long unauthenticatedMessages()
    {
        return controlAdapter.unauthenticatedMessages();
    }

    /** Whether this slot runs the authenticated link. */
    public boolean authenticated()
    {
        return auth != null;
    }

    /** Batch and snapshot offers the publication refused for back-pressure (each retried on a later duty cycle). */
    public long backPressureEvents()
    {
        return publisher.backPressureEvents();
    }

    public String toString()
    {
        return "ReplicationSenderAgent{slot=" + slot + ", state=" + state + ", sentWireSeq=" + sentWireSeq + '}';
    }
}
