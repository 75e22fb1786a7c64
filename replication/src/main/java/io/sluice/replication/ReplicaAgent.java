package io.sluice.replication;

import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler.Action;
import io.sluice.journal.JournalStateMachine;
import io.sluice.sbe.replication.AuthChallengeDecoder;
import io.sluice.sbe.replication.NodeRole;
import io.sluice.sbe.replication.RejectCode;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A replica's follower: handshakes with the primary, then journals and applies every entry it is sent, in order, to
 * its own journal (through the journal ring and its own {@link io.sluice.journal.JournalAgent}, which group-fsyncs)
 * and its own state machine, a hot standby. It acks both cursors: in memory as soon as an entry is applied,
 * persisted once the journal agent has synced it; one coalesced Ack per duty cycle carries both.
 * <p>
 * Duty cycle: {@link ReplicaDataAdapter} polls and checks the data stream and calls back here;
 * {@link ReplicaControlPublisher} sends the handshake, acks and heartbeats; a {@link SnapshotReceiveSession} is
 * stepped while a snapshot is installed. Every entry is checked before it is used: well-formed with a matching CRC32C,
 * and exactly the next {@code wireSeq}. A gap or a bad entry is never skipped: the replica stops following, waits
 * until its journal has synced everything it applied, and handshakes again from there. The same happens when the
 * primary goes silent for {@link ReplicaAgentContext#heartbeatTimeoutNs}, its image is lost, or its heartbeats show
 * it no longer serves this stream.
 * <p>
 * Fencing: a primary whose StreamStart or heartbeat carries an epoch below the highest this replica has seen is
 * refused.
 * <p>
 * Authenticated link ({@link ReplicaAgentContext#primaryKeys}): the handshake goes unsigned, each primary that answers
 * with a challenge signed by a listed key becomes a candidate ({@link ReplicaLinkAuth}) and is answered with a signed
 * handshake, and only a stream sealed with the keys agreed with a candidate is followed. Every message from the
 * primary is checked against its seal before it may change anything (an epoch is believed only from it); one that
 * fails is dropped and counted in {@link #unauthenticatedMessages()}, and a refusal that is not sealed is logged, not
 * acted on. Every message to the primary is sealed, and beside each heartbeat goes an {@code EpochProof}, this
 * replica's epoch signed, which a stale primary believes. A handshake the primary rejects for a reason that retrying cannot fix (diverged, ahead, protocol or config
 * mismatch) leaves the agent {@link State#REJECTED}; the node reports it and an operator acts. TOO_FAR_BEHIND (the
 * primary has no snapshot to send yet) is retried, like a stale primary's refusal.
 * <p>
 * Snapshot transfer: when the primary answers the handshake with a {@code SnapshotOffer} (this replica's position
 * is no longer in its journal, or it asked for one with {@link ReplicaAgentContext#resyncFromSnapshot}), a
 * {@link SnapshotReceiveSession} receives and checks the file and hands it to the {@link SnapshotInstaller} on a
 * thread of its own. Until then the previous journal and state are untouched: an interrupted or damaged transfer
 * deletes the partial file and handshakes again from the previous position (the primary sends the snapshot again).
 * While the installer runs ({@link State#INSTALLING_SNAPSHOT}) the agent leaves the journal ring, the journal and the
 * state machine to it: it polls nothing, applies nothing and computes no state hash, and only heartbeats; once the
 * install has ended it sees what the installer wrote, handshakes from the snapshot and acks it.
 * <p>
 * The state machine and everything else here is touched by the agent thread only; the accessors read fields the agent
 * publishes. The state hash is computed on the agent thread on request ({@link #requestStateHash()}).
 */
public final class ReplicaAgent extends ReplicaStatus implements Agent, ReplicaDataListener, AutoCloseable
{
    /** Where the follower stands. */
    public enum State
    {
        /** Waiting for the journal to sync everything applied, so the handshake states a durable position. */
        AWAITING_DURABLE,
        /** Handshake sent (and resent) until the primary answers. */
        HANDSHAKING,
        /** Receiving, journaling and applying the stream. */
        FOLLOWING,
        /** Receiving a snapshot into a temporary file; nothing is applied or journaled meanwhile. */
        RECEIVING_SNAPSHOT,
        /**
         * The received snapshot is being installed on its own thread, which owns the journal ring, the journal and
         * the state machine until it ends; the agent only heartbeats meanwhile.
         */
        INSTALLING_SNAPSHOT,
        /** The primary refused this replica for a reason retrying cannot fix; see {@link #rejectReason()}. */
        REJECTED,
        /** Applying an entry failed; the state machine can no longer be trusted. See {@link #failureReason()}. */
        FAILED
    }

    /**
     * A state hash and the {@code wireSeq} it was taken at.
     *
     * @param wireSeq last {@code wireSeq} applied when the hash was computed.
     * @param hash    {@link JournalStateMachine#stateHash()} at that point.
     */
    public record StateHash(long wireSeq, long hash)
    {
    }

    private static final Logger LOG = LoggerFactory.getLogger(ReplicaAgent.class);
    private static final int CHUNK_STAGING_BYTES = 64 * 1024;

    private final ReplicaAgentContext ctx;
    private final NanoClock clock;
    /** Applied to on this thread only (by the applier); the installer replaces its state while INSTALLING_SNAPSHOT. */
    private final JournalStateMachine stateMachine;
    /** Holds the position; the ring's only producer, except while the installer has the ring (INSTALLING_SNAPSHOT). */
    private final BatchApplier applier;
    private final ReplicaDataAdapter dataAdapter;
    private final ReplicaControlPublisher controlPublisher;
    private final PolicyFollower policyFollower;
    /** Staging for snapshot chunk bytes on their way to the file; lent to each receive session. */
    private final ByteBuffer chunkStaging = ByteBuffer.allocateDirect(CHUNK_STAGING_BYTES);

    /** Null on an unauthenticated link. */
    private final ReplicaLinkAuth auth;
    private final RefusalLog refusalLog = new RefusalLog(LOG);

    // Agent thread only.
    private long nowNs;
    private long correlationId;
    /** Authenticated link: the candidate whose stream is followed (its keys seal both ways); else null. */
    private ReplicaLinkAuth.Candidate followed;
    private int followedSessionId;
    /** Highest epoch any primary has announced on the data stream: a primary below it is stale and never followed. */
    private long highestPrimaryEpochSeen;
    private long lastPrimaryMessageNs;
    private long lastHandshakeSentNs;
    private long handshakeDelayNs;
    private long lastHeartbeatSentNs;
    private long ackedInMemoryWireSeq;
    private long ackedPersistedWireSeq;
    private long echoTimestampNs;
    /** Send time of the batch being taken, echoed by the ack sent while it is taken. Agent thread only. */
    private long batchSendTimestampNs;
    /** The snapshot transfer from its offer until it is installed, abandoned or the agent fails; else null. */
    private SnapshotReceiveSession receiveSession;
    /** Set by an install; the next StreamStart then acks at once so the primary can activate the slot. */
    private boolean ackAfterInstall;

    /**
     * Creates the control publication and data subscription and reads where the journal ends.
     *
     * @param ctx options; validated here.
     */
    public ReplicaAgent(final ReplicaAgentContext ctx)
    {
        super(ctx.conclude().journalPersistedWireSeq());
        this.ctx = ctx;
        this.clock = ctx.nanoClock();
        SnapshotReceiveSession.deletePartialTransfers(ctx.snapshotDirectory());
        this.stateMachine = ctx.stateMachine();
        this.policyFollower = new PolicyFollower(ctx.durabilityControl());
        this.applier = new BatchApplier(
            ctx.journalRing(), stateMachine, ctx.appliedWireSeq(), ctx.lastEntryCrc32c(), ctx.epoch(), this::onHeld);
        publishProgress();
        this.correlationId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE / 2);

        final ReplicationTransport transport = ctx.transport();
        ExclusivePublication publication = null;
        final Subscription subscription;
        try
        {
            publication = transport.addFanOutPublication(ctx.primaryControlEndpoint(), ctx.controlStreamId());
            subscription = transport.aeron().addSubscription(
                transport.subscriptionChannel(ctx.dataEndpoint()), ctx.dataStreamId());
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(publication);
            throw ex;
        }
        auth = ctx.primaryKeys() == null ? null :
            new ReplicaLinkAuth(ctx.nodeId(), ctx.keyPair(), ctx.primaryKeys());
        controlPublisher = new ReplicaControlPublisher(publication, ctx);
        dataAdapter = new ReplicaDataAdapter(subscription, ctx.fragmentLimit(), this);
    }

    public String roleName()
    {
        return "replica";
    }

    public int doWork()
    {
        nowNs = clock.nanoTime();
        int workCount = 0;
        if (state == State.INSTALLING_SNAPSHOT)
        {
            workCount += awaitInstall();
            if (state == State.INSTALLING_SNAPSHOT)
            {
                return workCount + heartbeat();
            }
        }
        if (stateHashRequested)
        {
            stateHashRequested = false;
            stateHash = new StateHash(applier.appliedWireSeq(), stateMachine.stateHash());
            workCount++;
        }
        if (state == State.AWAITING_DURABLE)
        {
            workCount += awaitDurable();
        }
        else if (state == State.HANDSHAKING)
        {
            workCount += handshake();
        }
        workCount += dataAdapter.poll();
        if (state == State.FOLLOWING)
        {
            workCount += checkPrimary();
            workCount += ack();
        }
        else if (state == State.RECEIVING_SNAPSHOT)
        {
            workCount += checkPrimary();
        }
        workCount += heartbeat();
        return workCount;
    }

    /**
     * Waits for a snapshot install in progress to end and takes up where it left the replica, so whoever stops this
     * agent (a promotion, say) reads a position that agrees with the state; then closes the Aeron resources.
     */
    public void onClose()
    {
        if (state == State.INSTALLING_SNAPSHOT && receiveSession.awaitInstallEnd() == 1)
        {
            onInstallEnd();
        }
        abortTransfer();
        CloseHelper.closeAll(controlPublisher, dataAdapter);
    }

    /** Closes the Aeron resources; for an agent that was never run (a running agent closes them itself). */
    public void close()
    {
        onClose();
    }

    /** The data stream's adapter: a test delivers fragments straight to it. */
    ReplicaDataAdapter dataAdapter()
    {
        return dataAdapter;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Handshake
    // ------------------------------------------------------------------------------------------------------------

    private int awaitDurable()
    {
        if (journalPersistedWireSeq.getAsLong() < applier.appliedWireSeq())
        {
            return 0;
        }
        correlationId++;
        state = State.HANDSHAKING;
        handshakeDelayNs = 0;
        followed = null;
        if (auth != null)
        {
            auth.newAttempt();
        }
        return 1;
    }

    /** Sends the handshake (unsigned: on an authenticated link, a request for challenges) every retry interval. */
    private int handshake()
    {
        // The primary answers on the data stream at once; until its stream reaches this replica (an image is up),
        // that answer would be lost and the handshake repeated.
        if (nowNs - lastHandshakeSentNs < handshakeDelayNs ||
            (ctx.handshakeOnceStreamed() && !dataAdapter.isConnected()) || !sendHandshake(null))
        {
            return 0;
        }
        return 1;
    }

    /**
     * @param signed the candidate whose challenge it answers; null for an unsigned handshake.
     * @return false if the publication refused it.
     */
    private boolean sendHandshake(final ReplicaLinkAuth.Candidate signed)
    {
        if (!controlPublisher.sendHandshake(applier.epoch(), applier.appliedWireSeq(), applier.lastEntryCrc32c(),
            correlationId, ctx.resyncFromSnapshot() && applier.appliedWireSeq() == 0, signed,
            auth == null ? null : auth.publicKey()))
        {
            return false;
        }
        lastHandshakeSentNs = nowNs;
        handshakeDelayNs = ctx.handshakeRetryIntervalNs();
        handshakesSent++;
        return true;
    }

    /**
     * Authenticated link: a primary's challenge, taken while handshaking if it is signed by a listed key, and
     * answered at once with a signed handshake sealed with the keys agreed with that primary.
     */
    public void onAuthChallenge(final int sessionId, final AuthChallengeDecoder challenge)
    {
        if (state != State.HANDSHAKING)
        {
            return;
        }
        if (auth == null)
        {
            dataAdapter.countUnauthenticated();
            return;
        }
        final ReplicaLinkAuth.Candidate candidate = auth.onChallenge(challenge, correlationId, nowNs);
        if (candidate == null)
        {
            dataAdapter.countUnauthenticated();
            refusalLog.warn(nowNs, "replica node " + ctx.nodeId() + " ignores a challenge: " + auth.refusal());
            return;
        }
        sendHandshake(candidate);
    }

    /**
     * Authenticated link: whether a StreamStart or SnapshotOffer naming {@code primaryNodeId} is sealed with the keys
     * agreed with that candidate; counts it if not.
     */
    private boolean sealedByCandidate(final int primaryNodeId, final MessageSeal seal)
    {
        if (auth == null)
        {
            return true;
        }
        final ReplicaLinkAuth.Candidate candidate = auth.candidate(primaryNodeId);
        if (candidate != null && seal.verifiedBy(candidate.data))
        {
            return true;
        }
        dataAdapter.countUnauthenticated();
        return false;
    }

    /**
     * Authenticated link: a message with no seal at all cannot come from a node that runs it (every one seals every
     * message), so it is counted and dropped whatever stream it claims.
     */
    private boolean unsealed(final MessageSeal seal)
    {
        if (auth != null && !seal.isPresent())
        {
            dataAdapter.countUnauthenticated();
            return true;
        }
        return false;
    }

    /** Authenticated link: whether a message on the followed stream is sealed with its key; counts it if not. */
    private boolean sealedByFollowed(final MessageSeal seal)
    {
        if (auth == null || (followed != null && seal.verifiedBy(followed.data)))
        {
            return true;
        }
        dataAdapter.countUnauthenticated();
        return false;
    }

    /** Stop following and start over from what is durable; never skip. */
    private void rehandshake(final String reason)
    {
        if (receiveSession != null)
        {
            snapshotTransferFailures++;
            abortTransfer();
        }
        lastRehandshakeReason = reason;
        state = State.AWAITING_DURABLE;
        rehandshakes++;
        LOG.warn("replica node {} re-handshaking from wireSeq {}: {}", ctx.nodeId(), applier.appliedWireSeq(), reason);
    }

    public void onStreamStart(
        final int sessionId,
        final long streamEpoch,
        final long fromWireSeq,
        final short durabilityMode,
        final long correlationId,
        final int nodeId,
        final MessageSeal seal)
    {
        if (unsealed(seal) || (state != State.FOLLOWING && state != State.HANDSHAKING) ||
            correlationId != this.correlationId || !sealedByCandidate(nodeId, seal))
        {
            return;
        }
        if (state == State.FOLLOWING && sessionId != followedSessionId && streamEpoch > primaryEpoch)
        {
            // Two primaries answered the same handshake (this replica's control messages reach every candidate):
            // the newer epoch wins, whichever answered first.
            highestPrimaryEpochSeen = Math.max(highestPrimaryEpochSeen, streamEpoch);
            rehandshake("primary node " + nodeId + " offered a stream at epoch " + streamEpoch + ", newer than " +
                "the followed primary node " + primaryNodeId + "'s epoch " + primaryEpoch);
            return;
        }
        if (state != State.HANDSHAKING || correlationId != this.correlationId ||
            refusedAsStale(streamEpoch, nodeId, ""))
        {
            return;
        }
        if (fromWireSeq != applier.appliedWireSeq() + 1)
        {
            rehandshake("primary node " + nodeId + " offered a stream from wireSeq " + fromWireSeq + ", expected " +
                (applier.appliedWireSeq() + 1));
            return;
        }
        followedSessionId = sessionId;
        followed = auth == null ? null : auth.candidate(nodeId);
        primaryEpoch = streamEpoch;
        primaryNodeId = nodeId;
        policyFollower.onMode(durabilityMode);
        // The primary seeded this slot's cursors from the handshake: acks only need to move them forward. After an
        // install it waits for an ack of the installed state before it counts this replica, so send one at once.
        ackedInMemoryWireSeq = ackAfterInstall ? -1 : applier.appliedWireSeq();
        ackedPersistedWireSeq = ackAfterInstall ? -1 : applier.appliedWireSeq();
        ackAfterInstall = false;
        lastPrimaryMessageNs = nowNs;
        rejectCode = null;
        rejectReason = null;
        state = State.FOLLOWING;
        LOG.info("replica node {} following primary node {} at epoch {} from wireSeq {}", ctx.nodeId(), nodeId,
            streamEpoch, applier.appliedWireSeq() + 1);
    }

    /**
     * A StreamStart or SnapshotOffer from a primary whose epoch is older than this replica's, or than the newest
     * primary it has seen, is refused; otherwise its epoch is the newest seen.
     *
     * @param what "" for a stream, "a snapshot from " for a snapshot, as the refusal is logged.
     * @return true if refused.
     */
    private boolean refusedAsStale(final long streamEpoch, final int nodeId, final String what)
    {
        if (streamEpoch < applier.epoch() || streamEpoch < highestPrimaryEpochSeen)
        {
            staleEpochRefusals++;
            LOG.warn("replica node {} refuses {}primary node {}: its epoch {} is older than this replica's {} or " +
                "the newest primary's {}", ctx.nodeId(), what, nodeId, streamEpoch, applier.epoch(),
                highestPrimaryEpochSeen);
            return true;
        }
        highestPrimaryEpochSeen = streamEpoch;
        return false;
    }

    public void onReject(
        final RejectCode code,
        final long correlationId,
        final DirectBuffer buffer,
        final int challengeOffset,
        final int reasonOffset,
        final int reasonLength,
        final MessageSeal seal)
    {
        if (unsealed(seal) || state != State.HANDSHAKING || correlationId != this.correlationId)
        {
            return;
        }
        if (reasonLength == ReplicationAdapter.MALFORMED)
        {
            dataAdapter.countMalformed();
            return;
        }
        final String reason = asciiString(buffer, reasonOffset, reasonLength);
        if (auth != null && auth.verifying(seal) == null)
        {
            // Anyone can send a refusal before the handshake is authenticated (a protocol mismatch is refused
            // then): say it, but do not stop for it.
            dataAdapter.countUnauthenticated();
            refusalLog.warn(nowNs, "replica node " + ctx.nodeId() + " got a refusal it cannot authenticate, " +
                "not acted on: " + code + " " + reason);
            return;
        }
        rejectCode = code;
        rejectReason = reason;
        if (code == RejectCode.STALE_EPOCH || code == RejectCode.NOT_PRIMARY || code == RejectCode.TOO_FAR_BEHIND)
        {
            // TOO_FAR_BEHIND: the primary has no snapshot to send yet; it writes them periodically.
            refusalLog.warn(nowNs, "replica node " + ctx.nodeId() + " refused by a stale primary, will retry: " +
                code + " " + reason);
            lastHandshakeSentNs = nowNs;
            handshakeDelayNs = ctx.rejectRetryIntervalNs();
            return;
        }
        state = State.REJECTED;
        LOG.error("replica node {} refused by the primary: {} {}", ctx.nodeId(), code, reason);
    }

    private static String asciiString(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Snapshot transfer
    // ------------------------------------------------------------------------------------------------------------

    public void onSnapshotOffer(
        final int sessionId,
        final long correlationId,
        final long streamEpoch,
        final int nodeId,
        final long wireSeq,
        final long snapshotEpoch,
        final long entryCrc32c,
        final long totalBytes,
        final MessageSeal seal)
    {
        if (unsealed(seal) || state != State.HANDSHAKING || correlationId != this.correlationId ||
            !sealedByCandidate(nodeId, seal) || refusedAsStale(streamEpoch, nodeId, "a snapshot from "))
        {
            return;
        }
        if (ctx.snapshotInstaller() == null)
        {
            rejectCode = RejectCode.TOO_FAR_BEHIND;
            rejectReason = "primary node " + nodeId + " offered snapshot wireSeq " + wireSeq + " but this replica " +
                "has no snapshot installer";
            state = State.REJECTED;
            LOG.error("replica node {} refused: {}", ctx.nodeId(), rejectReason);
            return;
        }
        if (wireSeq < 1 || wireSeq <= applier.appliedWireSeq() || totalBytes < 1 ||
            totalBytes > SnapshotReceiveSession.MAX_SNAPSHOT_BYTES)
        {
            // A snapshot at or below what this replica already applied would move it backwards: never installed.
            dataAdapter.countMalformed();
            rehandshake("primary node " + nodeId + " offered snapshot wireSeq " + wireSeq + " of " + totalBytes +
                " bytes");
            return;
        }
        try
        {
            receiveSession = SnapshotReceiveSession.open(ctx.snapshotDirectory(), wireSeq, snapshotEpoch,
                entryCrc32c, totalBytes, chunkStaging, ctx.snapshotInstaller());
        }
        catch (final IOException ex)
        {
            fail(ex.getMessage(), ex.getCause());
            return;
        }
        snapshotReceivedBytes = 0;
        snapshotTotalBytes = totalBytes;
        followedSessionId = sessionId;
        followed = auth == null ? null : auth.candidate(nodeId);
        primaryEpoch = streamEpoch;
        primaryNodeId = nodeId;
        lastPrimaryMessageNs = nowNs;
        rejectCode = null;
        rejectReason = null;
        state = State.RECEIVING_SNAPSHOT;
        LOG.warn("replica node {} at wireSeq {} receiving snapshot wireSeq {} ({} bytes) from primary node {}",
            ctx.nodeId(), applier.appliedWireSeq(), wireSeq, totalBytes, nodeId);
    }

    /** Whether a transfer message belongs to the snapshot being received (and, authenticated, is sealed for it). */
    private boolean ofTransfer(final int sessionId, final long correlationId, final MessageSeal seal)
    {
        return !unsealed(seal) && state == State.RECEIVING_SNAPSHOT && sessionId == followedSessionId &&
            correlationId == this.correlationId && sealedByFollowed(seal);
    }

    public void onSnapshotChunk(
        final int sessionId,
        final long correlationId,
        final long offsetBytes,
        final DirectBuffer buffer,
        final int bytesOffset,
        final int bytesLength,
        final MessageSeal seal)
    {
        if (!ofTransfer(sessionId, correlationId, seal))
        {
            return;
        }
        lastPrimaryMessageNs = nowNs;
        if (bytesLength == ReplicationAdapter.MALFORMED)
        {
            dataAdapter.countMalformed();
            rehandshake("malformed snapshot chunk at offset " + offsetBytes);
            return;
        }
        if (receiveSession.onChunk(offsetBytes, buffer, bytesOffset, bytesLength))
        {
            snapshotReceivedBytes = receiveSession.receivedBytes();
        }
        else
        {
            onTransferProblem();
        }
    }

    /**
     * The whole file has arrived: the session checks it and, if it passes, starts the install; the poll stops here,
     * so whatever follows (the StreamStart from the snapshot) is read only once the install has ended.
     */
    public Action onSnapshotEnd(final int sessionId, final long correlationId, final long totalLengthBytes,
        final long fileCrc32c, final MessageSeal seal)
    {
        if (!ofTransfer(sessionId, correlationId, seal))
        {
            return Action.CONTINUE;
        }
        lastPrimaryMessageNs = nowNs;
        if (!receiveSession.onEnd(totalLengthBytes, fileCrc32c))
        {
            if (receiveSession.state() == SnapshotReceiveSession.State.FAILED)
            {
                snapshotTransferFailures++;
            }
            onTransferProblem();
            return Action.CONTINUE;
        }
        state = State.INSTALLING_SNAPSHOT;
        return Action.BREAK;
    }

    /** A transfer step failed: retried from a new handshake, or the end of this agent on an I/O error. */
    private void onTransferProblem()
    {
        if (receiveSession.state() == SnapshotReceiveSession.State.FAILED)
        {
            fail(receiveSession.problem(), receiveSession.failure());
        }
        else
        {
            rehandshake(receiveSession.problem());
        }
    }

    /** Steps the install; once it has ended, follows from the snapshot or stops. */
    private int awaitInstall()
    {
        if (receiveSession.doWork() == 0)
        {
            return 0;
        }
        onInstallEnd();
        return 1;
    }

    private void onInstallEnd()
    {
        if (receiveSession.state() == SnapshotReceiveSession.State.FAILED)
        {
            fail(receiveSession.problem(), receiveSession.failure());
        }
        else
        {
            onInstalled();
        }
    }

    /** The snapshot is installed: the replica stands at it and follows the primary's stream from there. */
    private void onInstalled()
    {
        final long wireSeq = receiveSession.wireSeq();
        applier.installedAt(wireSeq, receiveSession.entryCrc32c(), receiveSession.snapshotEpoch());
        receiveSession = null;
        publishProgress();
        ackAfterInstall = true;
        lastInstalledSnapshotWireSeq = wireSeq;
        snapshotsInstalled++;
        // The primary streams from the snapshot on this same handshake: its StreamStart follows the end. The install
        // may have taken long (fsyncs, recovery): time the next handshake retry from now, not from before it.
        state = State.HANDSHAKING;
        lastHandshakeSentNs = nowNs;
        handshakeDelayNs = ctx.handshakeRetryIntervalNs();
        LOG.warn("replica node {} installed snapshot wireSeq {}; following from {}", ctx.nodeId(), wireSeq,
            wireSeq + 1);
    }

    /** Ends a transfer that will not be installed (one being installed is waited for); the previous state stays. */
    private void abortTransfer()
    {
        if (receiveSession != null)
        {
            receiveSession.abort();
            receiveSession = null;
        }
    }

    private void fail(final String reason, final Throwable cause)
    {
        failureReason = reason;
        state = State.FAILED;
        publishProgress();
        LOG.error("replica node {} stopped: {}", ctx.nodeId(), reason, cause);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Journal batches
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Journals and applies one batch from the followed primary; a batch whose records do not fit the journal ring
     * yet is left in the stream for a later poll.
     */
    public Action onJournalBatch(
        final int sessionId,
        final long firstWireSeq,
        final int entryCount,
        final long sendTimestampNs,
        final DirectBuffer buffer,
        final int entriesOffset,
        final int entriesLength,
        final MessageSeal seal)
    {
        if (unsealed(seal) || state != State.FOLLOWING || sessionId != followedSessionId || !sealedByFollowed(seal))
        {
            return Action.CONTINUE;
        }
        if (entriesLength == ReplicationAdapter.MALFORMED)
        {
            rehandshake("malformed batch from wireSeq " + firstWireSeq);
            badEntries++;
            return Action.CONTINUE;
        }
        final long appliedBefore = applier.appliedWireSeq();
        batchSendTimestampNs = sendTimestampNs;
        final BatchApplier.Outcome outcome =
            applier.apply(buffer, entriesOffset, entriesLength, entryCount, firstWireSeq);
        if (applier.repeatedEntries() != repeatedEntries)
        {
            repeatedEntries = applier.repeatedEntries();
        }
        switch (outcome)
        {
            case APPLIED:
                publishProgress();
                entriesApplied += applier.appliedWireSeq() - appliedBefore;
                echoTimestampNs = sendTimestampNs;
                lastPrimaryMessageNs = nowNs;
                return Action.CONTINUE;
            case RING_FULL:
                // The primary is alive, this replica's journal is slow: that is no reason to drop the stream, and
                // the heartbeats queued behind this batch cannot be read until it is taken.
                lastPrimaryMessageNs = nowNs;
                ringFullEvents++;
                return Action.ABORT;
            case APPLY_FAILED:
                fail(applier.problem(), applier.failure());
                return Action.CONTINUE;
            default:
                publishProgress();
                rehandshake(applier.problem());
                if (outcome == BatchApplier.Outcome.GAP)
                {
                    gaps++;
                }
                else
                {
                    badEntries++;
                }
                return Action.CONTINUE;
        }
    }

    /**
     * The batch's entries are checked and on the journal ring: wake the journal agent, and acknowledge them in
     * memory now, before they are applied, so the primary's gate does not wait for this replica's state machine.
     */
    private void onHeld(final long wireSeq)
    {
        ctx.journalWaker().wake();
        echoTimestampNs = batchSendTimestampNs;
        ack();
    }

    private void publishProgress()
    {
        appliedWireSeq = applier.appliedWireSeq();
        lastEntryCrc32c = applier.lastEntryCrc32c();
        epoch = applier.epoch();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Liveness and acks
    // ------------------------------------------------------------------------------------------------------------

    public void onHeartbeat(
        final int sessionId,
        final int nodeId,
        final short roleRaw,
        final long heartbeatEpoch,
        final short durabilityMode,
        final short policyPersistedCount,
        final short policyInMemoryCount,
        final long streamCorrelationId,
        final long lastWireSeq,
        final MessageSeal seal)
    {
        if (unsealed(seal) || (state != State.FOLLOWING && state != State.RECEIVING_SNAPSHOT) ||
            sessionId != followedSessionId || !sealedByFollowed(seal))
        {
            return;
        }
        if (heartbeatEpoch < applier.epoch())
        {
            rehandshake("primary node " + nodeId + " reports epoch " + heartbeatEpoch + ", older than this replica's " +
                applier.epoch());
            staleEpochRefusals++;
            return;
        }
        lastPrimaryMessageNs = nowNs;
        primaryEpoch = heartbeatEpoch;
        primaryLastWireSeq = lastWireSeq;
        if (!policyFollower.onHeartbeat(durabilityMode, policyPersistedCount, policyInMemoryCount))
        {
            dataAdapter.countMalformed();
        }
        if (streamCorrelationId != correlationId)
        {
            rehandshake("primary node " + nodeId + " no longer serves this replica's stream" +
                (roleRaw == NodeRole.FENCED.value() ? " (it is fenced)" : ""));
        }
    }

    private int checkPrimary()
    {
        if (nowNs - lastPrimaryMessageNs > ctx.heartbeatTimeoutNs())
        {
            rehandshake("no message from primary node " + primaryNodeId + " for " +
                TimeUnit.NANOSECONDS.toMillis(nowNs - lastPrimaryMessageNs) + " ms");
            primaryTimeouts++;
            return 1;
        }
        if (!dataAdapter.isImageLive(followedSessionId))
        {
            rehandshake("data stream image of primary node " + primaryNodeId + " lost");
            return 1;
        }
        return 0;
    }

    private int ack()
    {
        final long inMemoryWireSeq = applier.heldWireSeq();
        final long persistedWireSeq = Math.min(journalPersistedWireSeq.getAsLong(), inMemoryWireSeq);
        if ((inMemoryWireSeq == ackedInMemoryWireSeq && persistedWireSeq == ackedPersistedWireSeq) ||
            !controlPublisher.sendAck(inMemoryWireSeq, persistedWireSeq, echoTimestampNs, correlationId,
            followed == null ? null : followed.control))
        {
            return 0;
        }
        ackedInMemoryWireSeq = inMemoryWireSeq;
        ackedPersistedWireSeq = persistedWireSeq;
        return 1;
    }

    private int heartbeat()
    {
        if (nowNs - lastHeartbeatSentNs < ctx.heartbeatIntervalNs() || state == State.REJECTED ||
            state == State.FAILED)
        {
            return 0;
        }
        final boolean streaming = state == State.FOLLOWING || state == State.RECEIVING_SNAPSHOT ||
            state == State.INSTALLING_SNAPSHOT;
        if (!controlPublisher.sendHeartbeat(applier.epoch(), policyFollower.primaryDurabilityMode(), nowNs,
            streaming ? correlationId : 0, applier.appliedWireSeq(), streaming && followed != null ? followed.control :
            null))
        {
            return 0;
        }
        if (auth != null)
        {
            final long epoch = applier.epoch();
            controlPublisher.sendEpochProof(epoch, auth.publicKey(), auth.epochSignature(epoch));
        }
        lastHeartbeatSentNs = nowNs;
        return 1;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Observers (any thread), beside those of ReplicaStatus
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Data-stream messages that were not well formed (short block, var data past the end, a snapshot offer or
     * policy counts out of range), dropped.
     */
    public long badMessages()
    {
        return dataAdapter.malformedMessages();
    }

    /**
     * Data-stream messages dropped on an authenticated link because they were not sealed by the primary they claim
     * to come from (forged or replayed stream messages, refusals sent before authentication, challenges not signed by
     * a listed key).
     */
    public long unauthenticatedMessages()
    {
        return dataAdapter.unauthenticatedMessages();
    }

    /** Whether this replica runs the authenticated link. */
    public boolean authenticated()
    {
        return auth != null;
    }

    /** The primary's durability mode byte ({@code DurabilityMode.code()}), {@code CUSTOM_CODE} until known. */
    public byte primaryDurabilityMode()
    {
        return policyFollower.primaryDurabilityMode();
    }

    public String toString()
    {
        return "ReplicaAgent{state=" + state + ", appliedWireSeq=" + appliedWireSeq + ", epoch=" + epoch +
            ", primaryEpoch=" + primaryEpoch + '}';
    }
}
