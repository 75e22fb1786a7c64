package io.sluice.replication;

import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.sluice.sbe.replication.AckDecoder;
import io.sluice.sbe.replication.EpochProofDecoder;
import io.sluice.sbe.replication.HandshakeDecoder;
import io.sluice.sbe.replication.HeartbeatDecoder;
import io.sluice.sbe.replication.MessageHeaderDecoder;
import org.agrona.DirectBuffer;

/**
 * Polls a replica slot's control stream (replica to primary) and decodes it for a {@link SenderControlListener}:
 * Handshake, Ack, Heartbeat and EpochProof. Each message is checked here before any field is read (see
 * {@link ReplicationAdapter}) and delivered with its seal. Decoders are reused: nothing is allocated per message.
 */
final class SenderControlAdapter extends ReplicationAdapter implements FragmentHandler
{
    /**
     * Shortest handshake block read: through the correlation id, which every protocol version has, so an older
     * replica is refused PROTOCOL_VERSION with a reason instead of being dropped as malformed and retrying for ever.
     * The sender reads further only once the versions match and the block holds that version's fields.
     */
    static final int MIN_HANDSHAKE_BLOCK_LENGTH =
        HandshakeDecoder.correlationIdEncodingOffset() + HandshakeDecoder.correlationIdEncodingLength();

    private final SenderControlListener listener;
    private final FragmentAssembler assembler = new FragmentAssembler(this);
    private final HandshakeDecoder handshakeDecoder = new HandshakeDecoder();
    private final AckDecoder ackDecoder = new AckDecoder();
    private final HeartbeatDecoder heartbeatDecoder = new HeartbeatDecoder();
    private final EpochProofDecoder epochProofDecoder = new EpochProofDecoder();

    SenderControlAdapter(final Subscription subscription, final int fragmentLimit, final SenderControlListener listener)
    {
        super(subscription, fragmentLimit);
        this.listener = listener;
    }

    /** @return fragments read. */
    int poll()
    {
        return subscription.poll(assembler, fragmentLimit);
    }

    int minBlockLength(final int templateId)
    {
        return switch (templateId)
        {
            case HandshakeDecoder.TEMPLATE_ID -> MIN_HANDSHAKE_BLOCK_LENGTH;
            case AckDecoder.TEMPLATE_ID -> AckDecoder.BLOCK_LENGTH;
            case HeartbeatDecoder.TEMPLATE_ID -> HeartbeatDecoder.BLOCK_LENGTH;
            case EpochProofDecoder.TEMPLATE_ID -> EpochProofDecoder.BLOCK_LENGTH;
            default -> NOT_A_MESSAGE;
        };
    }

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final int templateId = templateId(buffer, offset, length);
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        switch (templateId)
        {
            case AckDecoder.TEMPLATE_ID:
                final AckDecoder ack = ackDecoder.wrap(buffer, body, blockLength(), version());
                listener.onAck(header.sessionId(), ack.inMemoryWireSeq(), ack.persistedWireSeq(),
                    ack.echoTimestampNs(), ack.streamCorrelationId(), fixedSeal(buffer, offset, offset + length));
                break;
            case HeartbeatDecoder.TEMPLATE_ID:
                final HeartbeatDecoder heartbeat = heartbeatDecoder.wrap(buffer, body, blockLength(), version());
                listener.onHeartbeat(header.sessionId(), heartbeat.nodeId(), heartbeat.epoch(),
                    fixedSeal(buffer, offset, offset + length));
                break;
            case HandshakeDecoder.TEMPLATE_ID:
                listener.onHandshake(header.sessionId(), handshakeDecoder.wrap(buffer, body, blockLength(), version()),
                    fixedSeal(buffer, offset, offset + length));
                break;
            case EpochProofDecoder.TEMPLATE_ID:
                listener.onEpochProof(header.sessionId(), epochProofDecoder.wrap(buffer, body, blockLength(),
                    version()));
                break;
            default:
                break;
        }
    }
}
