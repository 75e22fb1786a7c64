package io.sluice.harness.floor;

import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * What processes burn while idle: each one's user plus system CPU time ({@link ProcStat}) over a window with no load,
 * as a percentage of one core. Linux only.
 *
 * @param percentOfCoreByProcess by process name, in the order given.
 * @param totalPercentOfCore     their sum.
 * @param seconds                the window.
 */
public record IdleCpu(Map<String, Double> percentOfCoreByProcess, double totalPercentOfCore, double seconds)
{
    /**
     * @return null if idle CPU can be measured here, else a one-line reason why not.
     */
    public static String unavailableReason()
    {
        return ProcStat.available() ? null : "idle CPU not measured: it is read from /proc (Linux only)";
    }

    /**
     * @param pidsByName the processes, by the name to report them under.
     * @param settleNs   how long to leave them alone first, so what they do just after starting (compiling,
     *                   connecting) is not counted.
     * @param windowNs   how long to watch them.
     * @return their CPU use over the window.
     * @throws IOException if a process's CPU time cannot be read (it exited) or the clock tick is unknown.
     */
    public static IdleCpu measure(final Map<String, Long> pidsByName, final long settleNs, final long windowNs)
        throws IOException
    {
        final long ticksPerSecond = ProcStat.clockTicksPerSecond();
        sleep(settleNs);
        final Map<String, Long> ticksBefore = new LinkedHashMap<>();
        for (final Map.Entry<String, Long> process : pidsByName.entrySet())
        {
            ticksBefore.put(process.getKey(), ProcStat.cpuTicks(process.getValue()));
        }
        final long startNs = System.nanoTime();
        sleep(windowNs);
        final Map<String, Long> ticksAfter = new LinkedHashMap<>();
        for (final Map.Entry<String, Long> process : pidsByName.entrySet())
        {
            ticksAfter.put(process.getKey(), ProcStat.cpuTicks(process.getValue()));
        }
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        final Map<String, Double> percentByName = new LinkedHashMap<>();
        double total = 0;
        for (final String name : pidsByName.keySet())
        {
            final double percent = percentOfCore(ticksAfter.get(name) - ticksBefore.get(name), ticksPerSecond,
                seconds);
            percentByName.put(name, percent);
            total += percent;
        }
        return new IdleCpu(Collections.unmodifiableMap(percentByName), total, seconds);
    }

    private static void sleep(final long durationNs)
    {
        final long endNs = System.nanoTime() + durationNs;
        for (long nowNs = System.nanoTime(); endNs - nowNs > 0; nowNs = System.nanoTime())
        {
            LockSupport.parkNanos(endNs - nowNs);
        }
    }

    /**
     * @return CPU time of {@code ticks} over {@code seconds} of wall-clock time, in percent of one core.
     */
    static double percentOfCore(final long ticks, final long ticksPerSecond, final double seconds)
    {
        return 100.0 * ticks / ticksPerSecond / seconds;
    }
}
