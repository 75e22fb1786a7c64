package io.sluice.replication;

import io.sluice.replication.ReplicationTestSupport.Node;
import io.sluice.replication.ReplicationTestSupport.OrderFlow;
import io.sluice.replication.ReplicationTestSupport.Primary;
import io.sluice.replication.ReplicationTestSupport.Replica;
import io.sluice.sbe.replication.RejectCode;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.sluice.replication.ReplicationTestSupport.assertNoAgentErrors;
import static io.sluice.replication.ReplicationTestSupport.await;
import static io.sluice.replication.ReplicationTestSupport.engineContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The primary's checks on a replica's handshake: configuration, protocol, journal position and epoch. A refused
 * replica never becomes an active slot and its journal is left as it was.
 */
class HandshakeValidationTest
{
    @TempDir
    Path dir;

    private Primary primary;
    private Replica replicaA;
    private Replica replicaB;

    @AfterEach
    void tearDown()
    {
        CloseHelper.closeAll(replicaA, replicaB, primary);
        assertNoAgentErrors();
    }

    @Test
    void shouldRejectReplicaWithADifferentConfigDigest()
    {
        primary = new Primary(dir.resolve("primary"), 1, (context) -> {});
        primary.append(100);
        replicaA = new Replica(dir.resolve("a"), 2, primary.dataEndpoints[0], primary.controlEndpoints[0],
            ReplicationTestSupport.otherEngineContext(), (context) -> {});

        awaitRejected(replicaA);
        assertEquals(RejectCode.CONFIG_DIGEST, replicaA.agent.rejectCode());
        assertTrue(replicaA.agent.rejectReason().contains("config digest of replica node 2 is " +
            Long.toHexString(replicaA.node.engine.configDigest())), replicaA.agent.rejectReason());
        assertTrue(replicaA.agent.rejectReason().contains("instruments, risk limits or matching options differ"));
        assertEquals(replicaA.agent.rejectReason(), primary.senders[0].lastRejectReason());
        assertNeverActive(0);
        assertEquals(0, replicaA.agent.appliedWireSeq());
    }

    @Test
    void shouldRejectReplicaSpeakingAnotherProtocolVersion()
    {
        primary = new Primary(dir.resolve("primary"), 1, (context) -> {});
        primary.append(100);
        replicaA = new Replica(dir.resolve("a"), 2, primary.dataEndpoints[0], primary.controlEndpoints[0],
            engineContext(), (context) -> context.protocolVersion(ReplicationProtocol.PROTOCOL_VERSION + 1));

        awaitRejected(replicaA);
        assertEquals(RejectCode.PROTOCOL_VERSION, replicaA.agent.rejectCode());
        assertTrue(replicaA.agent.rejectReason().contains("replica node 2 speaks replication protocol version " +
            (ReplicationProtocol.PROTOCOL_VERSION + 1) + ", primary node 1 speaks version " +
            ReplicationProtocol.PROTOCOL_VERSION), replicaA.agent.rejectReason());
        assertNeverActive(0);
    }

    @Test
    void shouldRefuseReplicaWhoseLastEntryDiffersFromThePrimarys()
    {
        // Same first 100 entries, then a different entry 101 on the replica: the journals have diverged.
        writeJournal(dir.resolve("a"), 100, 1);
        primary = new Primary(dir.resolve("primary"), 1, (context) -> {});
        primary.append(200);
        replicaA = new Replica(dir.resolve("a"), 2, primary, 0);
        assertEquals(101, replicaA.agent.appliedWireSeq());

        awaitRejected(replicaA);
        assertEquals(RejectCode.DIVERGED, replicaA.agent.rejectCode());
        assertTrue(replicaA.agent.rejectReason().startsWith("diverged: entry wireSeq 101 of replica node 2 has " +
            "CRC32C " + Long.toHexString(replicaA.agent.lastEntryCrc32c())), replicaA.agent.rejectReason());
        assertNeverActive(0);
        assertEquals(101, replicaA.agent.appliedWireSeq());
        assertEquals(101, replicaA.node.persistedWireSeq());
    }

