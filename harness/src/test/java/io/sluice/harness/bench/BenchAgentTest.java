package io.sluice.harness.bench;

import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bench's duty cycle against scripted connections and a clock the test moves: what is sent when, and what
 * latency each answer is charged.
 */
class BenchAgentTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final CachedNanoClock clock = new CachedNanoClock();
    private BenchRecorder recorder;
    private BenchAgent agent;
    private FakeOrderEntry[] entries;

    private BenchContext openLoop(final double ratePerSecond, final long warmupNs, final long durationNs)
    {
        return new BenchContext()
            .endpoint(new InetSocketAddress("127.0.0.1", 1))
            .ratePerSecond(ratePerSecond)
            .connections(1)
            .warmupNs(warmupNs)
            .durationNs(durationNs)
            .lateThresholdNs(MS)
            .drainTimeoutNs(100 * MS)
            .clock(clock);
    }

    private void start(final BenchContext context, final int entryCapacity)
    {
        context.validate();
        entries = new FakeOrderEntry[context.connections()];
        for (int i = 0; i < entries.length; i++)
        {
            entries[i] = new FakeOrderEntry(entryCapacity);
        }
        recorder = new BenchRecorder(context.lateThresholdNs());
        agent = new BenchAgent(context, entries, recorder);
        for (int i = 0; i < entries.length; i++)
        {
            entries[i].replies(agent.replyListener(i));
        }
        clock.update(0);
        agent.start(0);
    }

    private void workAt(final long nowNs)
    {
        clock.update(nowNs);
        agent.doWork();
    }

    private static void assertNanos(final long expectedNs, final long actualNs)
    {
        // HdrHistogram with 3 significant digits reports a value within 0.1% of what was recorded.
        assertEquals(expectedNs, actualNs, expectedNs / 1000.0 + 1, "ns");
    }

    @Test
    void shouldChargeLatencyFromScheduledTimeAndCountLateSends()
    {
        start(openLoop(1_000, 0, 100 * MS), 1_000);

        workAt(5 * MS + MS / 2);
        assertEquals(6, entries[0].commands.size(), "requests due at 0, 1, ..., 5 ms all sent at 5.5 ms");

        entries[0].answerAll();
        workAt(6 * MS);

        assertEquals(6, recorder.latencyNs.getTotalCount());
        assertNanos(6 * MS, recorder.latencyNs.getMaxValue());
        assertNanos(MS, recorder.latencyNs.getMinValue());
        assertEquals(5, recorder.lateSends(), "sent 5.5, 4.5, 3.5, 2.5 and 1.5 ms late; 0.5 and 0 ms are not late");
        assertEquals(5 * MS + MS / 2, recorder.maxSendDelayNs());
        assertEquals(7, recorder.sent(), "the request due at 6 ms went out on time");
        assertEquals(6, recorder.acked());
    }

    @Test
    void shouldKeepDueRequestsWaitingWhenBackPressuredAndChargeTheWait()
    {
        start(openLoop(1_000, 0, 100 * MS), 2);

        workAt(3 * MS + MS / 2);
        assertEquals(2, entries[0].commands.size(), "the connection takes 2; the other 2 due wait");

        entries[0].answerAll();
        workAt(4 * MS);
        workAt(4 * MS);
        assertEquals(4, entries[0].commands.size(), "the waiting ones go out as soon as there is room");
        entries[0].answerAll();
        workAt(5 * MS);

        assertEquals(4, recorder.latencyNs.getTotalCount());
        assertNanos(4 * MS, recorder.latencyNs.getMaxValue());
        assertNanos(2 * MS, recorder.latencyNs.getMinValue());
        assertEquals(3 * MS + MS / 2, recorder.maxSendDelayNs());
        assertEquals(3, recorder.lateSends(), "sent 3.5, 2.5, 2 and 1 ms after their time; 1 ms is not late");
        assertEquals(2, agent.pending(), "due at 4 and 5 ms, still waiting for room: never skipped");
    }

    @Test
    void shouldLeaveWarmUpOutOfTheMeasurement()
    {
        start(openLoop(1_000, 3 * MS, 100 * MS), 1_000);

        for (long t = 0; t <= 5 * MS; t += MS)
        {
            workAt(t);
            entries[0].answerAll();
        }
        workAt(5 * MS + 1);

        assertEquals(6, recorder.totalSent());
        assertEquals(6, recorder.totalAnswered());
        assertEquals(3, recorder.sent(), "due at 3, 4 and 5 ms: after the 3 ms warm-up");
        assertEquals(3, recorder.acked());
        assertEquals(3, recorder.latencyNs.getTotalCount());
    }

    @Test
    void shouldSplitAnswersIntoAckedAndRejected()
    {
        start(openLoop(1_000, 0, 100 * MS), 1_000);

        workAt(2 * MS);
        entries[0].rejectOldest();
        workAt(2 * MS);
        entries[0].answerAll();
        workAt(2 * MS);

        assertEquals(3, recorder.sent());
        assertEquals(2, recorder.acked());
        assertEquals(1, recorder.rejected());
        assertEquals(1, recorder.rejects(io.sluice.sbe.client.RejectReason.UNKNOWN_ORDER.value()));
    }

    @Test
    void shouldEndAfterDrainTimeoutAndReportWhatWasNotAnswered()
    {
        start(openLoop(1_000, 0, 5 * MS), 1_000);

        workAt(4 * MS);
        workAt(5 * MS);
        assertFalse(agent.isDone(), "draining");
        workAt(104 * MS);
        assertFalse(agent.isDone());
        workAt(105 * MS);
        assertTrue(agent.isDone());

        final BenchResult result = new BenchResult(
            openLoop(1_000, 0, 5 * MS), NodeProbe.unknown(), recorder, agent.unsent(), agent.flowCounts());
        assertEquals(5, result.sent(), "due at 0..4 ms; 5 ms is the end of the measured phase");
        assertEquals(5, result.unanswered());
        assertFalse(result.passed());
    }

    @Test
    void shouldEndAsSoonAsEverythingIsAnsweredAndPass()
    {
        start(openLoop(1_000, 0, 5 * MS), 1_000);

        workAt(5 * MS);
        entries[0].answerAll();
        workAt(6 * MS);

        assertTrue(agent.isDone());
        final BenchResult result = new BenchResult(
            openLoop(1_000, 0, 5 * MS), NodeProbe.unknown(), recorder, agent.unsent(), agent.flowCounts());
        assertTrue(result.passed());
        assertEquals(result.sent(), result.acked() + result.rejected());
        assertEquals(5, result.sent());
    }

    @Test
    void shouldKeepTheWindowInClosedLoopAndChargeFromTheActualSend()
    {
        start(openLoop(0, 0, 100 * MS).window(2), 1_000);

        workAt(MS);
        assertEquals(2, entries[0].commands.size());
        workAt(2 * MS);
        assertEquals(2, entries[0].commands.size(), "no more than the window in flight");

        entries[0].answerAll();
        workAt(4 * MS);

        assertEquals(2, recorder.latencyNs.getTotalCount());
        assertNanos(3 * MS, recorder.latencyNs.getMaxValue());
        assertEquals(0, recorder.lateSends());
        workAt(4 * MS);
        assertEquals(4, entries[0].commands.size(), "answers make room for the next two");
    }

    @Test
    void shouldSendCancelsAndReplacesOnTheConnectionThatPlacedTheOrder()
    {
        start(openLoop(100_000, 0, 100 * MS).connections(4), 100_000);

        for (long t = 0; t <= 50 * MS; t += MS)
        {
            workAt(t);
        }

        long references = 0;
        for (final FakeOrderEntry entry : entries)
        {
            assertTrue(entry.placedClientOrderIds.size() > 100, "every connection gets its account's orders");
            final LongHashSet placed = new LongHashSet();
            entry.placedClientOrderIds.forEachOrderedLong(placed::add);
            for (int i = 0; i < entry.referencedClientOrderIds.size(); i++)
            {
                assertTrue(placed.contains(entry.referencedClientOrderIds.getLong(i)),
                    "cancel or replace of an order this connection placed");
            }
            references += entry.referencedClientOrderIds.size();
        }
        assertTrue(references > 1_000, "the flow has cancels and replaces: " + references);
    }
}
