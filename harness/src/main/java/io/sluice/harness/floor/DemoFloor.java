package io.sluice.harness.floor;

import io.sluice.durability.Policy;
import io.sluice.harness.bench.BenchResult;
import io.sluice.node.NodeProcess;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The short floor {@code ./sluice demo} measures in the same run: once its nodes trade and before its load, the
 * floor of the demo's policy ({@link FloorContext#demo()}; every echo JVM has stopped before the load starts), then
 * the nodes' idle CPU; beside the bench's table, the floor and Sluice / floor; in the JSON report, a {@code floor}
 * object. The nodes run while the floor is measured, as they do under the load.
 */
public final class DemoFloor
{
    private final Policy policy;
    private final FloorResult floor;
    /** The bench's result, set when its table is printed. */
    private BenchResult bench;

    private DemoFloor(final Policy policy, final FloorResult floor)
    {
        this.policy = policy;
        this.floor = floor;
    }

    /**
     * @param demoDir  the demo's directory, on the nodes' filesystem; the floor's files go in a subdirectory.
     * @param policy   the policy the demo runs.
     * @param primary  the running primary.
     * @param replicas its running replicas.
     * @param out      where to say what is measured.
     * @param err      where to say why the floor could not be measured.
     * @return the floor, or null if it could not be measured (the demo goes on without it).
     */
    public static DemoFloor measure(
        final Path demoDir,
        final Policy policy,
        final NodeProcess primary,
        final List<NodeProcess> replicas,
        final PrintStream out,
        final PrintStream err)
    {
        final FloorContext context = FloorContext.demo().conclude();
        out.printf(Locale.ROOT, "demo: the floor of %s on this machine, then the nodes' idle CPU for %.1f s " +
            "(--no-floor skips both)%n", policy.description(), context.idleSeconds());
        out.flush();
        try
        {
            final FloorResult floor = Floor.measure(context, List.of(policy), demoDir.resolve("floor"), out);
            final String unavailable = IdleCpu.unavailableReason();
            final IdleCpu idleCpu = unavailable == null ?
                IdleCpu.measure(Floor.pids(primary, replicas), context.warmupNs(), context.idleNs()) : null;
            floor.idleCpu(idleCpu);
            floor.idleCpuNote(unavailable);
            return new DemoFloor(policy, floor);
        }
        catch (final IOException | RuntimeException ex)
        {
            err.println("sluice demo: floor not measured: " + ex.getMessage());
            return null;
        }
    }

    /**
     * Print the floor of the demo's policy and Sluice / floor under the bench's table.
     *
     * @param result the bench's.
     * @param out    where the table went.
     */
    public void printBeside(final BenchResult result, final PrintStream out)
    {
        bench = result;
        out.println();
        out.printf(Locale.ROOT, "  floor of %s on this machine, from %.1f s of each path (perf/run floor measures " +
            "longer): tcp p50 %,.1f us%s%s%n", policy.description(), floor.context().seconds(),
            floor.tcp().summary().p50Us(),
            floor.aeron() == null ? "" : String.format(Locale.ROOT, ", aeron p50 %,.1f us",
                floor.aeron().summary().p50Us()),
            floor.sync() == null ? "" : String.format(Locale.ROOT, ", sync p50 %,.1f us",
                floor.sync().summary().p50Us()));
        floor.printRatio(out, "sluice", policy, result.latency().p50Us(), result.latency().p99Us());
        out.println(floor.idleCpuLine("before the load"));
    }

    /**
     * Add the {@code floor} object to the demo's JSON report: every field of {@link FloorResult#json()} plus those
     * of {@link FloorResult#ratioJson} for the bench's p50 and p99.
     *
     * @param json the report the bench wrote; nothing is done if the bench wrote none.
     * @param err  where to say why it could not be added.
     * @return true if it was added.
     */
    public boolean addToJson(final Path json, final PrintStream err)
    {
        if (bench == null || !Files.exists(json))
        {
            return true;
        }
        try
        {
            FloorResult.addField(json, "floor", floor.ratioJson(policy, bench.latency().p50Us(),
                bench.latency().p99Us()).setAll(floor.json()));
            return true;
        }
        catch (final IOException ex)
        {
            err.println("sluice demo: cannot add the floor to " + json + ": " + ex.getMessage());
            return false;
        }
    }
}
