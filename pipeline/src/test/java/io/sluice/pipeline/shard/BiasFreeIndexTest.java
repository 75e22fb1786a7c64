package io.sluice.pipeline.shard;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BiasFreeIndexTest
{
    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

    @Property(tries = 300)
    void shouldStayInRange(@ForAll final long key, @ForAll @IntRange(min = 1, max = 1024) final int n)
    {
        final int index = BiasFreeIndex.index(key, n);
        assertTrue(index >= 0 && index < n, "index " + index + " for n " + n);
    }

    @Property(tries = 300)
    void shouldEqualHighWordOfUnsigned128BitProductWhenAccepted(
        @ForAll final long scrambled, @ForAll @IntRange(min = 1, max = 1024) final int n)
    {
        final BigInteger product = new BigInteger(Long.toUnsignedString(scrambled)).multiply(BigInteger.valueOf(n));
        final BigInteger low = product.mod(TWO_TO_64);
        final BigInteger threshold = TWO_TO_64.mod(BigInteger.valueOf(n));
        if (low.compareTo(threshold) >= 0)
        {
            assertEquals(product.shiftRight(64).intValueExact(), BiasFreeIndex.indexOfScrambled(scrambled, n));
        }
    }

    @Test
    void shouldRejectSurplusValueAndRedraw()
    {
        // For n = 3, 2^64 mod 3 = 1: exactly one value, x = 0 (low word 0), falls in the surplus.
        final long redrawn = BiasFreeIndex.scramble(0x9E37_79B9_7F4A_7C15L);
        final int expected = new BigInteger(Long.toUnsignedString(redrawn))
            .multiply(BigInteger.valueOf(3)).shiftRight(64).intValueExact();

        assertEquals(expected, BiasFreeIndex.indexOfScrambled(0, 3));
        assertEquals(0, BiasFreeIndex.indexOfScrambled(0, 4), "powers of two have no surplus");
    }

    @Test
    void shouldSpreadSequentialConnectionIdsEvenly()
    {
        final int n = 3;
        final int keys = 30_000;
        final int[] counts = new int[n];
        for (long key = 1; key <= keys; key++)
        {
            counts[BiasFreeIndex.index(key, n)]++;
        }

        final double expected = (double)keys / n;
        double chiSquare = 0;
        for (final int count : counts)
        {
            assertTrue(Math.abs(count - expected) / expected < 0.05, "bucket count " + count);
            chiSquare += (count - expected) * (count - expected) / expected;
        }
        // 99.9th percentile of chi-square with 2 degrees of freedom.
        assertTrue(chiSquare < 13.82, "chi-square " + chiSquare);
    }

    @Test
    void shouldNotMapSmallKeysAllToIndexZero()
    {
        int nonZero = 0;
        for (long key = 0; key < 64; key++)
        {
            nonZero += BiasFreeIndex.index(key, 8) != 0 ? 1 : 0;
        }
        assertTrue(nonZero > 40, "an unscrambled multiply-shift maps every small key to 0: " + nonZero);
    }
}
