package io.sluice.durability;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference evaluator's test table, case by case, plus the attribution minimum and the replica race windows
 * (B1: seed before active; B2: zero before inactive).
 */
class PolicyEvaluationTest
{
    private static final long[] IGNORED = { 999, 999 };

    /** Two slots with the given cursors; an inactive slot still holds its cursors, which the view must ignore. */
    private static ReplicationMetrics metrics(
        final long[] slot0, final boolean active0, final long[] slot1, final boolean active1)
    {
        final ReplicationMetrics metrics = new ReplicationMetrics(2);
        set(metrics, 0, slot0, active0);
        set(metrics, 1, slot1, active1);
        return metrics;
    }

    private static void set(final ReplicationMetrics metrics, final int slot, final long[] cursors, final boolean active)
    {
        if (active)
        {
            metrics.activate(slot, cursors[0], cursors[1]);
        }
        else
        {
            metrics.onAck(slot, cursors[0], cursors[1], 0);
        }
    }

    private static long[] cursors(final long inMemory, final long persisted)
    {
        return new long[]{ inMemory, persisted };
    }

    private static EvalStatus evaluate(final String policy, final long journalPos, final ReplicationMetrics metrics)
    {
        return new DurabilityEvaluator(new DurabilityControl(Policy.parse(policy)), () -> journalPos, metrics)
            .evaluate();
    }

    private static long minReplicaPersisted(final ReplicationMetrics metrics)
    {
        return new CursorView(1 + metrics.slotCount()).capture(0, metrics).minReplicaPersistedWireSeq();
    }

    // Standalone: no replica slots, only the primary in the view.

    @Test
    void shouldGateStandalonePersistedOneOnJournal()
    {
        assertEquals(500, evaluate("persisted>=1", 500, new ReplicationMetrics(0)).durablePos());
    }

    @Test
    void shouldNeverOpenStandaloneStrictPersistedTwoAndFlagDegraded()
    {
        final EvalStatus status = evaluate("persisted>=2", 500, new ReplicationMetrics(0));
        assertEquals(0, status.durablePos());
        assertTrue(status.degraded(), "two copies asked for, one node: structurally unsatisfiable");
    }

    // Both replicas connected.

    @Test
    void shouldGateQuorumOnSecondLargestPersistedWhenBothReplicasAheadOfJournal()
    {
        final ReplicationMetrics m = metrics(cursors(100, 100), true, cursors(120, 120), true);
        assertEquals(100, evaluate("persisted>=2", 50, m).durablePos());
    }

    @Test
    void shouldGateQuorumOnSecondLargestPersistedWhenJournalAheadOfBothReplicas()
    {
        final ReplicationMetrics m = metrics(cursors(100, 100), true, cursors(120, 120), true);
        assertEquals(120, evaluate("persisted>=2", 500, m).durablePos());
    }

    @Test
    void shouldGateQuorumOnJournalWhenJournalBetweenSlowAndFastReplica()
    {
        final ReplicationMetrics m = metrics(cursors(50, 50), true, cursors(200, 200), true);
        assertEquals(150, evaluate("persisted>=2", 150, m).durablePos());
    }

    // One replica connected.

    @Test
    void shouldRequireBothSurvivorsForStrictPersistedTwoWithSingleReplica()
    {
        final ReplicationMetrics m = metrics(cursors(100, 100), true, IGNORED, false);
        assertEquals(50, evaluate("persisted>=2", 50, m).durablePos());
        assertEquals(100, evaluate("persisted>=2", 200, m).durablePos());
    }

    @Test
    void shouldOpenAtSlowerSurvivorWithoutDegradingWhenSingleReplicaMeetsPersistedTwo()
    {
        final ReplicationMetrics m = metrics(cursors(100, 100), true, IGNORED, false);
        final EvalStatus status = evaluate("persisted>=2", 50, m);
        assertEquals(50, status.durablePos());
        assertFalse(status.degraded());
    }

