package io.sluice.harness.soak;

import io.sluice.harness.check.CheckResult;
import io.sluice.harness.check.HistoryChecker;
import io.sluice.node.config.NodeConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A crash soak: three nodes (a primary and two replicas under {@code hybrid}, snapshots every few thousand entries),
 * open-loop load with a recorded history, and a seeded schedule of SIGKILLs of the primary or a replica, each
 * followed by the recovery an operator would do (restart; promote the replica holding the most; bring the old
 * primary back as a replica, resynced if it diverged). At the end the load stops, the cluster drains, the nodes
 * stop cleanly, and {@link HistoryChecker} proves against the final primary's and the replicas' journals that no
 * acknowledged request was lost, doubled or reordered.
 * <pre>
 *   SoakLoad (bench runs, history files) ──▶ client listeners of all three nodes (fail over, resend)
 *   fault thread: schedule ─▶ FaultInjector (kill, promote, rejoin) ─▶ SoakCluster (child JVMs, admin STATUS)
 *   end: stop load ─▶ drain ─▶ SIGTERM nodes ─▶ HistoryChecker(histories, journals)
 * </pre>
 */
public final class Soak
{
    private static final long LOAD_STOP_GRACE_MS = TimeUnit.SECONDS.toMillis(240);
    private static final long LOAD_STOP_AFTER_FAILURE_MS = TimeUnit.SECONDS.toMillis(30);

    private Soak()
    {
    }

    /**
     * Run a soak on the calling thread.
     *
     * @param context options of the run.
     * @return what happened; {@link SoakResult#passed()} says whether every fault was survived and the checker
     * found nothing.
     * @throws IllegalArgumentException if an option is out of range or the directory given is not empty.
     * @throws IOException              if the cluster cannot be set up or does not come up.
     * @throws InterruptedException     if interrupted; the nodes are killed.
     */
    public static SoakResult run(final SoakContext context) throws IOException, InterruptedException
    {
        context.validate();
        final boolean temporary = context.directory() == null;
        final Path dir = temporary ? Files.createTempDirectory("sluice-soak-") :
            Files.createDirectories(context.directory()).toAbsolutePath();
        if (!temporary)
        {
            try (Stream<Path> entries = Files.list(dir))
            {
                if (entries.findAny().isPresent())
                {
                    throw new IllegalArgumentException(dir + " is not empty: a soak needs fresh node directories");
                }
            }
        }
        final PrintStream progress = context.progress();
        final long startNs = System.nanoTime();
        final SoakCluster cluster = new SoakCluster(dir, context);
        // Ctrl-C must not leave nodes running on their own.
        final Thread onExit = new Thread(cluster::close, "sluice-soak-shutdown");
        Runtime.getRuntime().addShutdownHook(onExit);
        SoakResult result = null;
        try
        {
            result = run(context, dir, cluster, startNs, progress);
            return result;
        }
        finally
        {
            cluster.close();
            try
            {
                Runtime.getRuntime().removeShutdownHook(onExit);
            }
            catch (final IllegalStateException ex)
            {
                // Already shutting down: the hook closes the cluster.
            }
            if (temporary && result != null && result.passed() && !context.keep())
            {
                deleteRecursively(dir);
            }
        }
    }

