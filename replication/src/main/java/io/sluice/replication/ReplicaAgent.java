package io.sluice.replication;

import io.aeron.ControlledFragmentAssembler;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.sluice.journal.JournalEntryView;
import io.sluice.journal.JournalPublisher;
import io.sluice.journal.JournalStateMachine;
import io.sluice.journal.SnapshotInfo;
import io.sluice.journal.SnapshotStore;
import io.sluice.durability.Clause;
import io.sluice.durability.DurabilityControl;
import io.sluice.durability.DurabilityMode;
import io.sluice.durability.InvalidPolicyException;
import io.sluice.durability.Level;
import io.sluice.durability.Policy;
import io.sluice.sbe.replication.AckEncoder;
import io.sluice.sbe.replication.HandshakeEncoder;
import io.sluice.sbe.replication.HeartbeatDecoder;
import io.sluice.sbe.replication.HeartbeatEncoder;
import io.sluice.sbe.replication.JournalBatchDecoder;
import io.sluice.sbe.replication.MessageHeaderDecoder;
import io.sluice.sbe.replication.MessageHeaderEncoder;
import io.sluice.sbe.replication.NodeRole;
import io.sluice.sbe.replication.RejectCode;
import io.sluice.sbe.replication.RejectDecoder;
import io.sluice.sbe.replication.SnapshotChunkDecoder;
import io.sluice.sbe.replication.SnapshotEndDecoder;
import io.sluice.sbe.replication.SnapshotOfferDecoder;
import io.sluice.sbe.replication.StreamStartDecoder;
import org.agrona.BitUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.zip.CRC32C;

/**
 * A replica's follower: handshakes with the primary, then journals and applies every entry it is sent, in order, to
 * its own journal (through the journal ring and its own {@link io.sluice.journal.JournalAgent}, which group-fsyncs)
 * and its own state machine, a hot standby. It acks both cursors: in memory as soon as an entry is applied,
 * persisted once the journal agent has synced it; one coalesced Ack per duty cycle carries both.
 * <p>
 * Every entry is checked before it is used: well-formed with a matching CRC32C, and exactly the next {@code wireSeq}. A
 * gap or a bad entry is never skipped: the replica stops following, waits until its journal has synced everything it
 * applied, and handshakes again from there. The same happens when the primary goes silent for {@link
 * ReplicaAgentContext#heartbeatTimeoutNs}, its image is lost, or its heartbeats show it no longer serves this stream.
 * <p>
 * Fencing: a primary whose StreamStart or heartbeat carries an epoch below the highest this replica has seen is
 * refused. A handshake the primary rejects for a reason that retrying cannot fix (diverged, ahead, protocol or config
 * mismatch) leaves the agent {@link State#REJECTED}; the node reports it and an operator acts. TOO_FAR_BEHIND (the
 * primary has no snapshot to send yet) is retried, like a stale primary's refusal.
 * <p>
 * Snapshot transfer: when the primary answers the handshake with a {@code SnapshotOffer} (this replica's position is no
 * longer in its journal, or it asked for one with {@link ReplicaAgentContext#resyncFromSnapshot}), the chunks are
 * written to {@code <snapshotDirectory>/snapshot-<wireSeq>.snap.part} with a running CRC32C; on {@code SnapshotEnd} the
 * file is forced, its CRC compared with the primary's, its format checked ({@link SnapshotStore#verify}) and only then
 * handed to the {@link SnapshotInstaller}, which swaps the journal. Until that call the previous journal and state are
 * untouched: an interrupted or damaged transfer deletes the partial file and handshakes again from the previous
 * position (the primary sends the snapshot again).
 * <p>
 * The state machine and everything else here is touched by the agent thread only; the accessors read fields the agent
 * publishes. The state hash is computed on the agent thread on request ({@link #requestStateHash()}).
 */
