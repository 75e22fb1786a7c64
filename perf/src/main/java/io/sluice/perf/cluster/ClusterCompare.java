package io.sluice.perf.cluster;

import io.sluice.harness.bench.BenchContext;
import io.sluice.harness.bench.BenchResult;
import io.sluice.harness.bench.ChildJvm;
import io.sluice.harness.bench.Directories;
import io.sluice.harness.floor.Floor;
import io.sluice.harness.floor.FloorContext;
import io.sluice.harness.floor.FloorResult;
import io.sluice.durability.Policy;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code perf/run cluster-compare [--quick] [--json FILE]}: Sluice against Aeron Cluster, three nodes each on
 * loopback, like for like on durability, through the same bench driver and order flow.
 * <p>
 * The systems take turns, one running at a time so neither steals the other's cores: Sluice {@code replicated}, Aeron
 * Cluster with {@code fileSyncLevel} 0, Sluice {@code durably-replicated}, Aeron Cluster with {@code fileSyncLevel}
 * 1, Sluice {@code hybrid}. Each starts from empty directories, gets an unreported warm-up run, the low-rate run and
 * the rate sweep ({@link CompareSettings}), and is stopped before the next starts. Everything lives in one temporary
 * directory, removed at the end; a shutdown hook stops the child processes and removes it on Ctrl-C too.
 * <p>
 * Exit code 0 when every system ran its runs (whatever the figures), 1 if a system could not be started or a run
 * failed to connect, 2 on bad arguments.
 */
public final class ClusterCompare
{
    private static final String[][] PAIRS = { { "replicated", "0" }, { "durably-replicated", "1" } };
    static final String HYBRID = "hybrid";
    private static final long CHILD_STOP_TIMEOUT_MS = 15_000;

    private final CompareSettings settings;
    private final Path root;
    private final PrintStream out;
    /** The system running now, for the shutdown hook; written by the main thread. */
    private volatile BenchTarget current;
    private int systems;

    private ClusterCompare(final CompareSettings settings, final Path root, final PrintStream out)
    {
        this.settings = settings;
        this.root = root;
        this.out = out;
    }

