package io.sluice.replication;

import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import io.aeron.protocol.DataHeaderFlyweight;
import io.sluice.durability.DurabilityControl;
import io.sluice.durability.DurabilityMode;
import io.sluice.durability.ReplicationMetrics;
import io.sluice.fuzz.ByteMutator;
import io.sluice.matching.MatchingEngine;
import io.sluice.matching.SilentListener;
import io.sluice.pipeline.sequencer.CommandApplier;
import io.sluice.pipeline.sequencer.ExchangeStateMachine;
import io.sluice.replication.ReplicationTestSupport.Node;
import io.sluice.replication.ReplicationTestSupport.OrderFlow;
import io.sluice.sbe.replication.AckEncoder;
import io.sluice.sbe.replication.AuthChallengeDecoder;
import io.sluice.sbe.replication.AuthChallengeEncoder;
import io.sluice.sbe.replication.EpochProofEncoder;
import io.sluice.sbe.replication.HandshakeDecoder;
import io.sluice.sbe.replication.HandshakeEncoder;
import io.sluice.sbe.replication.HeartbeatEncoder;
import io.sluice.sbe.replication.JournalBatchEncoder;
import io.sluice.sbe.replication.MessageHeaderDecoder;
import io.sluice.sbe.replication.MessageHeaderEncoder;
import io.sluice.sbe.replication.NodeRole;
import io.sluice.sbe.replication.RejectCode;
import io.sluice.sbe.replication.RejectEncoder;
import io.sluice.sbe.replication.StreamStartEncoder;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.sluice.replication.ReplicationTestSupport.await;
import static io.sluice.replication.ReplicationTestSupport.engineContext;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attacks tried on the replication link, each against an agent that runs the authenticated link and is driven
 * message by message (fragments delivered straight to its adapter, each in a buffer exactly its own length, so a
 * read outside a message throws): the test plays the other end with the real handshake code and the attacker beside
 * it. Whatever the attacker sends, nothing it could not sign or seal changes a cursor, a stream or an epoch, and it is
 * counted.
 */
class ReplicationAttackTest
{
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int REPLICA_SESSION = 0x4E_9;
    private static final int ATTACKER_SESSION = 0x0BAD;
    private static final int PRIMARY_SESSION = 0x51_1CE;
    private static final long EPOCH = ReplicationTestSupport.EPOCH;
    private static final int ENTRIES = 50;

    @TempDir
    static Path dir;

    private static ReplicationTransport transport;
    private static Node source;
    private static List<byte[]> entries;

