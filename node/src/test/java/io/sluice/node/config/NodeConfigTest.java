package io.sluice.node.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeConfigTest
{
    @TempDir
    Path dir;

    private static Map<String, String> minimal()
    {
        final Map<String, String> raw = new HashMap<>();
        raw.put("data.dir", "data");
        return raw;
    }

    private NodeConfig parse(final Map<String, String> raw)
    {
        return NodeConfig.parse(raw, dir);
    }

    private String failure(final Map<String, String> raw)
    {
        return assertThrows(ConfigException.class, () -> parse(raw)).getMessage();
    }

    @Test
    void shouldApplyDefaultsAndResolveDataDirAgainstConfigFile()
    {
        final NodeConfig config = parse(minimal());

        assertEquals(1, config.get(NodeConfig.NODE_ID));
        assertEquals(7001, config.get(NodeConfig.CLIENT_BIND).getPort());
        assertEquals("every-group", config.get(NodeConfig.JOURNAL_SYNC));
        assertEquals(dir.resolve("data"), config.dataDir());
        assertEquals(null, config.get(NodeConfig.DURABILITY));
    }

    @Test
    void shouldLoadFileAndLetOverridesWin() throws IOException
    {
        final Path file = dir.resolve("node.conf");
        Files.writeString(file, "# a node\ndata.dir = d\nreader.shards = 3\n", StandardCharsets.UTF_8);

        final NodeConfig config = NodeConfig.load(file, Map.of("reader.shards", "5"));

        assertEquals(5, config.get(NodeConfig.READER_SHARDS));
        assertEquals(dir.resolve("d"), config.dataDir());
    }

    @Test
    void shouldRefuseUnknownKeyWithSuggestion()
    {
        final Map<String, String> raw = minimal();
        raw.put("reader.shard", "2");

        final String message = failure(raw);
        assertTrue(message.contains("unknown key 'reader.shard'"), message);
        assertTrue(message.contains("did you mean 'reader.shards'"), message);
    }

    @Test
    void shouldRefuseValueOutOfRangeNamingKey()
    {
        final Map<String, String> raw = minimal();
        raw.put("reader.shards", "0");

        final String message = failure(raw);
        assertTrue(message.startsWith("reader.shards='0'"), message);
        assertTrue(message.contains("[1, 64]"), message);
    }

    @Test
    void shouldRefuseNonNumber()
    {
        final Map<String, String> raw = minimal();
        raw.put("frame.max.bytes", "big");

        assertTrue(failure(raw).startsWith("frame.max.bytes='big': must be an integer"));
    }

    @Test
    void shouldRefuseRingThatIsNotPowerOfTwo()
    {
        final Map<String, String> raw = minimal();
        raw.put("ingest.ring.bytes", "100000");

        assertTrue(failure(raw).contains("power of two"));
    }

    @Test
    void shouldRequireDataDir()
    {
        assertEquals("data.dir is required", failure(new HashMap<>()));
    }

    @Test
    void shouldRefusePortClash()
    {
        final Map<String, String> raw = minimal();
        raw.put("client.bind", "127.0.0.1:9000");
        raw.put("http.bind", "127.0.0.1:9000");

        assertTrue(failure(raw).contains("http.bind port 9000 clashes with client.bind"));
    }

    @Test
    void shouldAllowSeveralEphemeralPorts()
    {
        final Map<String, String> raw = minimal();
        raw.put("client.bind", "127.0.0.1:0");
        raw.put("admin.bind", "127.0.0.1:0");
        raw.put("http.bind", "127.0.0.1:0");

        assertEquals(0, parse(raw).get(NodeConfig.ADMIN_BIND).getPort());
    }

    @Test
    void shouldRefuseBusySpinOnSharedThreads()
    {
        final Map<String, String> raw = minimal();
        raw.put("idle.strategy", "busy-spin");

        assertTrue(failure(raw).contains("threading=dedicated"));
    }

    @Test
    void shouldRequireKeysFileWhenAuthOn()
    {
        final Map<String, String> raw = minimal();
        raw.put("auth", "on");

        assertEquals("auth.keys.file is required when auth=on", failure(raw));
    }

    @Test
    void shouldRequireAReplicationKeyOnAnAuthenticatedNodeThatReplicates()
    {
        final Map<String, String> primary = minimal();
        primary.put("auth", "on");
        primary.put("auth.keys.file", "authorized_keys");
        primary.put("replication.replica.0.data", "127.0.0.1:7211");
        primary.put("replication.replica.0.control", "127.0.0.1:7212");
        assertTrue(failure(primary).startsWith("replication.key.file is required when auth=on and the node " +
            "replicates"), failure(primary));

        final Map<String, String> replica = minimal();
        replica.put("auth", "on");
        replica.put("auth.keys.file", "authorized_keys");
        replica.put("replication.data.bind", "127.0.0.1:7211");
        replica.put("replication.primary.control", "127.0.0.1:7212");
        assertTrue(failure(replica).startsWith("replication.key.file is required"), failure(replica));

        replica.put("replication.key.file", "keys/replica.key");
        assertEquals("keys/replica.key", parse(replica).get(NodeConfig.REPLICATION_KEY_FILE));
    }

    @Test
    void shouldRefuseAReplicationKeyWithAuthOff()
    {
        final Map<String, String> raw = minimal();
        raw.put("replication.key.file", "keys/replica.key");

        assertTrue(failure(raw).startsWith("replication.key.file needs auth=on"), failure(raw));
    }

    @Test
    void shouldRefuseDurabilityThatConfiguredNodesCannotMeet()
    {
        final Map<String, String> raw = minimal();
        raw.put("durability", "durably-replicated");

        final String message = failure(raw);
        assertTrue(message.startsWith("durability='durably-replicated' needs 2 nodes but this node has 0 replica(s)"),
            message);
    }

    @Test
    void shouldRefuseInvalidDurabilityExpression()
    {
        final Map<String, String> raw = minimal();
        raw.put("durability", "persisted>=0");

        assertTrue(failure(raw).startsWith("durability='persisted>=0': "));
    }

    @Test
    void shouldAcceptLocalAndExpressionsTheNodeCanMeet()
    {
        final Map<String, String> raw = minimal();
        raw.put("durability", "persisted>=1 && in_memory>=1");

        assertEquals("persisted>=1 && in_memory>=1", parse(raw).get(NodeConfig.DURABILITY));
    }

    @Test
    void shouldParseInstrument()
    {
        final Map<String, String> raw = minimal();
        putInstrument(raw, 7, "ACME");

        final InstrumentConfig instrument = parse(raw).instruments().get(0);
        assertEquals(new InstrumentConfig(7, "ACME", 5, 1, 1, 1000, 10_000, 500), instrument);
    }

    @Test
    void shouldRefuseInstrumentMissingField()
    {
        final Map<String, String> raw = minimal();
        putInstrument(raw, 7, "ACME");
        raw.remove("instrument.7.lot");

        assertTrue(failure(raw).startsWith("instrument.7.lot is missing"));
    }

    @Test
    void shouldRefuseReferencePriceOffTick()
    {
        final Map<String, String> raw = minimal();
        putInstrument(raw, 7, "ACME");
        raw.put("instrument.7.reference.price", "10001");

        assertTrue(failure(raw).contains("not a multiple of instrument.7.tick"));
    }

    @Test
    void shouldRefuseUnknownInstrumentField()
    {
        final Map<String, String> raw = minimal();
        putInstrument(raw, 7, "ACME");
        raw.put("instrument.7.colour", "red");

        assertTrue(failure(raw).contains("unknown key 'instrument.7.colour'"));
    }

    @Test
    void shouldDocumentEveryKey() throws IOException
    {
        final String docs = Files.readString(Path.of("..", "docs", "configuration.md"), StandardCharsets.UTF_8);

        for (final ConfigKey<?> key : NodeConfig.KEYS)
        {
            assertTrue(docs.contains("| `" + key.name() + "` |"), () -> key.name() + " is not in docs/configuration.md");
        }
        for (final String field : NodeConfig.INSTRUMENT_FIELDS)
        {
            assertTrue(docs.contains("instrument.1." + field), () -> field + " is not in docs/configuration.md");
        }
    }

    private static void putInstrument(final Map<String, String> raw, final int id, final String symbol)
    {
        final String prefix = "instrument." + id + ".";
        raw.put(prefix + "symbol", symbol);
        raw.put(prefix + "tick", "5");
        raw.put(prefix + "lot", "1");
        raw.put(prefix + "min.qty", "1");
        raw.put(prefix + "max.qty", "1000");
        raw.put(prefix + "reference.price", "10000");
        raw.put(prefix + "band.bps", "500");
    }
}
