package io.sluice.harness.floor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.durability.DurabilityMode;
import io.sluice.durability.Policy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every path of the floor end to end, briefly: TCP and Aeron echoes in child JVMs, both syncs in a temporary
 * directory, the four named policies composed. Checks the report's shape, not its figures.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FloorIT
{
    @TempDir
    Path dir;

    @Test
    void shouldMeasureEveryPathComposeEveryPolicyAndStopEveryEcho() throws Exception
    {
        final List<Policy> policies = List.of(DurabilityMode.LOCAL.policy(), DurabilityMode.REPLICATED.policy(),
            DurabilityMode.HYBRID.policy(), DurabilityMode.DURABLY_REPLICATED.policy());
        final FloorContext context = FloorContext.quickRun().seconds(0.5).warmupSeconds(0.2).draws(10_000).conclude();

        final FloorResult result = Floor.measure(context, policies, dir, null);
        result.idleCpuNote("not measured by this test");
        final Path report = dir.resolve("floor.json");
        result.writeJson(report);

        final JsonNode json = new ObjectMapper().readTree(report.toFile());
        for (final String path : List.of("tcp_rtt_us", "aeron_rtt_us", "sync_us", "sync_journal_us", "sync_raw_us"))
        {
            for (final String key : List.of("p50", "p90", "p99", "p99_9", "max", "count"))
            {
                assertTrue(json.get(path).get(key).asDouble() > 0, path + "." + key + " in " + json);
            }
        }
        for (final Policy policy : policies)
        {
            final JsonNode floor = json.get("policy_floor_us").get(policy.description());
            assertTrue(floor.get("p50").asDouble() > 0, policy.description() + " in " + json);
            assertTrue(floor.get("p99").asDouble() >= floor.get("p50").asDouble(), floor.toString());
            assertTrue(floor.get("p50").asDouble() >= json.get("tcp_rtt_us").get("p50").asDouble() / 2,
                "a floor has a TCP round trip in it: " + floor);
        }
        assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(),
            "every echo JVM stopped");
        try (Stream<Path> files = Files.walk(dir))
        {
            assertFalse(files.anyMatch((file) -> file.getFileName().toString().equals("cnc.dat")),
                "every Aeron directory removed by its driver");
        }
    }
}
