package io.sluice.replication;

import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.sluice.journal.JournalEntryView;
import io.sluice.replication.ReplicationTestSupport.Node;
import io.sluice.replication.ReplicationTestSupport.OrderFlow;
import io.sluice.replication.ReplicationTestSupport.Replica;
import io.sluice.durability.DurabilityControl;
import io.sluice.durability.DurabilityMode;
import io.sluice.durability.Policy;
import io.sluice.sbe.replication.HandshakeDecoder;
import io.sluice.sbe.replication.HeartbeatEncoder;
import io.sluice.sbe.replication.JournalBatchEncoder;
import io.sluice.sbe.replication.MessageHeaderDecoder;
import io.sluice.sbe.replication.MessageHeaderEncoder;
import io.sluice.sbe.replication.NodeRole;
import io.sluice.sbe.replication.StreamStartEncoder;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.sluice.replication.ReplicationTestSupport.assertNoAgentErrors;
import static io.sluice.replication.ReplicationTestSupport.assertSameJournal;
import static io.sluice.replication.ReplicationTestSupport.await;
import static io.sluice.replication.ReplicationTestSupport.engineContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replica against a scripted primary that sends exactly the messages a test needs: gaps, damaged entries, stale
 * epochs, mode changes. The replica must never skip or apply a bad entry; it handshakes again from what it has made
 * durable.
 */
class ReplicaFollowerTest
{
    private static final int ENTRIES = 10;

    @TempDir
    Path dir;

    private Node source;
    private List<byte[]> entries;
    private FakePrimary primary;
    private Replica replica;

    @BeforeEach
    void setUp()
    {
        source = Node.open(dir.resolve("source"), 1, engineContext());
        final long last = new OrderFlow(42).append(source, 0, ENTRIES);
        await(() -> source.persistedWireSeq() == last, () -> "source journal");
        entries = ReplicationTestSupport.entries(source.journal, 1, ENTRIES);
        primary = new FakePrimary(dir.resolve("primary-aeron"));
    }

    @AfterEach
    void tearDown()
    {
        CloseHelper.closeAll(replica, primary, source);
        assertNoAgentErrors();
    }

    @Test
    void shouldHandshakeAgainFromItsDurablePositionOnAGapInsteadOfSkipping()
    {
        replica = startReplica(null, ReplicationTestSupport.EPOCH);
        final Hello first = primary.awaitHandshake((hello) -> true);
        assertEquals(0, first.lastDurableWireSeq());
        assertEquals(0, first.lastEntryCrc32c());

        primary.streamStart(first.correlationId(), 1, ReplicationTestSupport.EPOCH, DurabilityMode.HYBRID);
        primary.batch(1, entries.subList(0, 5));
        primary.batch(7, entries.subList(6, 8));
        await(() -> replica.agent.gaps() == 1, () -> "gap detected");
        assertEquals(5, replica.agent.appliedWireSeq());

        final Hello second = primary.awaitHandshake((hello) -> hello.correlationId() != first.correlationId());
        assertEquals(5, second.lastDurableWireSeq());
        assertEquals(crc32cOf(5), second.lastEntryCrc32c());
        assertTrue(replica.node.persistedWireSeq() >= 5);
        assertEquals(5, replica.agent.appliedWireSeq());
        assertTrue(replica.agent.lastRehandshakeReason().contains("wireSeq 7 arrived after 5"),
            replica.agent.lastRehandshakeReason());

        primary.streamStart(second.correlationId(), 6, ReplicationTestSupport.EPOCH, DurabilityMode.HYBRID);
        primary.batch(6, entries.subList(5, ENTRIES));
        awaitApplied(ENTRIES);
        assertEquals(1, replica.agent.rehandshakes());
        assertMatchesSource();
    }

    @Test
    void shouldHandshakeAgainOnADamagedEntryWithoutApplyingIt()
    {
        replica = startReplica(null, ReplicationTestSupport.EPOCH);
        final Hello first = primary.awaitHandshake((hello) -> true);
        primary.streamStart(first.correlationId(), 1, ReplicationTestSupport.EPOCH, DurabilityMode.HYBRID);
        primary.batch(1, entries.subList(0, 5));

        final List<byte[]> damaged = new ArrayList<>(entries.subList(5, 8));
        final byte[] sixth = damaged.get(0).clone();
        sixth[sixth.length - 3] ^= 0x10;
        damaged.set(0, sixth);
        primary.batch(6, damaged);
        await(() -> replica.agent.badEntries() == 1, () -> "damaged entry detected");

        final Hello second = primary.awaitHandshake((hello) -> hello.correlationId() != first.correlationId());
        assertEquals(5, second.lastDurableWireSeq());
        assertEquals(5, replica.agent.appliedWireSeq());
        assertTrue(replica.agent.lastRehandshakeReason().contains("CRC mismatch"),
            replica.agent.lastRehandshakeReason());

        primary.streamStart(second.correlationId(), 6, ReplicationTestSupport.EPOCH, DurabilityMode.HYBRID);
        primary.batch(6, entries.subList(5, ENTRIES));
        awaitApplied(ENTRIES);
        assertMatchesSource();
    }

