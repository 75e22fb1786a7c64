package io.sluice.journal;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes {@link SnapshotStore#loadNewest}, the first thing recovery reads, with mutated snapshot files. The store
 * holds two snapshots (wireSeq 10 and 20) of an opaque state whose every byte counts in its hash.
 * <ul>
 *     <li>Damage the CRC can see (any mutation of the newest file, or of its name): the newest is skipped without
 *     being handed to the state machine and the older one loads, exactly; with both damaged nothing loads and the
 *     state machine is never touched. Nothing throws.</li>
 *     <li>Damage the CRC cannot see (the file's CRC recomputed after the mutation): the header checks refuse what
 *     they can (the older snapshot then loads), a state whose hash disagrees throws
 *     {@link JournalCorruptionException}, and whatever loads is reported with the fields the file holds. No other
 *     exception escapes.</li>
 * </ul>
 * Tries scale with {@code -Dsluice.fuzz.scale=N}; {@code -Dsluice.fuzz.seed=S} changes the inputs.
 */
class SnapshotStoreFuzzTest
{
    private static final long SEED = Long.getLong("sluice.fuzz.seed", 0x5A_AB5L);
    private static final int SCALE = Integer.getInteger("sluice.fuzz.scale", 1);
    private static final int TRIES = 400 * SCALE;
    private static final int CRC_OFFSET = 8 + io.sluice.sbe.journal.SnapshotHeaderEncoder.crc32cEncodingOffset();

    @TempDir
    Path dir;

    private SnapshotStore store;
    private BytesState older;
    private BytesState newer;
    private Path olderFile;
    private Path newerFile;
    private byte[] olderBytes;
    private byte[] newerBytes;

    @BeforeEach
    void writeTwoSnapshots() throws IOException
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        store = new SnapshotStore(dir);
        older = BytesState.random(random, 40);
        newer = BytesState.random(random, 300);
        olderFile = store.write(10, 3, older).file();
        newerFile = store.write(20, 4, newer).file();
        olderBytes = Files.readAllBytes(olderFile);
        newerBytes = Files.readAllBytes(newerFile);
    }

    @Test
    void shouldFallBackToTheOlderSnapshotWhenTheNewestIsDamaged()
    {
        assertTimeoutPreemptively(Duration.ofMinutes(2L * SCALE), () ->
        {
            final SplittableRandom random = new SplittableRandom(SEED + 1);
            int fellBack = 0;
            for (int i = 0; i < TRIES; i++)
            {
                final byte[] mutated = JournalEntryViewFuzzTest.MUTATOR.mutate(random, newerBytes);
                final boolean rename = random.nextInt(8) == 0;
                final Path target = rename ? dir.resolve(mutateName(random, newerFile.getFileName().toString())) :
                    newerFile;
                reset();
                Files.delete(newerFile);
                Files.write(target, mutated);
                final String what = "try " + i + " seed " + SEED + " file " + target.getFileName() + " " + hex(mutated);

                final BytesState loaded = new BytesState();
                final SnapshotInfo info = load(loaded, what);
                assertNotNull(info, what);
                if (info.wireSeq() == 20)
                {
                    assertArrayEquals(newerBytes, mutated, "a damaged newest snapshot loaded: " + what);
                    assertArrayEquals(newer.state, loaded.state, what);
                }
                else
                {
                    assertEquals(10, info.wireSeq(), what);
                    assertArrayEquals(older.state, loaded.state, what);
                    assertEquals(1, loaded.loads, "only the older snapshot reached the state machine: " + what);
                    fellBack++;
                }
                Files.delete(target);
            }
            System.out.println("fuzz snapshot-store: seed=" + SEED + " tries=" + TRIES + " fellBack=" + fellBack);
            assertTrue(fellBack > TRIES / 2, "most mutations damage the newest: " + fellBack);
        });
    }

    @Test
    void shouldLoadNothingAndTouchNothingWhenEverySnapshotIsDamaged()
    {
        assertTimeoutPreemptively(Duration.ofMinutes(2L * SCALE), () ->
        {
            final SplittableRandom random = new SplittableRandom(SEED + 2);
            for (int i = 0; i < TRIES / 4; i++)
            {
                reset();
                final byte[] mutatedOlder = mutateUntilDifferent(random, olderBytes);
                final byte[] mutatedNewer = mutateUntilDifferent(random, newerBytes);
                Files.write(olderFile, mutatedOlder);
                Files.write(newerFile, mutatedNewer);
                final String what = "try " + i + " seed " + SEED + " older " + hex(mutatedOlder) + " newer " +
                    hex(mutatedNewer);

                final BytesState loaded = new BytesState();
                assertNull(load(loaded, what), what);
                assertEquals(0, loaded.loads, "a damaged snapshot reached the state machine: " + what);
                assertEquals(2, store.list().size());
                assertTrue(store.list().stream().noneMatch(SnapshotInfo::isValid), what);
            }
        });
    }

    @Test
    void shouldRefuseOrReportFaithfullyWhatTheCrcCannotSee()
    {
        assertTimeoutPreemptively(Duration.ofMinutes(2L * SCALE), () ->
        {
            final SplittableRandom random = new SplittableRandom(SEED + 3);
            final CRC32C crc = new CRC32C();
            int loadedNewest = 0;
            int fellBack = 0;
            int hashRefusals = 0;
            for (int i = 0; i < TRIES; i++)
            {
                reset();
                final byte[] mutated = JournalEntryViewFuzzTest.MUTATOR.mutate(random, newerBytes);
                if (mutated.length >= CRC_OFFSET + 4)
                {
                    final UnsafeBuffer view = new UnsafeBuffer(mutated);
                    view.putInt(CRC_OFFSET, 0);
                    crc.reset();
                    crc.update(mutated, 0, mutated.length);
                    view.putInt(CRC_OFFSET, (int)crc.getValue(), EntryLayout.ORDER);
                }
                Files.write(newerFile, mutated);
                final String what = "try " + i + " seed " + SEED + " " + hex(mutated);

                final BytesState loaded = new BytesState();
                try
                {
                    final SnapshotInfo info = load(loaded, what);
                    assertNotNull(info, what);
                    if (info.wireSeq() == 20)
                    {
                        // It passed every check: what loaded is what the file holds, and it hashes as recorded.
                        final byte[] state = Arrays.copyOfRange(mutated, SnapshotStore.STATE_OFFSET, mutated.length);
                        assertArrayEquals(state, loaded.state, what);
                        assertEquals(info.stateHash(), loaded.stateHash(), what);
                        assertEquals(state.length, info.stateLengthBytes(), what);
                        loadedNewest++;
                    }
                    else
                    {
                        assertEquals(10, info.wireSeq(), what);
                        assertEquals(1, loaded.loads, "a refused snapshot reached the state machine: " + what);
                        assertArrayEquals(older.state, loaded.state, what);
                        fellBack++;
                    }
                }
                catch (final JournalCorruptionException ex)
                {
                    assertTrue(ex.getMessage().contains("hashes to"), what + ": " + ex.getMessage());
                    hashRefusals++;
                }
            }
            System.out.println("fuzz snapshot-store-crc-recomputed: seed=" + SEED + " tries=" + TRIES + " loaded=" +
                loadedNewest + " fellBack=" + fellBack + " hashRefusals=" + hashRefusals);
            assertTrue(loadedNewest > 0 && fellBack > 0 && hashRefusals > 0,
                "every outcome occurs: loaded " + loadedNewest + ", fell back " + fellBack + ", refused " + hashRefusals);
        });
    }

    private SnapshotInfo load(final BytesState target, final String what) throws IOException
    {
        try
        {
            return store.loadNewest(target);
        }
        catch (final JournalCorruptionException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            throw new AssertionError("loadNewest threw " + ex + ": " + what, ex);
        }
    }

    /** Puts the pristine files back and removes anything else. */
    private void reset() throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path file : files.toList())
            {
                Files.delete(file);
            }
        }
        Files.write(olderFile, olderBytes);
        Files.write(newerFile, newerBytes);
    }

    private static byte[] mutateUntilDifferent(final SplittableRandom random, final byte[] original)
    {
        byte[] mutated = JournalEntryViewFuzzTest.MUTATOR.mutate(random, original);
        while (Arrays.equals(mutated, original))
        {
            mutated = JournalEntryViewFuzzTest.MUTATOR.mutate(random, original);
        }
        return mutated;
    }

    private static String mutateName(final SplittableRandom random, final String name)
    {
        final char[] chars = name.toCharArray();
        final int digitsFrom = SnapshotStore.FILE_PREFIX.length();
        final String replacements = "0123456789+-x ";
        chars[digitsFrom + random.nextInt(20)] = replacements.charAt(random.nextInt(replacements.length()));
        return new String(chars);
    }

    private static String hex(final byte[] bytes)
    {
        return HexFormat.of().formatHex(bytes);
    }

    /** An opaque state: bytes whose every one counts in the hash. Counts the loads it receives. */
    private static final class BytesState implements JournalStateMachine
    {
        byte[] state = new byte[0];
        int loads;

        static BytesState random(final SplittableRandom random, final int length)
        {
            final BytesState bytesState = new BytesState();
            bytesState.state = new byte[length];
            for (int i = 0; i < length; i++)
            {
                bytesState.state[i] = (byte)random.nextInt(256);
            }
            return bytesState;
        }

        public int writeState(final MutableDirectBuffer buffer, final int offset)
        {
            buffer.putBytes(offset, state);
            return state.length;
        }

        public long stateHash()
        {
            long hash = 0xCBF2_9CE4_8422_2325L;
            for (final byte b : state)
            {
                hash = (hash ^ (b & 0xFF)) * 0x100_0000_01B3L;
            }
            return hash ^ state.length;
        }

        public void loadState(final DirectBuffer buffer, final int offset, final int length)
        {
            loads++;
            state = new byte[length];
            buffer.getBytes(offset, state);
        }

        public void apply(final JournalEntryView entry)
        {
            throw new UnsupportedOperationException("snapshots only");
        }
    }
}
