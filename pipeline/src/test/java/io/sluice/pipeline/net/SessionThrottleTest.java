package io.sluice.pipeline.net;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static io.sluice.pipeline.net.SessionThrottle.Verdict.CLOSE;
import static io.sluice.pipeline.net.SessionThrottle.Verdict.PASS;
import static io.sluice.pipeline.net.SessionThrottle.Verdict.REFUSE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionThrottleTest
{
    private static final long MS = 1_000_000L;
    private static final long START = 123_456 * MS;

    @Test
    void shouldPassTheBurstAtOnceThenRefuseUntilATokenComesBack()
    {
        final SessionThrottle throttle = new SessionThrottle(10, 3, 5_000 * MS);

        for (int i = 0; i < 3; i++)
        {
            assertEquals(PASS, throttle.onRequest(START));
        }
        assertEquals(REFUSE, throttle.onRequest(START));
        assertEquals(REFUSE, throttle.onRequest(START + 99 * MS));
        assertEquals(PASS, throttle.onRequest(START + 100 * MS));
        assertEquals(REFUSE, throttle.onRequest(START + 100 * MS));
    }

    @Test
    void shouldCloseWhenRefusalsGoOnForTheCloseAfterTimeEvenIfSomeRequestsPass()
    {
        final SessionThrottle throttle = new SessionThrottle(10, 1, 2_000 * MS);

        // Twice the rate: every refill is taken, every other request refused, never a second without a refusal.
        for (int step = 0; step < 41; step++)
        {
            assertEquals(step % 2 == 0 ? PASS : REFUSE, throttle.onRequest(START + step * 50 * MS),
                "at " + step * 50 + " ms");
        }
        // The excess began with the refusal at 50 ms.
        assertEquals(CLOSE, throttle.onRequest(START + 2_050 * MS));
    }

    @Test
    void shouldForgiveAnExcessAfterASecondWithoutARefusal()
    {
        final SessionThrottle throttle = new SessionThrottle(10, 1, 2_000 * MS);
        floodWithoutClose(throttle, START, 1_500);

        // Quiet for a second after the last refusal (at 1,450 ms): the next refusal starts a new excess.
        final long later = START + 2_500 * MS;
        floodWithoutClose(throttle, later, 2_050);
        assertEquals(CLOSE, throttle.onRequest(later + 2_050 * MS));
    }

    @Test
    void shouldNeverCloseWhenCloseAfterIsZero()
    {
        final SessionThrottle throttle = new SessionThrottle(1, 1, 0);
        assertEquals(PASS, throttle.onRequest(START));
        for (int i = 0; i < 1_000; i++)
        {
            final SessionThrottle.Verdict verdict = throttle.onRequest(START + i * 10 * MS + 1);
            assertEquals(i > 0 && i % 100 == 0 ? PASS : REFUSE, verdict, "request " + i);
        }
    }

    @Test
    void shouldDecideWithoutAllocating()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final SessionThrottle throttle = new SessionThrottle(1_000, 10, 0);
        long passed = 0;
        for (int i = 0; i < 50_000; i++)
        {
            passed += throttle.onRequest(START + i * 100_000L) == PASS ? 1 : 0;
        }

        final long threadId = Thread.currentThread().getId();
        final long baselineStart = threads.getThreadAllocatedBytes(threadId);
        final long measurementOverhead = threads.getThreadAllocatedBytes(threadId) - baselineStart;
        final long before = threads.getThreadAllocatedBytes(threadId);
        for (int i = 50_000; i < 150_000; i++)
        {
            passed += throttle.onRequest(START + i * 100_000L) == PASS ? 1 : 0;
        }
        final long allocatedBytes = threads.getThreadAllocatedBytes(threadId) - before - measurementOverhead;

        // A request every 0.1 ms against 1,000 a second: one in ten passes, the rest are refused.
        assertEquals(15_000, passed, 20);
        // One object per decision would be at least 16 bytes x 100,000; a JIT recompilation in the window can
        // allocate a few hundred bytes once, so the bound is one byte per decision.
        assertTrue(allocatedBytes < 100_000, "bytes allocated by 100,000 decisions: " + allocatedBytes);
    }

    /**
     * A request every 50 ms, twice the rate of 10 a second, from {@code fromNs} for {@code durationMs}: some pass,
     * some are refused, none closes.
     */
    private static void floodWithoutClose(final SessionThrottle throttle, final long fromNs, final long durationMs)
    {
        for (long ms = 0; ms < durationMs; ms += 50)
        {
            assertNotEquals(CLOSE, throttle.onRequest(fromNs + ms * MS), "at " + ms + " ms");
        }
    }
}
