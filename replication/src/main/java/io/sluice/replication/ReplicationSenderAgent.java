package io.sluice.replication;

import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.sluice.journal.Journal;
import io.sluice.journal.JournalCorruptionException;
import io.sluice.journal.JournalEntryView;
import io.sluice.journal.JournalReader;
import io.sluice.journal.SnapshotInfo;
import io.sluice.journal.SnapshotStore;
import io.sluice.durability.DurabilityControl;
import io.sluice.durability.Policy;
import io.sluice.durability.ReplicationMetrics;
import io.sluice.sbe.replication.AckDecoder;
import io.sluice.sbe.replication.HandshakeDecoder;
import io.sluice.sbe.replication.HeartbeatDecoder;
import io.sluice.sbe.replication.HeartbeatEncoder;
import io.sluice.sbe.replication.JournalBatchEncoder;
import io.sluice.sbe.replication.MessageHeaderDecoder;
import io.sluice.sbe.replication.MessageHeaderEncoder;
import io.sluice.sbe.replication.NodeRole;
import io.sluice.sbe.replication.RejectCode;
import io.sluice.sbe.replication.RejectEncoder;
import io.sluice.sbe.replication.SnapshotChunkEncoder;
import io.sluice.sbe.replication.SnapshotEndEncoder;
import io.sluice.sbe.replication.SnapshotOfferEncoder;
import io.sluice.sbe.replication.StreamStartEncoder;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/**
 * The primary's end of one replica slot: answers the replica's handshake, streams the journal to it, and turns its
 * acks into the slot's cursors in {@link ReplicationMetrics}. Sender and ack listener of the slot in one agent, so
 * every field of the slot in {@code ReplicationMetrics} has this agent's thread as its only writer.
 * <p>
 * Duty cycle: poll the control stream (handshakes, acks, heartbeats); drop the stream if the replica went silent for
 * {@link ReplicationSenderContext#heartbeatTimeoutNs} or its control image was lost; while streaming, read the journal
 * from where the replica stands and offer it in batches of up to {@link ReplicationSenderContext#maxBatchBytes}; send a
 * heartbeat every {@link ReplicationSenderContext#heartbeatIntervalNs}. Catch-up and live streaming are the same loop:
 * a {@link JournalReader} positioned at the replica's last durable {@code wireSeq} + 1 simply runs until it reaches the
 * tail.
 * <p>
 * Back-pressure never blocks the journal and never drops an entry: the reader is this agent's own, and a batch that
 * the publication refuses stays in the agent and is offered again on the next duty cycle.
 * <p>
 * Slot transitions follow the rule of {@link ReplicationMetrics}: on accepting a handshake the cursors are seeded
 * from it before the slot is set active ({@link ReplicationMetrics#activate}); on dropping the stream they are zeroed
 * before it is cleared ({@link ReplicationMetrics#deactivate}).
 * <p>
 * A handshake or heartbeat carrying an epoch above this primary's fences the node ({@link PrimaryFence}); a fenced
 * sender stops streaming and refuses every handshake.
 * <p>
 * Snapshot transfer: a replica whose position the journal no longer holds (retention deleted it), or an empty replica
 * that asks for it (resync), is sent the newest valid snapshot first: {@code SnapshotOffer}, the file in {@code
 * SnapshotChunk}s of at most {@link ReplicationSenderContext#maxBatchBytes} (one datagram each), {@code SnapshotEnd}
 * with the CRC32C of the file, then {@code StreamStart} from the snapshot's {@code wireSeq} + 1 and the journal through
 * the same loop as ever. Chunks are read from the file on this agent's thread and a refused chunk is offered again on
 * the next duty cycle, so back-pressure stalls only this slot. The slot stays inactive until the replica acks the
 * installed state; those cursors seed it. While a slot needs entries ({@link #retainFromWireSeq()}), retention keeps
 * them.
 */
public final class ReplicationSenderAgent implements Agent, FragmentHandler, AutoCloseable
{
    /** What the slot is doing. */
    private static final byte[] NO_CHALLENGE = new byte[32];
    private static final byte[] NO_KEY = new byte[32];
    private final java.security.SecureRandom random = new java.security.SecureRandom();
    /** The challenge last sent with AUTH_REQUIRED; agent thread only. */
    private final byte[] challenge = new byte[32];
    private boolean challengeIssued;
    private final byte[] challengeAnswered = new byte[32];
    private final byte[] replicaKey = new byte[32];
    private final byte[] replicaSignature = new byte[64];

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
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int CONTROL_BUFFER_BYTES = 2048;

