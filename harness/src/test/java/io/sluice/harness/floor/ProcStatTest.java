package io.sluice.harness.floor;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcStatTest
{
    /** Fields 3 to 17 of a stat line: state, ppid ... utime (field 14) = 1234, stime (field 15) = 567. */
    private static final String FIELDS_AFTER_NAME = "S 1 2 3 0 -1 4194560 5 0 0 0 1234 567 8 9 20 0 19 0 100";

    @Test
    void shouldAddUserAndSystemTime()
    {
        assertEquals(1234 + 567, ProcStat.cpuTicks("4242 (java) " + FIELDS_AFTER_NAME + "\n"));
    }

    @Test
    void shouldCountFieldsFromTheLastParenthesisWhenTheNameHoldsSpacesAndParentheses()
    {
        assertEquals(1801, ProcStat.cpuTicks("4242 (my (odd) name) 1 2) " + FIELDS_AFTER_NAME));
        assertEquals(1801, ProcStat.cpuTicks("7 ( ) ) " + FIELDS_AFTER_NAME));
        assertEquals(1801, ProcStat.cpuTicks("7 (a  b\tc) " + FIELDS_AFTER_NAME.replace(" ", "  ")));
    }

    @Test
    void shouldRefuseALineWithoutItsFields()
    {
        assertThrows(IllegalArgumentException.class, () -> ProcStat.cpuTicks("4242 java S 1 2 3"));
        assertThrows(IllegalArgumentException.class, () -> ProcStat.cpuTicks("4242 (java) S 1 2 3"));
        assertThrows(IllegalArgumentException.class, () ->
            ProcStat.cpuTicks("4242 (java) " + FIELDS_AFTER_NAME.replace("1234", "x")));
    }

    @Test
    void shouldReadTheOwnProcessTicksOnLinux() throws IOException
    {
        if (ProcStat.available())
        {
            final long ticks = ProcStat.cpuTicks(ProcessHandle.current().pid());
            assertTrue(ticks >= 0, "ticks " + ticks);
            assertTrue(ProcStat.clockTicksPerSecond() > 0);
        }
    }

    private static byte[] auxv(final ByteOrder order, final int wordBytes, final long... words)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(words.length * wordBytes).order(order);
        for (final long word : words)
        {
            if (wordBytes == Long.BYTES)
            {
                buffer.putLong(word);
            }
            else
            {
                buffer.putInt((int)word);
            }
        }
        return buffer.array();
    }

    @Test
    void shouldFindTheClockTickInTheAuxiliaryVector() throws IOException
    {
        // AT_PAGESZ (6) = 4096, AT_CLKTCK (17) = 250, AT_NULL.
        assertEquals(250, ProcStat.clockTicksPerSecond(
            auxv(ByteOrder.LITTLE_ENDIAN, 8, 6, 4096, 17, 250, 0, 0), ByteOrder.LITTLE_ENDIAN, 8));
        assertEquals(100, ProcStat.clockTicksPerSecond(
            auxv(ByteOrder.BIG_ENDIAN, 8, 16, 0xbfebfbffL, 17, 100, 0, 0), ByteOrder.BIG_ENDIAN, 8));
        assertEquals(1000, ProcStat.clockTicksPerSecond(
            auxv(ByteOrder.LITTLE_ENDIAN, 4, 17, 1000, 0, 0), ByteOrder.LITTLE_ENDIAN, 4));
    }

    @Test
    void shouldRefuseAnAuxiliaryVectorWithoutAClockTick()
    {
        assertThrows(IOException.class, () -> ProcStat.clockTicksPerSecond(
            auxv(ByteOrder.LITTLE_ENDIAN, 8, 6, 4096, 0, 0, 17, 100), ByteOrder.LITTLE_ENDIAN, 8),
            "an entry after AT_NULL is not part of the vector");
        assertThrows(IOException.class, () -> ProcStat.clockTicksPerSecond(new byte[0], ByteOrder.LITTLE_ENDIAN, 8));
        assertThrows(IOException.class, () -> ProcStat.clockTicksPerSecond(
            auxv(ByteOrder.LITTLE_ENDIAN, 8, 17, 0, 0, 0), ByteOrder.LITTLE_ENDIAN, 8));
    }

    @Test
    void shouldExpressTicksAsAPercentageOfOneCore()
    {
        assertEquals(50.0, IdleCpu.percentOfCore(500, 100, 10.0), 1e-9);
        assertEquals(150.0, IdleCpu.percentOfCore(300, 100, 2.0), 1e-9, "more than one core's worth");
        assertEquals(0.0, IdleCpu.percentOfCore(0, 100, 2.0), 0.0);
    }
}