    @Test
    void shouldRefuseAPrimaryWithAnOlderEpoch()
    {
        replica = startReplica(null, 3);
        final Hello hello = primary.awaitHandshake((h) -> true);
        assertEquals(3, hello.epoch());

        primary.streamStart(hello.correlationId(), 1, 2, DurabilityMode.HYBRID);
        await(() -> replica.agent.staleEpochRefusals() == 1, () -> "stale primary refused");
        primary.batch(1, entries.subList(0, 5));
        assertEquals(ReplicaAgent.State.HANDSHAKING, replica.agent.state());

        primary.streamStart(hello.correlationId(), 1, 3, DurabilityMode.HYBRID);
        await(() -> replica.agent.state() == ReplicaAgent.State.FOLLOWING, () -> "following the current primary");
        assertEquals(0, replica.agent.appliedWireSeq());
        assertEquals(3, replica.agent.primaryEpoch());
        primary.batch(1, entries.subList(0, ENTRIES));
        awaitApplied(ENTRIES);
        assertMatchesSource();
    }

    @Test
    void shouldTakeTheDurabilityModeFromThePrimaryAndNoticeWhenItsStreamIsDropped()
    {
        final DurabilityControl durability = new DurabilityControl(DurabilityMode.HYBRID.policy());
        replica = startReplica(durability, ReplicationTestSupport.EPOCH);
        final Hello hello = primary.awaitHandshake((h) -> true);
        primary.streamStart(hello.correlationId(), 1, ReplicationTestSupport.EPOCH, DurabilityMode.LOCAL);
        await(() -> durability.policy() == DurabilityMode.LOCAL.policy(), () -> "mode from StreamStart");

        primary.heartbeat(hello.correlationId(), ReplicationTestSupport.EPOCH, DurabilityMode.DURABLY_REPLICATED);
        await(() -> durability.policy() == DurabilityMode.DURABLY_REPLICATED.policy(), () -> "mode from heartbeat");
        assertEquals(DurabilityMode.DURABLY_REPLICATED.code(), replica.agent.primaryDurabilityMode());
        assertEquals(ReplicaAgent.State.FOLLOWING, replica.agent.state());

        // A custom clause expression has no mode byte: its clause counts travel instead, so a promotion keeps it.
        final Policy custom = Policy.resolve("persisted>=1 && in_memory>=3");
        primary.heartbeat(hello.correlationId(), ReplicationTestSupport.EPOCH, custom);
        await(() -> durability.policy().sameRequirementAs(custom), () -> "custom policy from heartbeat");
        assertEquals(DurabilityMode.CUSTOM_CODE, replica.agent.primaryDurabilityMode());
        primary.heartbeat(hello.correlationId(), ReplicationTestSupport.EPOCH, DurabilityMode.DURABLY_REPLICATED);
        await(() -> durability.policy() == DurabilityMode.DURABLY_REPLICATED.policy(),
            () -> "back to a named mode");

        // A heartbeat naming no stream: the primary dropped this replica, which must handshake again.
        primary.heartbeat(0, ReplicationTestSupport.EPOCH, DurabilityMode.DURABLY_REPLICATED);
        final Hello again = primary.awaitHandshake((h) -> h.correlationId() != hello.correlationId());
        assertEquals(0, again.lastDurableWireSeq());
        assertEquals(1, replica.agent.rehandshakes());
    }

    @Test
    void shouldStartFromTheLastEntryOfItsRecoveredJournal()
    {
        final Path replicaDir = dir.resolve("replica");
        try (Node node = Node.open(replicaDir.resolve("node"), 2, engineContext()))
        {
            final long last = new OrderFlow(42).append(node, 0, 4);
            await(() -> node.persistedWireSeq() == last, () -> "replica journal");
        }
        replica = startReplica(null, ReplicationTestSupport.EPOCH);
        final Hello hello = primary.awaitHandshake((h) -> true);
        assertEquals(4, hello.lastDurableWireSeq());
        assertEquals(crc32cOf(4), hello.lastEntryCrc32c());
        assertNotEquals(0, hello.lastEntryCrc32c());

        primary.streamStart(hello.correlationId(), 5, ReplicationTestSupport.EPOCH, DurabilityMode.HYBRID);
        primary.batch(5, entries.subList(4, ENTRIES));
        awaitApplied(ENTRIES);
        assertMatchesSource();
    }

    private Replica startReplica(final DurabilityControl durability, final long epoch)
    {
        return new Replica(dir.resolve("replica"), 2, primary.dataEndpoint, primary.controlEndpoint,
            engineContext(), (context) -> context
            .epoch(epoch)
            .durabilityControl(durability)
            .heartbeatTimeoutNs(TimeUnit.MINUTES.toNanos(5))
            .handshakeRetryIntervalNs(TimeUnit.MILLISECONDS.toNanos(50)));
    }

