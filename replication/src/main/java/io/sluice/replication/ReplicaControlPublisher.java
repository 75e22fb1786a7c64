package io.sluice.replication;

import io.aeron.ExclusivePublication;
import io.sluice.sbe.replication.AckEncoder;
import io.sluice.sbe.replication.EpochProofEncoder;
import io.sluice.sbe.replication.HandshakeDecoder;
import io.sluice.sbe.replication.HandshakeEncoder;
import io.sluice.sbe.replication.HeartbeatEncoder;
import io.sluice.sbe.replication.MessageHeaderEncoder;
import io.sluice.sbe.replication.NodeRole;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Encodes and offers a replica's control stream (replica to primary): Handshake, Ack, Heartbeat and, on an
 * authenticated link, EpochProof, to every node that may be primary (one multi-destination publication). Each message
 * is encoded into one reused buffer and offered once: a refused offer returns false and the caller sends again on a
 * later duty cycle (a handshake is resent until answered, an ack carries the newest cursors, a heartbeat the newest
 * state), so nothing is held here. On an authenticated link every message is sealed with the key the caller gives
 * (zeros without one); an unauthenticated link sends schema version 1's messages, as before. Nothing is allocated per
 * message. Agent thread only.
 */
final class ReplicaControlPublisher implements AutoCloseable
{
    /** Block of a version 1 Handshake: every field before the ephemeral key. */
    static final int HANDSHAKE_V1_BLOCK_LENGTH = HandshakeDecoder.ephemeralKeyEncodingOffset();

    private static final int BUFFER_BYTES = 512;
    private static final byte[] NO_CHALLENGE = new byte[ReplicationAuth.CHALLENGE_LENGTH];
    private static final byte[] NO_KEY = new byte[ReplicationAuth.KEY_LENGTH];
    private static final byte[] NO_SIGNATURE = new byte[ReplicationAuth.SIGNATURE_LENGTH];

    private final ExclusivePublication publication;
    private final int nodeId;
    private final int protocolVersion;
    private final long configDigest;
    /** Whether this is an authenticated link: every message sealed, schema version 2. */
    private final boolean sealed;
    private final int schemaVersion;
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[BUFFER_BYTES]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final HandshakeEncoder handshakeEncoder = new HandshakeEncoder();
    private final AckEncoder ackEncoder = new AckEncoder();
    private final HeartbeatEncoder heartbeatEncoder = new HeartbeatEncoder();
    private final EpochProofEncoder epochProofEncoder = new EpochProofEncoder();

    /**
     * @param ctx what every handshake says about the replica: node id, protocol version and config digest, and
     *            whether the link is authenticated.
     */
    ReplicaControlPublisher(final ExclusivePublication publication, final ReplicaAgentContext ctx)
    {
        this.publication = publication;
        nodeId = ctx.nodeId();
        protocolVersion = ctx.protocolVersion();
        configDigest = ctx.configDigest();
        sealed = ctx.primaryKeys() != null;
        schemaVersion = sealed ? MessageHeaderEncoder.SCHEMA_VERSION : ReplicationProtocol.UNAUTHENTICATED_SCHEMA_VERSION;
    }

    /**
     * @param signed     the candidate primary whose challenge this handshake answers, signed and sealed with its
     *                   keys; null for an unsigned handshake (zeros are sent).
     * @param publicKey  this replica's replication key, sent with a signed handshake.
     * @return false if the publication refused it.
     */
    boolean sendHandshake(
        final long epoch,
        final long lastDurableWireSeq,
        final long lastEntryCrc32c,
        final long correlationId,
        final boolean snapshotRequested,
        final ReplicaLinkAuth.Candidate signed,
        final byte[] publicKey)
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
        final ReplicaLinkAuth.Answer answer = signed != null ? signed.answer() : null;
        handshakeEncoder
            .putChallenge(answer != null ? answer.challenge() : NO_CHALLENGE, 0, NO_CHALLENGE.length)
            .putPublicKey(answer != null ? publicKey : NO_KEY, 0, NO_KEY.length)
            .putSignature(answer != null ? answer.signature() : NO_SIGNATURE, 0, NO_SIGNATURE.length)
            .putEphemeralKey(answer != null ? answer.ephemeralKey() : NO_KEY, 0, NO_KEY.length);
        if (!sealed)
        {
            headerEncoder.blockLength(HANDSHAKE_V1_BLOCK_LENGTH).version(schemaVersion);
            return offer(HANDSHAKE_V1_BLOCK_LENGTH, null);
        }
        return offer(handshakeEncoder.encodedLength(), signed != null ? signed.control : null);
    }

    /**
     * @param mac seals the ack on an authenticated link: the followed stream's control key.
     * @return false if the publication refused it.
     */
    boolean sendAck(
        final long inMemoryWireSeq,
        final long persistedWireSeq,
        final long echoTimestampNs,
        final long correlationId,
        final StreamMac mac)
    {
        ackEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .nodeId(nodeId)
            .inMemoryWireSeq(inMemoryWireSeq)
            .persistedWireSeq(persistedWireSeq)
            .echoTimestampNs(echoTimestampNs)
            .streamCorrelationId(correlationId);
        headerEncoder.version(schemaVersion);
        return offer(ackEncoder.encodedLength(), mac);
    }

    /**
     * @param streamCorrelationId of the stream the replica follows or receives a snapshot on, 0 if none.
     * @param mac                 seals it on an authenticated link: that stream's control key, null if none.
     * @return false if the publication refused it.
     */
    boolean sendHeartbeat(
        final long epoch,
        final byte durabilityMode,
        final long nowNs,
        final long streamCorrelationId,
        final long appliedWireSeq,
        final StreamMac mac)
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
        headerEncoder.version(schemaVersion);
        return offer(heartbeatEncoder.encodedLength(), mac);
    }

    /**
     * Authenticated link only: this replica's epoch, signed, for a primary it does not stream from.
     *
     * @return false if the publication refused it.
     */
    boolean sendEpochProof(final long epoch, final byte[] publicKey, final byte[] signature)
    {
        epochProofEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .nodeId(nodeId)
            .epoch(epoch)
            .putPublicKey(publicKey, 0, publicKey.length)
            .putSignature(signature, 0, signature.length);
        return offer(epochProofEncoder.encodedLength(), null);
    }

    private boolean offer(final int bodyLength, final StreamMac mac)
    {
        int length = MessageHeaderEncoder.ENCODED_LENGTH + bodyLength;
        if (sealed)
        {
            length += mac != null ? mac.seal(buffer, 0, length) : StreamMac.zeroSeal(buffer, 0, length);
        }
        return publication.offer(buffer, 0, length) >= 0;
    }

    public void close()
    {
        CloseHelper.close(publication);
    }
}
