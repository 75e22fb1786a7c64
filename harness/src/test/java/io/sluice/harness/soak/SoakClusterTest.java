package io.sluice.harness.soak;

import io.sluice.node.config.NodeConfig;
import io.sluice.node.config.ReplicaSlotConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SoakClusterTest
{
    @TempDir
    Path dir;

    @Test
    void shouldWireEveryNodeAsPrimaryOfTheOthersAndReplicaOfEither() throws Exception
    {
        try (SoakCluster cluster = new SoakCluster(dir, new SoakContext().snapshotIntervalEntries(2_000)))
        {
            final List<SoakCluster.Node> nodes = cluster.nodes();
            assertEquals(SoakCluster.NODES, nodes.size());
            for (final SoakCluster.Node primary : nodes)
            {
                final NodeConfig primaryConfig = NodeConfig.load(primary.configFile, Map.of());
                assertTrue(primaryConfig.isReplicaConfig(), "each node can also be started as a replica");
                assertEquals(SoakCluster.NODES - 1, primaryConfig.replicas().size());
                assertEquals(2_000L, primaryConfig.get(NodeConfig.SNAPSHOT_INTERVAL_ENTRIES));
                int slot = 0;
                for (final SoakCluster.Node replica : nodes)
                {
                    if (replica == primary)
                    {
                        continue;
                    }
                    // The primary's slot for this replica streams to its data bind and listens where the replica
                    // sends its control messages.
                    final NodeConfig replicaConfig = NodeConfig.load(replica.configFile, Map.of());
                    final ReplicaSlotConfig slotConfig = primaryConfig.replicas().get(slot++);
                    assertEquals(replicaConfig.get(NodeConfig.REPLICATION_DATA_BIND), slotConfig.data());
                    final List<InetSocketAddress> control = replicaConfig.get(NodeConfig.REPLICATION_PRIMARY_CONTROL);
                    assertTrue(control.contains(slotConfig.control()), replica + " sends to " + control);
                }
            }
            assertEquals(List.of(nodes.get(0).clientAddress, nodes.get(1).clientAddress, nodes.get(2).clientAddress),
                cluster.clientEndpoints());
        }
    }

    @Test
    void shouldReadStatusKeysButNotFromQuotedText()
    {
        final SoakCluster.Status replica = new SoakCluster.Status(List.of(
            "OK role=replica state=REJECTED epoch=2",
            "primary_node=3 primary_epoch=2 primary_wire_seq=900",
            "applied_wire_seq=812 persisted_wire_seq=810 lag=88",
            "policy=hybrid",
            "refused=DIVERGED reason=\"entry wireSeq=812 differs state=FOLLOWING\""));

        assertFalse(replica.isPrimary());
        assertEquals("REJECTED", replica.state());
        assertFalse(replica.following());
        assertEquals(812, replica.getLong("applied_wire_seq"));
        assertEquals("DIVERGED", replica.refused());
        assertTrue(SoakCluster.refusal(null, replica).contains("REJECTED"));

        final SoakCluster.Status primary = new SoakCluster.Status(List.of(
            "OK role=primary epoch=2",
            "trading=halted reason=\"wire_seq=1 policy cannot be met\"",
            "wire_seq=1234 journal_persisted_wire_seq=1234"));
        assertTrue(primary.isPrimary());
        assertEquals(1234, primary.getLong("wire_seq"));
        assertEquals("halted", primary.get("trading"));
        assertNull(primary.refused());
    }
}