    private void awaitApplied(final long wireSeq)
    {
        await(() -> replica.agent.appliedWireSeq() == wireSeq, () -> "applied " + wireSeq + ", replica at " +
            replica.agent.appliedWireSeq());
    }

    private void assertMatchesSource()
    {
        replica.quiesce();
        assertEquals(source.engine.stateHash(), replica.node.stateMachine.stateHash());
        source.stopJournalAgent();
        assertSameJournal(source.journal, replica.node.journal, ENTRIES);
    }

    private long crc32cOf(final int wireSeq)
    {
        final byte[] entry = entries.get(wireSeq - 1);
        final UnsafeBuffer buffer = new UnsafeBuffer(entry);
        return new JournalEntryView().wrap(buffer, 0, entry.length).crc32c();
    }

    /** A replica's handshake as the scripted primary received it. */
    record Hello(long correlationId, long lastDurableWireSeq, long lastEntryCrc32c, long epoch)
    {
    }

    /** Plays the primary's side of one slot by hand. */
    static final class FakePrimary implements AutoCloseable
    {
        final String dataEndpoint = ReplicationTestSupport.freeEndpoint();
        final String controlEndpoint = ReplicationTestSupport.freeEndpoint();
        private final ReplicationTransport transport;
        private final ExclusivePublication data;
        private final Subscription control;
        private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 * 1024]);
        private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
        private final HandshakeDecoder handshakeDecoder = new HandshakeDecoder();

        FakePrimary(final Path aeronDir)
        {
            transport = ReplicationTestSupport.transport(aeronDir);
            data = transport.aeron().addExclusivePublication(
                transport.publicationChannel(dataEndpoint), ReplicationProtocol.DATA_STREAM_ID);
            control = transport.aeron().addSubscription(
                transport.subscriptionChannel(controlEndpoint), ReplicationProtocol.CONTROL_STREAM_ID);
        }

        Hello awaitHandshake(final Predicate<Hello> wanted)
        {
            final Hello[] found = new Hello[1];
            await(() ->
            {
                control.poll((buf, offset, length, header) ->
                {
                    headerDecoder.wrap(buf, offset);
                    if (found[0] == null && headerDecoder.templateId() == HandshakeDecoder.TEMPLATE_ID)
                    {
                        handshakeDecoder.wrapAndApplyHeader(buf, offset, headerDecoder);
                        final Hello hello = new Hello(handshakeDecoder.correlationId(),
                            handshakeDecoder.lastDurableWireSeq(), handshakeDecoder.lastEntryCrc32c(),
                            handshakeDecoder.epoch());
                        if (wanted.test(hello))
                        {
                            found[0] = hello;
                        }
                    }
                }, 10);
                return found[0] != null;
            }, () -> "a handshake");
            return found[0];
        }

        void streamStart(final long correlationId, final long fromWireSeq, final long epoch, final DurabilityMode mode)
        {
            final StreamStartEncoder encoder = new StreamStartEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
                .epoch(epoch)
                .fromWireSeq(fromWireSeq)
                .durabilityMode(mode.code())
                .correlationId(correlationId)
                .primaryNodeId(1);
            send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        }

        void heartbeat(final long streamCorrelationId, final long epoch, final DurabilityMode mode)
        {
            heartbeat(streamCorrelationId, epoch, mode.policy());
        }

        void heartbeat(final long streamCorrelationId, final long epoch, final Policy policy)
        {
            final HeartbeatEncoder encoder = new HeartbeatEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
                .nodeId(1)
                .role(NodeRole.PRIMARY)
                .epoch(epoch)
                .durabilityMode(policy.modeCode())
                .policyPersistedCount((short)policy.persistedCount())
                .policyInMemoryCount((short)policy.inMemoryCount())
                .timestampNs(System.nanoTime())
                .streamCorrelationId(streamCorrelationId);
            send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        }

        void batch(final long firstWireSeq, final List<byte[]> batchEntries)
        {
            new JournalBatchEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
                .firstWireSeq(firstWireSeq)
                .entryCount(batchEntries.size())
                .sendTimestampNs(System.nanoTime());
            int position = ReplicationProtocol.BATCH_HEADER_LENGTH;
            for (final byte[] entry : batchEntries)
            {
                buffer.putInt(position, entry.length, ByteOrder.LITTLE_ENDIAN);
                buffer.putBytes(position + 4, entry);
                position += 4 + entry.length;
            }
            final int entriesLength = position - ReplicationProtocol.BATCH_HEADER_LENGTH;
            buffer.putInt(ReplicationProtocol.BATCH_HEADER_LENGTH - 4, entriesLength, ByteOrder.LITTLE_ENDIAN);
            send(position);
        }

        private void send(final int length)
        {
            await(() -> data.offer(buffer, 0, length) > 0, () -> "publication to take a message");
        }

        public void close()
        {
            CloseHelper.closeAll(data, control, transport);
        }
    }
}
