package io.sluice.harness.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchReportTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Three decimals are written; a number read back is within half of the last. */
    private static final double WRITTEN_PRECISION = 0.0005;

    @TempDir
    Path dir;

    /** A finished 5 ms run at 1,000/s on scripted connections: 5 requests, one refused, all answered at 6 ms. */
    private static BenchResult finishedRun()
    {
        return finishedRun(new NodeProbe.NodeInfo("local", 0));
    }

    /**
     * The same run against a node that reported {@code node}, with {@code errors} seen on the way.
     */
    private static BenchResult finishedRun(final NodeProbe.NodeInfo node, final String... errors)
    {
        final CachedNanoClock clock = new CachedNanoClock();
        final BenchContext context = new BenchContext()
            .endpoint(new InetSocketAddress("127.0.0.1", 1))
            .ratePerSecond(1_000)
            .connections(1)
            .durationNs(5 * MS)
            .clock(clock);
        context.validate();
        final FakeOrderEntry entry = new FakeOrderEntry(100);
        final BenchRecorder recorder = new BenchRecorder(context.lateThresholdNs());
        for (final String error : errors)
        {
            recorder.onError(error);
        }
        final BenchAgent agent = new BenchAgent(context, new OrderEntry[]{ entry }, recorder);
        entry.replies(agent.replyListener(0));
        agent.start(0);
        clock.update(5 * MS);
        agent.doWork();
        entry.rejectOldest();
        entry.answerAll();
        clock.update(6 * MS);
        agent.doWork();
        assertTrue(agent.isDone());
        return new BenchResult(context, node, recorder, agent.unsent(), agent.flowCounts());
    }

    @Test
    void shouldWriteTheContractFieldsAsParseableJson()
    {
        final JsonNode json = BenchReport.parse(BenchReport.json(finishedRun()));

        BenchContract.assertCleanRun(json);
        assertEquals(5, BenchContract.count(json, "sent"));
        assertEquals(4, BenchContract.count(json, "acked"));
        assertEquals(1, BenchContract.count(json, "rejected"));
        assertEquals(BenchReport.parse("{\"UNKNOWN_ORDER\":1}"), json.get("rejects_by_reason"));
        final JsonNode latency = json.get("latency_us");
        assertEquals(6_000, BenchContract.number(latency, "max"), 6.0, "due at 0 ms, answered at 6 ms");
        assertFalse(json.has("stages_us"), "no stage breakdown unless the node traced one");
    }

    @Test
    void shouldAddStageBreakdownWithTheSamePercentiles()
    {
        final BenchResult result = finishedRun()
            .stage("matching", new LatencySummary(10, 2.0, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5))
            .stage("journal_sync", new LatencySummary(10, 200, 150, 250, 350, 450, 550, 650));

        final JsonNode json = BenchReport.parse(BenchReport.json(result));

        final JsonNode stages = json.get("stages_us");
        assertEquals(2, stages.size());
        final JsonNode matching = stages.get("matching");
        for (final String key : BenchContract.PERCENTILE_KEYS)
        {
            assertTrue(matching.has(key), key);
        }
        assertEquals(3.5, BenchContract.number(matching, "p99"));
        assertEquals(650.0, BenchContract.number(stages.get("journal_sync"), "max"));
    }

    @Test
    void shouldPrintTheTableWithVerdict()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BenchReport.printTable(finishedRun(), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        final String table = bytes.toString(StandardCharsets.UTF_8);

        assertTrue(table.contains("sent 5   acked 4   rejected 1   errors 0   unanswered 0"), table);
        assertTrue(table.contains("p99.99"), table);
        assertTrue(table.contains("late sends 4"), "due at 0..3 ms and sent at 5 ms:\n" + table);
        assertTrue(table.contains("PASS"), table);
    }

    @Test
    void shouldEscapeStringsInJson()
    {
        final String text = BenchReport.json(finishedRun(new NodeProbe.NodeInfo("a\"b\\c\nd", 0)));

        assertTrue(text.contains("\"durability\":\"a\\\"b\\\\c\\nd\","), text);
        assertEquals("a\"b\\c\nd", BenchReport.parse(text).get("durability").textValue());
    }

    @Test
    void shouldWriteTheReportByteForByteInItsDocumentedFormat()
    {
        final BenchResult result = finishedRun(new NodeProbe.NodeInfo("a\"b\\c\nd\u0001\u00e9", null),
            "a\"b\\c\nd\re\tf\bg\fh\u0001i\u001fj/k\u007fl\u00e9m\ud83d\ude00n\u2028o<>&'", "plain error")
            .stage("matching", new LatencySummary(10, 2.0, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5))
            .stage("idle", new LatencySummary(0, Double.NaN, Double.POSITIVE_INFINITY, -0.0, 0.0004, 0.0005,
                1234567.8915, 0));

        assertEquals(
            "{\"mode\":\"open-loop\",\"rate_per_s\":1000.000,\"window\":0,\"connections\":1,\"seconds\":0.005," +
            "\"warmup_seconds\":0.000,\"seed\":42,\"instruments\":4,\"durability\":\"a\\\"b\\\\c\\nd\\u0001\u00e9\"," +
            "\"replicas\":null,\"sent\":5,\"acked\":4,\"rejected\":1,\"errors\":2,\"reconnects\":0,\"unanswered\":0," +
            "\"unsent\":0,\"passed\":false,\"throughput_per_s\":833.333,\"send_rate_per_s\":1000.000," +
            "\"latency_us\":{\"p50\":4001.791,\"p90\":6000.639,\"p99\":6000.639,\"p99_9\":6000.639," +
            "\"p99_99\":6000.639,\"max\":6000.639,\"mean\":3999.642,\"count\":5},\"send_delay_us\":{\"p50\":3000.319," +
            "\"p90\":5001.215,\"p99\":5001.215,\"p99_9\":5001.215,\"p99_99\":5001.215,\"max\":5001.215," +
            "\"mean\":2999.962,\"count\":5},\"late_sends\":4,\"late_threshold_us\":1000.000," +
            "\"rejects_by_reason\":{\"UNKNOWN_ORDER\":1},\"flow\":{\"placements\":3,\"cancels\":2,\"replaces\":0," +
            "\"aggressive\":0}," +
            "\"error_samples\":[\"a\\\"b\\\\c\\nd\\re\\tf\\u0008g\\u000ch\\u0001i\\u001fj/k" +
            "\u007fl\u00e9m\ud83d\ude00n\u2028o<>&'\"," +
            "\"plain error\"],\"percentiles_us\":[[0.000,2000.895],[10.000,2000.895],[20.000,2000.895],[30.000," +
            "3000.319],[40.000,3000.319],[50.000,4001.791],[55.000,4001.791],[60.000,4001.791],[65.000,5001.215]," +
            "[70.000,5001.215],[75.000,5001.215],[77.500,5001.215],[80.000,5001.215],[82.500,6000.639],[100.000," +
            "6000.639]],\"stages_us\":{\"matching\":{\"p50\":1.500,\"p90\":2.500,\"p99\":3.500,\"p99_9\":4.500," +
            "\"p99_99\":5.500,\"max\":6.500,\"mean\":2.000,\"count\":10},\"idle\":{\"p50\":null,\"p90\":-0.000," +
            "\"p99\":0.000,\"p99_9\":0.001,\"p99_99\":1234567.892,\"max\":0.000,\"mean\":null,\"count\":0}}}\n",
            BenchReport.json(result));
    }

    @Test
    void shouldReadBackEveryFieldItWrote() throws Exception
    {
        final BenchResult result = finishedRun(new NodeProbe.NodeInfo("persisted>=1", 2), "lost\tconnection\n")
            .stage("matching", new LatencySummary(10, 2.0, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5));
        final Path file = dir.resolve("run.json");
        BenchReport.writeJson(result, file);

        final JsonNode json = BenchReport.parse(Files.readString(file, StandardCharsets.UTF_8));

        assertEquals(result.mode(), json.get("mode").textValue());
        assertEquals(result.targetRatePerSecond(), BenchContract.number(json, "rate_per_s"), WRITTEN_PRECISION);
        assertEquals(result.window(), BenchContract.count(json, "window"));
        assertEquals(result.connections(), BenchContract.count(json, "connections"));
        assertEquals(result.seconds(), BenchContract.number(json, "seconds"), WRITTEN_PRECISION);
        assertEquals(result.warmupSeconds(), BenchContract.number(json, "warmup_seconds"), WRITTEN_PRECISION);
        assertEquals(result.seed(), BenchContract.count(json, "seed"));
        assertEquals(result.instruments(), BenchContract.count(json, "instruments"));
        assertEquals(result.durability(), json.get("durability").textValue());
        assertEquals((long)result.replicas(), BenchContract.count(json, "replicas"));
        assertEquals(result.sent(), BenchContract.count(json, "sent"));
        assertEquals(result.acked(), BenchContract.count(json, "acked"));
        assertEquals(result.rejected(), BenchContract.count(json, "rejected"));
        assertEquals(result.errors(), BenchContract.count(json, "errors"));
        assertEquals(result.reconnects(), BenchContract.count(json, "reconnects"));
        assertEquals(result.unanswered(), BenchContract.count(json, "unanswered"));
        assertEquals(result.unsent(), BenchContract.count(json, "unsent"));
        assertEquals(result.passed(), json.get("passed").booleanValue());
        assertEquals(result.throughputPerSecond(), BenchContract.number(json, "throughput_per_s"),
            WRITTEN_PRECISION);
        assertEquals(result.sendRatePerSecond(), BenchContract.number(json, "send_rate_per_s"), WRITTEN_PRECISION);
        assertSummary(result.latency(), json.get("latency_us"));
        assertSummary(result.sendDelay(), json.get("send_delay_us"));
        assertEquals(result.lateSends(), BenchContract.count(json, "late_sends"));
        assertEquals(result.lateThresholdUs(), BenchContract.number(json, "late_threshold_us"), WRITTEN_PRECISION);
        assertCounts(result.rejectsByReason(), json.get("rejects_by_reason"));
        assertCounts(result.flow(), json.get("flow"));
        final List<String> errors = new ArrayList<>();
        json.get("error_samples").forEach((error) -> errors.add(error.textValue()));
        assertEquals(result.errorSamples(), errors);
        final List<double[]> curve = PercentilePlot.curve(result.latencyHistogramNs());
        final JsonNode points = json.get("percentiles_us");
        assertEquals(curve.size(), points.size());
        for (int i = 0; i < curve.size(); i++)
        {
            assertEquals(2, points.get(i).size());
            assertEquals(curve.get(i)[0], points.get(i).get(0).doubleValue(), WRITTEN_PRECISION, "percentile " + i);
            assertEquals(curve.get(i)[1], points.get(i).get(1).doubleValue(), WRITTEN_PRECISION, "value " + i);
        }
        assertEquals(1, json.get("stages_us").size());
        assertSummary(result.stages().get("matching"), json.get("stages_us").get("matching"));

        final PercentilePlot.Series series = PercentilePlot.Series.read(file);
        assertEquals("run.json", series.label());
        assertEquals(curve.size(), series.size());
    }

    @Test
    void shouldRefuseWhatIsNotOneJsonObjectInOneLine()
    {
        final String report = BenchReport.json(finishedRun());
        for (final String bad : List.of("", "[1]", "\"text\"", report.substring(0, report.length() / 2),
            report + "{}", report.replace("\"window\":0", "\"window\":0,\"window\":1"), "{\"a\":1,}", "{\"a\":01}",
            "{\"a\":[1}"))
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> BenchReport.parse(bad), bad);
            assertFalse(ex.getMessage().isBlank() || ex.getMessage().contains("\n"), ex.getMessage());
        }
    }

    private static void assertSummary(final LatencySummary expected, final JsonNode actual)
    {
        assertEquals(expected.p50Us(), BenchContract.number(actual, "p50"), WRITTEN_PRECISION);
        assertEquals(expected.p90Us(), BenchContract.number(actual, "p90"), WRITTEN_PRECISION);
        assertEquals(expected.p99Us(), BenchContract.number(actual, "p99"), WRITTEN_PRECISION);
        assertEquals(expected.p99_9Us(), BenchContract.number(actual, "p99_9"), WRITTEN_PRECISION);
        assertEquals(expected.p99_99Us(), BenchContract.number(actual, "p99_99"), WRITTEN_PRECISION);
        assertEquals(expected.maxUs(), BenchContract.number(actual, "max"), WRITTEN_PRECISION);
        assertEquals(expected.meanUs(), BenchContract.number(actual, "mean"), WRITTEN_PRECISION);
        assertEquals(expected.count(), BenchContract.count(actual, "count"));
        assertEquals(List.of("p50", "p90", "p99", "p99_9", "p99_99", "max", "mean", "count"), names(actual));
    }

    private static void assertCounts(final Map<String, Long> expected, final JsonNode actual)
    {
        final Map<String, Long> counts = new LinkedHashMap<>();
        actual.properties().forEach((entry) -> counts.put(entry.getKey(), entry.getValue().longValue()));
        assertEquals(expected, counts);
        assertEquals(List.copyOf(expected.keySet()), names(actual), "in the same order");
    }

    private static List<String> names(final JsonNode object)
    {
        final List<String> names = new ArrayList<>();
        object.properties().forEach((entry) -> names.add(entry.getKey()));
        return names;
    }
}
