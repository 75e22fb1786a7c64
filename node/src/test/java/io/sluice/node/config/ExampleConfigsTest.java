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
    void shouldDescribeThreeNodeClusterOnDistinctPorts()
    {
        final NodeConfig primary = NodeConfig.load(CONFIG_DIR.resolve("primary.conf"), Map.of());
        final NodeConfig replicaA = NodeConfig.load(CONFIG_DIR.resolve("replica-a.conf"), Map.of());
        final NodeConfig replicaB = NodeConfig.load(CONFIG_DIR.resolve("replica-b.conf"), Map.of());

        assertEquals(2, primary.replicaCount());
        assertFalse(primary.isReplicaConfig());
        assertTrue(replicaA.isReplicaConfig() && replicaB.isReplicaConfig());
        assertEquals(primary.replicas().get(0).data(), replicaA.get(NodeConfig.REPLICATION_DATA_BIND));
        assertEquals(primary.replicas().get(0).control(), replicaA.get(NodeConfig.REPLICATION_PRIMARY_CONTROL).get(0));
        assertEquals(primary.replicas().get(1).data(), replicaB.get(NodeConfig.REPLICATION_DATA_BIND));
        assertEquals(primary.replicas().get(1).control(), replicaB.get(NodeConfig.REPLICATION_PRIMARY_CONTROL).get(0));
        // After a PROMOTE of either replica, the other one's handshakes reach the slot the new primary serves it on.
        assertEquals(replicaA.replicas().get(0).data(), replicaB.get(NodeConfig.REPLICATION_DATA_BIND));
        assertEquals(replicaA.replicas().get(0).control(), replicaB.get(NodeConfig.REPLICATION_PRIMARY_CONTROL).get(1));
        assertEquals(replicaB.replicas().get(0).data(), replicaA.get(NodeConfig.REPLICATION_DATA_BIND));
        assertEquals(replicaB.replicas().get(0).control(), replicaA.get(NodeConfig.REPLICATION_PRIMARY_CONTROL).get(1));
        assertEquals(primary.instruments(), replicaA.instruments());
        assertEquals(primary.instruments(), replicaB.instruments());
        final java.util.Set<Integer> ports = new java.util.HashSet<>();
        for (final NodeConfig config : new NodeConfig[]{ primary, replicaA, replicaB })
        {
            assertTrue(ports.add(config.get(NodeConfig.CLIENT_BIND).getPort()));
            assertTrue(ports.add(config.get(NodeConfig.ADMIN_BIND).getPort()));
            assertTrue(ports.add(config.get(NodeConfig.HTTP_BIND).getPort()));
        }
        assertFalse(primary.dataDir().equals(replicaA.dataDir()) || replicaA.dataDir().equals(replicaB.dataDir()));
    }

    @Test
    void shouldRunStandaloneExampleWithLocalDurability()
    {
        final NodeConfig config = NodeConfig.load(CONFIG_DIR.resolve("standalone.conf"), Map.of());

        assertEquals("local", config.get(NodeConfig.DURABILITY));
        assertEquals(7001, config.get(NodeConfig.CLIENT_BIND).getPort());
    }
}
