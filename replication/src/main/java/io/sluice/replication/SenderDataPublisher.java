package io.sluice.replication;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.sluice.durability.Policy;
import io.sluice.durability.ReplicationMetrics;
import io.sluice.sbe.replication.AuthChallengeEncoder;
import io.sluice.sbe.replication.HeartbeatEncoder;
import io.sluice.sbe.replication.JournalBatchEncoder;
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
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;

/**
 * Encodes and offers one replica slot's data stream (primary to replica): StreamStart, JournalBatch, Heartbeat,
 * Reject, SnapshotOffer, SnapshotChunk, SnapshotEnd and, on an authenticated link, AuthChallenge. Every offer goes
 * through {@link #offer}, the one place a refusal is handled and, on an authenticated link, the one place a message
 * is sealed: with the stream's data key (what the stream carries), the key of the handshake being refused (a
 * Reject), or zeros where none is agreed (an AuthChallenge). An unauthenticated link sends schema version 1's
 * messages, as before.
 * <ul>
 *     <li>What the stream carries is kept until the publication takes it and offered again on a later duty cycle,
 *     so nothing is dropped and the journal is never blocked: the held message (StreamStart, SnapshotOffer or
 *     SnapshotEnd, one at a time), the batch being sent, the chunk being sent.</li>
 *     <li>A refused batch or snapshot message counts in {@link #backPressureEvents()} when the publication is
 *     back-pressured, and reports the publication unusable (closed, or past its maximum position) to the sender's
 *     failure handler. A refused StreamStart, Heartbeat or Reject is not counted: a heartbeat goes again at the next
 *     interval, and a replica resends its handshake until it is answered.</li>
 * </ul>
 * A batch is a JournalBatch whose var-data holds length-prefixed entries, written in place so each entry is copied
 * once: at least one entry, then as many as fit {@code maxBatchBytes}; an entry that does not fit is carried over
 * to open the next batch. Batches and snapshot chunks share one buffer: a slot sends one or the other.
 * The bytes of every batch and chunk taken count in the slot's {@link ReplicationMetrics#addBytesSent}. Nothing is
 * allocated per message. Sender thread only, apart from {@link #backPressureEvents()}.
 */
final class SenderDataPublisher implements AutoCloseable
{
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int CONTROL_BUFFER_BYTES = 2048;
    private static final int MAX_REASON_LENGTH = 1024;
    private static final byte[] NO_CHALLENGE = new byte[32];
    /** Where a chunk's bytes start: header, fixed block, var-data length. */
    private static final int CHUNK_DATA_OFFSET = MessageHeaderEncoder.ENCODED_LENGTH +
        SnapshotChunkEncoder.BLOCK_LENGTH + SnapshotChunkEncoder.bytesHeaderLength();

    private final ExclusivePublication publication;
    private final ReplicationMetrics metrics;
    private final int slot;
    private final int nodeId;
    private final int maxBatchBytes;
    private final Consumer<String> unusableHandler;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final StreamStartEncoder streamStartEncoder = new StreamStartEncoder();
    private final HeartbeatEncoder heartbeatEncoder = new HeartbeatEncoder();
    private final RejectEncoder rejectEncoder = new RejectEncoder();
    private final JournalBatchEncoder batchEncoder = new JournalBatchEncoder();
    private final SnapshotOfferEncoder snapshotOfferEncoder = new SnapshotOfferEncoder();
    private final SnapshotChunkEncoder snapshotChunkEncoder = new SnapshotChunkEncoder();
    private final SnapshotEndEncoder snapshotEndEncoder = new SnapshotEndEncoder();
    private final AuthChallengeEncoder authChallengeEncoder = new AuthChallengeEncoder();
    /** The stream's data key on an authenticated link (the sender's, keyed per stream); null on an unauthenticated. */
    private final StreamMac streamMac;
    private final int schemaVersion;
    /** Heartbeats and rejects: encoded and offered at once, never kept. */
    private final UnsafeBuffer controlBuffer = new UnsafeBuffer(new byte[CONTROL_BUFFER_BYTES]);
    /** The held StreamStart, SnapshotOffer or SnapshotEnd, kept until the publication takes it. */
    private final UnsafeBuffer heldBuffer = new UnsafeBuffer(new byte[CONTROL_BUFFER_BYTES]);
    /** The batch or chunk being built or sent. */
    private final UnsafeBuffer batchBuffer;
    /** A view of batchBuffer that a chunk's bytes are read from the file into. */
    private final ByteBuffer chunkView;
    /** An entry read from the journal that did not fit the batch being built; it opens the next one. */
    private final UnsafeBuffer carryBuffer = new UnsafeBuffer(new byte[ReplicationProtocol.MAX_ENTRY_LENGTH]);

