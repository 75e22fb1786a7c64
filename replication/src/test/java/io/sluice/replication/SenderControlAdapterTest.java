package io.sluice.replication;

import io.aeron.logbuffer.Header;
import io.aeron.protocol.DataHeaderFlyweight;
import io.sluice.sbe.replication.AckEncoder;
import io.sluice.sbe.replication.EpochProofDecoder;
import io.sluice.sbe.replication.EpochProofEncoder;
import io.sluice.sbe.replication.HandshakeDecoder;
import io.sluice.sbe.replication.HandshakeEncoder;
import io.sluice.sbe.replication.HeartbeatEncoder;
import io.sluice.sbe.replication.MessageHeaderEncoder;
import io.sluice.sbe.replication.NodeRole;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The sender's control-stream adapter checks each message once before any field is read: a block shorter than its
 * template's is counted and dropped; a handshake is taken as far as its correlation id, so an older replica's shorter
 * one still reaches the sender (which refuses it PROTOCOL_VERSION); nothing throws. Each message is delivered in a
 * buffer exactly its own length.
 */
class SenderControlAdapterTest
{
    private static final int SESSION_ID = 0x4E_9;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[1024]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final List<String> calls = new ArrayList<>();
    private final SenderControlAdapter adapter = new SenderControlAdapter(null, 16, new SenderControlListener()
    {
        public void onHandshake(final int sessionId, final HandshakeDecoder handshake, final MessageSeal seal)
        {
            calls.add("handshake " + sessionId + " node=" + handshake.nodeId() + " version=" +
                handshake.protocolVersion() + " correlation=" + handshake.correlationId());
        }

        public void onAck(
            final int sessionId,
            final long inMemoryWireSeq,
            final long persistedWireSeq,
            final long echoTimestampNs,
            final long streamCorrelationId,
            final MessageSeal seal)
        {
            calls.add("ack " + sessionId + " inMemory=" + inMemoryWireSeq + " persisted=" + persistedWireSeq +
                " echo=" + echoTimestampNs + " stream=" + streamCorrelationId + (seal.isPresent() ? " sealed" : ""));
        }

        public void onHeartbeat(final int sessionId, final int nodeId, final long epoch, final MessageSeal seal)
        {
            calls.add("heartbeat " + sessionId + " node=" + nodeId + " epoch=" + epoch +
                (seal.isPresent() ? " sealed" : ""));
        }

        public void onEpochProof(final int sessionId, final EpochProofDecoder proof)
        {
            calls.add("epochProof " + sessionId + " node=" + proof.nodeId() + " epoch=" + proof.epoch());
        }
    });
    private final Header aeronHeader = new Header(0, 0);

    SenderControlAdapterTest()
    {
        final UnsafeBuffer headerBuffer = new UnsafeBuffer(new byte[DataHeaderFlyweight.HEADER_LENGTH]);
        headerBuffer.putInt(DataHeaderFlyweight.SESSION_ID_FIELD_OFFSET, SESSION_ID, ORDER);
        aeronHeader.buffer(headerBuffer).offset(0);
    }

    @Test
    void shouldDecodeEveryMessageOfTheControlStream()
    {
        deliver(handshake());
        deliver(ack());
        deliver(heartbeat());

        assertEquals(List.of(
            "handshake " + SESSION_ID + " node=2 version=" + ReplicationProtocol.PROTOCOL_VERSION + " correlation=42",
            "ack " + SESSION_ID + " inMemory=10 persisted=9 echo=5 stream=42",
            "heartbeat " + SESSION_ID + " node=2 epoch=3"), calls);
        assertEquals(0, adapter.malformedMessages());
    }

    @Test
    void shouldDeliverTheSealThatFollowsAMessageAndTheEpochProof()
    {
        deliver(Arrays.copyOf(ack(), ack().length + StreamMac.SEAL_LENGTH));
        deliver(Arrays.copyOf(heartbeat(), heartbeat().length + 3));
        deliver(epochProof());

        assertEquals(List.of(
            "ack " + SESSION_ID + " inMemory=10 persisted=9 echo=5 stream=42 sealed",
            "heartbeat " + SESSION_ID + " node=2 epoch=3",
            "epochProof " + SESSION_ID + " node=2 epoch=9"), calls);
    }

