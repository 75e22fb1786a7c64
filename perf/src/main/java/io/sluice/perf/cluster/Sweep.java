package io.sluice.perf.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * What one system measured under one configuration: its low-rate run and its sweep runs, in ladder order.
 */
final class Sweep
{
    private final String label;
    private RunFigures lowRate;
    private final List<RunFigures> runs = new ArrayList<>();

    Sweep(final String label)
    {
        this.label = label;
    }

    String label()
    {
        return label;
    }

    void lowRate(final RunFigures lowRate)
    {
        this.lowRate = lowRate;
    }

    RunFigures lowRate()
    {
        return lowRate;
    }

    void add(final RunFigures run)
    {
        runs.add(run);
    }

    List<RunFigures> runs()
    {
        return runs;
    }

    /**
     * @param ratePerSecond of a sweep run.
     * @return the run at that rate, or null if the sweep stopped before it.
     */
    RunFigures at(final double ratePerSecond)
    {
        for (final RunFigures run : runs)
        {
            if (run.ratePerSecond() == ratePerSecond)
            {
                return run;
            }
        }
        return null;
    }

    /**
     * @return the highest answered rate of any sustained run (low-rate run included), 0 if none sustained.
     */
    double maxSustainedPerSecond()
    {
        double max = lowRate != null && lowRate.sustained() ? lowRate.throughputPerSecond() : 0;
        for (final RunFigures run : runs)
        {
            if (run.sustained())
            {
                max = Math.max(max, run.throughputPerSecond());
            }
        }
        return max;
    }
}
