package io.sluice.harness.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks of the bench's JSON object against the contract in ARCHITECTURE.md section 6, shared by the tests that
 * produce one.
 */
final class BenchContract
{
    static final List<String> TOP_LEVEL_KEYS = List.of(
        "sent", "acked", "rejected", "errors", "throughput_per_s", "durability", "replicas", "latency_us");
    static final List<String> PERCENTILE_KEYS = List.of("p50", "p90", "p99", "p99_9", "p99_99", "max");

    private BenchContract()
    {
    }

    /**
     * Assert every contract key is present with a sane value, and that a clean run adds up.
     *
     * @param json the parsed object.
     */
    static void assertCleanRun(final JsonNode json)
    {
        for (final String key : TOP_LEVEL_KEYS)
        {
            assertTrue(json.has(key), "contract key " + key + " in " + json);
        }
        final long sent = count(json, "sent");
        final long acked = count(json, "acked");
        final long rejected = count(json, "rejected");
        assertTrue(sent > 0, "sent > 0");
        assertEquals(sent, acked + rejected, "every sent request answered, acked or rejected");
        assertEquals(0, count(json, "errors"));
        assertEquals(0, count(json, "unanswered"));
        assertEquals(BooleanNode.TRUE, json.get("passed"));
        assertTrue(number(json, "throughput_per_s") > 0, "throughput");
        assertTrue(json.get("durability").isTextual(), "durability is a string");

        final JsonNode latency = json.get("latency_us");
        double previous = 0;
        for (final String key : PERCENTILE_KEYS)
        {
            assertTrue(latency.has(key), "latency_us." + key);
            final double value = number(latency, key);
            assertTrue(value > 0 && value >= previous, "latency_us." + key + "=" + value + " is positive and not " +
                "below the previous percentile " + previous);
            previous = value;
        }
        assertEquals(sent, count(latency, "count"), "one latency per measured request");
    }

    static long count(final JsonNode json, final String key)
    {
        final double number = number(json, key);
        assertEquals(Math.rint(number), number, key + " is a whole number");
        return (long)number;
    }

    static double number(final JsonNode json, final String key)
    {
        final JsonNode value = json.get(key);
        assertTrue(value != null && value.isNumber(), key + " is a number: " + value);
        return value.doubleValue();
    }
}
