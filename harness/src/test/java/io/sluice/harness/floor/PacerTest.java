package io.sluice.harness.floor;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PacerTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void shouldRecordEveryRoundTripWithoutWarmUpAndAtMostOnePerSlot() throws IOException
    {
        final int[] calls = new int[1];

        final Samples samples = Pacer.run(() -> calls[0]++, 0, 20 * MS, MS);

        assertEquals(calls[0], samples.count(), "no warm-up: every round trip is recorded");
        assertTrue(samples.count() <= 20, "one slot per interval, however late the thread runs: " + samples.count());
    }

    @Test
    void shouldNotCatchUpMissedSlotsInABurst() throws IOException
    {
        final int[] calls = new int[1];

        // Each round trip overruns three slots: the next one waits for the next free slot instead of starting at once.
        final Samples samples = Pacer.run(() ->
        {
            calls[0]++;
            final long untilNs = System.nanoTime() + 3 * MS;
            while (System.nanoTime() - untilNs < 0)
            {
                Thread.onSpinWait();
            }
        }, 0, 40 * MS, MS);

        assertTrue(samples.count() <= 10, "at most one start per four slots: " + samples.count());
        assertEquals(calls[0], samples.count());
        for (int i = 0; i < samples.count(); i++)
        {
            assertTrue(samples.valueNs(i) >= 3 * MS, "the round trip is timed, not its slot");
        }
    }

    @Test
    void shouldStopAtAFailedRoundTrip()
    {
        assertThrows(IOException.class, () -> Pacer.run(() ->
        {
            throw new IOException("lost");
        }, 0, 10 * MS, MS));
        assertThrows(IllegalArgumentException.class, () -> Pacer.run(() -> { }, 0, MS, 0));
    }
}
