package io.sluice.fuzz;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Byte-level mutations of a valid encoded input for the fuzz tests: bit flips, random bytes, interesting integers
 * at random offsets, truncation, extension, filled runs and moved slices, plus one mutation aimed at the fields the
 * format's decoder trusts most (lengths, counts, headers), which the format supplies. Deterministic for a given
 * {@link SplittableRandom}, so a failing seed replays.
 */
public final class ByteMutator
{
    /** The format-specific mutation: overwrite the fields its decoder trusts most. */
    @FunctionalInterface
    public interface Targeted
    {
        /**
         * @param random the fuzz run's random source.
         * @param view   over {@code bytes}, little-endian puts as the formats use.
         * @param bytes  the input being mutated, at least one byte long; mutate in place.
         */
        void mutate(SplittableRandom random, UnsafeBuffer view, byte[] bytes);
    }

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int KINDS = 9;

    private final Targeted targeted;
    private final int unchangedOneIn;
    private final int maxExtendBytes;
    private final int maxSliceBytes;

    /**
     * @param targeted       the format's own mutation.
     * @param unchangedOneIn return the input unchanged one time in this many (0: never), to check valid input still
     *                       passes among the mutants.
     * @param maxExtendBytes most random bytes appended by an extension.
     * @param maxSliceBytes  longest slice moved elsewhere.
     */
    public ByteMutator(
        final Targeted targeted, final int unchangedOneIn, final int maxExtendBytes, final int maxSliceBytes)
    {
        this.targeted = targeted;
        this.unchangedOneIn = unchangedOneIn;
        this.maxExtendBytes = maxExtendBytes;
        this.maxSliceBytes = maxSliceBytes;
    }

    /**
     * @return a mutated copy of {@code original} (one to four mutations), or an unchanged copy now and then.
     */
    public byte[] mutate(final SplittableRandom random, final byte[] original)
    {
        if (unchangedOneIn > 0 && random.nextInt(unchangedOneIn) == 0)
        {
            return original.clone();
        }
        byte[] bytes = original.clone();
        final int rounds = 1 + (random.nextInt(4) == 0 ? random.nextInt(4) : 0);
        for (int r = 0; r < rounds; r++)
        {
            bytes = mutateOnce(random, bytes);
        }
        return bytes;
    }

    private byte[] mutateOnce(final SplittableRandom random, final byte[] bytes)
    {
        if (bytes.length == 0)
        {
            return new byte[1 + random.nextInt(Math.max(1, maxExtendBytes))];
        }
        final UnsafeBuffer view = new UnsafeBuffer(bytes);
        switch (random.nextInt(KINDS))
        {
            case 0:
                bytes[random.nextInt(bytes.length)] ^= (byte)(1 << random.nextInt(8));
                return bytes;
            case 1:
                bytes[random.nextInt(bytes.length)] = (byte)random.nextInt(256);
                return bytes;
            case 2:
                if (bytes.length >= 4)
                {
                    view.putInt(random.nextInt(bytes.length - 3), interestingInt(random), ORDER);
                }
                return bytes;
            case 3:
                if (bytes.length >= 8)
                {
                    view.putLong(random.nextInt(bytes.length - 7), interestingLong(random), ORDER);
                }
                return bytes;
            case 4:
                return Arrays.copyOf(bytes, random.nextInt(bytes.length));
            case 5:
            {
                final byte[] longer = Arrays.copyOf(bytes, bytes.length + 1 + random.nextInt(maxExtendBytes));
                for (int i = bytes.length; i < longer.length; i++)
                {
                    longer[i] = (byte)random.nextInt(256);
                }
                return longer;
            }
            case 6:
            {
                final int from = random.nextInt(bytes.length);
                final int to = from + random.nextInt(bytes.length - from + 1);
                Arrays.fill(bytes, from, to, random.nextBoolean() ? 0 : (byte)random.nextInt(256));
                return bytes;
            }
            case 7:
                targeted.mutate(random, view, bytes);
                return bytes;
            default:
            {
                // Move a slice elsewhere: bytes that are each plausible, in the wrong place.
                final int length = 1 + random.nextInt(Math.min(maxSliceBytes, bytes.length));
                final int from = random.nextInt(bytes.length - length + 1);
                final int to = random.nextInt(bytes.length - length + 1);
                System.arraycopy(bytes.clone(), from, bytes, to, length);
                return bytes;
            }
        }
    }

    /**
     * @return a value a decoder is likely to mishandle as a length, count or offset.
     */
    public static int interestingInt(final SplittableRandom random)
    {
        switch (random.nextInt(9))
        {
            case 0: return 0;
            case 1: return -1;
            case 2: return Integer.MAX_VALUE;
            case 3: return Integer.MIN_VALUE;
            case 4: return 1 + random.nextInt(8);
            case 5: return random.nextInt(4096);
            case 6: return random.nextInt(-64, 0);
            case 7: return 0xFFFF;
            default: return random.nextInt();
        }
    }

    /**
     * @return a value a decoder is likely to mishandle as a sequence number or timestamp.
     */
    public static long interestingLong(final SplittableRandom random)
    {
        switch (random.nextInt(6))
        {
            case 0: return 0;
            case 1: return -1;
            case 2: return Long.MAX_VALUE;
            case 3: return Long.MIN_VALUE;
            case 4: return random.nextInt(100_000);
            default: return random.nextLong();
        }
    }
}
