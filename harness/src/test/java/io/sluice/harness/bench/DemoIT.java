package io.sluice.harness.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.harness.HarnessCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sluice demo} end to end: a primary in a child JVM, the bench in this one.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DemoIT
{
    @TempDir
    Path dir;

    private static Set<Path> demoDirectories() throws IOException
    {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir"))))
        {
            return files.filter(path -> path.getFileName().toString().startsWith("sluice-demo-"))
                .collect(Collectors.toSet());
        }
    }

    @Test
    void shouldAnswerEveryRequestWriteTheReportAndCleanUp() throws Exception
    {
        final Set<Path> before = demoDirectories();
        final Path json = dir.resolve("demo.json");

        final int exitCode = HarnessCommands.run("demo", "--replicas", "0", "--seconds", "3", "--warmup-seconds", "1",
            "--rate", "1000", "--json", json.toString(), "--quiet", "--no-floor");

        assertEquals(0, exitCode, "every request answered");
        final JsonNode report = BenchReport.parse(Files.readString(json, StandardCharsets.UTF_8));
        BenchContract.assertCleanRun(report);
        assertEquals(3_000, BenchContract.count(report, "sent"), "1,000/s for 3 s after the warm-up");
        assertEquals("local", report.get("durability").textValue(), "as the node reported it");
        assertEquals(0, BenchContract.count(report, "replicas"));
        assertFalse(report.has("floor"), "--no-floor");
        final Set<Path> left = new HashSet<>(demoDirectories());
        left.removeAll(before);
        assertEquals(Set.of(), left, "the demo removed its temporary directory");
    }

    @Test
    void shouldRunWithTwoReplicasUnderHybridAndReportTheStageBreakdown() throws Exception
    {
        final Path json = dir.resolve("demo-replicated.json");

        final int exitCode = HarnessCommands.run("demo", "--seconds", "2", "--warmup-seconds", "1", "--rate", "500",
            "--json", json.toString(), "--quiet");

        assertEquals(0, exitCode, "every request answered");
        final String text = Files.readString(json, StandardCharsets.UTF_8);
        final JsonNode report = BenchReport.parse(text);
        BenchContract.assertCleanRun(report);
        assertEquals("hybrid", report.get("durability").textValue(),
            "hybrid is the default with replicas; read through the admin port, which runs with auth on and takes only " +
            "the demo's generated operator key");
        assertEquals(2, BenchContract.count(report, "replicas"));
        assertTrue(text.contains("\"stages_us\":{\"ingest_wait\":"), text);
        assertTrue(text.contains("\"gate_replica_wait\":"), text);
        assertFloor(report);
    }

    /** The floor of the demo's hybrid policy, measured in the same run, and Sluice as a ratio to it. */
    private static void assertFloor(final JsonNode report)
    {
        final JsonNode floor = report.get("floor");
        assertEquals("hybrid", floor.get("policy").textValue(), "" + floor);
        for (final String key : List.of("floor_p50_us", "floor_p99_us", "sluice_p50_us", "sluice_p99_us",
            "p50_ratio", "p99_ratio"))
        {
            assertTrue(floor.get(key).doubleValue() > 0, key + " in " + floor);
        }
        for (final String path : List.of("tcp_rtt_us", "aeron_rtt_us", "sync_us"))
        {
            final JsonNode percentiles = floor.get(path);
            assertTrue(percentiles.get("p50").doubleValue() > 0 && percentiles.get("p99").doubleValue() > 0,
                path + " " + floor);
        }
        final JsonNode hybrid = floor.get("policy_floor_us").get("hybrid");
        assertEquals(floor.get("floor_p99_us").doubleValue(), hybrid.get("p99").doubleValue());
        final JsonNode idle = floor.get("idle_cpu_percent_of_core");
        if (idle != null && !idle.isNull())
        {
            final List<String> names = new java.util.ArrayList<>();
            idle.fieldNames().forEachRemaining(names::add);
            assertEquals(List.of("primary", "replica-0", "replica-1", "total"), names);
            assertTrue(idle.get("total").doubleValue() >= 0, "a share of a core: " + idle);
        }
        else
        {
            assertTrue(floor.get("idle_cpu_note").isTextual(), "why not: " + floor);
        }
    }

    @Test
    void shouldRefuseAPolicyTheDemoNodesCannotMeet()
    {
        assertEquals(2, HarnessCommands.run("demo", "--replicas", "0", "--durability", "hybrid", "--seconds", "1"));
        assertEquals(2, HarnessCommands.run("demo", "--replicas", "1", "--durability", "persisted>=3", "--seconds", "1"));
    }
}
