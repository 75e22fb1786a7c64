package io.sluice.replication;

import io.sluice.sbe.replication.HandshakeDecoder;

/**
 * The messages of a replica slot's control stream (replica to primary), decoded and checked by
 * {@link SenderControlAdapter}; the replication sender implements it. Every callback runs on the sender's thread,
 * inside its poll. {@code sessionId} is the Aeron session of the replica's publication that sent the message.
 */
interface SenderControlListener
{
    /**
     * A replica's handshake, as the flyweight: an older replica's is shorter (fields were added at the end), so its
     * block holds at least the fields through {@code correlationId}, and the later ones are read only once the
     * protocol versions match. Valid only during the call.
     */
    void onHandshake(int sessionId, HandshakeDecoder handshake);

    /** The replica's cursors for the stream {@code streamCorrelationId}. */
    void onAck(
        int sessionId, long inMemoryWireSeq, long persistedWireSeq, long echoTimestampNs, long streamCorrelationId);

    /** The replica's heartbeat: liveness, and the highest epoch it has seen. */
    void onHeartbeat(int sessionId, int nodeId, long epoch);
}