    private static SoakResult run(
        final SoakContext context,
        final Path dir,
        final SoakCluster cluster,
        final long startNs,
        final PrintStream progress) throws IOException, InterruptedException
    {
        try
        {
            cluster.startAll(context.recoveryTimeoutNs());
        }
        catch (final IOException ex)
        {
            throw new IOException(ex.getMessage() + "\n(node logs in " + cluster.logDir() + ")", ex);
        }
        print(progress, String.format("soak: 3 nodes up in %.1f s (primary %s), directory %s",
            (System.nanoTime() - startNs) / 1e9, cluster.primary(), dir));

        final SoakLoad load = new SoakLoad(context, cluster.clientEndpoints(), dir.resolve("history"));
        load.start();
        final PolicySwapper swapper = new PolicySwapper(cluster.nodes(), context.seed(),
            context.minPolicySwapGapNs(), context.maxPolicySwapGapNs());
        if (context.policySwaps())
        {
            swapper.start();
        }
        final FaultSchedule schedule = new FaultSchedule(context.seed(), context.plan());
        final FaultInjector injector = new FaultInjector(cluster, schedule, context, startNs);
        final List<FaultRecord> faults = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        final long faultsEndNs = startNs + context.durationNs();
        while (!schedule.exhausted() && (context.maxFaults() == 0 || faults.size() < context.maxFaults()))
        {
            final long gapNs = schedule.durationNs(context.minFaultGapNs(), context.maxFaultGapNs());
            if (System.nanoTime() + gapNs - faultsEndNs >= 0)
            {
                break;
            }
            TimeUnit.NANOSECONDS.sleep(gapNs);
            if (!load.isRunning())
            {
                problems.add("the load stopped by itself");
                break;
            }
            final FaultRecord fault = injector.inject(faults.size() + 1, schedule.next());
            faults.add(fault);
            print(progress, "soak: " + fault.line());
            if (!fault.survived())
            {
                problems.add("fault " + fault.index() + " " + fault.kind() + " not survived: " + fault.failure());
                break;
            }
        }

        // Swaps stop with the faults: the drain and the final checks run under whatever policy was last set.
        swapper.close();
        final boolean healthy = problems.isEmpty();
        print(progress, "soak: " + (healthy ? "faults done; " : "stopping early; ") +
            "ending the load after its current run");
        if (!load.stop(healthy ? LOAD_STOP_GRACE_MS + TimeUnit.NANOSECONDS.toMillis(context.loadRunNs()) :
            LOAD_STOP_AFTER_FAILURE_MS))
        {
            problems.add("the load did not end in time; its histories may be incomplete");
        }
        if (healthy)
        {
            final String drained = cluster.awaitHealthy(context.recoveryTimeoutNs());
            if (drained != null)
            {
                problems.add("the cluster did not drain: " + drained);
            }
        }

        final SoakCluster.Node primary = primaryForCheck(cluster);
        final List<SoakCluster.Node> replicas = cluster.replicas();
        // The primary first: it stops taking requests and answers what it took; then the replicas sync and close.
        final List<SoakCluster.Node> stopOrder = new ArrayList<>();
        if (primary != null)
        {
            stopOrder.add(primary);
        }
        stopOrder.addAll(replicas);
        for (final SoakCluster.Node node : stopOrder)
        {
            final int exitCode = cluster.stop(node);
            if (exitCode != 0)
            {
                problems.add(node + " exited with status " + exitCode + " on SIGTERM (-1: killed after " +
                    "not stopping); log: " + cluster.logDir());
            }
        }
        cluster.close();
        problems.addAll(stageFailures(cluster.logDir()));

        CheckResult check = null;
        String against = "no primary";
        if (primary != null)
        {
            final HistoryChecker checker = new HistoryChecker()
                .primary(primary.dataDir)
                .config(NodeConfig.load(primary.configFile, Map.of()))
                .policy("hybrid");
            final StringBuilder names = new StringBuilder("primary ").append(primary).append(", replicas");
            for (final SoakCluster.Node replica : replicas)
            {
                checker.replica(replica.dataDir);
                names.append(' ').append(replica);
            }
            // Resyncs set journals aside, and a journal seeded from a snapshot no longer holds the early history:
            // over a long run every node may have been resynced, so the set-aside journals are what still shows it.
            for (final SoakCluster.Node node : cluster.nodes())
            {
                for (final Path setAside : setAsideJournals(node.dataDir))
                {
                    checker.earlierJournal(setAside);
                }
            }
            against = names.toString();
            try
            {
                check = checker.check(load.historyFiles());
            }
            catch (final IOException | RuntimeException ex)
            {
                problems.add("the checker could not run: " + ex);
            }
        }
        else
        {
            problems.add("no node is primary: nothing to check against");
        }
        return new SoakResult(context, dir, System.nanoTime() - startNs, faults, load.results(), load.failures(),
            load.historyFiles().size(), check, against, problems, swapper.swapsAccepted(), swapper.swapsUnanswered());
    }

    /**
     * @return the node this soak made primary, or null if the run ended with none (a failed promotion).
     */
    private static SoakCluster.Node primaryForCheck(final SoakCluster cluster)
    {
        for (final SoakCluster.Node node : cluster.nodes())
        {
            if (node.role == SoakCluster.Role.PRIMARY)
            {
                return node;
            }
        }
        return null;
    }

    /**
     * @return the journals a resync or snapshot install set aside in a node's data directory, oldest first.
     */
    static List<Path> setAsideJournals(final Path dataDir) throws IOException
    {
        try (Stream<Path> entries = Files.list(dataDir))
        {
            return entries.filter(path -> Files.isDirectory(path) &&
                (path.getFileName().toString().startsWith("journal.diverged-") ||
                path.getFileName().toString().startsWith("journal.behind-"))).sorted().toList();
        }
    }

    /**
     * A pipeline stage that threw ("stage failed" in a node's log) is a bug even when the checker finds nothing:
     * the first soak violation was one, a request lost when the sequencer threw while holding it.
     *
     * @return one problem per log line naming a failed stage.
     */
    static List<String> stageFailures(final Path logDir) throws IOException
    {
        final List<String> failures = new ArrayList<>();
        final List<Path> logs;
        try (Stream<Path> files = Files.list(logDir))
        {
            logs = files.filter(path -> path.toString().endsWith(".log")).sorted().toList();
        }
        for (final Path log : logs)
        {
            try (Stream<String> lines = Files.lines(log))
            {
                lines.filter(line -> line.contains("stage failed"))
                    .forEach(line -> failures.add(log.getFileName() + ": " + line));
            }
        }
        return failures;
    }

    private static void print(final PrintStream progress, final String line)
    {
        if (progress != null)
        {
            progress.println(line);
            progress.flush();
        }
    }

    private static void deleteRecursively(final Path dir)
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path ->
            {
                try
                {
                    Files.deleteIfExists(path);
                }
                catch (final IOException ex)
                {
                    // Best effort: a leftover temporary directory is not worth failing a passing run.
                }
            });
        }
        catch (final IOException ex)
        {
            // As above.
        }
    }
}
