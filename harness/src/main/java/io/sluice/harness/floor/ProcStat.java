package io.sluice.harness.floor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's CPU time as Linux reports it: {@code utime + stime} from {@code /proc/PID/stat}, in clock ticks, and
 * how many ticks make a second, from this process's auxiliary vector ({@code /proc/self/auxv}, entry
 * {@code AT_CLKTCK}), which is where the C library's {@code sysconf(_SC_CLK_TCK)} reads it too.
 */
final class ProcStat
{
    /** Type of the auxiliary vector entry holding the clock ticks per second ({@code <elf.h>}). */
    static final long AT_CLKTCK = 17;
    /** Type of the entry that ends the auxiliary vector. */
    static final long AT_NULL = 0;
    /** Field numbers (from 1) of user and system time in {@code /proc/PID/stat}, as {@code man 5 proc} counts. */
    private static final int UTIME_FIELD = 14;
    private static final int STIME_FIELD = 15;
    /** The first field after the process name, the state. */
    private static final int FIRST_FIELD_AFTER_NAME = 3;

    private ProcStat()
    {
    }

    /**
     * @return whether this machine has the files this class reads.
     */
    static boolean available()
    {
        return Files.isReadable(Path.of("/proc/self/stat")) && Files.isReadable(Path.of("/proc/self/auxv"));
    }

    /**
     * @param pid a live process.
     * @return its user plus system CPU time in clock ticks.
     * @throws IOException if its stat file cannot be read or parsed (the process is gone).
     */
    static long cpuTicks(final long pid) throws IOException
    {
        final String line = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
        try
        {
            return cpuTicks(line);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IOException("/proc/" + pid + "/stat: " + ex.getMessage(), ex);
        }
    }

    /**
     * @param statLine the content of a {@code /proc/PID/stat} file. The process name, field 2, is in parentheses and
     *                 may itself hold spaces and parentheses, so the fields are counted from the last {@code ')'}.
     * @return {@code utime + stime}, fields 14 and 15, in clock ticks.
     * @throws IllegalArgumentException if the line does not have them.
     */
    static long cpuTicks(final String statLine)
    {
        final int nameEnd = statLine.lastIndexOf(')');
        if (nameEnd < 0)
        {
            throw new IllegalArgumentException("no process name in parentheses: " + statLine);
        }
        final String[] fields = statLine.substring(nameEnd + 1).trim().split("\\s+");
        final int stimeIndex = STIME_FIELD - FIRST_FIELD_AFTER_NAME;
        if (fields.length <= stimeIndex)
        {
            throw new IllegalArgumentException("fewer than " + STIME_FIELD + " fields: " + statLine);
        }
        try
        {
            return Long.parseLong(fields[UTIME_FIELD - FIRST_FIELD_AFTER_NAME]) + Long.parseLong(fields[stimeIndex]);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("utime or stime is not a number: " + statLine, ex);
        }
    }

    /**
     * @return clock ticks per second of {@code /proc}'s CPU times on this machine.
     * @throws IOException if the auxiliary vector cannot be read or has no {@code AT_CLKTCK}.
     */
    static long clockTicksPerSecond() throws IOException
    {
        final int wordBytes = "32".equals(System.getProperty("sun.arch.data.model")) ? Integer.BYTES : Long.BYTES;
        return clockTicksPerSecond(Files.readAllBytes(Path.of("/proc/self/auxv")), ByteOrder.nativeOrder(),
            wordBytes);
    }

    /**
     * @param auxv      an auxiliary vector: (type, value) pairs of native words, ended by {@link #AT_NULL}.
     * @param order     the machine's byte order.
     * @param wordBytes 8 on a 64-bit JVM, 4 on a 32-bit one.
     * @return the value of its {@link #AT_CLKTCK} entry.
     * @throws IOException if it has none, or a non-positive one.
     */
    static long clockTicksPerSecond(final byte[] auxv, final ByteOrder order, final int wordBytes) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.wrap(auxv).order(order);
        while (buffer.remaining() >= 2 * wordBytes)
        {
            final long type = word(buffer, wordBytes);
            final long value = word(buffer, wordBytes);
            if (type == AT_NULL)
            {
                break;
            }
            if (type == AT_CLKTCK)
            {
                if (value <= 0)
                {
                    throw new IOException("the auxiliary vector's AT_CLKTCK is " + value);
                }
                return value;
            }
        }
        throw new IOException("the auxiliary vector has no AT_CLKTCK entry");
    }

    private static long word(final ByteBuffer buffer, final int wordBytes)
    {
        return wordBytes == Long.BYTES ? buffer.getLong() : Integer.toUnsignedLong(buffer.getInt());
    }
}