    @Test
    void shouldStallStrictPolicyWhenBothReplicasDisconnected()
    {
        final ReplicationMetrics m = metrics(IGNORED, false, IGNORED, false);
        assertEquals(0, evaluate("persisted>=2", 500, m).durablePos());
    }

    @Test
    void shouldStallAndFlagDegradedWhenBothReplicasDisconnected()
    {
        final ReplicationMetrics m = metrics(IGNORED, false, IGNORED, false);
        final EvalStatus status = evaluate("persisted>=2", 500, m);
        assertEquals(0, status.durablePos());
        assertTrue(status.degraded());
    }

    // Mixed levels.

    @Test
    void shouldTakeMinimumOverClausesForPersistedOneAndInMemoryTwo()
    {
        // persisted>=1: max(50, 20) = 50; in_memory>=2: {MAX, max(80, 20)} -> 80; min = 50.
        final ReplicationMetrics m = metrics(cursors(80, 20), true, IGNORED, false);
        assertEquals(50, evaluate("persisted>=1 && in_memory>=2", 50, m).durablePos());
    }

    // Journal at zero.

    @Test
    void shouldOpenAtFastestReplicaWhenJournalAtZeroWithPersistedOne()
    {
        final ReplicationMetrics m = metrics(cursors(100, 100), true, cursors(200, 200), true);
        assertEquals(200, evaluate("persisted>=1", 0, m).durablePos());
    }

    // Attribution minimum over connected replicas.

    @Test
    void shouldSkipDisconnectedSlotsInAttributionMinimum()
    {
        final ReplicationMetrics m = metrics(cursors(150, 100), true, IGNORED, false);
        assertEquals(100, minReplicaPersisted(m));
    }

    @Test
    void shouldReturnMaxAttributionMinimumWhenStandalone()
    {
        assertEquals(Long.MAX_VALUE, minReplicaPersisted(new ReplicationMetrics(0)));
    }

    @Test
    void shouldTakeSmallerAttributionMinimumWhenBothConnected()
    {
        final ReplicationMetrics m = metrics(cursors(150, 100), true, cursors(180, 80), true);
        assertEquals(80, minReplicaPersisted(m));
    }

    // Fresh cluster.

    @Test
    void shouldIncludeFreshClusterZeroCursorsInView()
    {
        final ReplicationMetrics m = metrics(cursors(0, 0), true, cursors(0, 0), true);
        final EvalStatus status = evaluate("persisted>=2", 0, m);
        assertEquals(0, status.durablePos());
        assertFalse(status.degraded(), "all three nodes present: the view meets the clause's count");
    }

    // Race windows around the active flag.

    @Test
    void shouldNotFreezeGateOnReconnectOnceCursorsAreSeeded()
    {
        // B1 after the fix: cursors seeded to the handshake's 480 before active; the gate sits at the slower node.
        final ReplicationMetrics m = metrics(cursors(480, 480), true, IGNORED, false);
        assertEquals(480, evaluate("persisted>=2", 500, m).durablePos());
    }

    @Test
    void shouldFreezeAtZeroWhenActiveSlotHasUnseededCursors()
    {
        // B1 without the fix: active with zero cursors stalls the gate at 0 (what seeding first avoids).
        final ReplicationMetrics m = metrics(cursors(0, 0), true, IGNORED, false);
        assertEquals(0, evaluate("persisted>=2", 500, m).durablePos());
    }

    @Test
    void shouldNotOpenGateSpuriouslyInDisconnectWindow()
    {
        // B2: a reader sees the slot still active with its cursors already zeroed: the gate stalls, never opens.
        final ReplicationMetrics m = metrics(cursors(0, 0), true, IGNORED, false);
        assertEquals(0, evaluate("persisted>=2", 500, m).durablePos());

        // After the disconnect the view is the primary alone: still 0, and now degraded.
        final ReplicationMetrics disconnected = metrics(cursors(0, 0), false, IGNORED, false);
        final EvalStatus after = evaluate("persisted>=2", 500, disconnected);
        assertEquals(0, after.durablePos());
        assertTrue(after.degraded());
    }