public final class ReplicaAgent implements Agent, ControlledFragmentHandler, AutoCloseable
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
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int CONTROL_BUFFER_BYTES = 256;
    private static final RejectCode[] REJECT_CODES = RejectCode.values();
    /** Suffix of a snapshot file being received. */
    static final String PART_SUFFIX = ".part";
    /** Largest snapshot accepted: the journal's own limit on state bytes plus headroom for its header. */
    private static final long MAX_SNAPSHOT_BYTES = (1L << 30) + 4096;

    /** Ring space kept free beyond a batch's records: one record's worth of padding at the ring's end. */
    private static final int RING_SLACK_BYTES = BitUtil.align(
        ReplicationProtocol.MAX_ENTRY_LENGTH + RecordDescriptor.HEADER_LENGTH, RecordDescriptor.ALIGNMENT);

    private final ReplicaAgentContext ctx;
    private final NanoClock clock;
    private final RingBuffer journalRing;
    private final JournalPublisher journalPublisher;
    private final JournalStateMachine stateMachine;
    private final LongSupplier journalPersistedWireSeq;
    private final ExclusivePublication publication;
    private final Subscription subscription;
    private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(this);

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final StreamStartDecoder streamStartDecoder = new StreamStartDecoder();
    private final JournalBatchDecoder batchDecoder = new JournalBatchDecoder();
    private final HeartbeatDecoder heartbeatDecoder = new HeartbeatDecoder();
    private final RejectDecoder rejectDecoder = new RejectDecoder();
    private final SnapshotOfferDecoder snapshotOfferDecoder = new SnapshotOfferDecoder();
    private final SnapshotChunkDecoder snapshotChunkDecoder = new SnapshotChunkDecoder();
    private final SnapshotEndDecoder snapshotEndDecoder = new SnapshotEndDecoder();
    private final CRC32C transferCrc = new CRC32C();
    /** Staging for chunk bytes on their way from the Aeron buffer to the file. */
    private final ByteBuffer chunkStaging = ByteBuffer.allocateDirect(64 * 1024);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final HandshakeEncoder handshakeEncoder = new HandshakeEncoder();
    private final AckEncoder ackEncoder = new AckEncoder();
    private final HeartbeatEncoder heartbeatEncoder = new HeartbeatEncoder();
    private final UnsafeBuffer controlBuffer = new UnsafeBuffer(new byte[CONTROL_BUFFER_BYTES]);
    private final JournalEntryView view = new JournalEntryView();

    // Agent-thread state.
    private long nowNs;
    private long appliedWireSeqPlain;
    private long lastEntryCrc32cPlain;
    private long epochPlain;
    private long correlationId;
    private static final byte[] NO_BYTES_32 = new byte[32];
    private static final byte[] NO_BYTES_64 = new byte[64];
    /** The primary's last AUTH_REQUIRED challenge, answered in every handshake of this attempt; agent thread. */
    private final byte[] pendingChallenge = new byte[32];
    private boolean challengePending;
    /** Raw replication public key, or zeros when the context has no key. */
    private final byte[] publicKey = new byte[32];
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
    private short modeCodePlain = -1;
    /** Clause counts of the primary's custom policy last applied; replica thread. */
    private short customPersistedCount;
    private short customInMemoryCount;

    // Agent-thread state of a snapshot transfer: open while RECEIVING_SNAPSHOT, closed (and the file deleted unless
    // installed) when it ends either way.
    private FileChannel transferChannel;
    private Path transferFile;
    private long transferWireSeq;
    private long transferEpoch;
    private long transferEntryCrc32c;
    private long transferReceivedBytesPlain;
    /** Set by an install; the next StreamStart then acks at once so the primary can activate the slot. */
    private boolean ackAfterInstall;

    // Written by the agent thread only; read by any thread. Event counters are raised after the state change they
    // count, so a reader that sees a count also sees that change.
    private volatile State state = State.AWAITING_DURABLE;
    private volatile long appliedWireSeq;
    private volatile long lastEntryCrc32c;
    private volatile long epoch;
    private volatile long primaryEpoch;
    private volatile long primaryLastWireSeq;
    private volatile int primaryNodeId = -1;
    private volatile byte primaryDurabilityMode = DurabilityMode.CUSTOM_CODE;
    private volatile long entriesApplied;
    private volatile long handshakesSent;
    private volatile long rehandshakes;
    private volatile long gaps;
    /** Data-stream messages that were not well formed (short block, bad enum, var data past the end), dropped. */
    private volatile long badMessages;
    private volatile long repeatedEntries;
    private volatile long badEntries;
    private volatile long primaryTimeouts;
    private volatile long staleEpochRefusals;
    private volatile long ringFullEvents;
    private volatile RejectCode rejectCode;
    private volatile String rejectReason;
    private volatile String lastRehandshakeReason;
    private volatile String failureReason;
    private volatile StateHash stateHash;
    private volatile long snapshotReceivedBytes;
    private volatile long snapshotTotalBytes;
    private volatile long snapshotsInstalled;
    private volatile long snapshotTransferFailures;
    private volatile long lastInstalledSnapshotWireSeq;
    private volatile Path lastSetAsideJournal;

    /** Set by any thread to ask the agent for a fresh {@link #stateHash()}; cleared by the agent. */
    private volatile boolean stateHashRequested;

    /**
     * Creates the control publication and data subscription and reads where the journal ends.
     *
     * @param ctx options; validated here.
     */
    public ReplicaAgent(final ReplicaAgentContext ctx)
    {
        ctx.conclude();
        this.ctx = ctx;
        this.clock = ctx.nanoClock();
        deletePartialTransfers(ctx.snapshotDirectory());
        this.journalRing = ctx.journalRing();
        this.journalPublisher = new JournalPublisher(journalRing);
        this.stateMachine = ctx.stateMachine();
        this.journalPersistedWireSeq = ctx.journalPersistedWireSeq();
        this.appliedWireSeqPlain = ctx.appliedWireSeq();
        this.lastEntryCrc32cPlain = ctx.lastEntryCrc32c();
        this.epochPlain = ctx.epoch();
        this.appliedWireSeq = appliedWireSeqPlain;
        this.lastEntryCrc32c = lastEntryCrc32cPlain;
        this.epoch = epochPlain;
        this.correlationId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE / 2);
        if (ctx.keyPair() != null)
        {
            System.arraycopy(io.sluice.wire.LogonSignatures.rawPublicKey(ctx.keyPair().getPublic()), 0, publicKey, 0,
                publicKey.length);
        }

        final ReplicationTransport transport = ctx.transport();
        ExclusivePublication pub = null;
        try
        {
            pub = transport.addFanOutPublication(ctx.primaryControlEndpoint(), ctx.controlStreamId());
            subscription = transport.aeron().addSubscription(
                transport.subscriptionChannel(ctx.dataEndpoint()), ctx.dataStreamId());
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
        return "replica";
    }

    public int doWork()
    {
        nowNs = clock.nanoTime();
        int workCount = 0;
        if (stateHashRequested)
        {
            stateHashRequested = false;
            stateHash = new StateHash(appliedWireSeqPlain, stateMachine.stateHash());
            workCount++;
        }
        switch (state)
        {
            case AWAITING_DURABLE:
                workCount += awaitDurable();
                break;
            case HANDSHAKING:
                workCount += handshake();
                break;
            default:
                break;
        }
        workCount += subscription.controlledPoll(assembler, ctx.fragmentLimit());
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

    public void onClose()
    {
        discardTransfer();
        CloseHelper.closeAll(publication, subscription);
    }

    /** Closes the Aeron resources; for an agent that was never run (a running agent closes them itself). */
    public void close()
    {
        onClose();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Handshake
    // ------------------------------------------------------------------------------------------------------------

    private int awaitDurable()
    {
        if (journalPersistedWireSeq.getAsLong() < appliedWireSeqPlain)
        {
            return 0;
        }
        correlationId++;
        state = State.HANDSHAKING;
        handshakeDelayNs = 0;
        challengePending = false;
        return 1;
    }

    private int handshake()
    {
        if (nowNs - lastHandshakeSentNs < handshakeDelayNs)
        {
            return 0;
        }
        handshakeEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .nodeId(ctx.nodeId())
            .protocolVersion(ctx.protocolVersion())
            .epoch(epochPlain)
            .lastDurableWireSeq(appliedWireSeqPlain)
            .lastEntryCrc32c(lastEntryCrc32cPlain)
            .configDigest(ctx.configDigest())
            .correlationId(correlationId)
            .snapshotRequested((short)(ctx.resyncFromSnapshot() && appliedWireSeqPlain == 0 ? 1 : 0));
        if (challengePending)
        {
            final byte[] signature = ReplicationAuth.sign(ctx.keyPair(), pendingChallenge, ctx.nodeId());
            handshakeEncoder.putChallenge(pendingChallenge, 0, pendingChallenge.length)
                .putPublicKey(publicKey, 0, publicKey.length)
                .putSignature(signature, 0, signature.length);
        }
        else
        {
            handshakeEncoder.putChallenge(NO_BYTES_32, 0, 32).putPublicKey(NO_BYTES_32, 0, 32)
                .putSignature(NO_BYTES_64, 0, 64);
        }
        if (publication.offer(controlBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + handshakeEncoder.encodedLength())
            < 0)
        {
            return 0;
        }
        lastHandshakeSentNs = nowNs;
        handshakeDelayNs = ctx.handshakeRetryIntervalNs();
        handshakesSent++;
        return 1;
    }

    /** Stop following and start over from what is durable; never skip. */
    private void rehandshake(final String reason)
    {
        if (transferChannel != null)
        {
            snapshotTransferFailures++;
            discardTransfer();
        }
        lastRehandshakeReason = reason;
        state = State.AWAITING_DURABLE;
        rehandshakes++;
        LOG.warn("replica node {} re-handshaking from wireSeq {}: {}", ctx.nodeId(), appliedWireSeqPlain, reason);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Data stream
    // ------------------------------------------------------------------------------------------------------------

    public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return Action.CONTINUE;
        }
        headerDecoder.wrap(buffer, offset);
        if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            return Action.CONTINUE;
        }
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        if (length < MessageHeaderDecoder.ENCODED_LENGTH + blockLength)
        {
            return Action.CONTINUE;
        }
        switch (headerDecoder.templateId())
        {
            case JournalBatchDecoder.TEMPLATE_ID:
                if (blockLength < JournalBatchDecoder.BLOCK_LENGTH)
                {
                    badMessages++;
                    return Action.CONTINUE;
                }
                if (state == State.FOLLOWING && header.sessionId() == followedSessionId)
                {
                    batchDecoder.wrap(buffer, body, blockLength, version);
                    return onBatch(buffer, offset + length);
                }
                return Action.CONTINUE;
            case HeartbeatDecoder.TEMPLATE_ID:
                if (blockLength < HeartbeatDecoder.BLOCK_LENGTH)
                {
                    badMessages++;
                    return Action.CONTINUE;
                }
                heartbeatDecoder.wrap(buffer, body, blockLength, version);
                onHeartbeat(header.sessionId());
                return Action.CONTINUE;
            case StreamStartDecoder.TEMPLATE_ID:
                if (blockLength < StreamStartDecoder.BLOCK_LENGTH)
                {
                    badMessages++;
                    return Action.CONTINUE;
                }
                streamStartDecoder.wrap(buffer, body, blockLength, version);
                onStreamStart(header.sessionId());
                return Action.CONTINUE;
            case SnapshotOfferDecoder.TEMPLATE_ID:
                if (blockLength < SnapshotOfferDecoder.BLOCK_LENGTH)
                {
                    badMessages++;
                    return Action.CONTINUE;
                }
                snapshotOfferDecoder.wrap(buffer, body, blockLength, version);
                onSnapshotOffer(header.sessionId());
                return Action.CONTINUE;
            case SnapshotChunkDecoder.TEMPLATE_ID:
                if (blockLength < SnapshotChunkDecoder.BLOCK_LENGTH)
                {
                    badMessages++;
                    return Action.CONTINUE;
                }
                if (state == State.RECEIVING_SNAPSHOT && header.sessionId() == followedSessionId)
                {
                    snapshotChunkDecoder.wrap(buffer, body, blockLength, version);
                    onSnapshotChunk(buffer, offset + length);
                }
                return Action.CONTINUE;
            case SnapshotEndDecoder.TEMPLATE_ID:
                if (blockLength < SnapshotEndDecoder.BLOCK_LENGTH)
                {
                    badMessages++;
                    return Action.CONTINUE;
                }
                if (state == State.RECEIVING_SNAPSHOT && header.sessionId() == followedSessionId)
                {
                    snapshotEndDecoder.wrap(buffer, body, blockLength, version);
                    onSnapshotEnd();
                }
                return Action.CONTINUE;
            case RejectDecoder.TEMPLATE_ID:
                if (blockLength < RejectDecoder.BLOCK_LENGTH)
                {
                    badMessages++;
                    return Action.CONTINUE;
                }
                rejectDecoder.wrap(buffer, body, blockLength, version);
                onReject(offset + length);
                return Action.CONTINUE;
            default:
                return Action.CONTINUE;
        }
    }

    private void onStreamStart(final int sessionId)
    {
        final long streamEpoch = streamStartDecoder.epoch();
        final int nodeId = streamStartDecoder.primaryNodeId();
        if (state == State.FOLLOWING && sessionId != followedSessionId && streamEpoch > primaryEpoch &&
            streamStartDecoder.correlationId() == correlationId)
        {
            // Two primaries answered the same handshake (this replica's control messages reach every candidate):
            // the newer epoch wins, whichever answered first.
            highestPrimaryEpochSeen = Math.max(highestPrimaryEpochSeen, streamEpoch);
            rehandshake("primary node " + nodeId + " offered a stream at epoch " + streamEpoch + ", newer than " +
                "the followed primary node " + primaryNodeId + "'s epoch " + primaryEpoch);
            return;
        }
        if (state != State.HANDSHAKING || streamStartDecoder.correlationId() != correlationId)
        {
            return;
        }
        if (streamEpoch < epochPlain || streamEpoch < highestPrimaryEpochSeen)
        {
            staleEpochRefusals++;
            LOG.warn("replica node {} refuses primary node {}: its epoch {} is older than this replica's {} or " +
                "the newest primary's {}", ctx.nodeId(), nodeId, streamEpoch, epochPlain, highestPrimaryEpochSeen);
            return;
        }
        highestPrimaryEpochSeen = streamEpoch;
        if (streamStartDecoder.fromWireSeq() != appliedWireSeqPlain + 1)
        {
            rehandshake("primary node " + nodeId + " offered a stream from wireSeq " +
                streamStartDecoder.fromWireSeq() + ", expected " + (appliedWireSeqPlain + 1));
            return;
        }
        followedSessionId = sessionId;
        primaryEpoch = streamEpoch;
        primaryNodeId = nodeId;
        onDurabilityMode(streamStartDecoder.durabilityMode());
        // The primary seeded this slot's cursors from the handshake: acks only need to move them forward. After an
        // install it waits for an ack of the installed state before it counts this replica, so send one at once.
        ackedInMemoryWireSeq = ackAfterInstall ? -1 : appliedWireSeqPlain;
        ackedPersistedWireSeq = ackAfterInstall ? -1 : appliedWireSeqPlain;
        ackAfterInstall = false;
        lastPrimaryMessageNs = nowNs;
        rejectCode = null;
        rejectReason = null;
        state = State.FOLLOWING;
        LOG.info("replica node {} following primary node {} at epoch {} from wireSeq {}", ctx.nodeId(), nodeId,
            streamEpoch, appliedWireSeqPlain + 1);
    }

    private void onSnapshotOffer(final int sessionId)
    {
        if (state != State.HANDSHAKING || snapshotOfferDecoder.correlationId() != correlationId)
        {
            return;
        }
        final long streamEpoch = snapshotOfferDecoder.epoch();
        final int nodeId = snapshotOfferDecoder.primaryNodeId();
        if (streamEpoch < epochPlain || streamEpoch < highestPrimaryEpochSeen)
        {
            staleEpochRefusals++;
            LOG.warn("replica node {} refuses a snapshot from primary node {}: its epoch {} is older than this " +
                "replica's {} or the newest primary's {}", ctx.nodeId(), nodeId, streamEpoch, epochPlain,
                highestPrimaryEpochSeen);
            return;
        }
        highestPrimaryEpochSeen = streamEpoch;
        final long wireSeq = snapshotOfferDecoder.snapshotWireSeq();
        final long totalBytes = snapshotOfferDecoder.totalLengthBytes();
        if (ctx.snapshotInstaller() == null)
        {
            rejectCode = RejectCode.TOO_FAR_BEHIND;
            rejectReason = "primary node " + nodeId + " offered snapshot wireSeq " + wireSeq + " but this replica " +
                "has no snapshot installer";
            state = State.REJECTED;
            LOG.error("replica node {} refused: {}", ctx.nodeId(), rejectReason);
            return;
        }
        if (wireSeq < 1 || wireSeq <= appliedWireSeqPlain || totalBytes < 1 || totalBytes > MAX_SNAPSHOT_BYTES)
        {
            // A snapshot at or below what this replica already applied would move it backwards: never installed.
            badMessages++;
            rehandshake("primary node " + nodeId + " offered snapshot wireSeq " + wireSeq + " of " + totalBytes +
                " bytes");
            return;
        }
        final Path file = ctx.snapshotDirectory().resolve(SnapshotStore.fileName(wireSeq) + PART_SUFFIX);
        try
        {
            Files.createDirectories(file.getParent());
            transferChannel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        }
        catch (final IOException ex)
        {
            fail("cannot create " + file + " for the snapshot transfer: " + ex, ex);
            return;
        }
        transferFile = file;
        transferWireSeq = wireSeq;
        transferEpoch = snapshotOfferDecoder.snapshotEpoch();
        transferEntryCrc32c = snapshotOfferDecoder.entryCrc32c();
        transferReceivedBytesPlain = 0;
        transferCrc.reset();
        snapshotReceivedBytes = 0;
        snapshotTotalBytes = totalBytes;
        followedSessionId = sessionId;
        primaryEpoch = streamEpoch;
        primaryNodeId = nodeId;
        lastPrimaryMessageNs = nowNs;
        rejectCode = null;
        rejectReason = null;
        state = State.RECEIVING_SNAPSHOT;
        LOG.warn("replica node {} at wireSeq {} receiving snapshot wireSeq {} ({} bytes) from primary node {}",
            ctx.nodeId(), appliedWireSeqPlain, wireSeq, totalBytes, nodeId);
    }

    /** @param limit end of the fragment in {@code buffer}. */
    private void onSnapshotChunk(final DirectBuffer buffer, final int limit)
    {
        if (snapshotChunkDecoder.correlationId() != correlationId)
        {
            return;
        }
        lastPrimaryMessageNs = nowNs;
        final long offsetBytes = snapshotChunkDecoder.offsetBytes();
        final int lengthOffset = snapshotChunkDecoder.limit();
        final int dataOffset = lengthOffset + SnapshotChunkDecoder.bytesHeaderLength();
        final long dataBytes = dataOffset > limit ? -1 : buffer.getInt(lengthOffset, ORDER) & 0xFFFF_FFFFL;
        if (dataBytes < 0 || dataOffset + dataBytes > limit)
        {
            badMessages++;
            rehandshake("malformed snapshot chunk at offset " + offsetBytes);
            return;
        }
        if (offsetBytes != transferReceivedBytesPlain || offsetBytes + dataBytes > snapshotTotalBytes)
        {
            rehandshake("snapshot chunk of " + dataBytes + " bytes at offset " + offsetBytes + ", expected offset " +
                transferReceivedBytesPlain + " of " + snapshotTotalBytes);
            return;
        }
        try
        {
            int done = 0;
            while (done < dataBytes)
            {
                final int n = (int)Math.min(chunkStaging.capacity(), dataBytes - done);
                chunkStaging.clear();
                buffer.getBytes(dataOffset + done, chunkStaging, n);
                chunkStaging.flip();
                transferCrc.update(chunkStaging.duplicate());
                long position = offsetBytes + done;
                while (chunkStaging.hasRemaining())
                {
                    position += transferChannel.write(chunkStaging, position);
                }
                done += n;
            }
        }
        catch (final IOException ex)
        {
            fail("writing the snapshot transfer to " + transferFile + " failed: " + ex, ex);
            return;
        }
        transferReceivedBytesPlain += dataBytes;
        snapshotReceivedBytes = transferReceivedBytesPlain;
    }

    /**
     * The whole file has arrived: check it, then install it. Nothing of the previous journal or state changes
     * before the installer runs, so any failure up to that point leaves the replica as it was.
     */
    private void onSnapshotEnd()
    {
        if (snapshotEndDecoder.correlationId() != correlationId)
        {
            return;
        }
        lastPrimaryMessageNs = nowNs;
        final long totalBytes = snapshotEndDecoder.totalLengthBytes();
        final long primaryCrc = snapshotEndDecoder.fileCrc32c();
        if (transferReceivedBytesPlain != snapshotTotalBytes || totalBytes != snapshotTotalBytes)
        {
            rehandshake("snapshot wireSeq " + transferWireSeq + " ended after " + transferReceivedBytesPlain + " of " +
                snapshotTotalBytes + " bytes");
            return;
        }
        if (transferCrc.getValue() != primaryCrc)
        {
            rehandshake("snapshot wireSeq " + transferWireSeq + " arrived with CRC32C " +
                Long.toHexString(transferCrc.getValue()) + ", the primary sent " + Long.toHexString(primaryCrc));
            return;
        }
        final SnapshotInfo snapshot;
        try
        {
            transferChannel.force(true);
            transferChannel.close();
            transferChannel = null;
            snapshot = SnapshotStore.verify(transferFile);
        }
        catch (final IOException ex)
        {
            snapshotTransferFailures++;
            discardTransfer();
            fail("syncing the received snapshot " + transferFile + " failed: " + ex, ex);
            return;
        }
        if (!snapshot.isValid() || snapshot.wireSeq() != transferWireSeq)
        {
            snapshotTransferFailures++;
            discardTransfer();
            rehandshake("received snapshot wireSeq " + transferWireSeq + " failed its check: " + snapshot);
            return;
        }
        try
        {
            ctx.snapshotInstaller().install(snapshot, transferEntryCrc32c);
        }
        catch (final IOException | RuntimeException ex)
        {
            discardTransfer();
            fail("installing snapshot wireSeq " + transferWireSeq + " failed: " + ex, ex);
            return;
        }
        transferFile = null;
        appliedWireSeqPlain = transferWireSeq;
        lastEntryCrc32cPlain = transferEntryCrc32c;
        epochPlain = Math.max(epochPlain, transferEpoch);
        publishProgress();
        ackAfterInstall = true;
        lastInstalledSnapshotWireSeq = transferWireSeq;
        snapshotsInstalled++;
        // The primary streams from the snapshot on this same handshake: its StreamStart follows the end. The install
        // may have taken long (fsyncs, recovery): time the next handshake retry from now, not from before it.
        nowNs = clock.nanoTime();
        state = State.HANDSHAKING;
        lastHandshakeSentNs = nowNs;
        handshakeDelayNs = ctx.handshakeRetryIntervalNs();
        LOG.warn("replica node {} installed snapshot wireSeq {}; following from {}", ctx.nodeId(), transferWireSeq,
            transferWireSeq + 1);
    }

    /**
     * A transfer cut short by a crash leaves its {@code .part} file; only this agent writes them, and a new agent
     * starts no transfer before its handshake, so whatever is there is debris.
     */
    private static void deletePartialTransfers(final Path directory)
    {
        if (!Files.isDirectory(directory))
        {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.list(directory))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                final String name = file.getFileName().toString();
                if (name.startsWith(SnapshotStore.FILE_PREFIX) && name.endsWith(PART_SUFFIX))
                {
                    Files.deleteIfExists(file);
                    LOG.warn("deleted the partial snapshot transfer {} left by an earlier run", file);
                }
            }
        }
        catch (final IOException ex)
        {
            LOG.warn("cannot clean partial snapshot transfers in {}: {}", directory, ex.toString());
        }
    }

    /** Closes and deletes a transfer that will not be installed; the previous state is untouched. */
    private void discardTransfer()
    {
        CloseHelper.quietClose(transferChannel);
        transferChannel = null;
        if (transferFile != null)
        {
            try
            {
                Files.deleteIfExists(transferFile);
            }
            catch (final IOException ex)
            {
                LOG.warn("replica node {} cannot delete partial snapshot {}: {}", ctx.nodeId(), transferFile,
                    ex.toString());
            }
            transferFile = null;
        }
    }

    private void fail(final String reason, final Throwable cause)
    {
        failureReason = reason;
        state = State.FAILED;
        publishProgress();
        LOG.error("replica node {} stopped: {}", ctx.nodeId(), reason, cause);
    }

    /**
     * Journals and applies one batch. Its records must all fit the journal ring, checked up front, so a batch is
     * never half taken because of back-pressure: if they do not fit, the fragment is left for a later poll.
     *
     * @param limit end of the fragment in {@code buffer}.
     */
    private Action onBatch(final DirectBuffer buffer, final int limit)
    {
        final int entryCount = batchDecoder.entryCount();
        final int dataLengthOffset = batchDecoder.limit();
        final int entriesOffset = dataLengthOffset + JournalBatchDecoder.entriesHeaderLength();
        final long dataLength = entriesOffset > limit ? -1 : buffer.getInt(dataLengthOffset, ORDER) & 0xFFFF_FFFFL;
        if (dataLength < 0 || entriesOffset + dataLength > limit || entryCount < 1)
        {
            rehandshake("malformed batch from wireSeq " + batchDecoder.firstWireSeq());
            badEntries++;
            return Action.CONTINUE;
        }
        final int entriesLimit = entriesOffset + (int)dataLength;

        int ringBytesNeeded = RING_SLACK_BYTES;
        int position = entriesOffset;
        for (int i = 0; i < entryCount; i++)
        {
            final int entryLength = position + ReplicationProtocol.ENTRY_LENGTH_PREFIX <= entriesLimit ?
                buffer.getInt(position, ORDER) : -1;
            position += ReplicationProtocol.ENTRY_LENGTH_PREFIX;
            if (entryLength < ReplicationProtocol.MIN_ENTRY_LENGTH ||
                entryLength > ReplicationProtocol.MAX_ENTRY_LENGTH || position + entryLength > entriesLimit)
            {
                rehandshake("malformed batch from wireSeq " + batchDecoder.firstWireSeq() + ": entry " + i +
                    " of " + entryCount + " has length " + entryLength);
                badEntries++;
                return Action.CONTINUE;
            }
            position += entryLength;
            ringBytesNeeded += BitUtil.align(entryLength + RecordDescriptor.HEADER_LENGTH, RecordDescriptor.ALIGNMENT);
        }
        if (journalRing.capacity() - journalRing.size() < ringBytesNeeded)
        {
            // The primary is alive, this replica's journal is slow: that is no reason to drop the stream, and the
            // heartbeats queued behind this batch cannot be read until it is taken.
            lastPrimaryMessageNs = nowNs;
            ringFullEvents++;
            return Action.ABORT;
        }

        final long appliedBefore = appliedWireSeqPlain;
        position = entriesOffset;
        for (int i = 0; i < entryCount; i++)
        {
            final int entryLength = buffer.getInt(position, ORDER);
            position += ReplicationProtocol.ENTRY_LENGTH_PREFIX;
            if (!applyEntry(buffer, position, entryLength))
            {
                return Action.CONTINUE;
            }
            position += entryLength;
        }
        appliedWireSeq = appliedWireSeqPlain;
        lastEntryCrc32c = lastEntryCrc32cPlain;
        epoch = epochPlain;
        entriesApplied += appliedWireSeqPlain - appliedBefore;
        echoTimestampNs = batchDecoder.sendTimestampNs();
        lastPrimaryMessageNs = nowNs;
        return Action.CONTINUE;
    }

    /**
     * Checks, journals and applies one entry.
     *
     * @return false if it was refused (the agent is then re-handshaking or failed).
     */
    private boolean applyEntry(final DirectBuffer buffer, final int offset, final int length)
    {
        view.wrap(buffer, offset, length);
        final String problem = view.problem();
        if (problem != null)
        {
            publishProgress();
            rehandshake("entry after wireSeq " + appliedWireSeqPlain + " failed its check: " + problem);
            badEntries++;
            return false;
        }
        final long wireSeq = view.wireSeq();
        if (wireSeq <= appliedWireSeqPlain)
        {
            // The followed primary restarted its stream for a handshake this replica repeated before it saw the
            // first StreamStart: the same entries again, already journaled and applied here. Not a gap.
            repeatedEntries++;
            return true;
        }
        if (wireSeq != appliedWireSeqPlain + 1)
        {
            publishProgress();
            rehandshake("gap in the stream: wireSeq " + wireSeq + " arrived after " + appliedWireSeqPlain);
            gaps++;
            return false;
        }
        if (!journalPublisher.offerEncoded(buffer, offset, length))
        {
            // The batch's space was checked and this agent is the ring's only producer.
            throw new IllegalStateException("journal ring refused wireSeq " + wireSeq + " after a space check");
        }
        try
        {
            stateMachine.apply(view);
        }
        catch (final RuntimeException ex)
        {
            failureReason = "applying wireSeq " + wireSeq + " failed: " + ex;
            state = State.FAILED;
            publishProgress();
            LOG.error("replica node {} stopped: {}", ctx.nodeId(), failureReason, ex);
            return false;
        }
        appliedWireSeqPlain = wireSeq;
        lastEntryCrc32cPlain = view.crc32c();
        if (view.epoch() > epochPlain)
        {
            epochPlain = view.epoch();
        }
        return true;
    }

    private void publishProgress()
    {
        appliedWireSeq = appliedWireSeqPlain;
        lastEntryCrc32c = lastEntryCrc32cPlain;
        epoch = epochPlain;
    }

    private void onHeartbeat(final int sessionId)
    {
        if ((state != State.FOLLOWING && state != State.RECEIVING_SNAPSHOT) || sessionId != followedSessionId)
        {
            return;
        }
        final long heartbeatEpoch = heartbeatDecoder.epoch();
        if (heartbeatEpoch < epochPlain)
        {
            rehandshake("primary node " + heartbeatDecoder.nodeId() + " reports epoch " + heartbeatEpoch +
                ", older than this replica's " + epochPlain);
            staleEpochRefusals++;
            return;
        }
        lastPrimaryMessageNs = nowNs;
        primaryEpoch = heartbeatEpoch;
        primaryLastWireSeq = heartbeatDecoder.lastWireSeq();
        if (heartbeatDecoder.durabilityMode() == DurabilityMode.CUSTOM_CODE)
        {
            onCustomPolicy(heartbeatDecoder.policyPersistedCount(), heartbeatDecoder.policyInMemoryCount());
        }
        else
        {
            onDurabilityMode(heartbeatDecoder.durabilityMode());
        }
        if (heartbeatDecoder.streamCorrelationId() != correlationId)
        {
            rehandshake("primary node " + heartbeatDecoder.nodeId() + " no longer serves this replica's stream" +
                (heartbeatDecoder.roleRaw() == NodeRole.FENCED.value() ? " (it is fenced)" : ""));
        }
    }

    private void onReject(final int fragmentLimit)
    {
        if (state != State.HANDSHAKING || rejectDecoder.correlationId() != correlationId)
        {
            return;
        }
        // The reason's claimed length must lie inside the fragment before the decoder is asked for it (it would
        // allocate whatever is claimed).
        final int reasonOffset = rejectDecoder.limit();
        if (reasonOffset + RejectDecoder.reasonHeaderLength() > fragmentLimit ||
            reasonOffset + RejectDecoder.reasonHeaderLength() + (rejectDecoder.reasonLength() & 0xFFFF_FFFFL) > fragmentLimit)
        {
            badMessages++;
            return;
        }
        final RejectCode code = knownRejectCode(rejectDecoder.codeRaw());
        if (code == RejectCode.AUTH_REQUIRED && ctx.keyPair() != null)
        {
            rejectDecoder.getChallenge(pendingChallenge, 0, pendingChallenge.length);
            challengePending = true;
            handshakeDelayNs = 0;
            return;
        }
        final String reason = rejectDecoder.reason();
        rejectCode = code;
        rejectReason = reason;
        if (code == RejectCode.STALE_EPOCH || code == RejectCode.NOT_PRIMARY || code == RejectCode.TOO_FAR_BEHIND)
        {
            // TOO_FAR_BEHIND: the primary has no snapshot to send yet; it writes them periodically.
            LOG.warn("replica node {} refused by a stale primary, will retry: {} {}", ctx.nodeId(), code, reason);
            lastHandshakeSentNs = nowNs;
            handshakeDelayNs = ctx.rejectRetryIntervalNs();
            return;
        }
        state = State.REJECTED;
        LOG.error("replica node {} refused by the primary: {} {}", ctx.nodeId(), code, reason);
    }

    /** The reject code, or null for a value this build does not know (treated as a refusal to stop on). */
    private static RejectCode knownRejectCode(final short raw)
    {
        for (final RejectCode code : REJECT_CODES)
        {
            if (code.value() == raw && code != RejectCode.NULL_VAL)
            {
                return code;
            }
        }
        return null;
    }

    /**
     * The primary runs a custom clause expression, which its mode byte cannot name: take it from the heartbeat's
     * clause counts, so a promotion keeps what the operator set (a named mode is taken from the byte). Builds a
     * policy only when the counts change.
     */
    private void onCustomPolicy(final short persistedCount, final short inMemoryCount)
    {
        if (modeCodePlain == DurabilityMode.CUSTOM_CODE && persistedCount == customPersistedCount &&
            inMemoryCount == customInMemoryCount)
        {
            return;
        }
        final Policy policy;
        try
        {
            final List<Clause> clauses = new ArrayList<>(2);
            if (persistedCount > 0)
            {
                clauses.add(new Clause(Level.PERSISTED, persistedCount));
            }
            if (inMemoryCount > 0)
            {
                clauses.add(new Clause(Level.IN_MEMORY, inMemoryCount));
            }
            policy = Policy.of(clauses);
        }
        catch (final InvalidPolicyException ex)
        {
            badMessages++; // counts out of range, or none: not a policy
            return;
        }
        modeCodePlain = DurabilityMode.CUSTOM_CODE;
        primaryDurabilityMode = DurabilityMode.CUSTOM_CODE;
        customPersistedCount = persistedCount;
        customInMemoryCount = inMemoryCount;
        final DurabilityControl control = ctx.durabilityControl();
        if (control != null && !control.policy().sameRequirementAs(policy))
        {
            control.swap(policy);
        }
    }

    private void onDurabilityMode(final short code)
    {
        if (code == modeCodePlain || code == DurabilityMode.CUSTOM_CODE)
        {
            return; // a custom policy is taken only with its clause counts (onCustomPolicy)
        }
        modeCodePlain = code;
        primaryDurabilityMode = (byte)code;
        final DurabilityControl control = ctx.durabilityControl();
        final DurabilityMode mode = DurabilityMode.fromCode((byte)code);
        if (control != null && mode != null && control.policy() != mode.policy())
        {
            control.swap(mode);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Liveness and acks
    // ------------------------------------------------------------------------------------------------------------

    private int checkPrimary()
    {
        if (nowNs - lastPrimaryMessageNs > ctx.heartbeatTimeoutNs())
        {
            rehandshake("no message from primary node " + primaryNodeId + " for " +
                TimeUnit.NANOSECONDS.toMillis(nowNs - lastPrimaryMessageNs) + " ms");
            primaryTimeouts++;
            return 1;
        }
        final Image image = subscription.imageBySessionId(followedSessionId);
        if (image == null || image.isClosed() || image.isEndOfStream())
        {
            rehandshake("data stream image of primary node " + primaryNodeId + " lost");
            return 1;
        }
        return 0;
    }

    private int ack()
    {
        final long inMemoryWireSeq = appliedWireSeqPlain;
        final long persistedWireSeq = Math.min(journalPersistedWireSeq.getAsLong(), inMemoryWireSeq);
        if (inMemoryWireSeq == ackedInMemoryWireSeq && persistedWireSeq == ackedPersistedWireSeq)
        {
            return 0;
        }
        ackEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .nodeId(ctx.nodeId())
            .inMemoryWireSeq(inMemoryWireSeq)
            .persistedWireSeq(persistedWireSeq)
            .echoTimestampNs(echoTimestampNs)
            .streamCorrelationId(correlationId);
        if (publication.offer(controlBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + ackEncoder.encodedLength()) < 0)
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
        heartbeatEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .nodeId(ctx.nodeId())
            .role(NodeRole.REPLICA)
            .epoch(epochPlain)
            .durabilityMode((short)(primaryDurabilityMode & 0xFF))
            .policyPersistedCount((short)0)
            .policyInMemoryCount((short)0)
            .timestampNs(nowNs)
            .streamCorrelationId(state == State.FOLLOWING || state == State.RECEIVING_SNAPSHOT ? correlationId : 0)
            .lastWireSeq(appliedWireSeqPlain);
        if (publication.offer(controlBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + heartbeatEncoder.encodedLength())
            < 0)
        {
            return 0;
        }
        lastHeartbeatSentNs = nowNs;
        return 1;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Observers (any thread)
    // ------------------------------------------------------------------------------------------------------------

    public State state()
    {
        return state;
    }

    /** Last {@code wireSeq} applied to the state machine (the in-memory cursor). */
    public long appliedWireSeq()
    {
        return appliedWireSeq;
    }

    /** Last {@code wireSeq} the journal has synced (the persisted cursor). */
    public long persistedWireSeq()
    {
        return Math.min(journalPersistedWireSeq.getAsLong(), appliedWireSeq);
    }

    /**
     * Last {@code wireSeq} this replica's journal has synced, straight from the journal agent. It can run ahead of
     * {@link #appliedWireSeq()} for the length of a batch (entries are journaled before the batch's applied cursor is
     * published), which {@link #persistedWireSeq()} hides by taking the lower of the two.
     */
    public long journalPersistedWireSeq()
    {
        return journalPersistedWireSeq.getAsLong();
    }

    /** Stored CRC32C of the entry at {@link #appliedWireSeq()}, 0 if none. */
    public long lastEntryCrc32c()
    {
        return lastEntryCrc32c;
    }

    /** Highest epoch this replica has journaled (or was started with). */
    public long epoch()
    {
        return epoch;
    }

    /** Epoch of the primary being followed, from its StreamStart and heartbeats; 0 before the first. */
    public long primaryEpoch()
    {
        return primaryEpoch;
    }

    /** Last {@code wireSeq} in the primary's journal as of its latest heartbeat; 0 before the first. */
    public long primaryLastWireSeq()
    {
        return primaryLastWireSeq;
    }

    /** Entries the primary has that this replica has not applied, as of the primary's latest heartbeat. */
    public long lagEntries()
    {
        return Math.max(0, primaryLastWireSeq - appliedWireSeq);
    }

    /** Node id of the primary last followed, -1 before the first. */
    public int primaryNodeId()
    {
        return primaryNodeId;
    }

    /** The primary's durability mode byte ({@link DurabilityMode#code()}), {@code CUSTOM_CODE} until known. */
    public byte primaryDurabilityMode()
    {
        return primaryDurabilityMode;
    }

    /** Asks the agent to compute {@link #stateHash()} on its thread at its next duty cycle. */
    public void requestStateHash()
    {
        stateHashRequested = true;
    }

    /** The newest state hash computed on request, or null before the first. */
    public StateHash stateHash()
    {
        return stateHash;
    }

    public long entriesApplied()
    {
        return entriesApplied;
    }

    public long handshakesSent()
    {
        return handshakesSent;
    }

    /** Times the replica stopped following and handshook again (gap, bad entry, silence, lost stream). */
    public long rehandshakes()
    {
        return rehandshakes;
    }

    /** Entries that arrived out of sequence. */
    /** Entries received again after they were applied (a restarted stream), and passed over. */
    public long repeatedEntries()
    {
        return repeatedEntries;
    }

    /** Data-stream messages dropped as malformed. */
    public long badMessages()
    {
        return badMessages;
    }

    public long gaps()
    {
        return gaps;
    }

    /** Entries (or batches) that failed their structure or CRC check. */
    public long badEntries()
    {
        return badEntries;
    }

    public long primaryTimeouts()
    {
        return primaryTimeouts;
    }

    /** StreamStarts or heartbeats refused because the primary's epoch was older than this replica's. */
    public long staleEpochRefusals()
    {
        return staleEpochRefusals;
    }

    /** Batches left for later because the journal ring was full. */
    public long ringFullEvents()
    {
        return ringFullEvents;
    }

    /** Bytes of the current (or last) snapshot transfer received. */
    public long snapshotReceivedBytes()
    {
        return snapshotReceivedBytes;
    }

    /** Length of the snapshot being (or last) received; 0 before the first. */
    public long snapshotTotalBytes()
    {
        return snapshotTotalBytes;
    }

    /** Snapshots received, verified and installed. */
    public long snapshotsInstalled()
    {
        return snapshotsInstalled;
    }

    /** Snapshot transfers abandoned (link lost, primary silent, CRC or format check failed); each is retried. */
    public long snapshotTransferFailures()
    {
        return snapshotTransferFailures;
    }

    /** {@code wireSeq} of the last snapshot installed; 0 if none. */
    public long lastInstalledSnapshotWireSeq()
    {
        return lastInstalledSnapshotWireSeq;
    }

    /** Code of the last handshake refusal, or null. */
    public RejectCode rejectCode()
    {
        return rejectCode;
    }

    /** Reason the primary gave for the last handshake refusal, or null. */
    public String rejectReason()
    {
        return rejectReason;
    }

    public String lastRehandshakeReason()
    {
        return lastRehandshakeReason;
    }

    public String failureReason()
    {
        return failureReason;
    }

    public String toString()
    {
        return "ReplicaAgent{state=" + state + ", appliedWireSeq=" + appliedWireSeq + ", epoch=" + epoch +
            ", primaryEpoch=" + primaryEpoch + '}';
    }
}