    private final KeyPair primaryKey = ReplicationAuthTest.keyPair();
    private final KeyPair replicaKey = ReplicationAuthTest.keyPair();
    private final KeyPair attackerKey = ReplicationAuthTest.keyPair();
    private final ReplicationAuth.KeyCheck listed = ReplicationAuthTest.only(primaryKey, replicaKey);
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 * 1024]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();

    @BeforeAll
    static void writeJournal()
    {
        transport = ReplicationTestSupport.transport(dir.resolve("aeron"));
        source = Node.open(dir.resolve("source"), 1, engineContext());
        final long last = new OrderFlow(7).append(source, 0, ENTRIES);
        await(() -> source.persistedWireSeq() == last, () -> "source journal");
        entries = ReplicationTestSupport.entries(source.journal, 1, ENTRIES);
    }

    @AfterAll
    static void close()
    {
        CloseHelper.closeAll(source, transport);
        ReplicationTestSupport.assertNoAgentErrors();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Against a primary's sender
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void shouldNotBeFencedByAHeartbeatOrEpochProofNoListedKeySigned()
    {
        try (Slot slot = new Slot())
        {
            slot.stream();
            final long before = slot.sender.unauthenticatedMessages();

            slot.deliver(heartbeat(2, null), ATTACKER_SESSION);
            slot.deliver(heartbeat(2, null), REPLICA_SESSION);
            slot.deliver(sealedWithGarbage(heartbeat(2, null)), REPLICA_SESSION);
            slot.deliver(epochProof(66, 2, attackerKey), ATTACKER_SESSION);
            final byte[] forgedProof = epochProof(66, 2, replicaKey);
            forgedProof[MessageHeaderEncoder.ENCODED_LENGTH + EpochProofEncoder.signatureEncodingOffset()] ^= 1;
            slot.deliver(forgedProof, ATTACKER_SESSION);

            assertFalse(slot.fence.isFenced(), slot.fence.toString());
            assertEquals(ReplicationSenderAgent.State.STREAMING, slot.sender.state());
            assertTrue(slot.metrics.isActive(0));
            assertEquals(5, slot.sender.unauthenticatedMessages() - before);

            // The control: a replica's epoch, signed by its listed key, does fence a stale primary.
            slot.deliver(epochProof(2, 2, replicaKey), ATTACKER_SESSION);
            assertTrue(slot.fence.isFenced());
            assertEquals(2, slot.fence.fencedByEpoch());
        }
    }

    @Test
    void shouldKeepTheStreamThroughAFloodOfUnsignedAndForgedHandshakes()
    {
        try (Slot slot = new Slot())
        {
            slot.stream();
            final SplittableRandom random = new SplittableRandom(3);
            for (int i = 0; i < 500; i++)
            {
                final byte[] message = random.nextBoolean() ? hello(random.nextInt(), random.nextLong(), 9) :
                    forgedSigned(random, random.nextInt(), random.nextLong());
                slot.deliver(message, random.nextBoolean() ? ATTACKER_SESSION : REPLICA_SESSION);
            }

            assertEquals(ReplicationSenderAgent.State.STREAMING, slot.sender.state());
            assertEquals(1, slot.sender.handshakesAccepted());
            assertEquals(1, slot.metrics.activationCount(0), "the stream was never dropped");
            assertFalse(slot.fence.isFenced(), "an unauthenticated handshake's epoch 9 is not believed");
            assertTrue(slot.sender.handshakesChallenged() <= 1 + PrimaryLinkAuth.CHALLENGE_BURST,
                "challenges sent within the budget: " + slot.sender.handshakesChallenged());
            assertTrue(slot.sender.unauthenticatedMessages() >= 200, "forged answers counted");

            // The real replica can still start over, and is believed.
            slot.stream();
            assertEquals(2, slot.sender.handshakesAccepted());
        }
    }

    @Test
    void shouldMoveCursorsOnlyOnSealedAcksOfTheStream()
    {
        try (Slot slot = new Slot())
        {
            slot.stream();
            slot.pumpUntil(() -> slot.sender.sentWireSeq() == ENTRIES, "journal sent");

            slot.deliver(sealedWithGarbage(ack(ENTRIES, ENTRIES, slot.correlationId, null)), REPLICA_SESSION);
            slot.deliver(ack(ENTRIES, ENTRIES, slot.correlationId, null), REPLICA_SESSION);
            slot.deliver(ack(ENTRIES, ENTRIES, slot.correlationId, slot.candidate.control), ATTACKER_SESSION);
            final StreamMac otherStream = new StreamMac();
            otherStream.key(new byte[StreamMac.KEY_LENGTH]);
            slot.deliver(ack(ENTRIES, ENTRIES, slot.correlationId, otherStream), REPLICA_SESSION);
            assertEquals(0, slot.metrics.persistedWireSeq(0), "no forged ack moved a cursor");
            assertEquals(3, slot.sender.unauthenticatedMessages() - slot.unauthenticatedAfterHandshake);

            final byte[] real = ack(10, 10, slot.correlationId, slot.candidate.control);
            slot.deliver(real, REPLICA_SESSION);
            assertEquals(10, slot.metrics.persistedWireSeq(0));
            slot.deliver(ack(ENTRIES, ENTRIES, slot.correlationId, slot.candidate.control), REPLICA_SESSION);
            assertEquals(ENTRIES, slot.metrics.persistedWireSeq(0));
            slot.deliver(real, REPLICA_SESSION);
            assertEquals(4, slot.sender.unauthenticatedMessages() - slot.unauthenticatedAfterHandshake,
                "a replayed ack is refused");
        }
    }

    @Test
    void shouldDropAShortHandshakeWithoutReadingPastIt()
    {
        try (Slot slot = new Slot())
        {
            slot.stream();
            for (final int version : new int[]{ ReplicationProtocol.AUTHENTICATED_VERSION,
                ReplicationProtocol.PROTOCOL_VERSION })
            {
                final byte[] intact = hello(2, 99, 1);
                new UnsafeBuffer(intact).putInt(MessageHeaderEncoder.ENCODED_LENGTH +
                    HandshakeEncoder.protocolVersionEncodingOffset(), version, ORDER);
                for (final int block : new int[]{ SenderControlAdapter.MIN_HANDSHAKE_BLOCK_LENGTH,
                    ReplicaControlPublisher.HANDSHAKE_V1_BLOCK_LENGTH, HandshakeEncoder.BLOCK_LENGTH - 1 })
                {
                    final byte[] cut = Arrays.copyOf(intact, MessageHeaderEncoder.ENCODED_LENGTH + block);
                    new UnsafeBuffer(cut).putShort(0, (short)block, ORDER);
                    assertDoesNotThrow(() -> slot.deliver(cut, ATTACKER_SESSION), "block " + block);
                }
            }
            assertEquals(3, slot.sender.malformedMessages(), "protocol 3 handshakes cut short");
            assertEquals(3, slot.sender.handshakesRejected(), "protocol 2 refused by version, before any field");
            assertEquals(ReplicationSenderAgent.State.STREAMING, slot.sender.state());
            assertEquals(1, slot.metrics.activationCount(0));
        }
    }

    @Test
    void shouldNeverAcceptFenceOrThrowOnMutatedControlMessages()
    {
        final ByteMutator mutator = new ByteMutator((random, view, bytes) -> { }, 0, 64, 32);
        try (Slot slot = new Slot())
        {
            slot.stream();
            slot.pumpUntil(() -> slot.sender.sentWireSeq() == ENTRIES, "journal sent");
            final SplittableRandom random = new SplittableRandom(0x5EA1);
            for (int i = 0; i < 3_000; i++)
            {
                final byte[] message = switch (random.nextInt(5))
                {
                    case 0 -> hello(random.nextInt(), random.nextLong(), random.nextLong(1, 99));
                    case 1 -> forgedSigned(random, 2, slot.correlationId);
                    case 2 -> ack(random.nextLong(1_000), random.nextLong(1_000), slot.correlationId,
                        slot.candidate.control);
                    case 3 -> heartbeat(random.nextLong(1, 99), slot.candidate.control);
                    default -> epochProof(random.nextInt(), random.nextLong(1, 99), attackerKey);
                };
                // A message sealed or signed by the real replica but altered, or replayed below: never believed.
                final byte[] mutated = mutator.mutate(random, message);
                final byte[] sent = Arrays.equals(mutated, message) ? message : mutated;
                final int sessionId = random.nextBoolean() ? REPLICA_SESSION : ATTACKER_SESSION;
                assertDoesNotThrow(() -> slot.deliver(sent, sessionId), "try " + sent.length);
                assertTrue(slot.metrics.persistedWireSeq(0) <= slot.sender.sentWireSeq());
            }
            assertEquals(1, slot.sender.handshakesAccepted());
            assertEquals(1, slot.metrics.activationCount(0));
            assertFalse(slot.fence.isFenced(), slot.fence.toString());
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Against a replica
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void shouldBelieveNothingFromThePrimarySideThatIsNotSealedWithTheAgreedKeys()
    {
        try (Follower follower = new Follower())
        {
            final long correlationId = follower.awaitHello();
            final PrimaryLinkAuth primaryAuth = new PrimaryLinkAuth(1, primaryKey, listed);

            // Before any challenge: a StreamStart, a refusal and a challenge from a key the replica does not trust.
            follower.deliver(streamStart(99, 1, correlationId, null));
            follower.deliver(reject(RejectCode.DIVERGED, correlationId));
            final PrimaryLinkAuth impostor = new PrimaryLinkAuth(1, attackerKey, listed);
            follower.deliver(challenge(impostor, correlationId));
            assertEquals(ReplicaAgent.State.HANDSHAKING, follower.agent.state());
            assertEquals(3, follower.agent.unauthenticatedMessages());

            // The real challenge: the replica answers with a handshake the primary verifies.
            follower.deliver(challenge(primaryAuth, correlationId));
            final MessageSeal seal = new MessageSeal();
            final HandshakeDecoder signed = follower.awaitSignedHandshake(seal);
            assertEquals(PrimaryLinkAuth.Outcome.ACCEPTED, primaryAuth.verify(signed, seal, System.nanoTime()));
            final StreamMac data = new StreamMac();
            data.takeOver(primaryAuth.pendingData);

            // Sealed for the wrong stream, or not at all: ignored.
            final StreamMac wrong = new StreamMac();
            wrong.key(new byte[StreamMac.KEY_LENGTH]);
            follower.deliver(streamStart(99, 1, correlationId, wrong));
            assertEquals(ReplicaAgent.State.HANDSHAKING, follower.agent.state());
            follower.deliver(streamStart(EPOCH, 1, correlationId, data));
            assertEquals(ReplicaAgent.State.FOLLOWING, follower.agent.state());
            assertEquals(EPOCH, follower.agent.primaryEpoch());

            // Following: a forged batch of the very next entry, a forged heartbeat with a higher epoch.
            follower.deliver(batch(1, null));
            follower.deliver(sealedWithGarbage(batch(1, null)));
            follower.deliver(heartbeat(1, 99, correlationId, null));
            assertEquals(0, follower.agent.appliedWireSeq());
            assertEquals(EPOCH, follower.agent.primaryEpoch());
            assertEquals(ReplicaAgent.State.FOLLOWING, follower.agent.state());

            final byte[] sealedBatch = batch(1, data);
            follower.deliver(sealedBatch);
            assertEquals(1, follower.agent.appliedWireSeq());
            follower.deliver(sealedBatch);
            assertEquals(1, follower.agent.appliedWireSeq());
            assertEquals(ReplicaAgent.State.FOLLOWING, follower.agent.state(), "a replay is dropped, not a gap");
            assertEquals(8, follower.agent.unauthenticatedMessages());
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // The slot and the follower under test
    // ------------------------------------------------------------------------------------------------------------

    /** A sender that runs the authenticated link, not run but pumped from the test; the test plays its replica. */
    private final class Slot implements AutoCloseable
    {
        final ReplicationMetrics metrics = new ReplicationMetrics(1);
        final PrimaryFence fence = new PrimaryFence();
        final ReplicationSenderAgent sender;
        final Subscription data;
        /** Gives the sender a live control image of the replica's session; the test's messages go straight in. */
        final io.aeron.ExclusivePublication control;
        final ReplicaLinkAuth replicaAuth = new ReplicaLinkAuth(2, replicaKey, listed);
        final Header aeronHeader = new Header(0, 0);
        final UnsafeBuffer headerBuffer = new UnsafeBuffer(new byte[DataHeaderFlyweight.HEADER_LENGTH]);
        ReplicaLinkAuth.Candidate candidate;
        long correlationId = 100;
        long unauthenticatedAfterHandshake;

        Slot()
        {
            final String dataEndpoint = ReplicationTestSupport.freeEndpoint();
            final String controlEndpoint = ReplicationTestSupport.freeEndpoint();
            data = transport.aeron().addSubscription(transport.subscriptionChannel(dataEndpoint),
                ReplicationProtocol.DATA_STREAM_ID);
            sender = new ReplicationSenderAgent(new ReplicationSenderContext()
                .transport(transport)
                .slot(0)
                .nodeId(1)
                .dataEndpoint(dataEndpoint)
                .controlEndpoint(controlEndpoint)
                .journal(source.journal)
                .replicationMetrics(metrics)
                .durabilityControl(new DurabilityControl(DurabilityMode.HYBRID.policy()))
                .epoch(() -> EPOCH)
                .configDigest(source.engine.configDigest())
                .heartbeatTimeoutNs(TimeUnit.MINUTES.toNanos(10))
                .fence(fence)
                .replicationKeys(listed)
                .keyPair(primaryKey));
            control = transport.aeron().addExclusivePublication(transport.publicationChannel(controlEndpoint) +
                "|session-id=" + REPLICA_SESSION, ReplicationProtocol.CONTROL_STREAM_ID);
            await(() -> sender.controlAdapter().isImageLive(REPLICA_SESSION), () -> "the replica's control image");
            aeronHeader.buffer(headerBuffer).offset(0);
        }

        void deliver(final byte[] message, final int sessionId)
        {
            headerBuffer.putInt(DataHeaderFlyweight.SESSION_ID_FIELD_OFFSET, sessionId, ORDER);
            sender.controlAdapter().onFragment(new UnsafeBuffer(message), 0, message.length, aeronHeader);
        }

        /** The real replica's handshake: unsigned, then signed over the challenge it is sent; the slot streams. */
        void stream()
        {
            correlationId++;
            replicaAuth.newAttempt();
            final AtomicReference<byte[]> challenge = new AtomicReference<>();
            final long sentBefore = sender.handshakesChallenged();
            pumpUntil(() ->
            {
                if (sender.handshakesChallenged() == sentBefore)
                {
                    deliver(hello(2, correlationId, EPOCH), REPLICA_SESSION);
                }
                data.poll((buffer, offset, length, header) ->
                {
                    if (buffer.getShort(offset + 2, ORDER) == AuthChallengeDecoder.TEMPLATE_ID)
                    {
                        final byte[] bytes = new byte[length];
                        buffer.getBytes(offset, bytes);
                        challenge.set(bytes);
                    }
                }, 10);
                return challenge.get() != null;
            }, "a challenge");
            final AuthChallengeDecoder decoder = new AuthChallengeDecoder().wrap(new UnsafeBuffer(challenge.get()),
                MessageHeaderDecoder.ENCODED_LENGTH, AuthChallengeDecoder.BLOCK_LENGTH,
                AuthChallengeDecoder.SCHEMA_VERSION);
            candidate = replicaAuth.onChallenge(decoder, correlationId, System.nanoTime());
            assertNotNull(candidate, replicaAuth.refusal());
            deliver(signed(candidate, correlationId, replicaAuth.publicKey()), REPLICA_SESSION);
            assertEquals(ReplicationSenderAgent.State.STREAMING, sender.state());
            assertTrue(metrics.isActive(0));
            unauthenticatedAfterHandshake = sender.unauthenticatedMessages();
        }

        void pumpUntil(final java.util.function.BooleanSupplier condition, final String what)
        {
            await(() ->
            {
                sender.doWork();
                return condition.getAsBoolean();
            }, () -> what);
        }

        public void close()
        {
            CloseHelper.closeAll(sender, data, control);
        }
    }

    /** A replica that runs the authenticated link, not run but stepped from the test; the test plays its primary. */
    private final class Follower implements AutoCloseable
    {
        final ReplicaAgent agent;
        final Subscription control;
        final Header aeronHeader = new Header(0, 0);

        Follower()
        {
            final String controlEndpoint = ReplicationTestSupport.freeEndpoint();
            control = transport.aeron().addSubscription(transport.subscriptionChannel(controlEndpoint),
                ReplicationProtocol.CONTROL_STREAM_ID);
            final ExchangeStateMachine stateMachine = new ExchangeStateMachine(new CommandApplier(
                new MatchingEngine(engineContext(), SilentListener.INSTANCE)));
            agent = new ReplicaAgent(new ReplicaAgentContext()
                .transport(transport)
                .nodeId(2)
                .dataEndpoint(ReplicationTestSupport.freeEndpoint())
                .primaryControlEndpoint(controlEndpoint)
                .configDigest(source.engine.configDigest())
                .journal(source.journal)
                .journalRing(new OneToOneRingBuffer(new UnsafeBuffer(
                    ByteBuffer.allocateDirect(1024 * 1024 + RingBufferDescriptor.TRAILER_LENGTH))))
                .journalPersistedWireSeq(() -> Long.MAX_VALUE)
                .stateMachine(stateMachine)
                .resumeFrom(0, 0, EPOCH)
                .heartbeatTimeoutNs(TimeUnit.MINUTES.toNanos(10))
                .handshakeRetryIntervalNs(TimeUnit.MINUTES.toNanos(10))
                .primaryKeys(listed)
                .keyPair(replicaKey)
                // The test plays the primary by handing fragments to the data adapter: no data image ever comes up.
                .handshakeOnceStreamed(false));
            final UnsafeBuffer headerBuffer = new UnsafeBuffer(new byte[DataHeaderFlyweight.HEADER_LENGTH]);
            headerBuffer.putInt(DataHeaderFlyweight.SESSION_ID_FIELD_OFFSET, PRIMARY_SESSION, ORDER);
            aeronHeader.buffer(headerBuffer).offset(0);
        }

        void deliver(final byte[] message)
        {
            agent.dataAdapter().onFragment(new UnsafeBuffer(message), 0, message.length, aeronHeader);
        }

        long awaitHello()
        {
            final HandshakeDecoder hello = awaitHandshake(new MessageSeal(), false);
            assertEquals(ReplicationProtocol.AUTHENTICATED_VERSION, hello.protocolVersion());
            return hello.correlationId();
        }

        HandshakeDecoder awaitSignedHandshake(final MessageSeal seal)
        {
            return awaitHandshake(seal, true);
        }

        private HandshakeDecoder awaitHandshake(final MessageSeal seal, final boolean signed)
        {
            final AtomicReference<byte[]> captured = new AtomicReference<>();
            await(() ->
            {
                agent.doWork();
                control.poll((buffer, offset, length, header) ->
                {
                    if (buffer.getShort(offset + 2, ORDER) == HandshakeDecoder.TEMPLATE_ID &&
                        (buffer.getByte(offset + MessageHeaderDecoder.ENCODED_LENGTH +
                        HandshakeDecoder.publicKeyEncodingOffset()) != 0) == signed)
                    {
                        final byte[] bytes = new byte[length];
                        buffer.getBytes(offset, bytes);
                        captured.set(bytes);
                    }
                }, 10);
                return captured.get() != null;
            }, () -> signed ? "a signed handshake" : "a handshake");
            final UnsafeBuffer bytes = new UnsafeBuffer(captured.get());
            seal.wrap(bytes, 0, MessageHeaderDecoder.ENCODED_LENGTH + HandshakeDecoder.BLOCK_LENGTH,
                captured.get().length);
            return new HandshakeDecoder().wrap(bytes, MessageHeaderDecoder.ENCODED_LENGTH,
                HandshakeDecoder.BLOCK_LENGTH, HandshakeDecoder.SCHEMA_VERSION);
        }

        public void close()
        {
            CloseHelper.closeAll(agent, control);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Messages
    // ------------------------------------------------------------------------------------------------------------

    private byte[] finish(final int messageLength, final StreamMac mac)
    {
        final int length = messageLength + (mac != null ? mac.seal(buffer, 0, messageLength) :
            StreamMac.zeroSeal(buffer, 0, messageLength));
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    private static byte[] sealedWithGarbage(final byte[] sealed)
    {
        final byte[] forged = sealed.clone();
        new SplittableRandom(forged.length).nextBytes(forged);
        System.arraycopy(sealed, 0, forged, 0, sealed.length - StreamMac.SEAL_LENGTH);
        forged[sealed.length - StreamMac.SEAL_LENGTH] = 1;
        return forged;
    }

    private HandshakeEncoder handshake(final int nodeId, final long correlationId, final long epoch)
    {
        return new HandshakeEncoder().wrapAndApplyHeader(buffer, 0, header)
            .nodeId(nodeId).protocolVersion(ReplicationProtocol.AUTHENTICATED_VERSION).epoch(epoch)
            .lastDurableWireSeq(0).lastEntryCrc32c(0).configDigest(source.engine.configDigest())
            .correlationId(correlationId).snapshotRequested((short)0);
    }

    private byte[] hello(final int nodeId, final long correlationId, final long epoch)
    {
        final HandshakeEncoder encoder = handshake(nodeId, correlationId, epoch).putChallenge(new byte[32], 0, 32)
            .putPublicKey(new byte[32], 0, 32).putSignature(new byte[64], 0, 64).putEphemeralKey(new byte[32], 0, 32);
        return finish(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), null);
    }

    private byte[] signed(final ReplicaLinkAuth.Candidate candidate, final long correlationId, final byte[] key)
    {
        final ReplicaLinkAuth.Answer answer = candidate.answer();
        final HandshakeEncoder encoder = handshake(2, correlationId, EPOCH).putChallenge(answer.challenge(), 0, 32)
            .putPublicKey(key, 0, 32).putSignature(answer.signature(), 0, 64)
            .putEphemeralKey(answer.ephemeralKey(), 0, 32);
        return finish(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), candidate.control);
    }

    /** A handshake signed over garbage by a key of its own, claiming an epoch of 9. */
    private byte[] forgedSigned(final SplittableRandom random, final int nodeId, final long correlationId)
    {
        final byte[] bytes = new byte[64];
        random.nextBytes(bytes);
        final HandshakeEncoder encoder = handshake(nodeId, correlationId, 9)
            .putChallenge(bytes, 0, 32).putPublicKey(ReplicationAuth.rawPublicKey(attackerKey), 0, 32)
            .putSignature(bytes, 0, 64).putEphemeralKey(bytes, 32, 32);
        final StreamMac mac = new StreamMac();
        mac.key(Arrays.copyOf(bytes, StreamMac.KEY_LENGTH));
        return finish(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), mac);
    }

    private byte[] ack(final long inMemory, final long persisted, final long correlationId, final StreamMac mac)
    {
        final AckEncoder encoder = new AckEncoder().wrapAndApplyHeader(buffer, 0, header).nodeId(2)
            .inMemoryWireSeq(inMemory).persistedWireSeq(persisted).echoTimestampNs(0)
            .streamCorrelationId(correlationId);
        return finish(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), mac);
    }

    private byte[] heartbeat(final long epoch, final StreamMac mac)
    {
        return heartbeat(2, epoch, 0, mac);
    }

    private byte[] heartbeat(final int nodeId, final long epoch, final long correlationId, final StreamMac mac)
    {
        final HeartbeatEncoder encoder = new HeartbeatEncoder().wrapAndApplyHeader(buffer, 0, header).nodeId(nodeId)
            .role(NodeRole.REPLICA).epoch(epoch).durabilityMode(DurabilityMode.HYBRID.code()).timestampNs(1)
            .streamCorrelationId(correlationId).lastWireSeq(0).policyPersistedCount((short)0)
            .policyInMemoryCount((short)0);
        return finish(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), mac);
    }

    private byte[] epochProof(final int nodeId, final long epoch, final KeyPair key)
    {
        final byte[] signature = ReplicationAuth.sign(key, ReplicationAuth.EPOCH_CONTEXT,
            ReplicationAuth.epochMessage(nodeId, epoch));
        final EpochProofEncoder encoder = new EpochProofEncoder().wrapAndApplyHeader(buffer, 0, header)
            .nodeId(nodeId).epoch(epoch).putPublicKey(ReplicationAuth.rawPublicKey(key), 0, 32)
            .putSignature(signature, 0, 64);
        return finish(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), null);
    }

    private byte[] challenge(final PrimaryLinkAuth auth, final long correlationId)
    {
        final PrimaryLinkAuth.Challenge challenge = auth.challengeDue(System.nanoTime());
        assertNotNull(challenge);
        final AuthChallengeEncoder encoder = new AuthChallengeEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(correlationId).primaryNodeId(1).putChallenge(challenge.nonce(), 0, 32)
            .putEphemeralKey(challenge.ephemeralKey(), 0, 32).putPublicKey(challenge.publicKey(), 0, 32)
            .putSignature(challenge.signature(), 0, 64);
        return finish(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), null);
    }

    private byte[] streamStart(final long epoch, final long fromWireSeq, final long correlationId,
        final StreamMac mac)
    {
        final StreamStartEncoder encoder = new StreamStartEncoder().wrapAndApplyHeader(buffer, 0, header)
            .epoch(epoch).fromWireSeq(fromWireSeq).durabilityMode(DurabilityMode.HYBRID.code())
            .correlationId(correlationId).primaryNodeId(1);
        return finish(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), mac);
    }

    private byte[] reject(final RejectCode code, final long correlationId)
    {
        final RejectEncoder encoder = new RejectEncoder().wrapAndApplyHeader(buffer, 0, header).code(code)
            .correlationId(correlationId).epoch(EPOCH).putChallenge(new byte[32], 0, 32).reason("forged");
        return finish(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), null);
    }

    private byte[] batch(final long wireSeq, final StreamMac mac)
    {
        final byte[] entry = entries.get((int)wireSeq - 1);
        final JournalBatchEncoder encoder = new JournalBatchEncoder().wrapAndApplyHeader(buffer, 0, header)
            .firstWireSeq(wireSeq).entryCount(1).sendTimestampNs(1);
        final byte[] entries = new byte[ReplicationProtocol.ENTRY_LENGTH_PREFIX + entry.length];
        final UnsafeBuffer view = new UnsafeBuffer(entries);
        view.putInt(0, entry.length, ORDER);
        view.putBytes(ReplicationProtocol.ENTRY_LENGTH_PREFIX, entry);
        encoder.putEntries(entries, 0, entries.length);
        return finish(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), mac);
    }
}