    private final ReplicationSenderContext ctx;
    private final int slot;
    private final Journal journal;
    private final ReplicationMetrics metrics;
    private final PrimaryFence fence;
    private final NanoClock clock;
    private final LongSupplier lastWireSeq;
    private final ExclusivePublication publication;
    private final Subscription subscription;
    private final FragmentAssembler assembler = new FragmentAssembler(this);

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final HandshakeDecoder handshakeDecoder = new HandshakeDecoder();
    private final AckDecoder ackDecoder = new AckDecoder();
    private final HeartbeatDecoder heartbeatDecoder = new HeartbeatDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final StreamStartEncoder streamStartEncoder = new StreamStartEncoder();
    private final HeartbeatEncoder heartbeatEncoder = new HeartbeatEncoder();
    private final RejectEncoder rejectEncoder = new RejectEncoder();
    private final JournalBatchEncoder batchEncoder = new JournalBatchEncoder();
    private final SnapshotOfferEncoder snapshotOfferEncoder = new SnapshotOfferEncoder();
    private final SnapshotChunkEncoder snapshotChunkEncoder = new SnapshotChunkEncoder();
    private final SnapshotEndEncoder snapshotEndEncoder = new SnapshotEndEncoder();
    private final CRC32C snapshotCrc = new CRC32C();
    private final SnapshotStore snapshotStore;
    /** Shortest handshake block read: through the correlation id, which every protocol version has. */
    private static final int MIN_HANDSHAKE_BLOCK_LENGTH =
        HandshakeDecoder.correlationIdEncodingOffset() + HandshakeDecoder.correlationIdEncodingLength();

    /** StreamStart of the current stream, kept until the publication takes it. */
    private final UnsafeBuffer streamStartBuffer = new UnsafeBuffer(new byte[CONTROL_BUFFER_BYTES]);
    private final UnsafeBuffer controlBuffer = new UnsafeBuffer(new byte[CONTROL_BUFFER_BYTES]);
    private final UnsafeBuffer batchBuffer;
    /** An entry read from the journal that did not fit the batch being built; it opens the next one. */
    private final UnsafeBuffer carryBuffer = new UnsafeBuffer(new byte[ReplicationProtocol.MAX_ENTRY_LENGTH]);

    // Agent-thread state.
    private JournalReader reader;
    private long nowNs;
    private long streamCorrelationId;
    private int replicaSessionId;
    private int replicaNodeId;
    private int streamStartLength;
    private long readWireSeq;
    private long sentWireSeqPlain;
    private int batchLength;
    private int batchEntryCount;
    private long batchLastWireSeq;
    private int carryLength;
    private long lastReceivedNs;
    private long lastHeartbeatSentNs;
    private String lastRejectLogged;

    // Agent-thread state of a snapshot transfer. The message in streamStartBuffer is the SnapshotOffer, then the
    // SnapshotEnd, then the StreamStart, each kept until the publication takes it; a chunk read into batchBuffer is
    // kept (chunkLength > 0) until the publication takes it, so a refused chunk is never read or checksummed twice.
    private FileChannel snapshotChannel;
    private boolean snapshotOfferPending;
    private boolean snapshotEndPending;
    private long snapshotSentBytesPlain;
    private int chunkLength;
    private int chunkDataBytes;
    /** After a transfer: the slot is activated by the replica's first ack of the installed state. */
    private boolean awaitingInstallAck;

