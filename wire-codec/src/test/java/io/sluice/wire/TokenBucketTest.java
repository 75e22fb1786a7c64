package io.sluice.wire;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenBucketTest
{
    private static final long MS = 1_000_000L;

    @Test
    void shouldStartFullAndRefuseOnceTheBurstIsTaken()
    {
        final TokenBucket bucket = TokenBucket.perSecond(10, 3);
        final long now = 5_000 * MS;

        assertTrue(bucket.tryTake(now));
        assertTrue(bucket.tryTake(now));
        assertTrue(bucket.tryTake(now));
        assertFalse(bucket.tryTake(now));
    }

    @Test
    void shouldRefillAtTheRateAndNeverHoldMoreThanTheBurst()
    {
        final TokenBucket bucket = TokenBucket.perSecond(10, 2);
        long now = -7 * MS;
        assertEquals(2, drain(bucket, now));

        now += 99 * MS;
        assertEquals(0, drain(bucket, now), "a token comes back after 100 ms, not before");
        now += MS;
        assertEquals(1, drain(bucket, now));

        now += 60_000 * MS;
        assertEquals(2, drain(bucket, now), "a long pause refills to the burst only");
    }

    @Test
    void shouldAllowTheRateOverALongRun()
    {
        final TokenBucket bucket = TokenBucket.perSecond(1_000, 1);
        int taken = 0;
        for (long now = 0; now < 1_000 * MS; now += MS / 10)
        {
            taken += bucket.tryTake(now) ? 1 : 0;
        }
        assertEquals(1_000, taken);
    }

    @Test
    void shouldRefillSlowerThanOncePerSecond()
    {
        final TokenBucket bucket = new TokenBucket(10_000 * MS, 1);
        assertTrue(bucket.tryTake(0));
        assertFalse(bucket.tryTake(9_999 * MS));
        assertTrue(bucket.tryTake(10_000 * MS));
    }

    @Test
    void shouldRefuseARateOrBurstBelowOne()
    {
        assertThrows(IllegalArgumentException.class, () -> TokenBucket.perSecond(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, 0));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1));
    }

    private static int drain(final TokenBucket bucket, final long now)
    {
        int taken = 0;
        while (bucket.tryTake(now))
        {
            taken++;
        }
        return taken;
    }
}
