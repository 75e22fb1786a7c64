package io.sluice.response;

import io.sluice.durability.Policy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DegradationLoggerTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long START_NS = 10 * SECOND;

    private final Policy policy = Policy.parse("persisted>=2");
    private final ResponseCounters counters = new ResponseCounters();
    private final RecordingDegradationEvents events = new RecordingDegradationEvents();

    private DegradationLogger logger()
    {
        return new DegradationLogger(START_NS, SECOND, 5 * SECOND, counters, events);
    }

    /** Tick once per state, {@code stepNs} apart from {@code START_NS}; return the gauge after the last. */
    private boolean drive(final DegradationLogger logger, final boolean[] states, final long stepNs)
    {
        for (int i = 0; i < states.length; i++)
        {
            logger.tick(policy, states[i], START_NS + i * stepNs);
        }
        return counters.policyDegraded();
    }

    private static boolean[] repeat(final boolean state, final int times)
    {
        final boolean[] states = new boolean[times];
        java.util.Arrays.fill(states, state);
        return states;
    }

    // Ported from the reference.

    @Test
    void shouldTrackGaugeImmediately()
    {
        final DegradationLogger logger = logger();
        logger.tick(policy, true, START_NS);
        assertTrue(counters.policyDegraded());
        logger.tick(policy, false, START_NS + 50 * MS);
        assertFalse(counters.policyDegraded());
    }

    @Test
    void shouldMarkInitialStateLoggedWhenStartingDegraded()
    {
        final DegradationLogger logger = logger().resetStartingDegraded(START_NS, policy);
        logger.tick(policy, true, START_NS + 10 * MS);
        assertTrue(counters.policyDegraded());
        assertEquals(List.of("starting-degraded persisted>=2"), events.events, "no second warn for the same state");
    }

    @Test
    void shouldHandleRapidFlapWithoutLogging()
    {
        final boolean[] states = new boolean[100];
        for (int i = 0; i < states.length; i++)
        {
            states[i] = 0 == i % 2;
        }
        final DegradationLogger logger = logger();
        assertFalse(drive(logger, states, 100 * MS), "gauge follows the last state");
        assertTrue(events.events.isEmpty(), "flapping faster than the hold logs nothing: " + events.events);
        assertFalse(logger.pendingLogged(), "the last state has not held long enough to log");
    }

    @Test
    void shouldSettleSustainedDegraded()
    {
        final DegradationLogger logger = logger();
        assertTrue(drive(logger, repeat(true, 5), 500 * MS));
        assertEquals(List.of("degraded persisted>=2"), events.events);
        assertTrue(logger.pendingLogged());
    }

    @Test
    void shouldSettleGaugeOnRecoveryToHealthy()
    {
        final DegradationLogger logger = logger().resetStartingDegraded(START_NS, policy);
        final boolean[] states = new boolean[10];
        java.util.Arrays.fill(states, 5, 10, false);
        java.util.Arrays.fill(states, 0, 5, true);
        assertFalse(drive(logger, states, 500 * MS));
        assertEquals(List.of("starting-degraded persisted>=2", "recovered persisted>=2"), events.events);
    }

    // Sluice's own.

    @Test
    void shouldLogTransitionOnlyAfterFlapHold()
    {
        final DegradationLogger logger = logger();
        logger.tick(policy, true, START_NS);
        logger.tick(policy, true, START_NS + 999 * MS);
        assertTrue(events.events.isEmpty());
        logger.tick(policy, true, START_NS + SECOND);
        assertEquals(List.of("degraded persisted>=2"), events.events);
    }

    @Test
    void shouldRemindEveryFiveSecondsWhileDegraded()
    {
        final DegradationLogger logger = logger();
        for (long t = 0; t <= 16 * SECOND; t += 500 * MS)
        {
            logger.tick(policy, true, START_NS + t);
        }
        // Onset logged at 1 s; reminders at 6 s, 11 s, 16 s.
        assertEquals(1, events.count("degraded"));
        assertEquals(3, events.count("still-degraded"));
    }

    @Test
    void shouldNotRemindWhileHealthy()
    {
        final DegradationLogger logger = logger();
        for (long t = 0; t <= 30 * SECOND; t += SECOND)
        {
            logger.tick(policy, false, START_NS + t);
        }
        assertTrue(events.events.isEmpty());
    }

    @Test
    void shouldTotalTimeSpentDegraded()
    {
        final DegradationLogger logger = logger();
        logger.tick(policy, false, START_NS);
        logger.tick(policy, true, START_NS + SECOND);
        logger.tick(policy, true, START_NS + 2 * SECOND);
        logger.tick(policy, true, START_NS + 3500 * MS);
        logger.tick(policy, false, START_NS + 4 * SECOND);
        logger.tick(policy, false, START_NS + 9 * SECOND);
        assertEquals(3 * SECOND, counters.degradedNsTotal());
        assertEquals(3.0, counters.degradedSecondsTotal(), 1e-9);
    }

    @Test
    void shouldStartFreshHoldAfterReset()
    {
        final DegradationLogger logger = logger();
        logger.tick(policy, true, START_NS);
        logger.tick(policy, true, START_NS + 2 * SECOND);
        assertEquals(1, events.count("degraded"));

        // A swap resets to the assumed target shape; a still-degraded result is a new streak, logged after the hold.
        logger.reset(START_NS + 2 * SECOND);
        logger.tick(policy, true, START_NS + 2 * SECOND);
        logger.tick(policy, true, START_NS + 2500 * MS);
        assertEquals(1, events.count("degraded"));
        logger.tick(policy, true, START_NS + 3 * SECOND);
        assertEquals(2, events.count("degraded"));
    }
}
