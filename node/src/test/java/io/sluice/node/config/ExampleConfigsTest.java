package io.sluice.node.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExampleConfigsTest
{
    private static final Path CONFIG_DIR = Path.of("..", "config");

    @Test
    void shouldLoadEveryExampleConfig() throws IOException
    {
        int loaded = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(CONFIG_DIR, "*.conf"))
        {
            for (final Path file : files)
            {
                final NodeConfig config = NodeConfig.load(file, Map.of());
                assertFalse(config.instruments().isEmpty(), file + " defines instruments");
                assertTrue(config.dataDir().startsWith(CONFIG_DIR.toAbsolutePath().getParent().normalize()),
                    file + " keeps its data inside the repository: " + config.dataDir());
                loaded++;
            }
        }
        assertTrue(loaded >= 1);
    }

    @Test
    void shouldDescribeASymmetricThreeNodeClusterOnDistinctPorts()
    {
        final NodeConfig[] nodes = {
            NodeConfig.load(CONFIG_DIR.resolve("primary.conf"), Map.of()),
            NodeConfig.load(CONFIG_DIR.resolve("replica-a.conf"), Map.of()),
            NodeConfig.load(CONFIG_DIR.resolve("replica-b.conf"), Map.of()) };

        // Every node can be primary (a slot for each other node) or replica (a data bind, and the control endpoint
        // of its slot on each other node): whichever is primary, each other node's handshakes reach the slot that
        // streams to its data bind.
        for (int primary = 0; primary < nodes.length; primary++)
        {
            assertTrue(nodes[primary].isReplicaConfig(), "node " + (primary + 1) + " can follow");
            assertEquals(2, nodes[primary].replicaCount(), "node " + (primary + 1) + " can lead");
            for (int follower = 0; follower < nodes.length; follower++)
            {
                if (follower == primary)
                {
                    continue;
                }
                final NodeConfig replica = nodes[follower];
                final long slots = nodes[primary].replicas().stream()
                    .filter(slot -> slot.data().equals(replica.get(NodeConfig.REPLICATION_DATA_BIND)) &&
                        replica.get(NodeConfig.REPLICATION_PRIMARY_CONTROL).contains(slot.control()))
                    .count();
                assertEquals(1, slots, "node " + (primary + 1) + " has one slot for node " + (follower + 1));
            }
            assertEquals(nodes[0].instruments(), nodes[primary].instruments());
        }
        final java.util.Set<String> ports = new java.util.HashSet<>();
        for (final NodeConfig config : nodes)
        {
            assertTrue(ports.add("tcp " + config.get(NodeConfig.CLIENT_BIND).getPort()));
            assertTrue(ports.add("tcp " + config.get(NodeConfig.ADMIN_BIND).getPort()));
            assertTrue(ports.add("tcp " + config.get(NodeConfig.HTTP_BIND).getPort()));
            assertTrue(ports.add("udp " + config.get(NodeConfig.REPLICATION_DATA_BIND).getPort()));
            config.replicas().forEach(slot -> assertTrue(ports.add("udp " + slot.control().getPort()),
                "control endpoint " + slot.control() + " bound once"));
        }
        assertFalse(nodes[0].dataDir().equals(nodes[1].dataDir()) || nodes[1].dataDir().equals(nodes[2].dataDir()));
    }

    @Test
    void shouldRunStandaloneExampleWithLocalDurability()
    {
        final NodeConfig config = NodeConfig.load(CONFIG_DIR.resolve("standalone.conf"), Map.of());

        assertEquals("local", config.get(NodeConfig.DURABILITY));
        assertEquals(7001, config.get(NodeConfig.CLIENT_BIND).getPort());
    }
}