    @Test
    void shouldCountAndDropAnAckOrHeartbeatWhoseBlockIsShorterThanItsTemplates()
    {
        for (final byte[] intact : new byte[][]{ ack(), heartbeat(), epochProof() })
        {
            final byte[] message = intact.clone();
            new UnsafeBuffer(message).putShort(0, (short)(new UnsafeBuffer(message).getShort(0, ORDER) - 1), ORDER);
            deliver(message);
        }

        assertEquals(3, adapter.malformedMessages());
        assertEquals(List.of(), calls);
    }

    @Test
    void shouldTakeAnOlderReplicasShorterHandshakeAsFarAsItsCorrelationId()
    {
        final int minBlock = SenderControlAdapter.MIN_HANDSHAKE_BLOCK_LENGTH;
        final byte[] older = Arrays.copyOf(handshake(), MessageHeaderEncoder.ENCODED_LENGTH + minBlock);
        new UnsafeBuffer(older).putShort(0, (short)minBlock, ORDER);
        deliver(older);
        final byte[] tooShort = Arrays.copyOf(older, older.length - 1);
        new UnsafeBuffer(tooShort).putShort(0, (short)(minBlock - 1), ORDER);
        deliver(tooShort);

        assertEquals(List.of(
            "handshake " + SESSION_ID + " node=2 version=" + ReplicationProtocol.PROTOCOL_VERSION + " correlation=42"),
            calls);
        assertEquals(1, adapter.malformedMessages());
    }

    @Test
    void shouldPassOverFragmentsThatAreNotReplicationMessagesUncounted()
    {
        final byte[] ack = ack();
        deliver(Arrays.copyOf(ack, 3));
        deliver(Arrays.copyOf(ack, ack.length - 1));
        final byte[] otherSchema = ack.clone();
        new UnsafeBuffer(otherSchema).putShort(4, (short)1, ORDER);
        deliver(otherSchema);
        final byte[] dataStreamTemplate = ack.clone();
        new UnsafeBuffer(dataStreamTemplate).putShort(2, (short)2, ORDER);
        deliver(dataStreamTemplate);

        assertEquals(0, adapter.malformedMessages());
        assertEquals(List.of(), calls);
    }

    private void deliver(final byte[] message)
    {
        adapter.onFragment(new UnsafeBuffer(message), 0, message.length, aeronHeader);
    }

    private byte[] bytes(final int length)
    {
        final byte[] bytes = new byte[length];
        scratch.getBytes(0, bytes);
        return bytes;
    }

    private byte[] handshake()
    {
        final HandshakeEncoder encoder = new HandshakeEncoder().wrapAndApplyHeader(scratch, 0, header)
            .nodeId(2).protocolVersion(ReplicationProtocol.PROTOCOL_VERSION).epoch(3).lastDurableWireSeq(10)
            .lastEntryCrc32c(0xABCD).configDigest(77).correlationId(42)
            .putChallenge(new byte[32], 0, 32).putPublicKey(new byte[32], 0, 32).putSignature(new byte[64], 0, 64);
        return bytes(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    private byte[] ack()
    {
        final AckEncoder encoder = new AckEncoder().wrapAndApplyHeader(scratch, 0, header)
            .nodeId(2).inMemoryWireSeq(10).persistedWireSeq(9).echoTimestampNs(5).streamCorrelationId(42);
        return bytes(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    private byte[] epochProof()
    {
        final EpochProofEncoder encoder = new EpochProofEncoder().wrapAndApplyHeader(scratch, 0, header)
            .nodeId(2).epoch(9).putPublicKey(new byte[32], 0, 32).putSignature(new byte[64], 0, 64);
        return bytes(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    private byte[] heartbeat()
    {
        final HeartbeatEncoder encoder = new HeartbeatEncoder().wrapAndApplyHeader(scratch, 0, header)
            .nodeId(2).role(NodeRole.REPLICA).epoch(3).durabilityMode((short)0).timestampNs(1)
            .streamCorrelationId(42).lastWireSeq(10).policyPersistedCount((short)0).policyInMemoryCount((short)0);
        return bytes(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }
}
