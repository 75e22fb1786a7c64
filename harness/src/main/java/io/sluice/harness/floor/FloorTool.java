package io.sluice.harness.floor;

import io.sluice.durability.DurabilityMode;
import io.sluice.durability.Policy;
import io.sluice.harness.bench.BenchContext;
import io.sluice.harness.bench.ChildJvm;
import io.sluice.harness.bench.DemoCluster;
import io.sluice.harness.bench.DemoClusterConfig;
import io.sluice.harness.bench.Directories;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code perf/run floor [--quick] [--json FILE] [--seconds N] [--interval-us N] [--dir DIR]}: the physical floor of
 * every path in one run ({@link Floor}), composed for every named policy, then the idle CPU of a primary and two
 * replicas started as {@code ./sluice demo} starts them. Everything runs in a temporary directory under
 * {@code --dir} (default {@code java.io.tmpdir}), where the nodes' data and the sync files go, removed at the end; a
 * shutdown hook stops every child process and removes it on Ctrl-C too.
 * <p>
 * Exit code 0 after a full run, 1 if a path or a node failed, 2 on bad options.
 */
public final class FloorTool
{
    private static final String USAGE =
        "usage: perf/run floor [--quick] [--json FILE] [--seconds N] [--interval-us N] [--dir DIR]";
    private static final int EXIT_FAILED = 1;
    private static final int EXIT_USAGE = 2;
    private static final long CHILD_STOP_TIMEOUT_MS = 15_000;

    private FloorTool()
    {
    }

    /**
     * @param name what the user typed, for messages.
     * @param args the options.
     * @param out  where the table goes.
     * @param err  where problems go, one line each.
     * @return the exit code.
     */
    public static int run(final String name, final String[] args, final PrintStream out, final PrintStream err)
    {
        final FloorContext context;
        Path json = null;
        Path baseDir = Path.of(System.getProperty("java.io.tmpdir"));
        try
        {
            boolean quick = false;
            Double seconds = null;
            Long intervalUs = null;
            for (int i = 0; i < args.length; i++)
            {
                switch (args[i])
                {
                    case "--quick" -> quick = true;
                    case "--json" -> json = Path.of(value(args, ++i, "--json"));
                    case "--seconds" -> seconds = number(value(args, ++i, "--seconds"), "--seconds");
                    case "--interval-us" -> intervalUs = (long)number(value(args, ++i, "--interval-us"),
                        "--interval-us");
                    case "--dir" -> baseDir = Path.of(value(args, ++i, "--dir"));
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            final FloorContext chosen = quick ? FloorContext.quickRun() : FloorContext.full();
            if (seconds != null)
            {
                chosen.seconds(seconds).idleSeconds(seconds);
            }
            if (intervalUs != null)
            {
                chosen.intervalUs(intervalUs);
            }
            context = chosen.conclude();
        }
        catch (final IllegalArgumentException ex)
        {
            err.println(name + ": " + ex.getMessage() + "; " + USAGE);
            return EXIT_USAGE;
        }

        final Path dir;
        try
        {
            dir = Files.createTempDirectory(baseDir, "sluice-floor-");
        }
        catch (final IOException | RuntimeException ex)
        {
            err.println(name + ": cannot create a directory in " + baseDir + ": " + ex.getMessage());
            return EXIT_USAGE;
        }
        final Thread onInterrupt = new Thread(() -> cleanUp(dir, name, err), "floor-shutdown");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try
        {
            final List<Policy> policies = new ArrayList<>();
            for (final DurabilityMode mode : List.of(DurabilityMode.LOCAL, DurabilityMode.REPLICATED,
                DurabilityMode.HYBRID, DurabilityMode.DURABLY_REPLICATED))
            {
                policies.add(mode.policy());
            }
            out.println("floor: working directory " + dir + " (node data and sync files; removed at the end)");
            final FloorResult result = Floor.measure(context, policies, dir.resolve("paths"), out);
            measureIdleCpu(context, dir.resolve("cluster"), result, out);
            result.printTable(out);
            if (json != null)
            {
                result.writeJson(json);
                out.println("wrote " + json);
            }
            return 0;
        }
        catch (final IOException | RuntimeException ex)
        {
            err.println(name + ": " + ex.getMessage());
            return EXIT_FAILED;
        }
        finally
        {
            cleanUp(dir, name, err);
            try
            {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            }
            catch (final IllegalStateException ex)
            {
                // Already shutting down; the hook cleans up.
            }
        }
    }

    /**
     * Start a primary and two replicas as the demo does, wait until they trade, and measure their idle CPU.
     */
    private static void measureIdleCpu(
        final FloorContext context, final Path dir, final FloorResult result, final PrintStream out)
        throws IOException
    {
        final String unavailable = IdleCpu.unavailableReason();
        if (unavailable != null)
        {
            out.println("floor: " + unavailable);
            result.idleCpuNote(unavailable);
            return;
        }
        final long settleNs = Math.max(context.warmupNs(), FloorContext.IDLE_SETTLE_NS);
        out.printf(Locale.ROOT, "floor: idle CPU of a primary and two replicas (hybrid, as ./sluice demo starts " +
            "them), %.1f s once they trade and %.1f s more to settle...%n", context.idleSeconds(), settleNs / 1e9);
        final DemoClusterConfig config = DemoClusterConfig.write(dir, DurabilityMode.HYBRID.modeName(),
            BenchContext.DEFAULT_INSTRUMENTS, 2, BenchContext.DEFAULT_FIRST_SESSION_ID,
            BenchContext.DEFAULT_CONNECTIONS, false);
        try (DemoCluster cluster = DemoCluster.start(config, dir, FloorContext.START_TIMEOUT_MS))
        {
            result.idleCpu(IdleCpu.measure(Floor.pids(cluster.primary(), cluster.replicas()), settleNs,
                context.idleNs()));
        }
    }

    private static double number(final String text, final String option)
    {
        try
        {
            return Double.parseDouble(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + " takes a number, not '" + text + "'");
        }
    }

    private static String value(final String[] args, final int index, final String option)
    {
        if (index >= args.length)
        {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    /**
     * Stop every child process still alive and remove the directory; safe to call twice and from the shutdown hook.
     */
    private static void cleanUp(final Path dir, final String name, final PrintStream err)
    {
        ChildJvm.stopAllChildren(CHILD_STOP_TIMEOUT_MS);
        try
        {
            Directories.deleteRecursively(dir);
        }
        catch (final IOException ex)
        {
            err.println(name + ": could not remove " + dir + ": " + ex.getMessage());
        }
    }
}
