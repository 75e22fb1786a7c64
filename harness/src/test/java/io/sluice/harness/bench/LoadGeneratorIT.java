package io.sluice.harness.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.node.config.NodeConfig;
import io.sluice.node.primary.PrimaryNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bench against a real standalone primary in this JVM, over loopback TCP.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LoadGeneratorIT
{
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);

    @TempDir
    Path dir;

    private PrimaryNode node;

    @AfterEach
    void stop()
    {
        if (node != null)
        {
            node.close();
        }
    }

    private PrimaryNode start() throws Exception
    {
        final Map<String, String> keys = StandaloneConfig.keys(dir.resolve("data"), "local",
            BenchContext.DEFAULT_INSTRUMENTS);
        node = PrimaryNode.start(NodeConfig.parse(keys, dir));
        return node;
    }

    @Test
    void shouldWriteEveryContractFieldForAnOpenLoopRun() throws Exception
    {
        start();
        final BenchResult result = LoadGenerator.run(new BenchContext()
            .endpoint(node.clientAddress())
            .adminEndpoint(node.adminAddress())
            .ratePerSecond(1_000)
            .connections(3)
            .warmupNs(SECOND_NS / 2)
            .durationNs(2 * SECOND_NS));
        final Path file = dir.resolve("bench.json");
        BenchReport.writeJson(result, file);

        final JsonNode json = BenchReport.parse(Files.readString(file, StandardCharsets.UTF_8));
        BenchContract.assertCleanRun(json);
        assertEquals(2_000, BenchContract.count(json, "sent"), "1,000/s for 2 s after the warm-up");
        assertEquals("local", json.get("durability").textValue());
        assertEquals(0, BenchContract.count(json, "replicas"));
        assertEquals("open-loop", json.get("mode").textValue());
        assertEquals(2_500, node.lastWireSeq(), "every request, warm-up included, was sequenced exactly once");
        assertTrue(result.passed());
    }

    @Test
    void shouldKeepTheWindowFullInClosedLoop() throws Exception
    {
        start();
        final BenchResult result = LoadGenerator.run(new BenchContext()
            .endpoint(node.clientAddress())
            .window(4)
            .connections(2)
            .warmupNs(SECOND_NS / 4)
            .durationNs(SECOND_NS));

        final JsonNode json = BenchReport.parse(BenchReport.json(result));
        BenchContract.assertCleanRun(json);
        assertEquals("closed-loop", json.get("mode").textValue());
        assertEquals("unknown", json.get("durability").textValue(), "no admin endpoint given");
        assertTrue(json.has("replicas"));
        assertTrue(json.get("replicas").isNull(), "unknown without an admin endpoint");
        assertTrue(node.lastWireSeq() >= result.sent(), "all measured requests reached the sequencer");
    }
}
