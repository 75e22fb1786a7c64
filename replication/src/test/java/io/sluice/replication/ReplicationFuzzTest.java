package io.sluice.replication;

import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import io.aeron.protocol.DataHeaderFlyweight;
import io.sluice.fuzz.ByteMutator;
import io.sluice.journal.JournalEntryView;
import io.sluice.matching.MatchingEngine;
import io.sluice.matching.SilentListener;
import io.sluice.pipeline.sequencer.CommandApplier;
import io.sluice.pipeline.sequencer.ExchangeStateMachine;
import io.sluice.replication.ReplicationTestSupport.Node;
import io.sluice.replication.ReplicationTestSupport.OrderFlow;
import io.sluice.durability.DurabilityControl;
import io.sluice.durability.DurabilityMode;
import io.sluice.durability.ReplicationMetrics;
import io.sluice.sbe.journal.JournalEntryEncoder;
import io.sluice.sbe.replication.AckEncoder;
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
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static io.sluice.replication.ReplicationTestSupport.EPOCH;
import static io.sluice.replication.ReplicationTestSupport.await;
import static io.sluice.replication.ReplicationTestSupport.engineContext;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes both ends of a replication stream with mutations of the messages they really exchange. Messages are handed
 * straight to each agent's fragment handler, each in a buffer exactly its own length, so a read outside the
 * message throws and fails the test; both agents share one embedded media driver, which they need only for their
 * publications and subscriptions.
 * <ul>
 *     <li>Replica ({@link ReplicaDataAdapter#onFragment}): StreamStart, JournalBatch, Heartbeat and Reject, valid or
 *     mutated, from the followed primary's session or another. It never throws; what it journals (its journal ring)
 *     and applies is exactly entries 1..k of the primary's journal, byte for byte, with k its applied
 *     {@code wireSeq} and its state hash the primary's after entry k; a refused batch leaves both as they were;
 *     every handshake it sends again starts from k.</li>
 *     <li>Sender ({@link SenderControlAdapter#onFragment}): Handshake, Ack and Heartbeat, valid or mutated. It never
 *     throws; it accepts a handshake only for a position its journal holds with the same CRC; the slot is active
 *     exactly while it streams, and its cursors never pass what it has sent; only an epoch above its own fences
 *     it.</li>
 * </ul>
 * Tries scale with {@code -Dsluice.fuzz.scale=N}; {@code -Dsluice.fuzz.seed=S} changes the inputs. The bugs these
 * found (R1 to R3 in {@code docs/fuzzing.md}) each have a regression test below with the input that found them.
 */
class ReplicationFuzzTest
{
    /**
     * Aimed at the SBE header (block length, template, schema, version) or a length field near the end of the fixed
     * block (a batch's data length, a reject's reason).
     */
    private static final ByteMutator MUTATOR = new ByteMutator((random, view, bytes) ->
    {
        if (random.nextBoolean() && bytes.length >= MessageHeaderEncoder.ENCODED_LENGTH)
        {
            view.putShort(2 * random.nextInt(4), (short)ByteMutator.interestingInt(random), ByteOrder.LITTLE_ENDIAN);
        }
        else
        {
            final int at = Math.max(0, bytes.length - 4 - random.nextInt(Math.min(bytes.length, 64)));
            if (at + 4 <= bytes.length)
            {
                view.putInt(at, ByteMutator.interestingInt(random), ByteOrder.LITTLE_ENDIAN);
            }
        }
    }, 0, 64, 32);

    private static final long SEED = Long.getLong("sluice.fuzz.seed", 0x4E_971CL);
    private static final int SCALE = Integer.getInteger("sluice.fuzz.scale", 1);
    private static final int REPLICA_TRIES = 2_500 * SCALE;
    private static final int SENDER_TRIES = 5_000 * SCALE;
    private static final int ENTRIES = 400;
    private static final int PRIMARY_SESSION_ID = 0x51_1CE;
    private static final long PRIMARY_EPOCH = Long.MAX_VALUE;
    private static final int ENTRY_CRC_OFFSET = 8 + JournalEntryEncoder.crc32cEncodingOffset();
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    @TempDir
    static Path dir;

    private static ReplicationTransport transport;
    private static Node source;
    /** Entry wireSeq at index wireSeq - 1, as journaled. */
    private static List<byte[]> entries;
    /** The primary's state hash after entries 1..k at index k. */
    private static long[] stateHashes;

    @BeforeAll
    static void writePrimaryJournal()
    {
        transport = ReplicationTestSupport.transport(dir.resolve("aeron"));
        source = Node.open(dir.resolve("source"), 1, engineContext());
        final long last = new OrderFlow(SEED).append(source, 0, ENTRIES);
        await(() -> source.persistedWireSeq() == last, () -> "source journal");
        entries = ReplicationTestSupport.entries(source.journal, 1, ENTRIES);

        final ExchangeStateMachine replay = newStateMachine();
        stateHashes = new long[ENTRIES + 1];
        stateHashes[0] = replay.stateHash();
        final JournalEntryView view = new JournalEntryView();
        for (int i = 0; i < ENTRIES; i++)
        {
            replay.apply(view.wrap(new UnsafeBuffer(entries.get(i)), 0, entries.get(i).length));
            stateHashes[i + 1] = replay.stateHash();
        }
        assertEquals(source.engine.stateHash(), stateHashes[ENTRIES]);
    }

    @AfterAll
    static void close()
    {
        CloseHelper.closeAll(source, transport);
        ReplicationTestSupport.assertNoAgentErrors();
    }

    private static ExchangeStateMachine newStateMachine()
    {
        return new ExchangeStateMachine(new CommandApplier(new MatchingEngine(engineContext(),
            SilentListener.INSTANCE)));
    }

    // ------------------------------------------------------------------------------------------------------------
    // Replica
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void shouldJournalAndApplyOnlyIntactEntriesInOrderWhateverThePrimarySends()
    {
        assertTimeoutPreemptively(Duration.ofMinutes(3L * SCALE), this::fuzzReplica);
    }

    private void fuzzReplica()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        final Messages messages = new Messages();
        FollowerUnderTest follower = new FollowerUnderTest(null);
        int delivered = 0;
        int rounds = 1;
        long dropped = 0;
        try
        {
            while (delivered < REPLICA_TRIES)
            {
                if (follower.applied() == ENTRIES)
                {
                    dropped += follower.agent.badMessages();
                    follower.close();
                    follower = new FollowerUnderTest(null);
                    rounds++;
                }
                else if (follower.agent.state() == ReplicaAgent.State.REJECTED)
                {
                    // As an operator would: a new follower over the same journal and state, from where it stands.
                    dropped += follower.agent.badMessages();
                    follower.close();
                    follower = new FollowerUnderTest(follower);
                }
                if (follower.agent.state() != ReplicaAgent.State.FOLLOWING)
                {
                    follower.handshakeAndFollow(random, messages);
                }

                final long applied = follower.applied();
                final int length = messages.forReplica(random, applied, follower.correlationId);
                final byte[] message = mutateMaybe(random, messages.bytes(length));
                final int sessionId = random.nextInt(16) == 0 ? PRIMARY_SESSION_ID + 1 : PRIMARY_SESSION_ID;
                final String what = "try " + delivered + " seed " + SEED + " round " + rounds + " applied " +
                    applied + " session " + sessionId + " message " + hex(message);
                follower.deliver(message, sessionId, what);
                follower.check(what);
                delivered++;
            }
        }
        finally
        {
            follower.close();
        }
        dropped += follower.agent.badMessages();
        System.out.println("fuzz replica: seed=" + SEED + " tries=" + delivered + " rounds=" + rounds +
            " malformedDropped=" + dropped);
        assertTrue(rounds > 1 || follower.applied() > ENTRIES / 4, "the stream made progress: " + rounds +
            " rounds, applied " + follower.applied());
    }

    /** One replica agent, driven by hand on the test thread, and what it has journaled so far. */
    private static final class FollowerUnderTest implements AutoCloseable
    {
        final OneToOneRingBuffer ring;
        final ExchangeStateMachine stateMachine;
        final ReplicaAgent agent;
        final Subscription control;
        final HandshakeDecoder handshake = new HandshakeDecoder();
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        final Header primaryHeader = new Header(0, 0);
        final UnsafeBuffer headerBuffer = new UnsafeBuffer(new byte[DataHeaderFlyweight.HEADER_LENGTH]);
        long correlationId;
        long journaledWireSeq;

        /**
         * A new replica agent with a control endpoint of its own where the test reads it: from wireSeq 0, or taking
         * over the journal ring and state of a {@code previous} one from where that stopped.
         */
        FollowerUnderTest(final FollowerUnderTest previous)
        {
            ring = previous != null ? previous.ring : new OneToOneRingBuffer(new UnsafeBuffer(
                ByteBuffer.allocateDirect(1024 * 1024 + RingBufferDescriptor.TRAILER_LENGTH)));
            stateMachine = previous != null ? previous.stateMachine : newStateMachine();
            journaledWireSeq = previous != null ? previous.journaledWireSeq : 0;
            final long applied = previous != null ? previous.agent.appliedWireSeq() : 0;
            final long crc = previous != null ? previous.agent.lastEntryCrc32c() : 0;
            final long epoch = previous != null ? previous.agent.epoch() : EPOCH;
            final String controlEndpoint = ReplicationTestSupport.freeEndpoint();
            control = transport.aeron().addSubscription(
                transport.subscriptionChannel(controlEndpoint), ReplicationProtocol.CONTROL_STREAM_ID);
            agent = new ReplicaAgent(new ReplicaAgentContext()
                .transport(transport)
                .nodeId(2)
                .dataEndpoint(ReplicationTestSupport.freeEndpoint())
                .primaryControlEndpoint(controlEndpoint)
                .configDigest(source.engine.configDigest())
                .journal(source.journal)
                .journalRing(ring)
                .journalPersistedWireSeq(() -> Long.MAX_VALUE)
                .stateMachine(stateMachine)
                .resumeFrom(applied, crc, epoch)
                .heartbeatTimeoutNs(TimeUnit.MINUTES.toNanos(10))
                .handshakeRetryIntervalNs(TimeUnit.MILLISECONDS.toNanos(2))
                .handshakeOnceStreamed(false));
            primaryHeader.buffer(headerBuffer).offset(0);
        }

        long applied()
        {
            return agent.appliedWireSeq();
        }

        /**
         * Drives the agent to its next handshake, reads it off the control stream, and answers with a StreamStart
         * (mutated now and then) until the agent follows.
         */
        void handshakeAndFollow(final SplittableRandom random, final Messages messages)
        {
            awaitHandshake();
            int attempts = 0;
            while (agent.state() != ReplicaAgent.State.FOLLOWING && agent.state() != ReplicaAgent.State.REJECTED)
            {
                final boolean mutate = attempts++ < 3 && random.nextBoolean();
                final int length = random.nextInt(8) == 0 && mutate ?
                    messages.reject(random, correlationId) :
                    messages.streamStart(PRIMARY_EPOCH, applied() + 1, correlationId);
                final byte[] message = mutate ? MUTATOR.mutate(random, messages.bytes(length)) :
                    messages.bytes(length);
                final String what = "handshake answer seed " + SEED + " applied " + applied() + " message " +
                    hex(message);
                deliver(message, PRIMARY_SESSION_ID, what);
                check(what);
                if (agent.state() == ReplicaAgent.State.AWAITING_DURABLE)
                {
                    handshakeAndFollow(random, messages);
                    return;
                }
            }
        }

        /**
         * Drives the agent to its next handshake and reads it off the control stream: the agent is then HANDSHAKING
         * with {@link #correlationId}.
         */
        void awaitHandshake()
        {
            final long previous = correlationId;
            final long[] seen = { 0, -1 };
            await(() ->
            {
                agent.doWork();
                control.poll((buffer, offset, length, aeronHeader) ->
                {
                    header.wrap(buffer, offset);
                    if (header.templateId() == HandshakeDecoder.TEMPLATE_ID)
                    {
                        handshake.wrapAndApplyHeader(buffer, offset, header);
                        if (handshake.correlationId() != previous)
                        {
                            seen[0] = handshake.correlationId();
                            seen[1] = handshake.lastDurableWireSeq();
                        }
                    }
                }, 16);
                return seen[0] != 0;
            }, () -> "a handshake from the replica");
            correlationId = seen[0];
            assertEquals(applied(), seen[1], "a handshake starts from what the replica applied");
        }

        void deliver(final byte[] message, final int sessionId, final String what)
        {
            headerBuffer.putInt(DataHeaderFlyweight.SESSION_ID_FIELD_OFFSET, sessionId, ORDER);
            try
            {
                agent.dataAdapter().onFragment(new UnsafeBuffer(message), 0, message.length, primaryHeader);
            }
            catch (final RuntimeException ex)
            {
                throw new AssertionError("replica onFragment threw " + ex + ": " + what, ex);
            }
        }

        /** What the replica journaled since the last check is the next entries, intact; state follows. */
        void check(final String what)
        {
            ring.read((msgTypeId, buffer, index, length) ->
            {
                journaledWireSeq++;
                assertTrue(journaledWireSeq <= ENTRIES, "journaled past the primary's end: " + what);
                final byte[] expected = entries.get((int)journaledWireSeq - 1).clone();
                new UnsafeBuffer(expected).putInt(ENTRY_CRC_OFFSET, 0, ORDER);
                final byte[] actual = new byte[length];
                buffer.getBytes(index, actual);
                assertArrayEquals(expected, actual, "journaled entry " + journaledWireSeq + " differs: " + what);
            }, Integer.MAX_VALUE);
            assertEquals(journaledWireSeq, agent.appliedWireSeq(), "applied and journaled disagree: " + what);
            assertEquals(stateHashes[(int)journaledWireSeq], stateMachine.stateHash(),
                "state is not the primary's after entry " + journaledWireSeq + ": " + what);
            assertTrue(agent.state() != ReplicaAgent.State.FAILED, agent.failureReason() + ": " + what);
        }

        public void close()
        {
            CloseHelper.closeAll(agent, control);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Sender
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void shouldAcceptOnlyHandshakesItsJournalConfirmsAndNeverCountMoreThanItSent()
    {
        assertTimeoutPreemptively(Duration.ofMinutes(3L * SCALE), this::fuzzSender);
    }

    private void fuzzSender()
    {
        final SplittableRandom random = new SplittableRandom(SEED + 1);
        final Messages messages = new Messages();
        final ReplicationMetrics metrics = new ReplicationMetrics(1);
        final DurabilityControl durability = new DurabilityControl(DurabilityMode.HYBRID.policy());
        final Header replicaHeader = new Header(0, 0);
        final UnsafeBuffer headerBuffer = new UnsafeBuffer(new byte[DataHeaderFlyweight.HEADER_LENGTH]);
        replicaHeader.buffer(headerBuffer).offset(0);
        PrimaryFence fence = new PrimaryFence();
        ReplicationSenderAgent sender = newSender(metrics, durability, fence);
        long streamCorrelationId = 0;
        int accepted = 0;
        int fences = 0;
        long dropped = 0;
        try
        {
            for (int i = 0; i < SENDER_TRIES; i++)
            {
                if (fence.isFenced())
                {
                    assertTrue(fence.fencedByEpoch() > EPOCH, "fenced by a lower epoch: " + fence);
                    dropped += sender.malformedMessages();
                    sender.close();
                    metrics.deactivate(0);
                    fence = new PrimaryFence();
                    sender = newSender(metrics, durability, fence);
                    streamCorrelationId = 0;
                    fences++;
                }
                final long claimed = random.nextInt(ENTRIES + 1);
                final int length;
                switch (random.nextInt(5))
                {
                    case 0:
                    case 1:
                        length = messages.handshake(claimed, claimed == 0 ? 0 : crcOf(claimed), random.nextLong());
                        break;
                    case 2:
                    case 3:
                        length = messages.ack(random, sender.sentWireSeq(), streamCorrelationId);
                        break;
                    default:
                        length = messages.heartbeat(random, NodeRole.REPLICA, EPOCH, streamCorrelationId, 2);
                        break;
                }
                final byte[] message = mutateMaybe(random, messages.bytes(length));
                final int sessionId = random.nextInt(16) == 0 ? 0x7E_57 : 0x4E_9;
                headerBuffer.putInt(DataHeaderFlyweight.SESSION_ID_FIELD_OFFSET, sessionId, ORDER);
                final String what = "try " + i + " seed " + SEED + " session " + sessionId + " message " +
                    hex(message);

                final long acceptedBefore = sender.handshakesAccepted();
                try
                {
                    sender.controlAdapter().onFragment(new UnsafeBuffer(message), 0, message.length, replicaHeader);
                }
                catch (final RuntimeException ex)
                {
                    throw new AssertionError("sender onFragment threw " + ex + ": " + what, ex);
                }

                if (sender.handshakesAccepted() > acceptedBefore)
                {
                    // Accepted: the position it claimed is in the journal, with the CRC it claimed.
                    final long seed = sender.sentWireSeq();
                    assertTrue(seed >= 0 && seed <= ENTRIES, "accepted a position past the journal: " + what);
                    if (seed > 0)
                    {
                        final long claimedCrc = new UnsafeBuffer(message).getInt(MessageHeaderEncoder.ENCODED_LENGTH +
                            HandshakeEncoder.lastEntryCrc32cEncodingOffset(), ORDER) & 0xFFFF_FFFFL;
                        assertEquals(crcOf(seed), claimedCrc, "accepted a position whose entry differs: " + what);
                    }
                    streamCorrelationId = new UnsafeBuffer(message).getLong(MessageHeaderEncoder.ENCODED_LENGTH +
                        HandshakeEncoder.correlationIdEncodingOffset(), ORDER);
                    accepted++;
                }
                final boolean streaming = sender.state() == ReplicationSenderAgent.State.STREAMING;
                assertEquals(streaming, metrics.isActive(0), "slot active exactly while streaming: " + what);
                if (streaming)
                {
                    assertTrue(metrics.inMemoryWireSeq(0) <= sender.sentWireSeq() &&
                        metrics.persistedWireSeq(0) <= sender.sentWireSeq(), "cursors " +
                        metrics.inMemoryWireSeq(0) + "/" + metrics.persistedWireSeq(0) + " past sent " +
                        sender.sentWireSeq() + ": " + what);
                }
                else
                {
                    assertEquals(0, metrics.inMemoryWireSeq(0), what);
                    assertEquals(0, metrics.persistedWireSeq(0), what);
                }
            }
        }
        finally
        {
            sender.close();
        }
        dropped += sender.malformedMessages();
        System.out.println("fuzz sender: seed=" + SEED + " tries=" + SENDER_TRIES + " accepted=" + accepted +
            " fences=" + fences + " malformedDropped=" + dropped);
        assertTrue(accepted > SENDER_TRIES / 20, "handshakes accepted: " + accepted + ", fences " + fences);
    }

    private static ReplicationSenderAgent newSender(
        final ReplicationMetrics metrics, final DurabilityControl durability, final PrimaryFence fence)
    {
        return new ReplicationSenderAgent(new ReplicationSenderContext()
            .transport(transport)
            .slot(0)
            .nodeId(1)
            .dataEndpoint(ReplicationTestSupport.freeEndpoint())
            .controlEndpoint(ReplicationTestSupport.freeEndpoint())
            .journal(source.journal)
            .replicationMetrics(metrics)
            .durabilityControl(durability)
            .epoch(() -> EPOCH)
            .configDigest(source.engine.configDigest())
            .fence(fence));
    }

    private static long crcOf(final long wireSeq)
    {
        final byte[] entry = entries.get((int)wireSeq - 1);
        return new JournalEntryView().wrap(new UnsafeBuffer(entry), 0, entry.length).crc32c();
    }

    private static byte[] mutateMaybe(final SplittableRandom random, final byte[] message)
    {
        return random.nextBoolean() ? message : MUTATOR.mutate(random, message);
    }

    private static String hex(final byte[] bytes)
    {
        return HexFormat.of().formatHex(bytes);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Regression tests: the inputs that found R1 to R3 (docs/fuzzing.md), each delivered as the fuzzer delivers
    // ------------------------------------------------------------------------------------------------------------

    /** R1: a Handshake cut to 49 bytes whose header claims a 6-byte block; its correlationId would end at byte 52. */
    @Test
    void shouldDropAHandshakeWhoseBlockIsShorterThanTheTemplatesAndCountIt()
    {
        final Messages messages = new Messages();
        final ReplicationMetrics metrics = new ReplicationMetrics(1);
        final ReplicationSenderAgent sender = newSender(
            metrics, new DurabilityControl(DurabilityMode.HYBRID.policy()), new PrimaryFence());
        final Header replicaHeader = new Header(0, 0);
        replicaHeader.buffer(new UnsafeBuffer(new byte[DataHeaderFlyweight.HEADER_LENGTH])).offset(0);
        try
        {
            final byte[] intact = messages.bytes(messages.handshake(0, 0, 0x5EED));
            final byte[] message = Arrays.copyOf(intact, 49);
            new UnsafeBuffer(message).putShort(0, (short)6, ORDER);

            sender.controlAdapter().onFragment(new UnsafeBuffer(message), 0, message.length, replicaHeader);

            assertEquals(1, sender.malformedMessages(), hex(message));
            assertEquals(0, sender.handshakesAccepted());
            assertEquals(0, sender.handshakesRejected());
            assertEquals(ReplicationSenderAgent.State.AWAITING_HANDSHAKE, sender.state());
            assertFalse(metrics.isActive(0));

            // The sender is not left in a state the intact handshake cannot get past.
            sender.controlAdapter().onFragment(new UnsafeBuffer(intact), 0, intact.length, replicaHeader);
            assertEquals(1, sender.handshakesAccepted());
            assertEquals(ReplicationSenderAgent.State.STREAMING, sender.state());
            assertEquals(1, sender.malformedMessages());
        }
        finally
        {
            sender.close();
        }
    }

    /** R1 on the replica: a Heartbeat cut to 20 bytes whose header claims a 6-byte block. */
    @Test
    void shouldDropAHeartbeatWhoseBlockIsShorterThanTheTemplatesAndCountIt()
    {
        final Messages messages = new Messages();
        try (FollowerUnderTest follower = following(messages))
        {
            final long lastWireSeqBefore = follower.agent.primaryLastWireSeq();
            final byte[] message = Arrays.copyOf(messages.bytes(messages.heartbeat(
                new SplittableRandom(SEED), NodeRole.PRIMARY, PRIMARY_EPOCH, follower.correlationId + 1, ENTRIES)), 20);
            new UnsafeBuffer(message).putShort(0, (short)6, ORDER);

            follower.deliver(message, PRIMARY_SESSION_ID, hex(message));

            assertEquals(1, follower.agent.badMessages(), hex(message));
            assertEquals(ReplicaAgent.State.FOLLOWING, follower.agent.state());
            assertEquals(0, follower.agent.rehandshakes());
            assertEquals(lastWireSeqBefore, follower.agent.primaryLastWireSeq());
            follower.check(hex(message));
        }
    }

    /**
     * R2: a Reject, for this replica's handshake, whose reason claims 1,717,986,918 bytes (1.7 GB) in an 82-byte
     * message. The generated getter would allocate that before reading past the message.
     */
    @Test
    void shouldDropARejectWhoseReasonRunsPastTheMessageAndCountIt()
    {
        final Messages messages = new Messages();
        try (FollowerUnderTest follower = new FollowerUnderTest(null))
        {
            follower.awaitHandshake();
            final byte[] intact = messages.bytes(messages.reject(RejectCode.DIVERGED, follower.correlationId,
                "diverged at wireSeq 7"));
            final byte[] message = intact.clone();
            new UnsafeBuffer(message).putInt(MessageHeaderEncoder.ENCODED_LENGTH + RejectEncoder.BLOCK_LENGTH,
                0x6666_6666, ORDER);

            follower.deliver(message, PRIMARY_SESSION_ID, hex(message));

            assertEquals(1, follower.agent.badMessages(), hex(message));
            assertEquals(ReplicaAgent.State.HANDSHAKING, follower.agent.state());
            assertNull(follower.agent.rejectCode());
            assertNull(follower.agent.rejectReason());

            // The same refusal, intact, is still heard.
            follower.deliver(intact, PRIMARY_SESSION_ID, hex(intact));
            assertEquals(ReplicaAgent.State.REJECTED, follower.agent.state());
            assertEquals(RejectCode.DIVERGED, follower.agent.rejectCode());
            assertEquals("diverged at wireSeq 7", follower.agent.rejectReason());
            assertEquals(1, follower.agent.badMessages());
        }
    }

    /**
     * R3: a Heartbeat from the followed primary with role 0, which the schema does not know, saying the replica's
     * stream is gone (another stream correlation id). The replica must still start over.
     */
    @Test
    void shouldRehandshakeOnAHeartbeatWithAnUnknownRoleThatNoLongerServesItsStream()
    {
        final Messages messages = new Messages();
        try (FollowerUnderTest follower = following(messages))
        {
            final byte[] message = messages.bytes(messages.heartbeat(
                new SplittableRandom(SEED), NodeRole.PRIMARY, PRIMARY_EPOCH, follower.correlationId + 1, ENTRIES));
            message[MessageHeaderEncoder.ENCODED_LENGTH + HeartbeatEncoder.roleEncodingOffset()] = 0;

            follower.deliver(message, PRIMARY_SESSION_ID, hex(message));

            assertEquals(ReplicaAgent.State.AWAITING_DURABLE, follower.agent.state(), hex(message));
            assertEquals(1, follower.agent.rehandshakes());
            assertTrue(follower.agent.lastRehandshakeReason().contains("no longer serves this replica's stream"),
                follower.agent.lastRehandshakeReason());
            assertFalse(follower.agent.lastRehandshakeReason().contains("fenced"),
                follower.agent.lastRehandshakeReason());
            follower.check(hex(message));
        }
    }

    /**
     * R3: a Reject, for this replica's handshake, with code 131, which the schema does not know: a refusal the
     * replica cannot know retrying would fix, so it stops there.
     */
    @Test
    void shouldStopOnARejectWithAnUnknownCode()
    {
        final Messages messages = new Messages();
        try (FollowerUnderTest follower = new FollowerUnderTest(null))
        {
            follower.awaitHandshake();
            final byte[] message = messages.bytes(messages.reject(RejectCode.DIVERGED, follower.correlationId,
                "refused by a newer primary"));
            message[MessageHeaderEncoder.ENCODED_LENGTH + RejectEncoder.codeEncodingOffset()] = (byte)131;

            follower.deliver(message, PRIMARY_SESSION_ID, hex(message));

            assertEquals(ReplicaAgent.State.REJECTED, follower.agent.state(), hex(message));
            assertNull(follower.agent.rejectCode());
            assertEquals("refused by a newer primary", follower.agent.rejectReason());
            assertEquals(0, follower.agent.badMessages());

            final long handshakesSent = follower.agent.handshakesSent();
            follower.agent.doWork();
            assertEquals(ReplicaAgent.State.REJECTED, follower.agent.state());
            assertEquals(handshakesSent, follower.agent.handshakesSent(), "a rejected replica does not retry");
        }
    }

    /** A fresh replica following the primary's stream from wireSeq 1. */
    private static FollowerUnderTest following(final Messages messages)
    {
        final FollowerUnderTest follower = new FollowerUnderTest(null);
        follower.awaitHandshake();
        final byte[] start = messages.bytes(messages.streamStart(PRIMARY_EPOCH, 1, follower.correlationId));
        follower.deliver(start, PRIMARY_SESSION_ID, hex(start));
        assertEquals(ReplicaAgent.State.FOLLOWING, follower.agent.state());
        return follower;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Messages and mutations
    // ------------------------------------------------------------------------------------------------------------

    /** Encodes valid replication messages into one scratch buffer. */
    private static final class Messages
    {
        private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 * 1024]);
        private final MessageHeaderEncoder header = new MessageHeaderEncoder();
        private final StreamStartEncoder streamStart = new StreamStartEncoder();
        private final JournalBatchEncoder batch = new JournalBatchEncoder();
        private final HeartbeatEncoder heartbeat = new HeartbeatEncoder();
        private final RejectEncoder reject = new RejectEncoder();
        private final HandshakeEncoder handshake = new HandshakeEncoder();
        private final AckEncoder ack = new AckEncoder();

        byte[] bytes(final int length)
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(0, bytes);
            return bytes;
        }

        /** What a primary sends a replica that has applied {@code applied}: mostly the next batch. */
        int forReplica(final SplittableRandom random, final long applied, final long correlationId)
        {
            final int kind = random.nextInt(20);
            if (kind < 13 && applied < ENTRIES)
            {
                // Usually the next entries; sometimes a batch that starts in the wrong place.
                long first = applied + 1;
                if (random.nextInt(8) == 0)
                {
                    first = Math.max(1, Math.min(ENTRIES, first + random.nextInt(-3, 4)));
                }
                final int count = (int)Math.min(1 + random.nextInt(6), ENTRIES - first + 1);
                return batch(first, count);
            }
            if (kind < 17)
            {
                return heartbeat(random, NodeRole.PRIMARY, PRIMARY_EPOCH, correlationId, ENTRIES);
            }
            if (kind < 19)
            {
                return streamStart(PRIMARY_EPOCH, applied + 1, correlationId);
            }
            return reject(random, correlationId);
        }

        int streamStart(final long epoch, final long fromWireSeq, final long correlationId)
        {
            streamStart.wrapAndApplyHeader(buffer, 0, header)
                .epoch(epoch)
                .fromWireSeq(fromWireSeq)
                .durabilityMode(DurabilityMode.HYBRID.code())
                .correlationId(correlationId)
                .primaryNodeId(1);
            return MessageHeaderEncoder.ENCODED_LENGTH + streamStart.encodedLength();
        }

        int batch(final long firstWireSeq, final int count)
        {
            batch.wrapAndApplyHeader(buffer, 0, header)
                .firstWireSeq(firstWireSeq)
                .entryCount(count)
                .sendTimestampNs(System.nanoTime());
            int position = ReplicationProtocol.BATCH_HEADER_LENGTH;
            for (int i = 0; i < count; i++)
            {
                final byte[] entry = entries.get((int)firstWireSeq - 1 + i);
                buffer.putInt(position, entry.length, ORDER);
                buffer.putBytes(position + ReplicationProtocol.ENTRY_LENGTH_PREFIX, entry);
                position += ReplicationProtocol.ENTRY_LENGTH_PREFIX + entry.length;
            }
            buffer.putInt(ReplicationProtocol.BATCH_HEADER_LENGTH - JournalBatchEncoder.entriesHeaderLength(),
                position - ReplicationProtocol.BATCH_HEADER_LENGTH, ORDER);
            return position;
        }

        int heartbeat(
            final SplittableRandom random,
            final NodeRole role,
            final long epoch,
            final long streamCorrelationId,
            final long lastWireSeq)
        {
            heartbeat.wrapAndApplyHeader(buffer, 0, header)
                .nodeId(role == NodeRole.PRIMARY ? 1 : 2)
                .role(role)
                .epoch(epoch)
                .durabilityMode(DurabilityMode.values()[random.nextInt(DurabilityMode.values().length)].code())
                .timestampNs(System.nanoTime())
                .streamCorrelationId(streamCorrelationId)
                .lastWireSeq(lastWireSeq);
            return MessageHeaderEncoder.ENCODED_LENGTH + heartbeat.encodedLength();
        }

        int reject(final SplittableRandom random, final long correlationId)
        {
            final RejectCode[] codes = { RejectCode.STALE_EPOCH, RejectCode.NOT_PRIMARY, RejectCode.DIVERGED,
                RejectCode.AUTH_REQUIRED };
            return reject(codes[random.nextInt(codes.length)], correlationId,
                "refused for a reason of " + random.nextInt(1_000_000));
        }

        int reject(final RejectCode code, final long correlationId, final String reason)
        {
            reject.wrapAndApplyHeader(buffer, 0, header)
                .code(code)
                .correlationId(correlationId)
                .epoch(PRIMARY_EPOCH)
                .putChallenge(new byte[32], 0, 32)
                .reason(reason);
            return MessageHeaderEncoder.ENCODED_LENGTH + reject.encodedLength();
        }

        int handshake(final long lastDurableWireSeq, final long lastEntryCrc32c, final long correlationId)
        {
            handshake.wrapAndApplyHeader(buffer, 0, header)
                .nodeId(2)
                .protocolVersion(ReplicationProtocol.PROTOCOL_VERSION)
                .epoch(EPOCH)
                .lastDurableWireSeq(lastDurableWireSeq)
                .lastEntryCrc32c(lastEntryCrc32c)
                .configDigest(source.engine.configDigest())
                .correlationId(correlationId)
                .putChallenge(new byte[32], 0, 32)
                .putPublicKey(new byte[32], 0, 32)
                .putSignature(new byte[64], 0, 64);
            return MessageHeaderEncoder.ENCODED_LENGTH + handshake.encodedLength();
        }

        int ack(final SplittableRandom random, final long sent, final long streamCorrelationId)
        {
            final long inMemory = Math.max(0, sent + random.nextInt(-5, 6));
            ack.wrapAndApplyHeader(buffer, 0, header)
                .nodeId(2)
                .inMemoryWireSeq(inMemory)
                .persistedWireSeq(Math.max(0, inMemory - random.nextInt(3)))
                .echoTimestampNs(System.nanoTime())
                .streamCorrelationId(streamCorrelationId);
            return MessageHeaderEncoder.ENCODED_LENGTH + ack.encodedLength();
        }
    }
}
