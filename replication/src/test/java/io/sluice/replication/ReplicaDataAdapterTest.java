package io.sluice.replication;

import io.aeron.logbuffer.ControlledFragmentHandler.Action;
import io.aeron.logbuffer.Header;
import io.aeron.protocol.DataHeaderFlyweight;
import io.sluice.sbe.replication.AuthChallengeDecoder;
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
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The replica's data-stream adapter checks each message once, before any field is read: a short or foreign fragment
 * is passed over, a block shorter than its template's is counted and dropped, a variable-length field that runs past
 * the message is flagged MALFORMED for the listener, and nothing throws. Each message is delivered in a buffer
 * exactly its own length, so a read outside it would throw.
 */
class ReplicaDataAdapterTest
{
    private static final int SESSION_ID = 0x51_1CE;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[4096]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final RecordingListener listener = new RecordingListener();
    private final ReplicaDataAdapter adapter = new ReplicaDataAdapter(null, 16, listener);
    private final Header aeronHeader = new Header(0, 0);

    ReplicaDataAdapterTest()
    {
        final UnsafeBuffer headerBuffer = new UnsafeBuffer(new byte[DataHeaderFlyweight.HEADER_LENGTH]);
        headerBuffer.putInt(DataHeaderFlyweight.SESSION_ID_FIELD_OFFSET, SESSION_ID, ORDER);
        aeronHeader.buffer(headerBuffer).offset(0);
    }

    @Test
    void shouldDecodeEveryMessageOfTheDataStream()
    {
        deliver(streamStart());
        deliver(heartbeat());
        deliver(reject("diverged at 7"));
        deliver(snapshotOffer());
        deliver(chunk(new byte[]{ 1, 2, 3 }));
        deliver(snapshotEnd());
        deliver(batch(2, new byte[]{ 9, 9 }));

        assertEquals(List.of(
            "streamStart " + SESSION_ID + " epoch=3 from=11 mode=2 correlation=77 primary=1",
            "heartbeat " + SESSION_ID + " node=1 role=1 epoch=3 mode=2 counts=1/2 stream=77 last=99",
            "reject DIVERGED correlation=77 reason=diverged at 7",
            "snapshotOffer " + SESSION_ID + " correlation=77 epoch=3 primary=1 wireSeq=500 snapshotEpoch=2 crc=" +
                0xCAFEL + " total=1234",
            "snapshotChunk " + SESSION_ID + " correlation=77 offset=64 bytes=[1, 2, 3]",
            "snapshotEnd " + SESSION_ID + " correlation=77 total=1234 crc=" + 0xBEEFL,
            "batch " + SESSION_ID + " first=5 count=2 sent=123 entries=2"), listener.calls);
        assertEquals(0, adapter.malformedMessages());
    }

    @Test
    void shouldSeeASealOnlyWhereExactlyASealsBytesFollowTheMessage()
    {
        deliver(sealed(streamStart()));
        deliver(sealed(batch(2, new byte[]{ 9, 9 })));
        deliver(sealed(reject("diverged at 7")));
        deliver(sealed(chunk(new byte[]{ 1, 2, 3 })));
        deliver(Arrays.copyOf(streamStart(), streamStart().length + StreamMac.SEAL_LENGTH - 1));
        deliver(authChallenge());

        assertEquals(List.of(
            "streamStart " + SESSION_ID + " epoch=3 from=11 mode=2 correlation=77 primary=1 sealed",
            "batch " + SESSION_ID + " first=5 count=2 sent=123 entries=2 sealed",
            "reject DIVERGED correlation=77 reason=diverged at 7 sealed",
            "snapshotChunk " + SESSION_ID + " correlation=77 offset=64 bytes=[1, 2, 3] sealed",
            "streamStart " + SESSION_ID + " epoch=3 from=11 mode=2 correlation=77 primary=1",
            "authChallenge " + SESSION_ID + " correlation=77 primary=1"), listener.calls);
        assertEquals(0, adapter.malformedMessages());
    }

