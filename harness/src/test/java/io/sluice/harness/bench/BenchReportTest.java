package io.sluice.harness.bench;

import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchReportTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** A finished 5 ms run at 1,000/s on scripted connections: 5 requests, one refused, all answered at 6 ms. */
    private static BenchResult finishedRun()
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
        return new BenchResult(context, new NodeProbe.NodeInfo("local", 0), recorder, agent.unsent(),
            agent.flowCounts());
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldWriteTheContractFieldsAsParseableJson()
    {
        final Map<String, Object> json = Json.parseObject(BenchReport.json(finishedRun()));

        BenchContract.assertCleanRun(json);
        assertEquals(5, BenchContract.count(json, "sent"));
        assertEquals(4, BenchContract.count(json, "acked"));
        assertEquals(1, BenchContract.count(json, "rejected"));
        assertEquals(Map.of("UNKNOWN_ORDER", 1.0), json.get("rejects_by_reason"));
        final Map<String, Object> latency = (Map<String, Object>)json.get("latency_us");
        assertEquals(6_000, (Double)latency.get("max"), 6.0, "due at 0 ms, answered at 6 ms");
        assertFalse(json.containsKey("stages_us"), "no stage breakdown unless the node traced one");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldAddStageBreakdownWithTheSamePercentiles()
    {
        final BenchResult result = finishedRun()
            .stage("matching", new LatencySummary(10, 2.0, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5))
            .stage("journal_sync", new LatencySummary(10, 200, 150, 250, 350, 450, 550, 650));

        final Map<String, Object> json = Json.parseObject(BenchReport.json(result));

        final Map<String, Object> stages = (Map<String, Object>)json.get("stages_us");
        assertEquals(2, stages.size());
        final Map<String, Object> matching = (Map<String, Object>)stages.get("matching");
        for (final String key : BenchContract.PERCENTILE_KEYS)
        {
            assertTrue(matching.containsKey(key), key);
        }
        assertEquals(3.5, (Double)matching.get("p99"));
        assertEquals(650.0, (Double)((Map<String, Object>)stages.get("journal_sync")).get("max"));
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
        assertEquals("a\"b\\c\nd", Json.parse(BenchReport.quote("a\"b\\c\nd")));
    }
}
