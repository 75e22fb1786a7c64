package io.sluice.node.primary;

import io.sluice.client.ClientListener;
import io.sluice.client.SluiceClient;
import io.sluice.node.admin.AdminClient;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.sluice.node.primary.TestNodes.IDLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Scrapes /metrics and /healthz of a running primary and checks the Prometheus text format and the values.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsIT
{
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern SAMPLE = Pattern.compile(
        "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\"(,[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\")*})? " +
        "(-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?|NaN|\\+Inf|-Inf)");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "summary", "histogram", "untyped");

    @TempDir
    Path dir;

    private PrimaryNode node;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop()
    {
        if (node != null)
        {
            node.close();
        }
    }

    private HttpResponse<String> get(final String path) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpAddress().getPort() + path))
            .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Parses the exposition format strictly enough to catch a malformed line, an undeclared family or a counter
     * not named *_total.
     *
     * @return series (name with labels) to value.
     */
    static Map<String, Double> parse(final String text)
    {
        final Map<String, String> types = new HashMap<>();
        final Map<String, Double> samples = new HashMap<>();
        final Set<String> helped = new HashSet<>();
        for (final String line : text.split("\n"))
        {
            if (line.startsWith("# HELP "))
            {
                final String name = line.substring(7).split(" ", 2)[0];
                assertTrue(NAME.matcher(name).matches(), line);
                helped.add(name);
            }
            else if (line.startsWith("# TYPE "))
            {
                final String[] words = line.substring(7).split(" ");
                assertEquals(2, words.length, line);
                assertTrue(TYPES.contains(words[1]), line);
                assertTrue(helped.contains(words[0]), "HELP before TYPE: " + line);
                if (words[1].equals("counter"))
                {
                    assertTrue(words[0].endsWith("_total"), "counter named *_total: " + line);
                }
                types.put(words[0], words[1]);
            }
            else if (!line.isEmpty())
            {
                final Matcher matcher = SAMPLE.matcher(line);
                if (!matcher.matches())
                {
                    fail("malformed sample line: '" + line + "'");
                }
                final String name = matcher.group(1);
                final String family = name.replaceAll("_(count|sum)$", "");
                assertTrue(types.containsKey(name) || types.containsKey(family), "family declared: " + line);
                final String series = line.substring(0, line.lastIndexOf(' '));
                assertTrue(samples.put(series, Double.parseDouble(matcher.group(4))) == null, "duplicate: " + line);
            }
        }
        return samples;
    }

    @Test
    void shouldServeParseablePrometheusMetricsThatTrackTheNode() throws Exception
    {
        node = PrimaryNode.start(TestNodes.config(TestNodes.standaloneConfig(dir.resolve("data")), dir));
        try (SluiceClient trader = TestNodes.client(node.clientAddress(), 1, new ClientListener()
        {
        }))
        {
            for (int i = 0; i < 50; i++)
            {
                trader.placeOrder(i, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false, 9_000 + i, 1);
            }
            trader.placeOrder(999, 77, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false, 9_000, 1);
            assertTrue(trader.awaitAllAnswered(20, TimeUnit.SECONDS, IDLE));

            final HttpResponse<String> response = get("/metrics");
            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            final Map<String, Double> metrics = parse(response.body());

            assertEquals(51.0, metrics.get("sluice_commands_total"));
            assertEquals(51.0, metrics.get("sluice_wire_seq"));
            assertEquals(1.0, metrics.get("sluice_rejects_total{reason=\"unknown_instrument\"}"));
            assertEquals(1.0, metrics.get("sluice_connections"));
            assertEquals(1.0, metrics.get("sluice_trading_active"));
            assertTrue(metrics.get("sluice_journal_sync_seconds_count") >= 1);
            assertTrue(metrics.get("sluice_journal_sync_seconds_sum") > 0);
            assertTrue(metrics.get("sluice_batch_ends_total") >= 51);
            assertTrue(metrics.containsKey("sluice_ingest_ring_capacity_bytes{shard=\"0\"}"));
            assertTrue(metrics.get("sluice_stage_cycles_total{stage=\"sequencer\",state=\"busy\"}") >= 1);
            assertTrue(metrics.keySet().stream().anyMatch(k -> k.startsWith("sluice_gc_pause_seconds_total{")));
            assertTrue(metrics.containsKey("sluice_gate_waits_total{blocker=\"journal\"}"));
        }
    }

    @Test
    void shouldServeStageBreakdownWhenTracingAndResetIt() throws Exception
    {
        final Map<String, String> raw = TestNodes.standaloneConfig(dir.resolve("data"));
        raw.put("trace", "on");
        node = PrimaryNode.start(TestNodes.config(raw, dir));
        try (SluiceClient trader = TestNodes.client(node.clientAddress(), 1, new ClientListener()
        {
        }))
        {
            for (int i = 0; i < 100; i++)
            {
                trader.placeOrder(i, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false, 9_000 + i, 1);
            }
            assertTrue(trader.awaitAllAnswered(20, TimeUnit.SECONDS, IDLE));
        }

        final String stats = get("/stats").body();
        for (final String stage : new String[]{ "ingest_wait", "match_execute", "journal_sync", "output_ring_wait",
            "gate_journal_wait", "gate_replica_wait", "egress_flush", "server_end_to_end" })
        {
            assertTrue(stats.contains("\"" + stage + "\":{\"count\":"), stage + " in " + stats);
        }
        assertTrue(stats.contains("\"match_execute\":{\"count\":100,"), stats);
        assertTrue(stats.contains("\"ingest_wait\":{\"count\":100,"), stats);
        assertTrue(stats.contains("\"server_end_to_end\":{\"count\":100,"), stats);
        assertTrue(!stats.contains("\"journal_sync\":{\"count\":0,"), stats);

        final HttpResponse<String> reset = http.send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + node.httpAddress().getPort() + "/stats/reset"))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, reset.statusCode());
        assertTrue(get("/stats").body().contains("\"match_execute\":{\"count\":0,"));
    }

    @Test
    void shouldSayTracingIsOffWhenNotConfigured() throws Exception
    {
        node = PrimaryNode.start(TestNodes.config(TestNodes.standaloneConfig(dir.resolve("data")), dir));

        final HttpResponse<String> stats = get("/stats");
        assertEquals(404, stats.statusCode());
        assertTrue(stats.body().contains("\"trace\":false"));
    }

    @Test
    void shouldAnswerHealthz200WhileTradingAnd503WhenHalted() throws Exception
    {
        node = PrimaryNode.start(TestNodes.config(TestNodes.standaloneConfig(dir.resolve("data")), dir));

        final HttpResponse<String> trading = get("/healthz");
        assertEquals(200, trading.statusCode());
        assertTrue(trading.body().contains("\"role\":\"primary\""), trading.body());
        assertTrue(trading.body().contains("\"state\":\"trading\""), trading.body());
        assertTrue(trading.body().contains("\"policy\":\"local\""), trading.body());

        try (AdminClient admin = new AdminClient(node.adminAddress(), 5_000))
        {
            admin.execute("HALT");
        }
        final HttpResponse<String> halted = get("/healthz");
        assertEquals(503, halted.statusCode());
        assertTrue(halted.body().contains("\"reason\":\"halted by operator\""), halted.body());
        assertEquals(405, http.send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + node.httpAddress().getPort() + "/healthz"))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    }
}
