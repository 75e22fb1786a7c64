package io.sluice.node.primary;

import io.sluice.response.ReplicationMetrics;

import java.util.ArrayList;
import java.util.List;

/**
 * What a primary reports about itself, for the admin STATUS command and the health endpoint.
 */
final class NodeStatus
{
    private NodeStatus()
    {
    }

    static List<String> lines(final PrimaryNode node)
    {
        final String haltReason = node.haltReason();
        final List<String> lines = new ArrayList<>();
        lines.add("OK role=primary epoch=" + node.sequencer().epoch());
        lines.add("trading=" + (haltReason == null ? "active" : "halted") +
            (haltReason == null ? "" : " reason=\"" + haltReason + "\""));
        lines.add("policy=" + node.durabilityControl().policy().description() +
            " policy_degraded=" + node.policyDegraded());
        lines.add("wire_seq=" + node.lastWireSeq() + " journal_persisted_wire_seq=" + node.journalPersistedWireSeq());
        final ReplicationMetrics metrics = node.replicationMetrics();
        lines.add("replicas_connected=" + metrics.activeCount() + " replica_slots=" + metrics.slotCount());
        for (int slot = 0; slot < metrics.slotCount(); slot++)
        {
            lines.add("replica[" + slot + "] active=" + metrics.isActive(slot) +
                " in_memory_wire_seq=" + metrics.inMemoryWireSeq(slot) +
                " persisted_wire_seq=" + metrics.persistedWireSeq(slot) +
                " lag=" + Math.max(0, node.lastWireSeq() - metrics.persistedWireSeq(slot)));
        }
        return lines;
    }
}
