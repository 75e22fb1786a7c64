package io.sluice.replication;

import io.aeron.ExclusivePublication;
import io.sluice.sbe.replication.AckEncoder;
import io.sluice.sbe.replication.HandshakeEncoder;
import io.sluice.sbe.replication.HeartbeatEncoder;
import io.sluice.sbe.replication.MessageHeaderEncoder;
import io.sluice.sbe.replication.NodeRole;
import io.sluice.wire.LogonSignatures;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Encodes and offers a replica's control stream (replica to primary): Handshake, Ack and Heartbeat, to every node
 * that may be primary (one multi-destination publication). Each message is encoded into one reused buffer and offered
 * once: a refused offer returns false and the caller sends again on a later duty cycle (a handshake is resent until
 * answered, an ack carries the newest cursors, a heartbeat the newest state), so nothing is held here. Nothing is
 * allocated per message. Agent thread only.
 */
final class ReplicaControlPublisher implements AutoCloseable
{
    private static final int BUFFER_BYTES = 256;
    private static final byte[] NO_CHALLENGE = new byte[32];
    private static final byte[] NO_PUBLIC_KEY = new byte[32];
    private static final byte[] NO_SIGNATURE = new byte[64];

    private final ExclusivePublication publication;
    private final int nodeId;
    private final int protocolVersion;
    private final long configDigest;
    /** The replica's raw replication public key, sent with a signed handshake; zeros without a key. */
    private final byte[] publicKey = new byte[32];
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[BUFFER_BYTES]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final HandshakeEncoder handshakeEncoder = new HandshakeEncoder();
    private final AckEncoder ackEncoder = new AckEncoder();
    private final HeartbeatEncoder heartbeatEncoder = new HeartbeatEncoder();

    /**
     * @param ctx what every handshake says about the replica: node id, protocol version, config digest and key.
     */
    ReplicaControlPublisher(final ExclusivePublication publication, final ReplicaAgentContext ctx)
    {
        this.publication = publication;
        nodeId = ctx.nodeId();
        protocolVersion = ctx.protocolVersion();
        configDigest = ctx.configDigest();
        if (ctx.keyPair() != null)
        {
            System.arraycopy(LogonSignatures.rawPublicKey(ctx.keyPair().getPublic()), 0, publicKey, 0,
                publicKey.length);
        }
    }

    /**
     * @param challenge the primary's AUTH_REQUIRED challenge this handshake answers, with the {@code signature} over
     *                  it; both null for an unsigned handshake (zeros are sent, and no key).
     * @return false if the publication refused it.
     */
    boolean sendHandshake(
        final long epoch,
        final long lastDurableWireSeq,
        final long lastEntryCrc32c,
        final long correlationId,
        final boolean snapshotRequested,
        final byte[] challenge,
        final byte[] signature)
    {
        handshakeEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .nodeId(nodeId)
            .protocolVersion(protocolVersion)
            .epoch(epoch)
            .lastDurableWireSeq(lastDurableWireSeq)
            .lastEntryCrc32c(lastEntryCrc32c)
            .configDigest(configDigest)
            .correlationId(correlationId)
            .snapshotRequested((short)(snapshotRequested ? 1 : 0));
        final boolean signed = challenge != null;
        handshakeEncoder
            .putChallenge(signed ? challenge : NO_CHALLENGE, 0, NO_CHALLENGE.length)
            .putPublicKey(signed ? publicKey : NO_PUBLIC_KEY, 0, NO_PUBLIC_KEY.length)
            .putSignature(signed ? signature : NO_SIGNATURE, 0, NO_SIGNATURE.length);
        return offer(handshakeEncoder.encodedLength());
    }

    /** @return false if the publication refused it. */
    boolean sendAck(
        final long inMemoryWireSeq, final long persistedWireSeq, final long echoTimestampNs, final long correlationId)
    {
        ackEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .nodeId(nodeId)
            .inMemoryWireSeq(inMemoryWireSeq)
            .persistedWireSeq(persistedWireSeq)
            .echoTimestampNs(echoTimestampNs)
            .streamCorrelationId(correlationId);
        return offer(ackEncoder.encodedLength());
    }

    /**
     * @param streamCorrelationId of the stream the replica follows or receives a snapshot on, 0 if none.
     * @return false if the publication refused it.
     */
    boolean sendHeartbeat(
        final long epoch,
        final byte durabilityMode,
        final long nowNs,
        final long streamCorrelationId,
        final long appliedWireSeq)
    {
        heartbeatEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .nodeId(nodeId)
            .role(NodeRole.REPLICA)
            .epoch(epoch)
            .durabilityMode((short)(durabilityMode & 0xFF))
            .policyPersistedCount((short)0)
            .policyInMemoryCount((short)0)
            .timestampNs(nowNs)
            .streamCorrelationId(streamCorrelationId)
            .lastWireSeq(appliedWireSeq);
        return offer(heartbeatEncoder.encodedLength());
    }

    private boolean offer(final int bodyLength)
    {
        return publication.offer(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + bodyLength) >= 0;
    }

    public void close()
    {
        CloseHelper.close(publication);
    }
}