    // Written by the agent thread only; read by any thread (health, metrics, tests). A counter of dropped streams
    // is raised after the slot is deactivated, so a reader that sees it also sees the slot inactive.
    private volatile State state = State.AWAITING_HANDSHAKE;
    private volatile long sentWireSeq;
    private volatile long handshakesAccepted;
    private volatile long handshakesRejected;
    private volatile long heartbeatTimeouts;
    /** Control messages too short for their template, dropped. */
    private volatile long malformedMessages;
    private volatile long lagDisconnects;
    /** When the replica's in-memory cursor first fell more than maxLagEntries behind; 0 while it is close. */
    private long laggingSinceNs;
    private volatile long imageLosses;
    private volatile long backPressureEvents;
    private volatile String lastRejectReason;
    private volatile String failureReason;
    /** Lowest wireSeq this slot may still read (snapshot tail or the replica's start); Long.MAX_VALUE if none. */
    private volatile long pinnedWireSeq = Long.MAX_VALUE;
    private volatile long snapshotWireSeq;
    private volatile long snapshotTotalBytes;
    private volatile long snapshotSentBytes;
    private volatile long snapshotsSent;

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
        this.journal = ctx.journal();
        this.metrics = ctx.replicationMetrics();
        this.fence = ctx.fence();
        this.clock = ctx.nanoClock();
        this.lastWireSeq = ctx.lastWireSeq();
        this.snapshotStore = new SnapshotStore(journal.snapshotDirectory());
        this.batchBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            ctx.maxBatchBytes() + ReplicationProtocol.MAX_SINGLE_ENTRY_BATCH_LENGTH, 64));
        final ReplicationTransport transport = ctx.transport();
        ExclusivePublication pub = null;
        try
        {
            pub = transport.aeron().addExclusivePublication(
                transport.publicationChannel(ctx.dataEndpoint()), ctx.dataStreamId());
            subscription = transport.aeron().addSubscription(
                transport.subscriptionChannel(ctx.controlEndpoint()), ctx.controlStreamId());
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(pub);
            throw ex;
        }
        publication = pub;
    }

    public String roleName()
    {
        return "replication-sender-" + slot;
    }

    public int doWork()
    {
        nowNs = clock.nanoTime();
        int workCount = 0;
        workCount += subscription.poll(assembler, ctx.fragmentLimit());
        workCount += checkStream();
        if (state == State.STREAMING)
        {
            workCount += stream();
        }
        else if (state == State.SENDING_SNAPSHOT)
        {
            workCount += sendSnapshot();
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
        closeSnapshot();
        closeReader();
        CloseHelper.closeAll(publication, subscription);
    }

    /** Closes the Aeron resources; for an agent that was never run (a running agent closes them itself). */
    public void close()
    {
        onClose();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Control stream
    // ------------------------------------------------------------------------------------------------------------

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return;
        }
        headerDecoder.wrap(buffer, offset);
        if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            return;
        }
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        if (length < MessageHeaderDecoder.ENCODED_LENGTH + blockLength)
        {
            return;
        }
        switch (headerDecoder.templateId())
        {
            case AckDecoder.TEMPLATE_ID:
                if (blockLength < AckDecoder.BLOCK_LENGTH)
                {
                    malformedMessages++;
                    break;
                }
                ackDecoder.wrap(buffer, body, blockLength, version);
                onAck(header.sessionId());
                break;
            case HeartbeatDecoder.TEMPLATE_ID:
                if (blockLength < HeartbeatDecoder.BLOCK_LENGTH)
                {
                    malformedMessages++;
                    break;
                }
                heartbeatDecoder.wrap(buffer, body, blockLength, version);
                onHeartbeat(header.sessionId());
                break;
            case HandshakeDecoder.TEMPLATE_ID:
                // An older replica's handshake is shorter (fields were added at the end): it is read as far as its
                // protocol version and correlation id, so it is refused PROTOCOL_VERSION with a reason instead of
                // being dropped as malformed and retried for ever. Later fields are read only once the versions
                // match.
                if (blockLength < MIN_HANDSHAKE_BLOCK_LENGTH)
                {
                    malformedMessages++;
                    break;
                }
                handshakeDecoder.wrap(buffer, body, blockLength, version);
                onHandshake(header.sessionId());
                break;
            default:
                break;
        }
    }

    private void onAck(final int sessionId)
    {
        if (state != State.STREAMING || sessionId != replicaSessionId ||
            ackDecoder.streamCorrelationId() != streamCorrelationId)
        {
            // Cursors of another stream: the replica follows another primary (its control messages reach every
            // candidate primary), and counting them here could release replies it never held.
            return;
        }
        lastReceivedNs = nowNs;
        // A replica cannot hold more than it was sent; never let a confused peer open the gate early.
        final long inMemoryWireSeq = Math.min(ackDecoder.inMemoryWireSeq(), sentWireSeqPlain);
        final long persistedWireSeq = Math.min(ackDecoder.persistedWireSeq(), sentWireSeqPlain);
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
        final long echoNs = ackDecoder.echoTimestampNs();
        final long latencyNs = echoNs != 0 ? Math.max(0, nowNs - echoNs) : 0;
        metrics.onAck(slot, inMemoryWireSeq, persistedWireSeq, latencyNs);
    }

    private void onHeartbeat(final int sessionId)
    {
        checkForeignEpoch(heartbeatDecoder.epoch(), heartbeatDecoder.nodeId(), "heartbeat");
        if ((state == State.STREAMING || state == State.SENDING_SNAPSHOT) && sessionId == replicaSessionId)
        {
            lastReceivedNs = nowNs;
        }
    }

    private void onHandshake(final int sessionId)
    {
        final long correlationId = handshakeDecoder.correlationId();
        final int nodeId = handshakeDecoder.nodeId();
        if (state == State.STREAMING || state == State.SENDING_SNAPSHOT)
        {
            // A replica repeats its handshake only while it has not seen StreamStart. After a replica restart the
            // data publication can still count as connected to the dead receiver, so StreamStart (and what
            // followed) may have gone nowhere: start the stream again from the replica's position.
            dropStream(correlationId == streamCorrelationId && sessionId == replicaSessionId ?
                "replica node " + nodeId + " repeated its handshake: it never saw the stream start" :
                "replica node " + nodeId + " started a new handshake");
        }

        final int protocolVersion = handshakeDecoder.protocolVersion();
        if (protocolVersion != ctx.protocolVersion())
        {
            reject(RejectCode.PROTOCOL_VERSION, correlationId, "replica node " + nodeId +
                " speaks replication protocol version " + protocolVersion + ", primary node " + ctx.nodeId() +
                " speaks version " + ctx.protocolVersion());
            return;
        }
        if (ctx.replicationKeys() != null && !authenticated(nodeId, correlationId))
        {
            return;
        }

        final long epoch = handshakeDecoder.epoch();
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
        final long configDigest = handshakeDecoder.configDigest();
        if (configDigest != ctx.configDigest())
        {
            reject(RejectCode.CONFIG_DIGEST, correlationId, "config digest of replica node " + nodeId + " is " +
                Long.toHexString(configDigest) + ", primary's is " + Long.toHexString(ctx.configDigest()) +
                ": instruments, risk limits or matching options differ");
            return;
        }

        final long lastDurableWireSeq = handshakeDecoder.lastDurableWireSeq();
        final long lastEntryCrc32c = handshakeDecoder.lastEntryCrc32c();
        final long firstWireSeq = journal.firstWireSeq();
        if (lastDurableWireSeq < 0)
        {
            reject(RejectCode.DIVERGED, correlationId, "replica node " + nodeId + " sent lastDurableWireSeq " +
                lastDurableWireSeq);
            return;
        }
        final boolean snapshotRequested = handshakeDecoder.snapshotRequested() == 1 && lastDurableWireSeq == 0;
        if (lastDurableWireSeq > 0 && lastDurableWireSeq >= firstWireSeq)
        {
            // The entry the replica ends at is in the journal: compare CRCs and stream from just after it.
            final JournalReader candidate = journal.newReader();
            final String problem = checkReplicaTail(candidate, nodeId, lastDurableWireSeq, lastEntryCrc32c);
            if (problem == null)
            {
                accept(candidate, sessionId, nodeId, correlationId, lastDurableWireSeq);
                return;
            }
            candidate.close();
            if (lastDurableWireSeq >= journal.firstWireSeq())
            {
                reject(problem.startsWith("diverged") ? RejectCode.DIVERGED : RejectCode.AHEAD_OF_PRIMARY,
                    correlationId, problem);
                return;
            }
            // Retention raised the journal's start (header first, files after) while this was read: the entry
            // is gone, not different; fall through to a snapshot.
        }
        else if (lastDurableWireSeq == 0 && firstWireSeq == 1 && !snapshotRequested)
        {
            accept(journal.newReader(), sessionId, nodeId, correlationId, 0);
            return;
        }
        else if (lastDurableWireSeq > 0 && lastDurableWireSeq == firstWireSeq - 1 &&
            journal.entryCrc32c(lastDurableWireSeq) >= 0)
        {
            // This journal was seeded from a snapshot at the replica's position: its seed holds the entry's CRC.
            final long primaryCrc32c = journal.entryCrc32c(lastDurableWireSeq);
            if (primaryCrc32c != lastEntryCrc32c)
            {
                reject(RejectCode.DIVERGED, correlationId, "diverged: entry wireSeq " + lastDurableWireSeq +
                    " of replica node " + nodeId + " has CRC32C " + Long.toHexString(lastEntryCrc32c) +
                    ", the primary's has " + Long.toHexString(primaryCrc32c) +
                    "; its journal must be set aside and resynced");
                return;
            }
            accept(journal.newReader(), sessionId, nodeId, correlationId, lastDurableWireSeq);
            return;
        }
        offerSnapshot(sessionId, nodeId, correlationId, lastDurableWireSeq, snapshotRequested);
    }

    /**
     * Starts sending the newest valid snapshot, positioned to stream the journal after it; or, with no usable
     * snapshot, copies the journal from the start (possible only if it still starts at 1) or refuses the replica
     * with TOO_FAR_BEHIND (it retries: a snapshot may be written meanwhile).
     */
    private void offerSnapshot(
        final int sessionId,
        final int nodeId,
        final long correlationId,
        final long lastDurableWireSeq,
        final boolean snapshotRequested)
    {
        final String why = snapshotRequested ? "replica node " + nodeId + " asked for a snapshot" :
            "replica node " + nodeId + " ends at wireSeq " + lastDurableWireSeq + " but the primary's journal " +
            "starts at " + journal.firstWireSeq();
        SnapshotInfo snapshot = null;
        String problem = null;
        try
        {
            // The snapshot writer's newest, checked on its thread; otherwise check the directory here (a primary
            // whose snapshot agent has not started yet, or tests without one).
            final Supplier<SnapshotInfo> checked = ctx.newestSnapshot();
            snapshot = checked != null ? checked.get() : null;
            if (snapshot == null)
            {
                snapshot = snapshotStore.newestValid();
            }
        }
        catch (final IOException ex)
        {
            problem = "the snapshot directory cannot be read: " + ex;
        }
        long entryCrc32c = -1;
        long totalBytes = 0;
        JournalReader tail = null;
        FileChannel channel = null;
        if (snapshot == null && problem == null)
        {
            problem = "the primary has no valid snapshot";
        }
        else if (snapshot != null)
        {
            final long wireSeq = snapshot.wireSeq();
            entryCrc32c = wireSeq + 1 < journal.firstWireSeq() ? -1 : journal.entryCrc32c(wireSeq);
            if (entryCrc32c < 0)
            {
                problem = "the newest snapshot (wireSeq " + wireSeq + ") is not followed by the journal, which " +
                    "starts at " + journal.firstWireSeq();
            }
            else
            {
                tail = journal.newReader();
                try
                {
                    if (wireSeq >= journal.firstWireSeq() && (!tail.seek(wireSeq) || !tail.next()))
                    {
                        problem = "the primary's journal cannot be positioned after wireSeq " + wireSeq;
                    }
                    else
                    {
                        channel = FileChannel.open(snapshot.file(), StandardOpenOption.READ);
                        totalBytes = channel.size();
                    }
                }
                catch (final IOException | JournalCorruptionException ex)
                {
                    problem = "snapshot " + snapshot.file() + " cannot be opened: " + ex.getMessage();
                }
            }
        }
        if (problem != null)
        {
            if (tail != null)
            {
                tail.close();
            }
            CloseHelper.quietClose(channel);
            if (lastDurableWireSeq == 0 && journal.firstWireSeq() == 1)
            {
                LOG.info("replica slot {}: {} but {}; copying the journal from wireSeq 1", slot, why, problem);
                accept(journal.newReader(), sessionId, nodeId, correlationId, 0);
                return;
            }
            reject(RejectCode.TOO_FAR_BEHIND, correlationId, why + "; it needs a snapshot first, but " + problem);
            return;
        }

        closeSnapshot();
        final long wireSeq = snapshot.wireSeq();
        beginStream(tail, wireSeq, sessionId, nodeId, correlationId);
        snapshotChannel = channel;
        snapshotCrc.reset();
        snapshotSentBytesPlain = 0;
        chunkLength = 0;
        snapshotSentBytes = 0;
        snapshotTotalBytes = totalBytes;
        snapshotWireSeq = wireSeq;
        pinnedWireSeq = wireSeq;
        snapshotOfferEncoder.wrapAndApplyHeader(streamStartBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .epoch(ctx.epoch().getAsLong())
            .primaryNodeId(ctx.nodeId())
            .snapshotWireSeq(wireSeq)
            .snapshotEpoch(snapshot.epoch())
            .entryCrc32c(entryCrc32c)
            .totalLengthBytes(snapshotTotalBytes);
        streamStartLength = MessageHeaderEncoder.ENCODED_LENGTH + snapshotOfferEncoder.encodedLength();
        snapshotOfferPending = true;
        snapshotEndPending = false;
        state = State.SENDING_SNAPSHOT;
        handshakesAccepted++;
        lastRejectLogged = null;
        LOG.info("replica slot {}: {}; sending snapshot wireSeq {} ({} bytes), then the journal from {}", slot, why,
            wireSeq, snapshotTotalBytes, wireSeq + 1);
    }

    /**
     * Positions {@code candidate} just after the replica's last entry if the primary holds the same entry there.
     *
     * @return null if it does, else why the replica must be refused (starting "diverged" for a different entry).
     */
    private String checkReplicaTail(
        final JournalReader candidate, final int nodeId, final long lastDurableWireSeq, final long lastEntryCrc32c)
    {
        try
        {
            if (!candidate.seek(lastDurableWireSeq) || !candidate.next())
            {
                return "replica node " + nodeId + " is ahead of the primary: its journal ends at wireSeq " +
                    lastDurableWireSeq + " which the primary's journal does not hold";
            }
            final long primaryCrc32c = candidate.entry().crc32c();
            if (primaryCrc32c != lastEntryCrc32c)
            {
                return "diverged: entry wireSeq " + lastDurableWireSeq + " of replica node " + nodeId +
                    " has CRC32C " + Long.toHexString(lastEntryCrc32c) + ", the primary's has " +
                    Long.toHexString(primaryCrc32c) + "; its journal must be set aside and resynced";
            }
            return null;
        }
        catch (final JournalCorruptionException ex)
        {
            LOG.error("primary journal unreadable at wireSeq {} for replica slot {}", lastDurableWireSeq, slot, ex);
            return "diverged: the primary's journal cannot be read at wireSeq " + lastDurableWireSeq + ": " +
                ex.getMessage();
        }
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

        final long epoch = encodeStreamStart(correlationId, lastDurableWireSeq + 1);

        // Seed, then set active: the gate never sees this slot active with cursors that are not the replica's.
        metrics.activate(slot, lastDurableWireSeq, lastDurableWireSeq);
        state = State.STREAMING;
        handshakesAccepted++;
        lastRejectLogged = null;
        LOG.info("replica slot {} active: node {} from wireSeq {} at epoch {}", slot, nodeId,
            lastDurableWireSeq + 1, epoch);
    }

    /** @return the epoch it carries. */
    private long encodeStreamStart(final long correlationId, final long fromWireSeq)
    {
        final long epoch = ctx.epoch().getAsLong();
        streamStartEncoder.wrapAndApplyHeader(streamStartBuffer, 0, headerEncoder)
            .epoch(epoch)
            .fromWireSeq(fromWireSeq)
            .durabilityMode((short)(ctx.durabilityControl().modeCode() & 0xFF))
            .correlationId(correlationId)
            .primaryNodeId(ctx.nodeId());
        streamStartLength = MessageHeaderEncoder.ENCODED_LENGTH + streamStartEncoder.encodedLength();
        return epoch;
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
        batchLength = 0;
        carryLength = 0;
        replicaSessionId = sessionId;
        replicaNodeId = nodeId;
        streamCorrelationId = correlationId;
        lastReceivedNs = nowNs;
    }

    private void reject(final RejectCode code, final long correlationId, final String reason)
    {
        reject(code, correlationId, reason, NO_CHALLENGE);
    }

    /**
     * With a key check configured: a handshake must answer the challenge this slot issued last, signed by a key
     * listed with the replication role. An unsigned or stale answer gets a fresh challenge (AUTH_REQUIRED); a
     * signed answer that fails is refused for good (AUTH_FAILED).
     */
    private boolean authenticated(final int nodeId, final long correlationId)
    {
        handshakeDecoder.getChallenge(challengeAnswered, 0, challengeAnswered.length);
        handshakeDecoder.getPublicKey(replicaKey, 0, replicaKey.length);
        handshakeDecoder.getSignature(replicaSignature, 0, replicaSignature.length);
        if (!challengeIssued || !java.util.Arrays.equals(challengeAnswered, challenge) ||
            java.util.Arrays.equals(replicaKey, NO_KEY))
        {
            random.nextBytes(challenge);
            challengeIssued = true;
            reject(RejectCode.AUTH_REQUIRED, correlationId, "primary node " + ctx.nodeId() +
                " requires a replication key: sign the challenge", challenge);
            return false;
        }
        challengeIssued = false;
        final String refusal = ctx.replicationKeys().refusal(replicaKey);
        if (refusal == null && ReplicationAuth.verify(replicaKey, challenge, nodeId, replicaSignature))
        {
            return true;
        }
        reject(RejectCode.AUTH_FAILED, correlationId, "replica node " + nodeId + " refused: " +
            (refusal != null ? refusal : "bad signature over the challenge"));
        return false;
    }

    private void reject(final RejectCode code, final long correlationId, final String reason, final byte[] challenge)
    {
        handshakesRejected++;
        lastRejectReason = reason;
        if (!reason.equals(lastRejectLogged))
        {
            lastRejectLogged = reason;
            LOG.warn("replica slot {} handshake refused code={} reason=\"{}\"", slot, code, reason);
        }
        rejectEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .code(code)
            .correlationId(correlationId)
            .epoch(ctx.epoch().getAsLong())
            .putChallenge(challenge, 0, challenge.length)
            .reason(reason.length() > 1024 ? reason.substring(0, 1024) : reason);
        // Not retried: the replica resends its handshake until it gets an answer.
        publication.offer(controlBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + rejectEncoder.encodedLength());
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
        final Image image = subscription.imageBySessionId(replicaSessionId);
        if (image == null || image.isClosed() || image.isEndOfStream())
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
        final long lagEntries = ctx.lastWireSeq().getAsLong() - metrics.inMemoryWireSeq(slot);
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
        batchLength = 0;
        carryLength = 0;
        streamStartLength = 0;
        awaitingInstallAck = false;
        closeSnapshot();
        closeReader();
        pinnedWireSeq = Long.MAX_VALUE;
        LOG.warn("replica slot {} inactive: {}", slot, reason);
    }

    private void closeSnapshot()
    {
        if (snapshotChannel != null)
        {
            CloseHelper.quietClose(snapshotChannel);
            snapshotChannel = null;
        }
        snapshotOfferPending = false;
        snapshotEndPending = false;
        chunkLength = 0;
    }

    private void closeReader()
    {
        if (reader != null)
        {
            reader.close();
            reader = null;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Data stream
    // ------------------------------------------------------------------------------------------------------------

    private int stream()
    {
        int workCount = 0;
        if (streamStartLength > 0)
        {
            if (publication.offer(streamStartBuffer, 0, streamStartLength) < 0)
            {
                return 0;
            }
            streamStartLength = 0;
            workCount++;
        }
        for (int i = 0; i < ctx.maxBatchesPerDutyCycle(); i++)
        {
            if (batchLength == 0 && !fillBatch())
            {
                break;
            }
            batchEncoder.sendTimestampNs(clock.nanoTime());
            final long result = publication.offer(batchBuffer, 0, batchLength);
            if (result < 0)
            {
                if (result == Publication.BACK_PRESSURED)
                {
                    backPressureEvents++;
                }
                else if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
                {
                    fail("data publication unusable: " + Publication.errorString(result));
                }
                break;
            }
            metrics.addBytesSent(slot, batchLength);
            sentWireSeqPlain = batchLastWireSeq;
            sentWireSeq = batchLastWireSeq;
            batchLength = 0;
            workCount += batchEntryCount;
        }
        return workCount;
    }

    /**
     * Builds the next batch from the journal: a JournalBatch whose var-data holds length-prefixed entries, written in
     * place so each entry is copied once. At least one entry, then as many as fit {@link
     * ReplicationSenderContext#maxBatchBytes}.
     *
     * @return false if the journal has nothing new.
     */
    private boolean fillBatch()
    {
        int position = ReplicationProtocol.BATCH_HEADER_LENGTH;
        int count = 0;
        long firstWireSeq = 0;
        if (carryLength > 0)
        {
            batchBuffer.putInt(position, carryLength, ORDER);
            batchBuffer.putBytes(position + ReplicationProtocol.ENTRY_LENGTH_PREFIX, carryBuffer, 0, carryLength);
            position += ReplicationProtocol.ENTRY_LENGTH_PREFIX + carryLength;
            firstWireSeq = readWireSeq;
            count = 1;
            carryLength = 0;
        }
        final int maxBatchBytes = ctx.maxBatchBytes();
        while (position < maxBatchBytes)
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
            final int length = entry.length();
            if (count > 0 && position + ReplicationProtocol.ENTRY_LENGTH_PREFIX + length > maxBatchBytes)
            {
                carryBuffer.putBytes(0, entry.buffer(), entry.offset(), length);
                carryLength = length;
                break;
            }
            batchBuffer.putInt(position, length, ORDER);
            batchBuffer.putBytes(position + ReplicationProtocol.ENTRY_LENGTH_PREFIX, entry.buffer(), entry.offset(),
                length);
            position += ReplicationProtocol.ENTRY_LENGTH_PREFIX + length;
            if (count == 0)
            {
                firstWireSeq = wireSeq;
            }
            count++;
        }
        if (count == 0)
        {
            return false;
        }
        batchEncoder.wrapAndApplyHeader(batchBuffer, 0, headerEncoder)
            .firstWireSeq(firstWireSeq)
            .entryCount(count);
        batchBuffer.putInt(ReplicationProtocol.BATCH_HEADER_LENGTH - JournalBatchEncoder.entriesHeaderLength(),
            position - ReplicationProtocol.BATCH_HEADER_LENGTH, ORDER);
        batchLength = position;
        batchEntryCount = count;
        batchLastWireSeq = firstWireSeq + count - 1;
        return true;
    }

    /**
     * Offers the SnapshotOffer, then up to {@link ReplicationSenderContext#maxBatchesPerDutyCycle} chunks, then the
     * SnapshotEnd; after the end the slot streams the journal from the snapshot's {@code wireSeq} + 1.
     */
    private int sendSnapshot()
    {
        int workCount = 0;
        if (snapshotOfferPending)
        {
            if (!offerControl())
            {
                return 0;
            }
            snapshotOfferPending = false;
            workCount++;
        }
        for (int i = 0; i < ctx.maxBatchesPerDutyCycle() && !snapshotEndPending; i++)
        {
            if (chunkLength == 0)
            {
                if (snapshotSentBytesPlain == snapshotTotalBytes)
                {
                    snapshotEndEncoder.wrapAndApplyHeader(streamStartBuffer, 0, headerEncoder)
                        .correlationId(streamCorrelationId)
                        .totalLengthBytes(snapshotTotalBytes)
                        .fileCrc32c(snapshotCrc.getValue());
                    streamStartLength = MessageHeaderEncoder.ENCODED_LENGTH + snapshotEndEncoder.encodedLength();
                    snapshotEndPending = true;
                    break;
                }
                if (!readChunk())
                {
                    return workCount;
                }
            }
            final SnapshotChunkHook hook = ctx.snapshotChunkHook();
            if (hook != null && !hook.beforeOffer(snapshotSentBytesPlain, batchBuffer, chunkLength - chunkDataBytes,
                chunkDataBytes))
            {
                return workCount;
            }
            final long result = publication.offer(batchBuffer, 0, chunkLength);
            if (result < 0)
            {
                onOfferFailed(result);
                return workCount;
            }
            metrics.addBytesSent(slot, chunkLength);
            snapshotSentBytesPlain += chunkDataBytes;
            snapshotSentBytes = snapshotSentBytesPlain;
            chunkLength = 0;
            workCount++;
        }
        if (snapshotEndPending)
        {
            if (!offerControl())
            {
                return workCount;
            }
            snapshotEndPending = false;
            closeSnapshot();
            snapshotsSent++;
            encodeStreamStart(streamCorrelationId, snapshotWireSeq + 1);
            awaitingInstallAck = true;
            state = State.STREAMING;
            LOG.info("replica slot {}: snapshot wireSeq {} sent ({} bytes) to node {}; streaming from {}", slot,
                snapshotWireSeq, snapshotTotalBytes, replicaNodeId, snapshotWireSeq + 1);
            workCount++;
        }
        return workCount;
    }

    /** Offers the control message held in streamStartBuffer; false if the publication refused it (retried later). */
    private boolean offerControl()
    {
        final long result = publication.offer(streamStartBuffer, 0, streamStartLength);
        if (result < 0)
        {
            onOfferFailed(result);
            return false;
        }
        streamStartLength = 0;
        return true;
    }

    private void onOfferFailed(final long result)
    {
        if (result == Publication.BACK_PRESSURED)
        {
            backPressureEvents++;
        }
        else if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
        {
            fail("data publication unusable: " + Publication.errorString(result));
        }
    }

    /**
     * Reads the next chunk of the snapshot file into batchBuffer as a SnapshotChunk and adds it to the CRC.
     *
     * @return false if the file could not be read (the stream is dropped; the replica handshakes again).
     */
    private boolean readChunk()
    {
        snapshotChunkEncoder.wrapAndApplyHeader(batchBuffer, 0, headerEncoder)
            .correlationId(streamCorrelationId)
            .offsetBytes(snapshotSentBytesPlain);
        final int lengthOffset = snapshotChunkEncoder.limit();
        final int dataOffset = lengthOffset + SnapshotChunkEncoder.bytesHeaderLength();
        final int dataBytes =
            (int)Math.min(ctx.maxBatchBytes() - dataOffset, snapshotTotalBytes - snapshotSentBytesPlain);
        final ByteBuffer target = batchBuffer.byteBuffer().duplicate();
        target.limit(dataOffset + dataBytes).position(dataOffset);
        try
        {
            long position = snapshotSentBytesPlain;
            while (target.hasRemaining())
            {
                final int read = snapshotChannel.read(target, position);
                if (read < 0)
                {
                    throw new IOException("snapshot file ends at " + position + " of " + snapshotTotalBytes + " bytes");
                }
                position += read;
            }
        }
        catch (final IOException ex)
        {
            LOG.error("replica slot {}: snapshot wireSeq {} unreadable", slot, snapshotWireSeq, ex);
            dropStream("snapshot wireSeq " + snapshotWireSeq + " unreadable: " + ex.getMessage());
            return false;
        }
        target.limit(dataOffset + dataBytes).position(dataOffset);
        snapshotCrc.update(target);
        batchBuffer.putInt(lengthOffset, dataBytes, ORDER);
        chunkLength = dataOffset + dataBytes;
        chunkDataBytes = dataBytes;
        return true;
    }

    private int heartbeat()
    {
        if (nowNs - lastHeartbeatSentNs < ctx.heartbeatIntervalNs())
        {
            return 0;
        }
        final Policy policy = ctx.durabilityControl().policy();
        heartbeatEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .nodeId(ctx.nodeId())
            .role(state == State.FENCED ? NodeRole.FENCED : NodeRole.PRIMARY)
            .epoch(ctx.epoch().getAsLong())
            .durabilityMode((short)(policy.modeCode() & 0xFF))
            .policyPersistedCount((short)policy.persistedCount())
            .policyInMemoryCount((short)policy.inMemoryCount())
            .timestampNs(nowNs)
            .streamCorrelationId(state == State.STREAMING || state == State.SENDING_SNAPSHOT ? streamCorrelationId : 0)
            .lastWireSeq(lastWireSeq == null ? readWireSeq : lastWireSeq.getAsLong());
        if (publication.offer(controlBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + heartbeatEncoder.encodedLength())
            < 0)
        {
            return 0;
        }
        lastHeartbeatSentNs = nowNs;
        return 1;
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
    // Observers (any thread)
    // ------------------------------------------------------------------------------------------------------------

    public int slot()
    {
        return slot;
    }

    public State state()
    {
        return state;
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

    /** {@code wireSeq} of the snapshot last offered to the replica; 0 before the first. */
    public long snapshotWireSeq()
    {
        return snapshotWireSeq;
    }

    /** Bytes of the current (or last) snapshot transfer handed to the publication. */
    public long snapshotSentBytes()
    {
        return snapshotSentBytes;
    }

    /** Length of the snapshot file being (or last) sent. */
    public long snapshotTotalBytes()
    {
        return snapshotTotalBytes;
    }

    /** Snapshot transfers sent to the end. */
    public long snapshotsSent()
    {
        return snapshotsSent;
    }

    /** Highest {@code wireSeq} handed to the publication in the current stream (the replica's seed before that). */
    public long sentWireSeq()
    {
        return sentWireSeq;
    }

    public long handshakesAccepted()
    {
        return handshakesAccepted;
    }

    public long handshakesRejected()
    {
        return handshakesRejected;
    }

    /** Streams dropped because the replica went silent for the heartbeat timeout. */
    public long heartbeatTimeouts()
    {
        return heartbeatTimeouts;
    }

    /** Control messages dropped because their block was shorter than their template's. */
    public long malformedMessages()
    {
        return malformedMessages;
    }

    /** Streams dropped because the replica fell more than {@code maxLagEntries} behind for too long. */
    public long lagDisconnects()
    {
        return lagDisconnects;
    }

    /** Streams dropped because the replica's control image went away. */
    public long imageLosses()
    {
        return imageLosses;
    }

    /** Batch offers the publication refused for back-pressure (each retried on a later duty cycle). */
    public long backPressureEvents()
    {
        return backPressureEvents;
    }

    /** Reason given with the last refused handshake, or null. */
    public String lastRejectReason()
    {
        return lastRejectReason;
    }

    /** Why the data publication became unusable, or null. */
    public String failureReason()
    {
        return failureReason;
    }

    public String toString()
    {
        return "ReplicationSenderAgent{slot=" + slot + ", state=" + state + ", sentWireSeq=" + sentWireSeq + '}';
    }
}