    @Test
    void shouldAcceptReplicaWhoseJournalIsAPrefixOfThePrimarys()
    {
        writeJournal(dir.resolve("a"), 100, 0);
        primary = new Primary(dir.resolve("primary"), 1, (context) -> {});
        primary.append(200);
        replicaA = new Replica(dir.resolve("a"), 2, primary, 0);
        assertEquals(100, replicaA.agent.appliedWireSeq());

        await(() -> primary.metrics.persistedWireSeq(0) == 200, () -> "catch-up from 101");
        assertEquals(1, primary.metrics.activationCount(0));
        replicaA.quiesce();
        assertEquals(primary.node.engine.stateHash(), replicaA.node.stateMachine.stateHash());
    }

    @Test
    void shouldRefuseReplicaAheadOfThePrimary()
    {
        writeJournal(dir.resolve("a"), 150, 0);
        primary = new Primary(dir.resolve("primary"), 1, (context) -> {});
        primary.append(100);
        replicaA = new Replica(dir.resolve("a"), 2, primary, 0);

        awaitRejected(replicaA);
        assertEquals(RejectCode.AHEAD_OF_PRIMARY, replicaA.agent.rejectCode());
        assertTrue(replicaA.agent.rejectReason().contains("replica node 2 is ahead of the primary: its journal " +
            "ends at wireSeq 150"), replicaA.agent.rejectReason());
        assertNeverActive(0);
        assertEquals(150, replicaA.node.persistedWireSeq());
    }

    @Test
    void shouldFencePrimaryThatSeesAHigherEpochAndStopServingEveryReplica()
    {
        primary = new Primary(dir.resolve("primary"), 2, (context) -> {});
        primary.append(300);
        replicaA = new Replica(dir.resolve("a"), 2, primary, 0);
        await(() -> primary.metrics.persistedWireSeq(0) == 300, () -> "replica A following");

        // Replica B has seen epoch 5: another node was promoted, so this primary (epoch 1) is stale.
        replicaB = new Replica(dir.resolve("b"), 3, primary.dataEndpoints[1], primary.controlEndpoints[1],
            engineContext(), (context) -> context.epoch(5));
        await(primary.fence::isFenced, () -> "fence");
        assertEquals(5, primary.fence.fencedByEpoch());
        assertTrue(primary.fence.reason().contains("replica node 3 reported epoch 5"), primary.fence.reason());

        await(() -> primary.senders[0].state() == ReplicationSenderAgent.State.FENCED &&
            primary.senders[1].state() == ReplicationSenderAgent.State.FENCED, () -> "both senders fenced");
        assertFalse(primary.metrics.isActive(0));
        assertNeverActive(1);
        await(() -> replicaB.agent.rejectCode() == RejectCode.STALE_EPOCH, () -> "replica B refused");
        assertTrue(replicaB.agent.rejectReason().contains("this primary is fenced"), replicaB.agent.rejectReason());

        // Replica A notices the primary no longer serves it, handshakes again and is told the primary is fenced;
        // both keep trying (another primary may appear) rather than giving up.
        await(() -> replicaA.agent.rejectCode() == RejectCode.NOT_PRIMARY, () -> "replica A refused");
        assertTrue(replicaA.agent.rehandshakes() >= 1);
        assertEquals(ReplicaAgent.State.HANDSHAKING, replicaA.agent.state());
        assertEquals(ReplicaAgent.State.HANDSHAKING, replicaB.agent.state());
        assertEquals(300, replicaA.agent.appliedWireSeq());
    }

    private void awaitRejected(final Replica replica)
    {
        await(() -> replica.agent.state() == ReplicaAgent.State.REJECTED, () -> "rejection, replica is " +
            replica.agent.state());
    }

    private void assertNeverActive(final int slot)
    {
        assertFalse(primary.metrics.isActive(slot));
        assertEquals(0, primary.metrics.activationCount(slot));
        assertEquals(0, primary.senders[slot].handshakesAccepted());
    }

    /**
     * Writes a replica's journal before the test starts: the primary's first {@code sameEntries} entries, then
     * {@code differentEntries} entries of another order flow.
     */
    private static void writeJournal(final Path replicaDir, final int sameEntries, final int differentEntries)
    {
        try (Node node = Node.open(replicaDir.resolve("node"), 2, engineContext()))
        {
            final long last = new OrderFlow(42).append(node, 0, sameEntries);
            final long end = new OrderFlow(7).append(node, last, differentEntries);
            await(() -> node.persistedWireSeq() == end, () -> "replica journal written");
        }
    }
}
