package io.sluice.pipeline.shard;

/**
 * Maps a 64-bit key to an index in {@code [0, n)} with no bias and no division on the common path.
 * <p>
 * The key is first scrambled with the SplitMix64 finaliser (a bijection on 64-bit values): connection ids are small
 * and sequential, and a multiply-shift of raw small keys would put every one of them at index 0. The scrambled value
 * {@code x} is then mapped with Lemire's multiply-shift, {@code index = (x * n) >>> 64} taken over 128 bits. On its own
 * that gives some indexes one more preimage than others; the low 64 bits of the product tell which values fall in the
 * surplus, and those are rejected and the value scrambled again (Lemire, "Fast Random Integer Generation in an
 * Interval", 2019). Every index then has exactly {@code floor(2^64 / n)} accepted preimages. A rejection happens for
 * fewer than {@code n} of the 2^64 values, so in practice never; the division computing the threshold runs only when
 * the low bits are below {@code n}.
 */
final class BiasFreeIndex
{
    private static final long GOLDEN_GAMMA = 0x9E37_79B9_7F4A_7C15L;

    private BiasFreeIndex()
    {
    }

    /**
     * @param key any 64-bit key, e.g. a connection id.
     * @param n   number of slots, at least 1.
     * @return an index in {@code [0, n)}.
     */
    static int index(final long key, final int n)
    {
        return indexOfScrambled(scramble(key), n);
    }

    /**
     * The multiply-shift with rejection over an already scrambled value; exposed for tests of the rejection branch.
     */
    static int indexOfScrambled(final long scrambled, final int n)
    {
        final long bound = n;
        long x = scrambled;
        long low = x * bound;
        if (Long.compareUnsigned(low, bound) < 0)
        {
            final long threshold = Long.remainderUnsigned(-bound, bound);
            while (Long.compareUnsigned(low, threshold) < 0)
            {
                x = scramble(x + GOLDEN_GAMMA);
                low = x * bound;
            }
        }

        // Unsigned high word of x * bound: bound is non-negative, so only x's sign needs correcting.
        return (int)(Math.multiplyHigh(x, bound) + ((x >> 63) & bound));
    }

    static long scramble(final long key)
    {
        long z = key;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }
}
