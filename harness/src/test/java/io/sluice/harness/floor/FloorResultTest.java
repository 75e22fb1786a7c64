package io.sluice.harness.floor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.durability.DurabilityMode;
import io.sluice.durability.Policy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FloorResultTest
{
    private static final List<String> SUMMARY_KEYS =
        List.of("p50", "p90", "p99", "p99_9", "p99_99", "max", "mean", "count");
    private static final List<Policy> NAMED = List.of(DurabilityMode.LOCAL.policy(),
        DurabilityMode.REPLICATED.policy(), DurabilityMode.HYBRID.policy(), DurabilityMode.DURABLY_REPLICATED.policy());

    @TempDir
    Path dir;

    /** TCP 50 us, Aeron 300 us, syncs 200 us the journal's way and 250 us raw. */
    private static FloorResult result()
    {
        return FloorResult.compose(FloorContext.quickRun().draws(1_000).conclude(), NAMED,
            Samples.of(50_000, 50_000), Samples.of(300_000), Samples.of(200_000), Samples.of(250_000, 250_000));
    }

    private static IdleCpu idle()
    {
        final Map<String, Double> percent = new LinkedHashMap<>();
        percent.put("primary", 28.0);
        percent.put("replica-0", 14.5);
        return new IdleCpu(percent, 42.5, 10.0);
    }

    private static JsonNode parse(final String text) throws IOException
    {
        return new ObjectMapper().readTree(text);
    }

    @Test
    void shouldWriteEveryContractKeyWithPositiveFigures() throws IOException
    {
        final FloorResult result = result();
        result.idleCpu(idle());
        final Path file = dir.resolve("out").resolve("floor.json");

        result.writeJson(file);
        final JsonNode json = parse(Files.readString(file, StandardCharsets.UTF_8));

        for (final String path : List.of("tcp_rtt_us", "aeron_rtt_us", "sync_us", "sync_journal_us", "sync_raw_us"))
        {
            for (final String key : SUMMARY_KEYS)
            {
                assertTrue(json.get(path).get(key).asDouble() > 0, path + "." + key + " in " + json);
            }
        }
        assertEquals(50.0, json.get("tcp_rtt_us").get("p50").asDouble(), 0.1);
        assertEquals(2, json.get("tcp_rtt_us").get("count").asInt());
        assertEquals("journal", json.get("sync_method").asText(), "the lower median of the two syncs");
        assertEquals(200.0, json.get("sync_us").get("p99").asDouble(), 0.2);
        for (final Policy policy : NAMED)
        {
            final JsonNode floor = json.get("policy_floor_us").get(policy.description());
            assertTrue(floor.get("p50").asDouble() > 0 && floor.get("p99").asDouble() > 0, floor.toString());
            assertEquals(Composition.formula(policy), floor.get("formula").asText());
        }
        assertEquals(250.0, json.get("policy_floor_us").get("local").get("p50").asDouble(), 0.3);
        assertEquals(350.0, json.get("policy_floor_us").get("replicated").get("p99").asDouble(), 0.3);
        assertEquals(350.0, json.get("policy_floor_us").get("hybrid").get("p50").asDouble(), 0.3);
        assertEquals(550.0, json.get("policy_floor_us").get("durably-replicated").get("p99").asDouble(), 0.3);
        assertEquals(28.0, json.get("idle_cpu_percent_of_core").get("primary").asDouble(), 0.0);
        assertEquals(14.5, json.get("idle_cpu_percent_of_core").get("replica-0").asDouble(), 0.0);
        assertEquals(42.5, json.get("idle_cpu_percent_of_core").get("total").asDouble(), 0.0);
        assertEquals(1_000, json.get("composition").get("draws").asInt());
        assertEquals(FloorMessages.tcpRequest().length, json.get("message_bytes").get("tcp_request").asInt());
        assertTrue(json.get("settings").get("quick").asBoolean());
    }

    @Test
    void shouldWriteNullForWhatWasNotMeasured() throws IOException
    {
        final FloorResult result = FloorResult.compose(FloorContext.demo().draws(10).conclude(),
            List.of(DurabilityMode.REPLICATED.policy()), Samples.of(50_000), Samples.of(300_000), null, null);
        result.idleCpuNote("idle CPU not measured: it is read from /proc (Linux only)");

        final JsonNode json = parse(result.json().toString());

        assertTrue(json.get("sync_us").isNull());
        assertTrue(json.get("sync_method").isNull());
        assertTrue(json.get("idle_cpu_percent_of_core").isNull());
        assertEquals("idle CPU not measured: it is read from /proc (Linux only)", json.get("idle_cpu_note").asText());
        assertEquals(350.0, json.get("policy_floor_us").get("replicated").get("p50").asDouble(), 0.3);
    }

    @Test
    void shouldGiveSluiceAsARatioToThePolicysFloor() throws IOException
    {
        final JsonNode ratio = parse(result().ratioJson(DurabilityMode.HYBRID.policy(), 700, 3_500).toString());

        assertEquals("hybrid", ratio.get("policy").asText());
        assertEquals(350.0, ratio.get("floor_p50_us").asDouble(), 0.3);
        assertEquals(700.0, ratio.get("sluice_p50_us").asDouble(), 0.0);
        assertEquals(2.0, ratio.get("p50_ratio").asDouble(), 0.01);
        assertEquals(10.0, ratio.get("p99_ratio").asDouble(), 0.01);
    }

    @Test
    void shouldPrintEveryPathPolicyAndTheIdleCpu()
    {
        final FloorResult result = result();
        result.idleCpu(idle());
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8))
        {
            result.printTable(out);
            result.printRatio(out, "sluice", DurabilityMode.LOCAL.policy(), 500, 2_500);
        }
        final String table = bytes.toString(StandardCharsets.UTF_8);

        assertTrue(table.contains("tcp round trip, " + FloorMessages.tcpRequest().length + " B out"), table);
        assertTrue(table.contains("aeron round trip"), table);
        assertTrue(table.contains("sync, journal: append + msync, " + FloorMessages.journalEntryBytes() + " B *"),
            table);
        assertTrue(table.contains("Monte Carlo: 1,000 independent draws (seed 42)"), table);
        assertTrue(table.contains("durably-replicated   = tcp + aeron + sync"), table);
        assertTrue(table.contains("primary 28.0, replica-0 14.5, total 42.5"), table);
        assertTrue(table.contains("sluice / floor (local = tcp + sync): p50 500.0 / 250.0 us = 2.00x"), table);
    }

    @Test
    void shouldAddAFieldToAReportKeepingWhatItHeldAsWritten() throws IOException
    {
        final Path report = dir.resolve("bench.json");
        Files.writeString(report, "{\"sent\":3000,\"rate_per_s\":1000.000,\"latency_us\":{\"p50\":12.300}}\n");

        FloorResult.addField(report, "floor", result().ratioJson(DurabilityMode.LOCAL.policy(), 500, 2_500));

        final String text = Files.readString(report, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("{\"sent\":3000,\"rate_per_s\":1000.000,\"latency_us\":{\"p50\":12.300}," +
            "\"floor\":{\"policy\":\"local\""), text);
        assertEquals(2.0, parse(text).get("floor").get("p50_ratio").asDouble(), 0.01);
    }
}
