package io.sluice.replication;

import io.aeron.logbuffer.ControlledFragmentHandler.Action;
import io.sluice.sbe.replication.AuthChallengeDecoder;
import io.sluice.sbe.replication.RejectCode;
import org.agrona.DirectBuffer;

/**
 * The messages of a replica slot's data stream (primary to replica), decoded and checked by
 * {@link ReplicaDataAdapter}; the replica agent implements it. Every callback runs on the agent's thread, inside its
 * poll. {@code sessionId} is the Aeron session of the primary's publication that sent the message. Buffers are the
 * fragment's and valid only during the call, as is {@code seal}, the message's seal, which an authenticated link
 * checks against the stream the message claims to belong to before it may change anything.
 */
interface ReplicaDataListener
{
    /** The primary accepted the handshake {@code correlationId}: batches from {@code fromWireSeq} follow. */
    void onStreamStart(
        int sessionId,
        long epoch,
        long fromWireSeq,
        short durabilityMode,
        long correlationId,
        int primaryNodeId,
        MessageSeal seal);

    /**
     * Consecutive journal entries, each preceded by its int32 length, at {@code entriesOffset} in {@code buffer}.
     *
     * @param entriesLength bytes of the entries, or {@link ReplicationAdapter#MALFORMED} if they run past the
     *                      message or the batch claims no entry.
     * @return {@link Action#ABORT} to leave the batch in the stream for a later poll.
     */
    Action onJournalBatch(
        int sessionId,
        long firstWireSeq,
        int entryCount,
        long sendTimestampNs,
        DirectBuffer buffer,
        int entriesOffset,
        int entriesLength,
        MessageSeal seal);

    /**
     * The primary's heartbeat. {@code roleRaw} is the raw {@code NodeRole} byte, which may be a value this build does
     * not know.
     */
    void onHeartbeat(
        int sessionId,
        int nodeId,
        short roleRaw,
        long epoch,
        short durabilityMode,
        short policyPersistedCount,
        short policyInMemoryCount,
        long streamCorrelationId,
        long lastWireSeq,
        MessageSeal seal);

    /**
     * The primary refused the handshake {@code correlationId}.
     *
     * @param code            null for a code this build does not know.
     * @param challengeOffset where the 32-byte challenge lies in {@code buffer}.
     * @param reasonLength    bytes of the US-ASCII reason at {@code reasonOffset}, or
     *                        {@link ReplicationAdapter#MALFORMED} if it runs past the message.
     */
    void onReject(
        RejectCode code,
        long correlationId,
        DirectBuffer buffer,
        int challengeOffset,
        int reasonOffset,
        int reasonLength,
        MessageSeal seal);

    /** The primary answers the handshake {@code correlationId} with a snapshot; its chunks follow. */
    void onSnapshotOffer(
        int sessionId,
        long correlationId,
        long epoch,
        int primaryNodeId,
        long snapshotWireSeq,
        long snapshotEpoch,
        long entryCrc32c,
        long totalLengthBytes,
        MessageSeal seal);

    /**
     * Bytes of the snapshot file from {@code offsetBytes}.
     *
     * @param bytesLength bytes at {@code bytesOffset} in {@code buffer}, or {@link ReplicationAdapter#MALFORMED} if
     *                    they run past the message.
     */
    void onSnapshotChunk(
        int sessionId,
        long correlationId,
        long offsetBytes,
        DirectBuffer buffer,
        int bytesOffset,
        int bytesLength,
        MessageSeal seal);

    /**
     * Every chunk of the snapshot was sent; {@code fileCrc32c} is over the whole file.
     *
     * @return {@link Action#BREAK} to end the poll after this message (an install starts, and what follows must wait
     * for it), else {@link Action#CONTINUE}.
     */
    Action onSnapshotEnd(int sessionId, long correlationId, long totalLengthBytes, long fileCrc32c, MessageSeal seal);

    /**
     * A primary's answer to an unsigned handshake on an authenticated link: its challenge, X25519 key, replication
     * key and signature, as the flyweight, valid only during the call.
     */
    void onAuthChallenge(int sessionId, AuthChallengeDecoder challenge);
}