    @Test
    void shouldCountAndDropEveryTemplateWhoseBlockIsShorterThanItsOwn()
    {
        final byte[][] messages = { streamStart(), heartbeat(), reject("r"), snapshotOffer(), chunk(new byte[1]),
            snapshotEnd(), batch(1, new byte[1]), authChallenge() };
        for (final byte[] intact : messages)
        {
            final byte[] message = intact.clone();
            final int blockLength = new UnsafeBuffer(message).getShort(0, ORDER);
            new UnsafeBuffer(message).putShort(0, (short)(blockLength - 1), ORDER);
            deliver(message);
        }

        assertEquals(messages.length, adapter.malformedMessages());
        assertEquals(List.of(), listener.calls);
    }

    @Test
    void shouldPassOverFragmentsThatAreNotReplicationMessagesUncounted()
    {
        final byte[] start = streamStart();
        deliver(Arrays.copyOf(start, MessageHeaderEncoder.ENCODED_LENGTH - 1));
        deliver(Arrays.copyOf(start, start.length - 1));
        final byte[] otherSchema = start.clone();
        new UnsafeBuffer(otherSchema).putShort(4, (short)1, ORDER);
        deliver(otherSchema);
        final byte[] unknownTemplate = start.clone();
        new UnsafeBuffer(unknownTemplate).putShort(2, (short)99, ORDER);
        deliver(unknownTemplate);

        assertEquals(0, adapter.malformedMessages());
        assertEquals(List.of(), listener.calls);
    }

    @Test
    void shouldFlagVariableLengthFieldsThatRunPastTheMessage()
    {
        final byte[] batch = batch(2, new byte[]{ 9, 9 });
        new UnsafeBuffer(batch).putInt(
            MessageHeaderEncoder.ENCODED_LENGTH + JournalBatchEncoder.BLOCK_LENGTH, 3, ORDER);
        deliver(batch);
        final byte[] chunk = chunk(new byte[]{ 1, 2, 3 });
        new UnsafeBuffer(chunk).putInt(MessageHeaderEncoder.ENCODED_LENGTH + SnapshotChunkEncoder.BLOCK_LENGTH,
            0x6666_6666, ORDER);
        deliver(chunk);
        final byte[] reject = reject("refused");
        new UnsafeBuffer(reject).putInt(MessageHeaderEncoder.ENCODED_LENGTH + RejectEncoder.BLOCK_LENGTH, -1, ORDER);
        deliver(reject);
        // Its var-data length field itself cut off.
        deliver(Arrays.copyOf(reject(""), MessageHeaderEncoder.ENCODED_LENGTH + RejectEncoder.BLOCK_LENGTH + 2));

        assertEquals(List.of(
            "batch " + SESSION_ID + " first=5 count=2 sent=123 entries=-1",
            "snapshotChunk " + SESSION_ID + " correlation=77 offset=64 bytes=MALFORMED",
            "reject DIVERGED correlation=77 reason=MALFORMED",
            "reject DIVERGED correlation=77 reason=MALFORMED"), listener.calls);
        assertEquals(0, adapter.malformedMessages(), "the listener counts them once it knows they were for it");
    }

    @Test
    void shouldFlagABatchThatClaimsNoEntry()
    {
        deliver(batch(0, new byte[]{ 9 }));

        assertEquals(List.of("batch " + SESSION_ID + " first=5 count=0 sent=123 entries=-1"), listener.calls);
    }

    @Test
    void shouldHandOverARejectCodeThisBuildDoesNotKnowAsNull()
    {
        final byte[] message = reject("refused by a newer primary");
        message[MessageHeaderEncoder.ENCODED_LENGTH + RejectEncoder.codeEncodingOffset()] = (byte)131;

        deliver(message);

        assertNull(listener.lastRejectCode);
        assertEquals(List.of("reject null correlation=77 reason=refused by a newer primary"), listener.calls);
    }

    @Test
    void shouldReturnTheListenersActionForBatchesAndSnapshotEnds()
    {
        listener.action = Action.ABORT;
        assertEquals(Action.ABORT, deliver(batch(1, new byte[]{ 1 })));
        listener.action = Action.BREAK;
        assertEquals(Action.BREAK, deliver(snapshotEnd()));
        assertEquals(Action.CONTINUE, deliver(heartbeat()));
    }

