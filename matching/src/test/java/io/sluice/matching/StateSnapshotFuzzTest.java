package io.sluice.matching;

import io.sluice.fuzz.ByteMutator;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes {@link MatchingEngine#restore}, which reads a snapshot at start-up and on promotion, with mutations of a
 * real snapshot of a busy engine (two instruments, one halted, resting orders of several accounts on both sides,
 * many sessions). The snapshot sits in a window of a buffer that ends exactly where the bytes handed to restore end,
 * so a read beyond them throws. What restore documents is what is asserted:
 * <ul>
 *     <li>It returns only with the state the snapshot records (its hash) and a consistent engine.</li>
 *     <li>{@link IllegalArgumentException} (malformed, corrupt, other configuration) leaves the engine exactly as it
 *     was.</li>
 *     <li>{@link IllegalStateException} (passed those checks but cannot be rebuilt, or hashes differently) is the
 *     only other outcome; the engine is then discarded. Its cause is never an out-of-bounds read: the rebuild
 *     checks every count and length against the snapshot's own length.</li>
 * </ul>
 * Raw mutations meet the CRC first; mutations with the CRC recomputed reach the rebuild itself, which is where a
 * snapshot damaged before it was checksummed, or written by a faulty engine, would land.
 * <p>
 * Tries scale with {@code -Dsluice.fuzz.scale=N}; {@code -Dsluice.fuzz.seed=S} changes the inputs.
 */
class StateSnapshotFuzzTest
{
    /** Aimed at the counts: instruments right after the id counters, then a guess at the others. */
    private static final ByteMutator MUTATOR = new ByteMutator((random, view, bytes) ->
    {
        final int body = StateSnapshot.HEADER_LENGTH;
        if (bytes.length >= body + 20)
        {
            final int at = random.nextBoolean() ? body + 16 : body + 16 + 4 * random.nextInt(
                (bytes.length - body - 20) / 4);
            view.putInt(at, ByteMutator.interestingInt(random), ByteOrder.LITTLE_ENDIAN);
        }
    }, 20, 120, 64);

    private static final long SEED = Long.getLong("sluice.fuzz.seed", 0x5_7A7EL);
    private static final int SCALE = Integer.getInteger("sluice.fuzz.scale", 1);
    private static final int TRIES = 2_000 * SCALE;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final byte[] snapshot;
    private final long snapshotHash;

    StateSnapshotFuzzTest()
    {
        final TestExchange source = busyExchange(new SplittableRandom(SEED));
        snapshotHash = source.engine.stateHash();
        snapshot = new byte[source.engine.snapshotLength()];
        source.engine.snapshot(new UnsafeBuffer(snapshot), 0);
    }

    @Test
    void shouldRestoreOnlyTheRecordedStateFromMutatedBytes()
    {
        assertTimeoutPreemptively(Duration.ofMinutes(2L * SCALE), () ->
        {
            final Outcomes outcomes = fuzz(new SplittableRandom(SEED + 1), false);
            assertTrue(outcomes.refusedUnchanged > TRIES / 2, "mutations are refused: " + outcomes);
            assertTrue(outcomes.restored > 0, "intact snapshots restore: " + outcomes);
        });
    }

    @Test
    void shouldRebuildOrRefuseCleanlyWhenTheCrcIsRecomputed()
    {
        assertTimeoutPreemptively(Duration.ofMinutes(2L * SCALE), () ->
        {
            final Outcomes outcomes = fuzz(new SplittableRandom(SEED + 2), true);
            assertTrue(outcomes.notRebuilt > TRIES / 10, "the rebuild refuses damaged content: " + outcomes);
            assertTrue(outcomes.restored > 0, "harmless damage restores: " + outcomes);
        });
    }

    @Test
    void shouldRefuseCountsThatRunPastTheSnapshotWithoutReadingPastIt()
    {
        // Found by the CRC-recomputed fuzz (seed 359038, try 190): a snapshot cut short after its first instrument
        // (length and CRC consistent) made the rebuild read the second instrument from beyond the snapshot's end.
        final int instrumentCountOffset = StateSnapshot.HEADER_LENGTH + 16;
        final int sessionCountOffset = instrumentCountOffset + 4 + 2 * StateSnapshot.INSTRUMENT_FIXED_LENGTH +
            "ACME".length() + "WIDGET".length();
        for (int length = StateSnapshot.HEADER_LENGTH; length < sessionCountOffset + 40; length++)
        {
            assertRebuildRefused(Arrays.copyOf(snapshot, length), "cut at " + length);
        }
        for (final int count : new int[]{ 3, Integer.MAX_VALUE, -1 })
        {
            final byte[] forged = snapshot.clone();
            new UnsafeBuffer(forged).putInt(instrumentCountOffset, count, ORDER);
            assertRebuildRefused(forged, "instrument count " + count);
        }
        for (final int count : new int[]{ Integer.MAX_VALUE / 8, Integer.MAX_VALUE, -2 })
        {
            final byte[] forged = snapshot.clone();
            new UnsafeBuffer(forged).putInt(sessionCountOffset, count, ORDER);
            assertRebuildRefused(forged, "session count " + count);
        }
    }

    private static void assertRebuildRefused(final byte[] forged, final String what)
    {
        final byte[] checked = withHeaderAndCrcRecomputed(forged);
        final MatchingEngine engine = smallExchange().engine;
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> engine.restore(new UnsafeBuffer(checked), 0, checked.length), what);
        assertTrue(ex.getCause() instanceof IllegalStateException, what + ": refused by its own check, not " +
            ex.getCause());
    }

    private Outcomes fuzz(final SplittableRandom random, final boolean recomputeCrc)
    {
        final Outcomes outcomes = new Outcomes();
        TestExchange target = smallExchange();
        for (int i = 0; i < TRIES; i++)
        {
            byte[] mutated = MUTATOR.mutate(random, snapshot);
            if (recomputeCrc)
            {
                mutated = withLengthAndCrcRecomputed(random, mutated);
            }

            // The bytes sit at an offset in a larger array; the view ends where restore is told they end.
            final int offset = random.nextInt(8);
            final int available = random.nextInt(8) == 0 ? random.nextInt(mutated.length + 1) : mutated.length;
            final byte[] backing = new byte[offset + mutated.length];
            System.arraycopy(mutated, 0, backing, offset, mutated.length);
            final UnsafeBuffer buffer = new UnsafeBuffer(backing, 0, offset + available);
            final String what = "try " + i + " seed " + SEED + " offset " + offset + " available " + available +
                " bytes " + HexFormat.of().formatHex(mutated);

            final long before = target.engine.stateHash();
            boolean discard = true;
            try
            {
                target.engine.restore(buffer, offset, available);
                assertEquals(storedHash(mutated), target.engine.stateHash(), "restored another state: " + what);
                if (!recomputeCrc)
                {
                    assertEquals(snapshotHash, target.engine.stateHash(), "restored a damaged snapshot: " + what);
                }
                checkUsable(target, what);
                outcomes.restored++;
            }
            catch (final IllegalArgumentException ex)
            {
                assertEquals(before, target.engine.stateHash(), "a refused snapshot changed the engine: " + what);
                outcomes.refusedUnchanged++;
                discard = false;
            }
            catch (final IllegalStateException ex)
            {
                for (Throwable cause = ex; cause != null; cause = cause.getCause())
                {
                    if (cause instanceof IndexOutOfBoundsException)
                    {
                        throw new AssertionError("the rebuild read outside the snapshot: " + what, ex);
                    }
                }
                outcomes.notRebuilt++;
            }
            catch (final RuntimeException ex)
            {
                throw new AssertionError("restore threw " + ex + ": " + what, ex);
            }
            if (discard)
            {
                // A restored or half-rebuilt engine is not the one the next try expects to find: start afresh.
                target = smallExchange();
            }
        }
        System.out.println("fuzz state-snapshot" + (recomputeCrc ? "-crc-recomputed" : "") + ": seed=" + SEED +
            " tries=" + TRIES + " " + outcomes);
        return outcomes;
    }

    /**
     * Makes a mutated snapshot pass the header checks so the rebuild reads it: length field set to the (possibly
     * changed) length, mostly the real magic and version, and the CRC over the result.
     */
    private static byte[] withLengthAndCrcRecomputed(final SplittableRandom random, final byte[] mutated)
    {
        if (mutated.length < StateSnapshot.HEADER_LENGTH)
        {
            return mutated;
        }
        return random.nextInt(8) != 0 ? withHeaderAndCrcRecomputed(mutated) : withCrcRecomputed(mutated);
    }

    private static byte[] withHeaderAndCrcRecomputed(final byte[] mutated)
    {
        final UnsafeBuffer view = new UnsafeBuffer(mutated);
        view.putInt(StateSnapshot.MAGIC_OFFSET, StateSnapshot.MAGIC, ORDER);
        view.putByte(StateSnapshot.VERSION_OFFSET, StateSnapshot.VERSION);
        view.putInt(StateSnapshot.LENGTH_OFFSET, mutated.length, ORDER);
        return withCrcRecomputed(mutated);
    }

    private static byte[] withCrcRecomputed(final byte[] mutated)
    {
        final UnsafeBuffer view = new UnsafeBuffer(mutated);
        final CRC32C crc = new CRC32C();
        final int from = StateSnapshot.CRC_OFFSET + 4;
        crc.update(mutated, from, Math.max(0, Math.min(mutated.length, view.getInt(StateSnapshot.LENGTH_OFFSET,
            ORDER)) - from));
        view.putInt(StateSnapshot.CRC_OFFSET, (int)crc.getValue(), ORDER);
        return mutated;
    }

    private static long storedHash(final byte[] bytes)
    {
        return new UnsafeBuffer(bytes).getLong(StateSnapshot.STATE_HASH_OFFSET, ORDER);
    }

    /** A restored engine is consistent, snapshots to what restores to the same state, and takes orders. */
    private static void checkUsable(final TestExchange exchange, final String what)
    {
        try
        {
            EngineInvariants.check(exchange.engine);
            final long hash = exchange.engine.stateHash();
            final UnsafeBuffer again = new UnsafeBuffer(new byte[exchange.engine.snapshotLength()]);
            exchange.engine.snapshot(again, 0);
            final TestExchange copy = smallExchange();
            copy.engine.restore(again, 0, again.capacity());
            assertEquals(hash, copy.engine.stateHash());
            exchange.wireSeq = 1_000_000;
            exchange.sell(1, 9_001, TestExchange.REFERENCE_PRICE - 5 * TestExchange.TICK, 500);
            exchange.buy(2, 9_002, TestExchange.REFERENCE_PRICE + 5 * TestExchange.TICK, 500);
            EngineInvariants.check(exchange.engine);
        }
        catch (final RuntimeException | AssertionError ex)
        {
            throw new AssertionError("restored engine is not usable: " + what, ex);
        }
    }

    private static TestExchange smallExchange()
    {
        final TestExchange exchange = new TestExchange();
        exchange.buy(7, 71, TestExchange.REFERENCE_PRICE - TestExchange.TICK, 20);
        exchange.sell(8, 81, TestExchange.REFERENCE_PRICE + TestExchange.TICK, 30);
        return exchange;
    }

    /** Resting orders of six accounts on both sides of both instruments, fills and cancels behind them. */
    private static TestExchange busyExchange(final SplittableRandom random)
    {
        final TestExchange exchange = new TestExchange();
        for (int i = 0; i < 300; i++)
        {
            final long account = 1 + random.nextInt(6);
            final long clientOrderId = 1 + i;
            if (i > 10 && random.nextInt(6) == 0)
            {
                exchange.cancel(account, 1 + random.nextInt(i));
            }
            else if (random.nextInt(4) == 0)
            {
                exchange.order(account, clientOrderId, TestExchange.OTHER_INSTRUMENT,
                    random.nextBoolean() ? Side.BUY : Side.SELL, OrderType.LIMIT, TimeInForce.GTC,
                    random.nextInt(5) == 0, 480 + random.nextInt(41), 1 + random.nextInt(20));
            }
            else
            {
                final boolean buy = random.nextBoolean();
                final long ticks = random.nextInt(12) - (buy ? 10 : 1);
                exchange.order(account, clientOrderId, TestExchange.INSTRUMENT, buy ? Side.BUY : Side.SELL,
                    OrderType.LIMIT, random.nextInt(5) == 0 ? TimeInForce.DAY : TimeInForce.GTC, false,
                    TestExchange.REFERENCE_PRICE + ticks * TestExchange.TICK, TestExchange.LOT * (1 + random.nextInt(9)));
            }
        }
        exchange.haltInstrument(TestExchange.OTHER_INSTRUMENT);
        return exchange;
    }

    private static final class Outcomes
    {
        int restored;
        int refusedUnchanged;
        int notRebuilt;

        public String toString()
        {
            return "restored=" + restored + " refused=" + refusedUnchanged + " notRebuilt=" + notRebuilt;
        }
    }
}
