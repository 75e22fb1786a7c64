package io.sluice.replication;

import io.sluice.sbe.replication.EpochProofDecoder;
import io.sluice.sbe.replication.HandshakeDecoder;

/**
 * The messages of a replica slot's control stream (replica to primary), decoded and checked by
 * {@link SenderControlAdapter}; the replication sender implements it. Every callback runs on the sender's thread,
 * inside its poll. {@code sessionId} is the Aeron session of the replica's publication that sent the message;
 * {@code seal} is the message's seal, valid only during the call, which an authenticated link checks before the
 * message may change anything.
 */
interface SenderControlListener
{
    /**
     * A replica's handshake, as the flyweight: an older replica's is shorter (fields were added at the end), so its
     * block holds at least the fields through {@code correlationId}, and the later ones are read only once the
     * protocol versions match and the block is known to hold them. Valid only during the call.
     */
    void onHandshake(int sessionId, HandshakeDecoder handshake, MessageSeal seal);

    /** The replica's cursors for the stream {@code streamCorrelationId}. */
    void onAck(
        int sessionId,
        long inMemoryWireSeq,
        long persistedWireSeq,
        long echoTimestampNs,
        long streamCorrelationId,
        MessageSeal seal);

    /** The replica's heartbeat: liveness, and (on an unauthenticated link only) the highest epoch it has seen. */
    void onHeartbeat(int sessionId, int nodeId, long epoch, MessageSeal seal);

    /** A replica's signed epoch (authenticated link): a stale primary believes it from a listed key only. */
    void onEpochProof(int sessionId, EpochProofDecoder proof);
}
