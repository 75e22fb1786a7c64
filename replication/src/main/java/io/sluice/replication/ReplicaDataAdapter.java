package io.sluice.replication;

import io.aeron.ControlledFragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.sluice.sbe.replication.AuthChallengeDecoder;
import io.sluice.sbe.replication.HeartbeatDecoder;
import io.sluice.sbe.replication.JournalBatchDecoder;
import io.sluice.sbe.replication.MessageHeaderDecoder;
import io.sluice.sbe.replication.RejectCode;
import io.sluice.sbe.replication.RejectDecoder;
import io.sluice.sbe.replication.SnapshotChunkDecoder;
import io.sluice.sbe.replication.SnapshotEndDecoder;
import io.sluice.sbe.replication.SnapshotOfferDecoder;
import io.sluice.sbe.replication.StreamStartDecoder;
import org.agrona.DirectBuffer;

/**
 * Polls a replica's data stream (primary to replica) and decodes it for a {@link ReplicaDataListener}: StreamStart,
 * JournalBatch, Heartbeat, Reject, SnapshotOffer, SnapshotChunk, SnapshotEnd and AuthChallenge. Each message is
 * checked here before any field is read (see {@link ReplicationAdapter}) and delivered with its seal, which the
 * listener checks against the stream it expects; the variable-length fields (a batch's entries, a chunk's
 * bytes, a reject's reason) are bounds-checked here too and handed over as offset and length, or flagged
 * {@link #MALFORMED}: what a malformed one means (a stream to start over, or a reply to some other handshake to
 * ignore) depends on the listener's state, so the listener counts it. Decoders are reused: nothing is allocated per
 * message.
 * <p>
 * A batch the listener cannot take yet ({@code ABORT}) stays in the image and comes back on a later poll.
 */
final class ReplicaDataAdapter extends ReplicationAdapter implements ControlledFragmentHandler
{
    private static final RejectCode[] REJECT_CODES = RejectCode.values();

    private final ReplicaDataListener listener;
    private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(this);
    private final StreamStartDecoder streamStartDecoder = new StreamStartDecoder();
    private final JournalBatchDecoder batchDecoder = new JournalBatchDecoder();
    private final HeartbeatDecoder heartbeatDecoder = new HeartbeatDecoder();
    private final RejectDecoder rejectDecoder = new RejectDecoder();
    private final SnapshotOfferDecoder snapshotOfferDecoder = new SnapshotOfferDecoder();
    private final SnapshotChunkDecoder snapshotChunkDecoder = new SnapshotChunkDecoder();
    private final SnapshotEndDecoder snapshotEndDecoder = new SnapshotEndDecoder();
    private final AuthChallengeDecoder authChallengeDecoder = new AuthChallengeDecoder();

    ReplicaDataAdapter(final Subscription subscription, final int fragmentLimit, final ReplicaDataListener listener)
    {
        super(subscription, fragmentLimit);
        this.listener = listener;
    }

    /** @return fragments read. */
    int poll()
    {
        return subscription.controlledPoll(assembler, fragmentLimit);
    }

    int minBlockLength(final int templateId)
    {
        return switch (templateId)
        {
            case StreamStartDecoder.TEMPLATE_ID -> StreamStartDecoder.BLOCK_LENGTH;
            case JournalBatchDecoder.TEMPLATE_ID -> JournalBatchDecoder.BLOCK_LENGTH;
            case HeartbeatDecoder.TEMPLATE_ID -> HeartbeatDecoder.BLOCK_LENGTH;
            case RejectDecoder.TEMPLATE_ID -> RejectDecoder.BLOCK_LENGTH;
            case SnapshotOfferDecoder.TEMPLATE_ID -> SnapshotOfferDecoder.BLOCK_LENGTH;
            case SnapshotChunkDecoder.TEMPLATE_ID -> SnapshotChunkDecoder.BLOCK_LENGTH;
            case SnapshotEndDecoder.TEMPLATE_ID -> SnapshotEndDecoder.BLOCK_LENGTH;
            case AuthChallengeDecoder.TEMPLATE_ID -> AuthChallengeDecoder.BLOCK_LENGTH;
            default -> NOT_A_MESSAGE;
        };
    }

