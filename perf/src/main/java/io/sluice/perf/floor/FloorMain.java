package io.sluice.perf.floor;

import io.sluice.harness.floor.FloorTool;

/**
 * {@code perf/run floor [--quick] [--json FILE] [--seconds N] [--interval-us N] [--dir DIR]}: the physical floor of
 * each path a reply takes on this machine and of each durability policy, and the nodes' idle CPU. The measuring lives
 * in the harness ({@link FloorTool}, {@code io.sluice.harness.floor}), which {@code ./sluice demo} shares.
 */
public final class FloorMain
{
    private FloorMain()
    {
    }

    public static void main(final String[] args)
    {
        System.exit(FloorTool.run("perf/run floor", args, System.out, System.err));
    }
}