    public static void main(final String[] args) throws IOException
    {
        boolean quick = false;
        Path json = null;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--quick" -> quick = true;
                case "--json" ->
                {
                    if (++i >= args.length)
                    {
                        usage("--json needs a file");
                    }
                    json = Path.of(args[i]);
                }
                default -> usage("unknown option " + args[i]);
            }
        }

        final CompareSettings settings = quick ? CompareSettings.quickRun() : CompareSettings.fullRun();
        final Path root = Files.createTempDirectory("sluice-cluster-compare-");
        final ClusterCompare compare = new ClusterCompare(settings, root, System.out);
        final Thread onInterrupt = new Thread(compare::cleanUp, "cluster-compare-shutdown");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        int exitCode = 1;
        try
        {
            final CompareReport report = compare.run();
            report.printTable(System.out);
            if (json != null)
            {
                final Path parent = json.toAbsolutePath().getParent();
                if (parent != null)
                {
                    Files.createDirectories(parent);
                }
                Files.writeString(json, report.json() + System.lineSeparator(), StandardCharsets.UTF_8);
                System.out.println("wrote " + json);
            }
            exitCode = 0;
        }
        catch (final IOException ex)
        {
            System.err.println("cluster-compare: " + ex.getMessage());
        }
        finally
        {
            compare.cleanUp();
            try
            {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            }
            catch (final IllegalStateException ex)
            {
                // Already shutting down; the hook cleans up.
            }
        }
        System.exit(exitCode);
    }

    private static void usage(final String problem)
    {
        System.err.println("cluster-compare: " + problem + "; usage: perf/run cluster-compare [--quick] [--json FILE]");
        System.exit(2);
    }

    private CompareReport run() throws IOException
    {
        final long startNs = System.nanoTime();
        final Map<String, String> machine = machine();
        out.printf(Locale.ROOT, "cluster-compare%s: %s, %s cores, %s; working directory %s%n",
            settings.quick() ? " --quick" : "", machine.get("cpu"), machine.get("nproc"), machine.get("jvm"), root);
        final FloorResult floor = measureFloor();
        final List<CompareReport.Pair> pairs = new ArrayList<>();
        for (final String[] pair : PAIRS)
        {
            final String policy = pair[0];
            final int syncLevel = Integer.parseInt(pair[1]);
            final Sweep sluice = measure((dir) -> SluiceCluster.start(dir, policy, CompareSettings.INSTRUMENTS,
                BenchContext.DEFAULT_FIRST_SESSION_ID, CompareSettings.SWEEP_CONNECTIONS,
                CompareSettings.START_TIMEOUT_MS));
            final Sweep aeron = measure((dir) -> AeronClusterNodes.start(dir, syncLevel, CompareSettings.INSTRUMENTS,
                CompareSettings.START_TIMEOUT_MS));
            pairs.add(new CompareReport.Pair(policy, syncLevel, sluice, aeron));
        }
        final Sweep hybrid = measure((dir) -> SluiceCluster.start(dir, HYBRID, CompareSettings.INSTRUMENTS,
            BenchContext.DEFAULT_FIRST_SESSION_ID, CompareSettings.SWEEP_CONNECTIONS,
            CompareSettings.START_TIMEOUT_MS));
        machine.put("load_average_end", String.format(Locale.ROOT, "%.2f",
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        return new CompareReport(settings, pairs, hybrid, machine, (System.nanoTime() - startNs) / 1e9, floor);
    }

    /**
     * This machine's floor of each Sluice policy the comparison runs, measured before any system starts (so nothing
     * else runs beside it) in the working directory, where the nodes' data goes too.
     *
     * @return the floor, or null (said in one line) if it could not be measured; the comparison goes on without it.
     */
    private FloorResult measureFloor()
    {
        final List<Policy> policies = new ArrayList<>();
        for (final String[] pair : PAIRS)
        {
            policies.add(Policy.resolve(pair[0]));
        }
        policies.add(Policy.resolve(HYBRID));
        final FloorContext context = (settings.quick() ? FloorContext.quickRun() : FloorContext.full()).conclude();
        try
        {
            final FloorResult floor = Floor.measure(context, policies, root.resolve("floor"), out);
            floor.idleCpuNote("idle CPU not measured by cluster-compare (perf/run floor measures it)");
            return floor;
        }
        catch (final IOException | RuntimeException ex)
        {
            System.err.println("cluster-compare: the floor was not measured: " + ex.getMessage());
            return null;
        }
        finally
        {
            try
            {
                Directories.deleteRecursively(root.resolve("floor"));
            }
            catch (final IOException ex)
            {
                System.err.println("cluster-compare: could not remove " + root.resolve("floor") + ": " +
                    ex.getMessage());
            }
        }
    }

    @FunctionalInterface
    private interface Starter
    {
        BenchTarget start(Path dir) throws IOException;
    }

    /**
     * Start a system in a fresh directory, warm it up, run the low-rate run and the sweep, stop it and remove its
     * files.
     */
    private Sweep measure(final Starter starter) throws IOException
    {
        final Path dir = root.resolve("system-" + (++systems));
        final long startNs = System.nanoTime();
        final BenchTarget target = starter.start(dir);
        current = target;
        try
        {
            final Sweep sweep = new Sweep(target.label());
            out.printf(Locale.ROOT, "%n%s: started in %.1f s%n", target.label(), (System.nanoTime() - startNs) / 1e9);
            final BenchResult warmup = target.run(settings.warmupRun());
            out.printf(Locale.ROOT, "  warm-up %,.0f/s for %.0f s: %,d answered, p99 %,.0f us (not reported)%n",
                CompareSettings.WARMUP_RATE_PER_SECOND, settings.systemWarmupNs() / 1e9,
                warmup.acked() + warmup.rejected(), warmup.latency().p99Us());
            settle();

            sweep.lowRate(runOnce(target, settings.lowRateRun(), "low rate"));
            int failuresInARow = 0;
            for (final double rate : settings.ladderPerSecond())
            {
                final RunFigures run = runOnce(target, settings.sweepRun(rate), "sweep");
                sweep.add(run);
                failuresInARow = run.sustained() ? 0 : failuresInARow + 1;
                if (failuresInARow >= settings.failuresToStop())
                {
                    break;
                }
            }
            return sweep;
        }
        finally
        {
            current = null;
            target.close();
            Directories.deleteRecursively(dir);
            out.printf(Locale.ROOT, "  stopped; %.1f s from start to stop%n", (System.nanoTime() - startNs) / 1e9);
        }
    }

    private RunFigures runOnce(final BenchTarget target, final BenchContext context, final String kind)
        throws IOException
    {
        final RunFigures run = RunFigures.of(target.run(context), CompareSettings.P99_LIMIT_US);
        out.printf(Locale.ROOT, "  %-8s %,7.0f/s x%d: p50 %,8.0f  p99 %,9.0f  p99.9 %,9.0f us  sent %,7d  " +
            "acked %,7d  answers/s %,8.0f  %s%n", kind, run.ratePerSecond(), run.connections(), run.p50Us(),
            run.p99Us(), run.p99_9Us(), run.sent(), run.acked(), run.throughputPerSecond(), run.verdict());
        settle();
        return run;
    }

    private void settle()
    {
        try
        {
            TimeUnit.MILLISECONDS.sleep(settings.settleMs());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stop whatever runs and remove the working directory; safe to call twice and from the shutdown hook. A node or
     * member still starting when Ctrl-C arrives is not known to any target yet, so every child process of this JVM
     * that is still alive is stopped too (SIGTERM, then SIGKILL after a grace period).
     */
    private void cleanUp()
    {
        final BenchTarget target = current;
        if (target != null)
        {
            current = null;
            target.close();
        }
        ChildJvm.stopAllChildren(CHILD_STOP_TIMEOUT_MS);
        try
        {
            Directories.deleteRecursively(root);
        }
        catch (final IOException ex)
        {
            System.err.println("cluster-compare: could not remove " + root + ": " + ex.getMessage());
        }
    }

    private static Map<String, String> machine()
    {
        final Map<String, String> machine = new LinkedHashMap<>();
        machine.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        machine.put("nproc", Integer.toString(Runtime.getRuntime().availableProcessors()));
        machine.put("cpu", cpuModel());
        machine.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("load_average_start", String.format(Locale.ROOT, "%.2f",
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        return machine;
    }

    private static String cpuModel()
    {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo")))
        {
            return lines.filter((line) -> line.startsWith("model name"))
                .map((line) -> line.substring(line.indexOf(':') + 1).trim())
                .findFirst()
                .orElse("unknown");
        }
        catch (final IOException | RuntimeException ex)
        {
            return "unknown";
        }
    }
}