    public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final int templateId = templateId(buffer, offset, length);
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int limit = offset + length;
        final int sessionId = header.sessionId();
        switch (templateId)
        {
            case JournalBatchDecoder.TEMPLATE_ID:
                return onJournalBatch(buffer, offset, body, limit, sessionId);
            case HeartbeatDecoder.TEMPLATE_ID:
                final HeartbeatDecoder heartbeat = heartbeatDecoder.wrap(buffer, body, blockLength(), version());
                listener.onHeartbeat(sessionId, heartbeat.nodeId(), heartbeat.roleRaw(), heartbeat.epoch(),
                    heartbeat.durabilityMode(), heartbeat.policyPersistedCount(), heartbeat.policyInMemoryCount(),
                    heartbeat.streamCorrelationId(), heartbeat.lastWireSeq(), fixedSeal(buffer, offset, limit));
                return Action.CONTINUE;
            case StreamStartDecoder.TEMPLATE_ID:
                final StreamStartDecoder start = streamStartDecoder.wrap(buffer, body, blockLength(), version());
                listener.onStreamStart(sessionId, start.epoch(), start.fromWireSeq(), start.durabilityMode(),
                    start.correlationId(), start.primaryNodeId(), fixedSeal(buffer, offset, limit));
                return Action.CONTINUE;
            case SnapshotOfferDecoder.TEMPLATE_ID:
                final SnapshotOfferDecoder offer = snapshotOfferDecoder.wrap(buffer, body, blockLength(), version());
                listener.onSnapshotOffer(sessionId, offer.correlationId(), offer.epoch(), offer.primaryNodeId(),
                    offer.snapshotWireSeq(), offer.snapshotEpoch(), offer.entryCrc32c(), offer.totalLengthBytes(),
                    fixedSeal(buffer, offset, limit));
                return Action.CONTINUE;
            case SnapshotChunkDecoder.TEMPLATE_ID:
                final SnapshotChunkDecoder chunk = snapshotChunkDecoder.wrap(buffer, body, blockLength(), version());
                final int chunkOffset = chunk.limit() + SnapshotChunkDecoder.bytesHeaderLength();
                final int chunkLength = varDataLength(buffer, chunk.limit(), limit);
                listener.onSnapshotChunk(sessionId, chunk.correlationId(), chunk.offsetBytes(), buffer, chunkOffset,
                    chunkLength, varSeal(buffer, offset, chunkOffset, chunkLength, limit));
                return Action.CONTINUE;
            case SnapshotEndDecoder.TEMPLATE_ID:
                final SnapshotEndDecoder end = snapshotEndDecoder.wrap(buffer, body, blockLength(), version());
                return listener.onSnapshotEnd(sessionId, end.correlationId(), end.totalLengthBytes(),
                    end.fileCrc32c(), fixedSeal(buffer, offset, limit));
            case RejectDecoder.TEMPLATE_ID:
                final RejectDecoder reject = rejectDecoder.wrap(buffer, body, blockLength(), version());
                final int reasonOffset = reject.limit() + RejectDecoder.reasonHeaderLength();
                final int reasonLength = varDataLength(buffer, reject.limit(), limit);
                listener.onReject(knownRejectCode(reject.codeRaw()), reject.correlationId(), buffer,
                    body + RejectDecoder.challengeEncodingOffset(), reasonOffset, reasonLength,
                    varSeal(buffer, offset, reasonOffset, reasonLength, limit));
                return Action.CONTINUE;
            case AuthChallengeDecoder.TEMPLATE_ID:
                listener.onAuthChallenge(sessionId,
                    authChallengeDecoder.wrap(buffer, body, blockLength(), version()));
                return Action.CONTINUE;
            default:
                return Action.CONTINUE;
        }
    }

    /** The reject code, or null for a value this build does not know (the generated getter would throw). */
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

    private Action onJournalBatch(
        final DirectBuffer buffer, final int offset, final int body, final int limit, final int sessionId)
    {
        final JournalBatchDecoder batch = batchDecoder.wrap(buffer, body, blockLength(), version());
        final int entryCount = batch.entryCount();
        final int entriesOffset = batch.limit() + JournalBatchDecoder.entriesHeaderLength();
        final int entriesLength = varDataLength(buffer, batch.limit(), limit);
        return listener.onJournalBatch(sessionId, batch.firstWireSeq(), entryCount, batch.sendTimestampNs(), buffer,
            entriesOffset, entryCount < 1 ? MALFORMED : entriesLength,
            varSeal(buffer, offset, entriesOffset, entriesLength, limit));
    }
}