    @Test
    void shouldNeverOpenGateAboveZeroForZeroCursorRaceWindowAtAnyPrimaryPosition()
    {
        final ReplicationMetrics m = metrics(cursors(0, 0), true, IGNORED, false);
        for (final long primaryPos : new long[]{ 0, 1, 100, 500, 1_000_000_000L })
        {
            assertEquals(0, evaluate("persisted>=2", primaryPos, m).durablePos(), "primaryPos=" + primaryPos);
        }
    }

    // Sluice's own cases.

    @Test
    void shouldSeeReleaseOrderedTransitionsThroughReplicationMetrics()
    {
        final ReplicationMetrics m = new ReplicationMetrics(2);
        m.onAck(0, 700, 700, 0);
        assertEquals(1, new CursorView(3).capture(10, m).size(), "cursors of an inactive slot are never counted");

        m.activate(0, 480, 470);
        final CursorView view = new CursorView(3).capture(10, m);
        assertEquals(2, view.size());
        assertEquals(480, view.inMemoryWireSeq(1));
        assertEquals(470, view.persistedWireSeq(1));

        m.deactivate(0);
        assertFalse(m.isActive(0));
        assertEquals(0, m.inMemoryWireSeq(0));
        assertEquals(0, m.persistedWireSeq(0));
        assertEquals(1, new CursorView(3).capture(10, m).size());
    }

    @Test
    void shouldCountInMemoryAsLargerOfBothCursors()
    {
        // A persisted ack can arrive before the in-memory one: the node still holds 90 in memory.
        final ReplicationMetrics m = new ReplicationMetrics(1);
        m.activate(0, 40, 90);
        assertEquals(90, evaluate("in_memory>=2", 0, m).durablePos());
    }

    @Test
    void shouldOpenInMemoryOneAtPrimaryWithoutAnyCursor()
    {
        // The primary applied every command it replies to.
        final EvalStatus status = evaluate("in_memory>=1", 0, new ReplicationMetrics(0));
        assertEquals(Long.MAX_VALUE, status.durablePos());
        assertFalse(status.degraded());
    }

    @Test
    void shouldEvaluateNamedModesOnHealthyAndDegradedClusters()
    {
        final ReplicationMetrics healthy = metrics(cursors(300, 200), true, cursors(250, 100), true);
        assertEquals(400, evaluate(DurabilityMode.LOCAL.policy().expression(), 400, healthy).durablePos());
        assertEquals(300, evaluate(DurabilityMode.HYBRID.policy().expression(), 400, healthy).durablePos());
        assertEquals(200, evaluate(DurabilityMode.DURABLY_REPLICATED.policy().expression(), 400, healthy).durablePos());
        assertEquals(300, evaluate(DurabilityMode.REPLICATED.policy().expression(), 400, healthy).durablePos());

        final ReplicationMetrics alone = metrics(IGNORED, false, IGNORED, false);
        assertFalse(evaluate(DurabilityMode.LOCAL.policy().expression(), 400, alone).degraded());
        assertTrue(evaluate(DurabilityMode.HYBRID.policy().expression(), 400, alone).degraded());
        assertTrue(evaluate(DurabilityMode.DURABLY_REPLICATED.policy().expression(), 400, alone).degraded());
        assertTrue(evaluate(DurabilityMode.REPLICATED.policy().expression(), 400, alone).degraded());
    }

    @Test
    void shouldFlagDegradedForThreeNodesWithOneReplicaDown()
    {
        final ReplicationMetrics m = metrics(cursors(100, 100), true, IGNORED, false);
        final EvalStatus status = evaluate("persisted>=3", 100, m);
        assertTrue(status.degraded());
        assertEquals(0, status.durablePos());
    }
}
