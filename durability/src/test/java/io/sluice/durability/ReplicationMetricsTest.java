package io.sluice.durability;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicationMetricsTest
{
    @Test
    void shouldDefaultToTwoSlotsAndAllowStandaloneWithNone()
    {
        assertEquals(2, new ReplicationMetrics().slotCount());
        final ReplicationMetrics standalone = new ReplicationMetrics(0);
        assertEquals(0, standalone.slotCount());
        assertEquals(0, standalone.activeCount());
        assertEquals(1, new CursorView(1).capture(7, standalone).size());
        assertThrows(IndexOutOfBoundsException.class, () -> standalone.isActive(0));
        assertThrows(IllegalArgumentException.class, () -> new ReplicationMetrics(-1));
    }

    @Test
    void shouldSeedCursorsOnActivateAndZeroThemOnDeactivate()
    {
        final ReplicationMetrics metrics = new ReplicationMetrics(2);
        metrics.activate(1, 120, 110);
        assertTrue(metrics.isActive(1));
        assertFalse(metrics.isActive(0));
        assertEquals(120, metrics.inMemoryWireSeq(1));
        assertEquals(110, metrics.persistedWireSeq(1));
        assertEquals(1, metrics.activationCount(1));

        metrics.deactivate(1);
        assertFalse(metrics.isActive(1));
        assertEquals(0, metrics.inMemoryWireSeq(1));
        assertEquals(0, metrics.persistedWireSeq(1));

        metrics.activate(1, 130, 130);
        assertEquals(2, metrics.activationCount(1));
        assertEquals(130, metrics.persistedWireSeq(1));
    }

    @Test
    void shouldMoveCursorsOnlyForwardOnAck()
    {
        final ReplicationMetrics metrics = new ReplicationMetrics(1);
        metrics.activate(0, 10, 10);
        metrics.onAck(0, 20, 15, 3_000);
        metrics.onAck(0, 18, 12, 1_000);
        assertEquals(20, metrics.inMemoryWireSeq(0));
        assertEquals(15, metrics.persistedWireSeq(0));
        assertEquals(2, metrics.ackCount(0));
        assertEquals(1_000, metrics.lastAckLatencyNs(0));
        assertEquals(3_000, metrics.maxAckLatencyNs(0));
        assertEquals(4_000, metrics.totalAckLatencyNs(0));
    }

    @Test
    void shouldCountBytesSentPerSlot()
    {
        final ReplicationMetrics metrics = new ReplicationMetrics(2);
        metrics.addBytesSent(0, 100);
        metrics.addBytesSent(0, 50);
        metrics.addBytesSent(1, 7);
        assertEquals(150, metrics.bytesSent(0));
        assertEquals(7, metrics.bytesSent(1));
    }
}