    @Test
    void shouldHandTheRejectChallengeWhereItLies()
    {
        final byte[] challenge = new byte[32];
        Arrays.fill(challenge, (byte)7);
        final byte[] message = reject("sign this");
        new UnsafeBuffer(message).putBytes(MessageHeaderEncoder.ENCODED_LENGTH +
            RejectEncoder.challengeEncodingOffset(), challenge);

        deliver(message);

        assertArrayEquals(challenge, listener.lastChallenge);
    }

    private Action deliver(final byte[] message)
    {
        return adapter.onFragment(new UnsafeBuffer(message), 0, message.length, aeronHeader);
    }

    private byte[] bytes(final int length)
    {
        final byte[] bytes = new byte[length];
        scratch.getBytes(0, bytes);
        return bytes;
    }

    private byte[] streamStart()
    {
        final StreamStartEncoder encoder = new StreamStartEncoder().wrapAndApplyHeader(scratch, 0, header)
            .epoch(3).fromWireSeq(11).durabilityMode((short)2).correlationId(77).primaryNodeId(1);
        return bytes(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    private byte[] heartbeat()
    {
        final HeartbeatEncoder encoder = new HeartbeatEncoder().wrapAndApplyHeader(scratch, 0, header)
            .nodeId(1).role(NodeRole.PRIMARY).epoch(3).durabilityMode((short)2).timestampNs(5)
            .streamCorrelationId(77).lastWireSeq(99).policyPersistedCount((short)1).policyInMemoryCount((short)2);
        return bytes(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    private byte[] reject(final String reason)
    {
        final RejectEncoder encoder = new RejectEncoder().wrapAndApplyHeader(scratch, 0, header)
            .code(RejectCode.DIVERGED).correlationId(77).epoch(3).putChallenge(new byte[32], 0, 32).reason(reason);
        return bytes(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    private byte[] snapshotOffer()
    {
        final SnapshotOfferEncoder encoder = new SnapshotOfferEncoder().wrapAndApplyHeader(scratch, 0, header)
            .correlationId(77).epoch(3).primaryNodeId(1).snapshotWireSeq(500).snapshotEpoch(2).entryCrc32c(0xCAFE)
            .totalLengthBytes(1234);
        return bytes(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    private byte[] chunk(final byte[] data)
    {
        final SnapshotChunkEncoder encoder = new SnapshotChunkEncoder().wrapAndApplyHeader(scratch, 0, header)
            .correlationId(77).offsetBytes(64).putBytes(data, 0, data.length);
        return bytes(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    private byte[] snapshotEnd()
    {
        final SnapshotEndEncoder encoder = new SnapshotEndEncoder().wrapAndApplyHeader(scratch, 0, header)
            .correlationId(77).totalLengthBytes(1234).fileCrc32c(0xBEEF);
        return bytes(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    private static byte[] sealed(final byte[] message)
    {
        final byte[] sealed = Arrays.copyOf(message, message.length + StreamMac.SEAL_LENGTH);
        sealed[message.length] = 1;
        return sealed;
    }

    private byte[] authChallenge()
    {
        final AuthChallengeEncoder encoder = new AuthChallengeEncoder().wrapAndApplyHeader(scratch, 0, header)
            .correlationId(77).primaryNodeId(1).putChallenge(new byte[32], 0, 32).putEphemeralKey(new byte[32], 0, 32)
            .putPublicKey(new byte[32], 0, 32).putSignature(new byte[64], 0, 64);
        return bytes(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    private byte[] batch(final int entryCount, final byte[] entries)
    {
        final JournalBatchEncoder encoder = new JournalBatchEncoder().wrapAndApplyHeader(scratch, 0, header)
            .firstWireSeq(5).entryCount(entryCount).sendTimestampNs(123).putEntries(entries, 0, entries.length);
        // These bytes are not entries: the adapter checks only that they lie in the message.
        return bytes(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    /** Records each callback as a line. */
    private static final class RecordingListener implements ReplicaDataListener
    {
        final List<String> calls = new ArrayList<>();
        Action action = Action.CONTINUE;
        RejectCode lastRejectCode;
        byte[] lastChallenge;

        public void onStreamStart(final int sessionId, final long epoch, final long fromWireSeq,
            final short durabilityMode, final long correlationId, final int primaryNodeId, final MessageSeal seal)
        {
            calls.add("streamStart " + sessionId + " epoch=" + epoch + " from=" + fromWireSeq + " mode=" +
                durabilityMode + " correlation=" + correlationId + " primary=" + primaryNodeId + sealed(seal));
        }

        private static String sealed(final MessageSeal seal)
        {
            return seal.isPresent() ? " sealed" : "";
        }

        public Action onJournalBatch(final int sessionId, final long firstWireSeq, final int entryCount,
            final long sendTimestampNs, final DirectBuffer buffer, final int entriesOffset, final int entriesLength,
            final MessageSeal seal)
        {
            calls.add("batch " + sessionId + " first=" + firstWireSeq + " count=" + entryCount + " sent=" +
                sendTimestampNs + " entries=" + entriesLength + sealed(seal));
            return action;
        }

        public void onHeartbeat(final int sessionId, final int nodeId, final short roleRaw, final long epoch,
            final short durabilityMode, final short policyPersistedCount, final short policyInMemoryCount,
            final long streamCorrelationId, final long lastWireSeq, final MessageSeal seal)
        {
            calls.add("heartbeat " + sessionId + " node=" + nodeId + " role=" + roleRaw + " epoch=" + epoch +
                " mode=" + durabilityMode + " counts=" + policyPersistedCount + "/" + policyInMemoryCount +
                " stream=" + streamCorrelationId + " last=" + lastWireSeq + sealed(seal));
        }

        public void onReject(final RejectCode code, final long correlationId, final DirectBuffer buffer,
            final int challengeOffset, final int reasonOffset, final int reasonLength, final MessageSeal seal)
        {
            lastRejectCode = code;
            lastChallenge = new byte[32];
            buffer.getBytes(challengeOffset, lastChallenge);
            calls.add("reject " + code + " correlation=" + correlationId + " reason=" +
                (reasonLength == ReplicationAdapter.MALFORMED ? "MALFORMED" :
                buffer.getStringWithoutLengthAscii(reasonOffset, reasonLength)) + sealed(seal));
        }

        public void onSnapshotOffer(final int sessionId, final long correlationId, final long epoch,
            final int primaryNodeId, final long snapshotWireSeq, final long snapshotEpoch, final long entryCrc32c,
            final long totalLengthBytes, final MessageSeal seal)
        {
            calls.add("snapshotOffer " + sessionId + " correlation=" + correlationId + " epoch=" + epoch +
                " primary=" + primaryNodeId + " wireSeq=" + snapshotWireSeq + " snapshotEpoch=" + snapshotEpoch +
                " crc=" + entryCrc32c + " total=" + totalLengthBytes + sealed(seal));
        }

        public void onSnapshotChunk(final int sessionId, final long correlationId, final long offsetBytes,
            final DirectBuffer buffer, final int bytesOffset, final int bytesLength, final MessageSeal seal)
        {
            final byte[] bytes = bytesLength < 0 ? null : new byte[bytesLength];
            if (bytes != null)
            {
                buffer.getBytes(bytesOffset, bytes);
            }
            calls.add("snapshotChunk " + sessionId + " correlation=" + correlationId + " offset=" + offsetBytes +
                " bytes=" + (bytes == null ? "MALFORMED" : Arrays.toString(bytes)) + sealed(seal));
        }

        public Action onSnapshotEnd(final int sessionId, final long correlationId, final long totalLengthBytes,
            final long fileCrc32c, final MessageSeal seal)
        {
            calls.add("snapshotEnd " + sessionId + " correlation=" + correlationId + " total=" + totalLengthBytes +
                " crc=" + fileCrc32c + sealed(seal));
            return action;
        }

        public void onAuthChallenge(final int sessionId, final AuthChallengeDecoder challenge)
        {
            calls.add("authChallenge " + sessionId + " correlation=" + challenge.correlationId() + " primary=" +
                challenge.primaryNodeId());
        }
    }
}
