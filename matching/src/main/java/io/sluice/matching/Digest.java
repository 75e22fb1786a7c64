package io.sluice.matching;

/**
 * A 64-bit running digest over longs, stable across JVMs and runs (no identity hashes, no String.hashCode).
 * Used for {@link MatchingEngine#stateHash()} and {@link MatchingEngine#configDigest()}; not cryptographic.
 */
final class Digest
{
    static final long SEED = 0x51C3_5EED_0000_0001L;

    private Digest()
    {
    }

    static long update(final long digest, final long value)
    {
        return Long.rotateLeft(digest ^ mix(value), 29) * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
    }

    static long update(final long digest, final String value)
    {
        long h = update(digest, value.length());
        for (int i = 0; i < value.length(); i++)
        {
            h = update(h, value.charAt(i));
        }

        return h;
    }

    /**
     * The MurmurHash3 64-bit finaliser: every input bit affects every output bit.
     *
     * @param value to mix.
     * @return the mixed value.
     */
    static long mix(final long value)
    {
        long z = value;
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;

        return z ^ (z >>> 33);
    }
}
