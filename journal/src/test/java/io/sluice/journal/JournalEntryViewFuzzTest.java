package io.sluice.journal;

import io.sluice.fuzz.ByteMutator;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes {@link JournalEntryView#problem()}, the check a replica applies to every entry the primary ships, with
 * mutations of real journal entries (client NewOrders and every kind of admin entry). Each input sits in a buffer
 * exactly its own size, so a read outside the wrapped entry throws and fails the test.
 * <ul>
 *     <li>Mutated bytes are refused unless the mutation left them as they were: nothing else passes the CRC.</li>
 *     <li>With the CRC recomputed after the mutation (damage the CRC cannot see), an entry that passes has the
 *     journal's structure: its signature, a known entry type, and a command that ends exactly at the entry's end,
 *     so every accessor stays inside it.</li>
 *     <li>A view wrapped over a window shorter or longer than the entry reads only inside that window.</li>
 * </ul>
 * Tries scale with {@code -Dsluice.fuzz.scale=N}; {@code -Dsluice.fuzz.seed=S} changes the inputs.
 */
class JournalEntryViewFuzzTest
{
    /** Aimed at the length fields: the command length, or for a short input the header's block length. */
    static final ByteMutator MUTATOR = new ByteMutator((random, view, bytes) ->
    {
        if (bytes.length >= EntryLayout.COMMAND_OFFSET)
        {
            view.putInt(EntryLayout.COMMAND_LENGTH_OFFSET, random.nextInt(8) == 0 ? EntryLayout.MAX_ENTRY_LENGTH + 1 :
                ByteMutator.interestingInt(random), EntryLayout.ORDER);
        }
        else if (bytes.length >= 2)
        {
            view.putShort(0, (short)ByteMutator.interestingInt(random), EntryLayout.ORDER);
        }
    }, 16, 32, 16);

    private static final long SEED = Long.getLong("sluice.fuzz.seed", 0x3E_0A1L);
    private static final int SCALE = Integer.getInteger("sluice.fuzz.scale", 1);
    private static final int TRIES = 50_000 * SCALE;
    private static final int ENTRIES = 120;

    @TempDir
    static Path dir;

    /** Entry wireSeq at index wireSeq - 1, as stored (CRC filled in). */
    private static byte[][] entries;

    @BeforeAll
    static void writeJournal() throws IOException
    {
        entries = new byte[ENTRIES][];
        try (JournalTestSupport.Writer writer = new JournalTestSupport.Writer(JournalTestSupport.context(dir)))
        {
            writer.append(1, ENTRIES);
            try (JournalReader reader = writer.journal.newReader())
            {
                for (int i = 0; i < ENTRIES; i++)
                {
                    assertTrue(reader.next());
                    final JournalEntryView entry = reader.entry();
                    entries[i] = new byte[entry.length()];
                    entry.buffer().getBytes(entry.offset(), entries[i]);
                }
            }
        }
    }

    @Test
    void shouldRefuseEveryMutatedEntryWithoutReadingOutsideIt()
    {
        assertTimeoutPreemptively(Duration.ofMinutes(2L * SCALE), () ->
        {
            final SplittableRandom random = new SplittableRandom(SEED);
            final JournalEntryView view = new JournalEntryView();
            int refused = 0;
            for (int i = 0; i < TRIES; i++)
            {
                final byte[] original = entries[random.nextInt(ENTRIES)];
                final byte[] mutated = MUTATOR.mutate(random, original);
                final String problem = check(view, mutated, i);
                if (problem == null)
                {
                    if (!Arrays.equals(original, mutated))
                    {
                        fail("mutated entry passed its check: try " + i + " seed " + SEED + " " + hex(mutated));
                    }
                    assertReadable(view, mutated, i);
                }
                else
                {
                    assertTrue(!problem.isEmpty());
                    refused++;
                }
            }
            System.out.println("fuzz entry-view: seed=" + SEED + " tries=" + TRIES + " refused=" + refused);
            assertTrue(refused > TRIES / 2, "mutations damage most entries: refused " + refused);
        });
    }

    @Test
    void shouldPassOnlyWellFormedEntriesWhenTheCrcIsRecomputed()
    {
        assertTimeoutPreemptively(Duration.ofMinutes(2L * SCALE), () ->
        {
            final SplittableRandom random = new SplittableRandom(SEED + 1);
            final JournalEntryView view = new JournalEntryView();
            final CRC32C crc = new CRC32C();
            int passed = 0;
            int refused = 0;
            for (int i = 0; i < TRIES; i++)
            {
                final byte[] mutated = MUTATOR.mutate(random, entries[random.nextInt(ENTRIES)]);
                if (mutated.length >= EntryLayout.CRC_OFFSET + 4)
                {
                    final int value = EntryLayout.crc32c(crc, mutated, 0, mutated.length);
                    new UnsafeBuffer(mutated).putInt(EntryLayout.CRC_OFFSET, value, EntryLayout.ORDER);
                }
                final String problem = check(view, mutated, i);
                if (problem == null)
                {
                    final UnsafeBuffer bytes = new UnsafeBuffer(mutated);
                    assertEquals(EntryLayout.SIGNATURE, bytes.getLong(0, EntryLayout.ORDER), "signature, try " + i);
                    assertTrue(EntryLayout.isKnownEntryType(view.entryTypeCode()), "entry type, try " + i);
                    assertEquals(mutated.length, EntryLayout.COMMAND_OFFSET + view.commandLength(),
                        "command ends at the entry's end, try " + i);
                    assertReadable(view, mutated, i);
                    passed++;
                }
                else
                {
                    refused++;
                }
            }
            System.out.println("fuzz entry-view-crc-recomputed: seed=" + SEED + " tries=" + TRIES + " passed=" +
                passed + " refused=" + refused);
            assertTrue(passed > TRIES / 10, "mutations that keep the structure pass: " + passed);
            assertTrue(refused > TRIES / 10, "mutations that break the structure are refused: " + refused);
        });
    }

    @Test
    void shouldReadOnlyInsideTheWrappedWindow()
    {
        assertTimeoutPreemptively(Duration.ofMinutes(2L * SCALE), () ->
        {
            final SplittableRandom random = new SplittableRandom(SEED + 2);
            final JournalEntryView view = new JournalEntryView();
            int intact = 0;
            for (int i = 0; i < TRIES; i++)
            {
                final byte[] original = entries[random.nextInt(ENTRIES)];
                final int offset = random.nextInt(16);
                final byte[] backing = new byte[offset + original.length + 16];
                for (int b = 0; b < backing.length; b++)
                {
                    backing[b] = (byte)random.nextInt(256);
                }
                System.arraycopy(original, 0, backing, offset, original.length);
                final int window = random.nextInt(4) == 0 ? original.length : random.nextInt(backing.length - offset + 1);

                // The view sees only [offset, offset + window): anything it reads beyond throws.
                final UnsafeBuffer buffer = new UnsafeBuffer(backing, 0, offset + window);
                final String problem;
                try
                {
                    problem = view.wrap(buffer, offset, window).problem();
                }
                catch (final RuntimeException ex)
                {
                    throw new AssertionError("try " + i + " seed " + SEED + " window " + window + " of entry " +
                        hex(original), ex);
                }
                assertEquals(problem == null, window == original.length, "try " + i + ": window " + window +
                    " over an entry of " + original.length + " bytes: " + problem);
                intact += problem == null ? 1 : 0;
            }
            assertTrue(intact > 0);
        });
    }

    private static String check(final JournalEntryView view, final byte[] bytes, final int attempt)
    {
        try
        {
            return view.wrap(new UnsafeBuffer(bytes), 0, bytes.length).problem();
        }
        catch (final RuntimeException ex)
        {
            throw new AssertionError("problem() threw: try " + attempt + " seed " + SEED + " " + hex(bytes), ex);
        }
    }

    /** Every accessor of an entry that passed works inside its buffer, as a replica and recovery read it. */
    private static void assertReadable(final JournalEntryView view, final byte[] bytes, final int attempt)
    {
        try
        {
            view.wireSeq();
            view.timestampNs();
            view.sessionId();
            view.accountId();
            view.requestSeq();
            view.epoch();
            view.entryType();
            view.crc32c();
            final byte[] command = new byte[view.commandLength()];
            view.buffer().getBytes(view.commandOffset(), command);
            assertTrue(view.toString().contains("wireSeq"));
        }
        catch (final RuntimeException ex)
        {
            throw new AssertionError("accessor of a passed entry failed: try " + attempt + " seed " + SEED + " " +
                hex(bytes), ex);
        }
    }

    private static String hex(final byte[] bytes)
    {
        return HexFormat.of().formatHex(bytes);
    }
}
