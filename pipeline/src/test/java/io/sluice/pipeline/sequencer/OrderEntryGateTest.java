package io.sluice.pipeline.sequencer;

import io.sluice.durability.DurabilityControl;
import io.sluice.durability.DurabilityEvaluator;
import io.sluice.durability.DurabilityMode;
import io.sluice.durability.ReplicationMetrics;
import io.sluice.journal.Journal;
import io.sluice.journal.JournalAgent;
import io.sluice.journal.SnapshotStore;
import io.sluice.matching.MatchingContext;
import io.sluice.matching.MatchingEngine;
import io.sluice.matching.SilentListener;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.AtomicLongPosition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OrderEntryGateTest
{
    private final DurabilityControl control = new DurabilityControl(DurabilityMode.LOCAL.policy());
    private final ReplicationMetrics replicas = new ReplicationMetrics(2);
    private final AtomicBoolean fenced = new AtomicBoolean();
    private final OrderEntryGate gate = new OrderEntryGate(evaluator(), evaluator(), fenced::get);
    private Journal journal;

    @TempDir
    Path dir;

    @AfterEach
    void close()
    {
        if (journal != null)
        {
            journal.close();
        }
    }

    private DurabilityEvaluator evaluator()
    {
        return new DurabilityEvaluator(control, () -> 0, replicas);
    }

    private JournalAgent journalAgent() throws IOException
    {
        journal = Journal.open(new Journal.Context().directory(dir.resolve("journal")));
        journal.recover(new SnapshotStore(journal.snapshotDirectory()), new ExchangeStateMachine(
            new CommandApplier(new MatchingEngine(new MatchingContext(), SilentListener.INSTANCE))));
        return new JournalAgent(journal, new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(64 * 1024 + RingBufferDescriptor.TRAILER_LENGTH))), new AtomicLongPosition());
    }

    @Test
    void shouldStayClosedUntilItWatchesTheJournalAgent() throws IOException
    {
        assertEquals(OrderEntryGate.JOURNAL_NOT_STARTED, gate.haltReason());
        assertEquals(OrderEntryGate.JOURNAL_NOT_STARTED, gate.statusHaltReason());

        gate.watch(journalAgent());

        assertNull(gate.haltReason());
        assertNull(gate.statusHaltReason());
    }

    @Test
    void shouldHaltForTheOperatorAndResumeWhenLifted() throws IOException
    {
        gate.watch(journalAgent());

        gate.operatorHalt(true);
        assertTrue(gate.operatorHalt());
        assertEquals(OrderEntryGate.OPERATOR_HALT, gate.haltReason());

        gate.operatorHalt(false);
        assertNull(gate.haltReason());
    }

    @Test
    void shouldHaltForGoodOnceFenced() throws IOException
    {
        gate.watch(journalAgent());
        fenced.set(true);

        assertEquals(OrderEntryGate.FENCED, gate.haltReason());
        assertEquals(OrderEntryGate.FENCED, gate.statusHaltReason());
    }

    @Test
    void shouldSayShuttingDownBeforeAnyOtherReason() throws IOException
    {
        gate.watch(journalAgent());
        fenced.set(true);
        gate.operatorHalt(true);
        gate.shuttingDown();

        assertEquals(OrderEntryGate.SHUTTING_DOWN, gate.haltReason());
    }

    @Test
    void shouldHaltWhileThePolicyNeedsMoreNodesThanAreConnected() throws IOException
    {
        gate.watch(journalAgent());
        control.swap(DurabilityMode.HYBRID);

        assertTrue(gate.policyDegraded());
        assertEquals(OrderEntryGate.POLICY_DEGRADED, gate.haltReason());
        assertEquals(OrderEntryGate.POLICY_DEGRADED, gate.statusHaltReason());

        replicas.activate(0, 0, 0);

        assertFalse(gate.policyDegraded());
        assertNull(gate.haltReason());
    }

    @Test
    void shouldLetTheNodesOwnCommandsThroughAnOperatorHaltAndADegradedPolicyButNotAFence() throws IOException
    {
        assertEquals(OrderEntryGate.JOURNAL_NOT_STARTED, gate.nodeCommandHaltReason());
        gate.watch(journalAgent());
        gate.operatorHalt(true);
        control.swap(DurabilityMode.HYBRID);

        assertNull(gate.nodeCommandHaltReason(), "a KILL during a HALT still cancels");

        fenced.set(true);
        assertEquals(OrderEntryGate.FENCED, gate.nodeCommandHaltReason(), "a fenced node adds nothing to its journal");
    }
}
