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
    void shouldRunStandaloneExampleWithLocalDurability()
    {
        final NodeConfig config = NodeConfig.load(CONFIG_DIR.resolve("standalone.conf"), Map.of());

        assertEquals("local", config.get(NodeConfig.DURABILITY));
        assertEquals(7001, config.get(NodeConfig.CLIENT_BIND).getPort());
    }
}