    private int heldLength;
    /** Whether a refusal of the held message is counted: a snapshot message is, a StreamStart is not. */
    private boolean heldCounted;
    private int batchPosition;
    private int batchEntryCount;
    private long batchFirstWireSeq;
    /** Length of the finished batch waiting to be offered; 0 if none. */
    private int batchLength;
    private int carryLength;
    private long carryWireSeq;
    /** Length of the chunk waiting to be offered; 0 if none. */
    private int chunkLength;

    /** Written by the sender thread only; read by any thread. */
    private volatile long backPressureEvents;

    /**
     * @param metrics         where the bytes of the slot's batches and chunks are counted once offered.
     * @param streamMac       the stream's data key on an authenticated link, which seals what the stream carries;
     *                        null on an unauthenticated link.
     * @param unusableHandler told why, when an offer finds the publication closed or past its maximum position.
     */
    SenderDataPublisher(
        final ExclusivePublication publication,
        final ReplicationMetrics metrics,
        final int slot,
        final int nodeId,
        final int maxBatchBytes,
        final StreamMac streamMac,
        final Consumer<String> unusableHandler)
    {
        this.publication = publication;
        this.streamMac = streamMac;
        this.schemaVersion = streamMac != null ? MessageHeaderEncoder.SCHEMA_VERSION :
            ReplicationProtocol.UNAUTHENTICATED_SCHEMA_VERSION;
        this.metrics = metrics;
        this.slot = slot;
        this.nodeId = nodeId;
        this.maxBatchBytes = maxBatchBytes;
        this.unusableHandler = unusableHandler;
        this.batchBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            maxBatchBytes + ReplicationProtocol.MAX_SINGLE_ENTRY_BATCH_LENGTH + StreamMac.SEAL_LENGTH, 64));
        this.chunkView = batchBuffer.byteBuffer().duplicate();
    }

    // ------------------------------------------------------------------------------------------------------------
    // The held message
    // ------------------------------------------------------------------------------------------------------------

    void holdStreamStart(final long epoch, final long fromWireSeq, final byte durabilityMode, final long correlationId)
    {
        streamStartEncoder.wrapAndApplyHeader(heldBuffer, 0, headerEncoder)
            .epoch(epoch)
            .fromWireSeq(fromWireSeq)
            .durabilityMode((short)(durabilityMode & 0xFF))
            .correlationId(correlationId)
            .primaryNodeId(nodeId);
        headerEncoder.version(schemaVersion);
        hold(streamStartEncoder.encodedLength(), false);
    }

    void holdSnapshotOffer(
        final long correlationId,
        final long epoch,
        final long snapshotWireSeq,
        final long snapshotEpoch,
        final long entryCrc32c,
        final long totalLengthBytes)
    {
        snapshotOfferEncoder.wrapAndApplyHeader(heldBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .epoch(epoch)
            .primaryNodeId(nodeId)
            .snapshotWireSeq(snapshotWireSeq)
            .snapshotEpoch(snapshotEpoch)
            .entryCrc32c(entryCrc32c)
            .totalLengthBytes(totalLengthBytes);
        headerEncoder.version(schemaVersion);
        hold(snapshotOfferEncoder.encodedLength(), true);
    }

    void holdSnapshotEnd(final long correlationId, final long totalLengthBytes, final long fileCrc32c)
    {
        snapshotEndEncoder.wrapAndApplyHeader(heldBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .totalLengthBytes(totalLengthBytes)
            .fileCrc32c(fileCrc32c);
        headerEncoder.version(schemaVersion);
        hold(snapshotEndEncoder.encodedLength(), true);
    }

    private void hold(final int bodyLength, final boolean counted)
    {
        heldLength = MessageHeaderEncoder.ENCODED_LENGTH + bodyLength;
        heldCounted = counted;
    }

    boolean hasHeld()
    {
        return heldLength > 0;
    }

    /** @return false if the publication refused the held message; it stays held. */
    boolean offerHeld()
    {
        if (!offer(heldBuffer, heldLength, heldCounted, streamMac))
        {
            return false;
        }
        heldLength = 0;
        return true;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Journal batches
    // ------------------------------------------------------------------------------------------------------------

    /** Starts building a batch, opened by the entry carried over from the last one if there is one. */
    void beginBatch()
    {
        batchPosition = ReplicationProtocol.BATCH_HEADER_LENGTH;
        batchEntryCount = 0;
        if (carryLength > 0)
        {
            putEntry(carryWireSeq, carryBuffer, 0, carryLength);
            carryLength = 0;
        }
    }

    /** Whether the batch being built can take another entry. */
    boolean batchHasRoom()
    {
        return batchPosition < maxBatchBytes;
    }

    /**
     * Adds an entry to the batch being built.
     *
     * @return false if it does not fit: it is carried over to open the next batch.
     */
    boolean appendEntry(final long wireSeq, final DirectBuffer buffer, final int offset, final int length)
    {
        if (batchEntryCount > 0 && batchPosition + ReplicationProtocol.ENTRY_LENGTH_PREFIX + length > maxBatchBytes)
        {
            carryBuffer.putBytes(0, buffer, offset, length);
            carryLength = length;
            carryWireSeq = wireSeq;
            return false;
        }
        putEntry(wireSeq, buffer, offset, length);
        return true;
    }

    private void putEntry(final long wireSeq, final DirectBuffer buffer, final int offset, final int length)
    {
        batchBuffer.putInt(batchPosition, length, ORDER);
        batchBuffer.putBytes(batchPosition + ReplicationProtocol.ENTRY_LENGTH_PREFIX, buffer, offset, length);
        batchPosition += ReplicationProtocol.ENTRY_LENGTH_PREFIX + length;
        if (batchEntryCount == 0)
        {
            batchFirstWireSeq = wireSeq;
        }
        batchEntryCount++;
    }

    /**
     * Finishes the batch being built: it is then {@link #hasBatch()} until offered.
     *
     * @return false if it holds no entry.
     */
    boolean endBatch()
    {
        if (batchEntryCount == 0)
        {
            return false;
        }
        batchEncoder.wrapAndApplyHeader(batchBuffer, 0, headerEncoder)
            .firstWireSeq(batchFirstWireSeq)
            .entryCount(batchEntryCount);
        headerEncoder.version(schemaVersion);
        batchBuffer.putInt(ReplicationProtocol.BATCH_HEADER_LENGTH - JournalBatchEncoder.entriesHeaderLength(),
            batchPosition - ReplicationProtocol.BATCH_HEADER_LENGTH, ORDER);
        batchLength = batchPosition;
        return true;
    }

    boolean hasBatch()
    {
        return batchLength > 0;
    }

    /**
     * Offers the finished batch, stamped with the send time the replica echoes in its acks. After it is taken, read
     * {@link #batchLength()}, {@link #batchEntryCount()} and {@link #batchLastWireSeq()}, then {@link #batchSent()}.
     *
     * @return false if the publication refused it; it stays for the next offer.
     */
    boolean offerBatch(final long sendTimestampNs)
    {
        batchEncoder.sendTimestampNs(sendTimestampNs);
        if (!offer(batchBuffer, batchLength, true, streamMac))
        {
            return false;
        }
        metrics.addBytesSent(slot, batchLength);
        return true;
    }

    int batchLength()
    {
        return batchLength;
    }

    int batchEntryCount()
    {
        return batchEntryCount;
    }

    long batchLastWireSeq()
    {
        return batchFirstWireSeq + batchEntryCount - 1;
    }

    void batchSent()
    {
        batchLength = 0;
    }

    /** Forgets the batch, the carried entry and the held message: the stream they belonged to is over. */
    void resetStream()
    {
        batchLength = 0;
        carryLength = 0;
        heldLength = 0;
        chunkLength = 0;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Snapshot chunks
    // ------------------------------------------------------------------------------------------------------------

    /** Most file bytes one chunk carries: a chunk travels in one datagram, like a batch. */
    int maxChunkBytes()
    {
        return maxBatchBytes - CHUNK_DATA_OFFSET;
    }

    /**
     * Encodes a SnapshotChunk of {@code dataBytes} bytes from {@code offsetBytes} of the file and returns where those
     * bytes go: from the position to the limit of a view of the chunk's buffer, valid until the next chunk.
     */
    ByteBuffer beginChunk(final long correlationId, final long offsetBytes, final int dataBytes)
    {
        snapshotChunkEncoder.wrapAndApplyHeader(batchBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .offsetBytes(offsetBytes);
        headerEncoder.version(schemaVersion);
        batchBuffer.putInt(CHUNK_DATA_OFFSET - SnapshotChunkEncoder.bytesHeaderLength(), dataBytes, ORDER);
        chunkLength = CHUNK_DATA_OFFSET + dataBytes;
        chunkView.limit(chunkLength).position(CHUNK_DATA_OFFSET);
        return chunkView;
    }

    /** The chunk's buffer, for the test seam that sees each chunk before it is offered. */
    UnsafeBuffer chunkBuffer()
    {
        return batchBuffer;
    }

    static int chunkDataOffset()
    {
        return CHUNK_DATA_OFFSET;
    }

    /** @return false if the publication refused the chunk; it stays for the next offer. */
    boolean offerChunk()
    {
        if (!offer(batchBuffer, chunkLength, true, streamMac))
        {
            return false;
        }
        metrics.addBytesSent(slot, chunkLength);
        chunkLength = 0;
        return true;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Heartbeats and rejects
    // ------------------------------------------------------------------------------------------------------------

    /**
     * @param streamCorrelationId of the stream being served, 0 if none.
     * @return false if the publication refused it.
     */
    boolean sendHeartbeat(
        final boolean fenced,
        final long epoch,
        final Policy policy,
        final long nowNs,
        final long streamCorrelationId,
        final long lastWireSeq)
    {
        heartbeatEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .nodeId(nodeId)
            .role(fenced ? NodeRole.FENCED : NodeRole.PRIMARY)
            .epoch(epoch)
            .durabilityMode((short)(policy.modeCode() & 0xFF))
            .policyPersistedCount((short)policy.persistedCount())
            .policyInMemoryCount((short)policy.inMemoryCount())
            .timestampNs(nowNs)
            .streamCorrelationId(streamCorrelationId)
            .lastWireSeq(lastWireSeq);
        headerEncoder.version(schemaVersion);
        return offer(controlBuffer, MessageHeaderEncoder.ENCODED_LENGTH + heartbeatEncoder.encodedLength(), false,
            streamMac);
    }

    /**
     * Refuses the handshake {@code correlationId}, once: the replica resends its handshake until it is answered.
     *
     * @param mac on an authenticated link, the data key agreed with the handshake being refused, so the replica
     *            can believe the refusal; null before any was (the refusal is sealed with zeros and not believed).
     */
    void sendReject(
        final RejectCode code, final long correlationId, final long epoch, final String reason, final StreamMac mac)
    {
        rejectEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .code(code)
            .correlationId(correlationId)
            .epoch(epoch)
            .putChallenge(NO_CHALLENGE, 0, NO_CHALLENGE.length);
        headerEncoder.version(schemaVersion);
        rejectEncoder.reason(reason.length() > MAX_REASON_LENGTH ? reason.substring(0, MAX_REASON_LENGTH) : reason);
        offer(controlBuffer, MessageHeaderEncoder.ENCODED_LENGTH + rejectEncoder.encodedLength(), false, mac);
    }

    /** Authenticated link: answers an unsigned handshake with the standing challenge, signed. */
    void sendAuthChallenge(final long correlationId, final PrimaryLinkAuth.Challenge challenge)
    {
        authChallengeEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .primaryNodeId(nodeId)
            .putChallenge(challenge.nonce(), 0, ReplicationAuth.CHALLENGE_LENGTH)
            .putEphemeralKey(challenge.ephemeralKey(), 0, ReplicationAuth.KEY_LENGTH)
            .putPublicKey(challenge.publicKey(), 0, ReplicationAuth.KEY_LENGTH)
            .putSignature(challenge.signature(), 0, ReplicationAuth.SIGNATURE_LENGTH);
        offer(controlBuffer, MessageHeaderEncoder.ENCODED_LENGTH + authChallengeEncoder.encodedLength(), false, null);
    }

    // ------------------------------------------------------------------------------------------------------------

    /**
     * @param mac seals the message on an authenticated link; null seals it with zeros. Ignored on an unauthenticated
     *            link.
     */
    private boolean offer(final UnsafeBuffer buffer, final int messageLength, final boolean counted, final StreamMac mac)
    {
        int length = messageLength;
        if (streamMac != null)
        {
            length += mac != null ? mac.seal(buffer, 0, messageLength) : StreamMac.zeroSeal(buffer, 0, messageLength);
        }
        final long result = publication.offer(buffer, 0, length);
        if (result >= 0)
        {
            return true;
        }
        if (counted)
        {
            if (result == Publication.BACK_PRESSURED)
            {
                backPressureEvents++;
            }
            else if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
            {
                unusableHandler.accept("data publication unusable: " + Publication.errorString(result));
            }
        }
        return false;
    }

    /** Batch and snapshot offers the publication refused for back-pressure (each retried later); any thread. */
    long backPressureEvents()
    {
        return backPressureEvents;
    }

    public void close()
    {
        CloseHelper.close(publication);
    }
}
