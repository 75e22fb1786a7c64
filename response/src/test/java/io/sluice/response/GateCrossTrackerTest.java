package io.sluice.response;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GateCrossTrackerTest
{
    @Test
    void shouldRecordJournalWhenStrictlyBelow()
    {
        final GateCrossTracker t = new GateCrossTracker(10);
        t.observe(5, 100, 1_000);
        t.observe(15, 100, 2_000);
        assertTrue(t.journalCrossed());
        assertEquals(2_000, t.journalCrossedNs());
        assertFalse(t.replicaCrossed(), "replica was already past at entry");
    }

    @Test
    void shouldRecordReplicaWhenStrictlyBelow()
    {
        final GateCrossTracker t = new GateCrossTracker(10);
        t.observe(50, 5, 1_000);
        t.observe(50, 12, 2_000);
        assertFalse(t.journalCrossed());
        assertTrue(t.replicaCrossed());
        assertEquals(2_000, t.replicaCrossedNs());
    }

    @Test
    void shouldRecordBothWhenBothBelow()
    {
        final GateCrossTracker t = new GateCrossTracker(100);
        t.observe(50, 60, 1_000);
        t.observe(105, 60, 2_000);
        t.observe(105, 110, 3_000);
        assertEquals(2_000, t.journalCrossedNs());
        assertEquals(3_000, t.replicaCrossedNs());
        assertTrue(t.journalCrossed() && t.replicaCrossed());
    }

    @Test
    void shouldSkipCursorAlreadyPastAtEntry()
    {
        final GateCrossTracker t = new GateCrossTracker(10);
        t.observe(50, 100, 1_000);
        t.observe(60, 110, 2_000);
        assertFalse(t.journalCrossed());
        assertFalse(t.replicaCrossed());
    }

    @Test
    void shouldDecideFromFirstObservationOnly()
    {
        // A cursor past at entry that later reads lower (cursors do not go back, but the rule is the first snapshot).
        final GateCrossTracker t = new GateCrossTracker(10);
        t.observe(50, 5, 1_000);
        t.observe(20, 12, 2_000);
        assertFalse(t.journalCrossed());
        assertTrue(t.replicaCrossed());
        assertEquals(2_000, t.replicaCrossedNs());
    }

    @Test
    void shouldHoldFirstCrossOnly()
    {
        final GateCrossTracker t = new GateCrossTracker(10);
        t.observe(5, 100, 1_000);
        t.observe(15, 100, 2_000);
        t.observe(25, 100, 3_000);
        assertEquals(2_000, t.journalCrossedNs());
    }

    @Test
    void shouldForgetPreviousWaitOnReset()
    {
        final GateCrossTracker t = new GateCrossTracker(10);
        t.observe(5, 5, 1_000);
        t.observe(15, 15, 2_000);
        t.reset(20);
        assertFalse(t.journalCrossed());
        assertFalse(t.replicaCrossed());
        assertEquals(20, t.neededWireSeq());
        t.observe(15, 25, 3_000);
        t.observe(21, 25, 4_000);
        assertEquals(4_000, t.journalCrossedNs());
        assertFalse(t.replicaCrossed());
    }
}
