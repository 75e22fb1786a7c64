package io.sluice.replication;

import io.sluice.replication.ReplicationTestSupport.Node;
import io.sluice.replication.ReplicationTestSupport.Primary;
import io.sluice.replication.ReplicationTestSupport.Replica;
import io.sluice.durability.DurabilityMode;
import io.sluice.durability.ReplicationMetrics;
import org.agrona.CloseHelper;
import org.agrona.concurrent.NanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static io.sluice.replication.ReplicationTestSupport.assertNoAgentErrors;
import static io.sluice.replication.ReplicationTestSupport.assertSameJournal;
import static io.sluice.replication.ReplicationTestSupport.await;
import static io.sluice.replication.ReplicationTestSupport.engineContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A primary streaming its journal to replicas over Aeron on loopback: catch-up and live streaming, reconnection,
 * and the slot's active flag and cursors through it all.
 */
class ReplicationStreamTest
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
    void shouldStreamJournalToTwoReplicasLeavingEqualJournalsAndStateHash()
    {
        primary = new Primary(dir.resolve("primary"), 2, (context) -> {});
        // Half the entries exist before the replicas connect (catch-up), half are written while they follow (live).
        primary.append(10_000);
        replicaA = new Replica(dir.resolve("a"), 2, primary, 0);
        replicaB = new Replica(dir.resolve("b"), 3, primary, 1);
        primary.append(10_000);
        final long last = primary.lastWireSeq;
        assertEquals(20_000, last);

        final ReplicationMetrics metrics = primary.metrics;
        await(() -> metrics.persistedWireSeq(0) == last && metrics.persistedWireSeq(1) == last,
            () -> "both slots persisted at " + last + ": " + metrics.persistedWireSeq(0) + ", " +
            metrics.persistedWireSeq(1));
        assertEquals(last, metrics.inMemoryWireSeq(0));
        assertEquals(last, metrics.inMemoryWireSeq(1));
        assertTrue(metrics.isActive(0) && metrics.isActive(1));
        assertTrue(metrics.ackCount(0) > 0 && metrics.bytesSent(0) > 0 && metrics.bytesSent(1) > 0);
        assertEquals(ReplicationSenderAgent.State.STREAMING, primary.senders[0].state());
        assertEquals(last, primary.senders[1].sentWireSeq());

        for (final Replica replica : new Replica[]{ replicaA, replicaB })
        {
            assertEquals(ReplicaAgent.State.FOLLOWING, replica.agent.state());
            assertEquals(ReplicationTestSupport.EPOCH, replica.agent.primaryEpoch());
            assertEquals(DurabilityMode.HYBRID.code(), replica.agent.primaryDurabilityMode());
            assertEquals(0, replica.agent.rehandshakes());
            await(() -> replica.agent.primaryLastWireSeq() == last, () -> "primary's last wireSeq in a heartbeat");
            assertEquals(0, replica.agent.lagEntries());
            replica.agent.requestStateHash();
            await(() -> replica.agent.stateHash() != null, () -> "state hash");
            assertEquals(last, replica.agent.stateHash().wireSeq());
            assertEquals(primary.node.engine.stateHash(), replica.agent.stateHash().hash());
            replica.quiesce();
            assertEquals(last, replica.agent.persistedWireSeq());
            assertEquals(primary.node.engine.stateHash(), replica.node.stateMachine.stateHash());
        }
        primary.node.stopJournalAgent();
        assertSameJournal(primary.node.journal, replicaA.node.journal, last);
        assertSameJournal(primary.node.journal, replicaB.node.journal, last);
    }

    @Test
    void shouldCatchUpAfterReconnectAndActivateTheSlotOnlyWithSeededCursors() throws InterruptedException
    {
        primary = new Primary(dir.resolve("primary"), 1,
            (context) -> context.heartbeatTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500)));
        primary.append(3_000);
        replicaA = new Replica(dir.resolve("a"), 2, primary, 0);
        final ReplicationMetrics metrics = primary.metrics;
        await(() -> metrics.persistedWireSeq(0) == 3_000, () -> "first catch-up");
        assertEquals(1, metrics.activationCount(0));

        replicaA.close();
        await(() -> !metrics.isActive(0), () -> "slot inactive after the replica stopped");
        assertEquals(0, metrics.persistedWireSeq(0));
        assertEquals(0, metrics.inMemoryWireSeq(0));
        primary.append(4_000);

        // Watch the slot while the replica comes back: whenever it is seen active, the cursors read after the flag
        // must already be the seeded ones (the replica restarts from its durable 3000), never zero.
        final long seededWireSeq = 3_000;
        final AtomicBoolean watching = new AtomicBoolean(true);
        final AtomicLong activeObservations = new AtomicLong();
        final AtomicReference<String> violation = new AtomicReference<>();
        final Thread watcher = new Thread(() ->
        {
            while (watching.get())
            {
                if (metrics.isActive(0))
                {
                    final long inMemory = metrics.inMemoryWireSeq(0);
                    final long persisted = metrics.persistedWireSeq(0);
                    activeObservations.incrementAndGet();
                    if (inMemory < seededWireSeq || persisted < seededWireSeq)
                    {
                        violation.compareAndSet(null, "active with inMemory=" + inMemory + " persisted=" + persisted);
                    }
                }
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
            }
        }, "slot-watcher");
        watcher.start();
        try
        {
            replicaA = new Replica(dir.resolve("a"), 2, primary, 0);
            assertEquals(seededWireSeq, replicaA.agent.appliedWireSeq());
            await(() -> metrics.persistedWireSeq(0) == 7_000, () -> "catch-up after reconnect, at " +
                metrics.persistedWireSeq(0));
            primary.append(1_000);
            await(() -> metrics.persistedWireSeq(0) == 8_000, () -> "live after reconnect");
            // The slot stays active: on a loaded machine the watcher may only now get a turn to look at it.
            await(() -> activeObservations.get() > 0, () -> "the watcher saw the slot active");
        }
        finally
        {
            watching.set(false);
            watcher.join();
        }
        assertNull(violation.get());
        assertTrue(activeObservations.get() > 0);
        assertEquals(2, metrics.activationCount(0));
        assertEquals(2, primary.senders[0].handshakesAccepted());

        replicaA.quiesce();
        assertEquals(primary.node.engine.stateHash(), replicaA.node.stateMachine.stateHash());
        primary.node.stopJournalAgent();
        assertSameJournal(primary.node.journal, replicaA.node.journal, 8_000);
    }

    @Test
    void shouldHoldBatchesUnderBackPressureWithoutBlockingTheJournalOrDroppingEntries()
    {
        primary = new Primary(dir.resolve("primary"), 1,
            (context) -> context.heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(20)));
        // The replica's journal agent is not running: its small ring fills, it stops taking batches, the Aeron
        // window fills and the primary's sender is back-pressured. The stall outlasts the replica's heartbeat
        // timeout, which must not make it drop a primary that is merely waiting for it.
        final Node stalled = Node.openStopped(dir.resolve("a").resolve("node"), 2, engineContext(), 64 * 1024);
        replicaA = new Replica(stalled, dir.resolve("a"), 2, primary.dataEndpoints[0], primary.controlEndpoints[0],
            (context) -> context.heartbeatTimeoutNs(TimeUnit.MILLISECONDS.toNanos(300)));
        await(() -> primary.metrics.isActive(0), () -> "slot active");
        primary.append(6_000);

        await(() -> primary.senders[0].backPressureEvents() > 0 && replicaA.agent.ringFullEvents() > 0,
            () -> "back-pressure");
        await(() -> primary.node.persistedWireSeq() == 6_000, () -> "primary journal not blocked by replication");
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(600));
        assertTrue(primary.metrics.inMemoryWireSeq(0) < 6_000);
        assertEquals(0, primary.metrics.persistedWireSeq(0));
        assertEquals(0, replicaA.agent.rehandshakes());

        stalled.startJournalAgent();
        await(() -> primary.metrics.persistedWireSeq(0) == 6_000, () -> "replica caught up, at " +
            primary.metrics.persistedWireSeq(0));
        assertEquals(0, replicaA.agent.rehandshakes());
        assertEquals(1, primary.metrics.activationCount(0));
        replicaA.quiesce();
        assertEquals(primary.node.engine.stateHash(), replicaA.node.stateMachine.stateHash());
        primary.node.stopJournalAgent();
        assertSameJournal(primary.node.journal, replicaA.node.journal, 6_000);
    }

    @Test
    void shouldDisconnectAReplicaTooFarBehindAndLetItCatchUpAgain()
    {
        primary = new Primary(dir.resolve("primary"), 1, (context) -> context
            .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(20))
            .heartbeatTimeoutNs(TimeUnit.MILLISECONDS.toNanos(300))
            .maxLagEntries(1_000));
        // A replica whose journal is stuck: it stops taking batches, so its in-memory cursor falls far behind.
        final Node stalled = Node.openStopped(dir.resolve("a").resolve("node"), 2, engineContext(), 64 * 1024);
        replicaA = new Replica(stalled, dir.resolve("a"), 2, primary.dataEndpoints[0], primary.controlEndpoints[0],
            (context) -> context.heartbeatTimeoutNs(TimeUnit.SECONDS.toNanos(30)));
        await(() -> primary.metrics.isActive(0), () -> "slot active");
        primary.append(6_000);

        await(() -> primary.senders[0].lagDisconnects() == 1, () -> "disconnected for lag");
        assertFalse(primary.metrics.isActive(0));
        assertEquals(0, primary.metrics.inMemoryWireSeq(0), "an inactive slot's cursors are zero");

        stalled.startJournalAgent();
        await(() -> primary.metrics.isActive(0) && primary.metrics.persistedWireSeq(0) == 6_000,
            () -> "replica caught up after reconnecting, at " + primary.metrics.persistedWireSeq(0));
        assertTrue(replicaA.agent.rehandshakes() >= 1, "the replica handshook again");
        assertEquals(0, replicaA.agent.gaps(), "no entry skipped");
        assertEquals(2, primary.metrics.activationCount(0));
        replicaA.quiesce();
        assertEquals(primary.node.engine.stateHash(), replicaA.node.stateMachine.stateHash());
        primary.node.stopJournalAgent();
        assertSameJournal(primary.node.journal, replicaA.node.journal, 6_000);
    }

    @Test
    void shouldDeactivateSlotWhenReplicaFallsSilentForTheHeartbeatTimeout()
    {
        // The replica's clock can be stopped: it then sends no heartbeat (and, the stream being idle, no ack) while
        // its Aeron image stays up. The primary's own heartbeats are rare, so the replica does not notice the drop.
        final FreezableClock replicaClock = new FreezableClock();
        primary = new Primary(dir.resolve("primary"), 1, (context) -> context
            .heartbeatTimeoutNs(TimeUnit.SECONDS.toNanos(1))
            .heartbeatIntervalNs(TimeUnit.MINUTES.toNanos(5)));
        primary.append(500);
        replicaA = new Replica(dir.resolve("a"), 2, primary.dataEndpoints[0], primary.controlEndpoints[0],
            engineContext(), (context) -> context
            .nanoClock(replicaClock)
            .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(50))
            .heartbeatTimeoutNs(TimeUnit.MINUTES.toNanos(5)));
        final ReplicationMetrics metrics = primary.metrics;
        await(() -> metrics.persistedWireSeq(0) == 500, () -> "stream");
        assertEquals(0, primary.senders[0].heartbeatTimeouts());

        replicaClock.freeze();
        await(() -> primary.senders[0].heartbeatTimeouts() == 1, () -> "heartbeat timeout");
        assertEquals(ReplicationSenderAgent.State.AWAITING_HANDSHAKE, primary.senders[0].state());
        assertFalse(metrics.isActive(0));
        assertEquals(0, metrics.persistedWireSeq(0));
        assertEquals(0, metrics.inMemoryWireSeq(0));
        assertEquals(0, primary.senders[0].imageLosses());
        assertEquals(ReplicaAgent.State.FOLLOWING, replicaA.agent.state());
        assertEquals(500, replicaA.agent.persistedWireSeq());
    }

    /** System time until frozen, then stopped at that instant. */
    static final class FreezableClock implements NanoClock
    {
        private volatile long frozenAtNs = Long.MIN_VALUE;

        void freeze()
        {
            frozenAtNs = System.nanoTime();
        }

        public long nanoTime()
        {
            final long frozen = frozenAtNs;
            return frozen == Long.MIN_VALUE ? System.nanoTime() : frozen;
        }
    }

    @Test
    void shouldDeactivateSlotWhenReplicaControlImageIsLost()
    {
        primary = new Primary(dir.resolve("primary"), 1,
            (context) -> context.heartbeatTimeoutNs(TimeUnit.MINUTES.toNanos(5)));
        primary.append(500);
        replicaA = new Replica(dir.resolve("a"), 2, primary, 0);
        final ReplicationMetrics metrics = primary.metrics;
        await(() -> metrics.persistedWireSeq(0) == 500, () -> "stream");

        replicaA.stopAgent();
        await(() -> primary.senders[0].imageLosses() == 1, () -> "image loss");
        assertFalse(metrics.isActive(0));
        assertEquals(0, metrics.persistedWireSeq(0));
        assertEquals(0, primary.senders[0].heartbeatTimeouts());
    }
}
