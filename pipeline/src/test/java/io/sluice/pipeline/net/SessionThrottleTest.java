package io.sluice.pipeline.net;

import org.junit.jupiter.api.Test;

import static io.sluice.pipeline.net.SessionThrottle.Verdict.CLOSE;
import static io.sluice.pipeline.net.SessionThrottle.Verdict.PASS;
import static io.sluice.pipeline.net.SessionThrottle.Verdict.REFUSE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

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
