package io.sluice.harness;

import io.sluice.node.config.Endpoints;
import io.sluice.harness.bench.BenchContext;
import io.sluice.harness.bench.NodeProbe;
import io.sluice.harness.bench.DemoClusterConfig;
import io.sluice.harness.bench.Directories;
import io.sluice.harness.floor.DemoFloor;
import io.sluice.node.NodeProcess;
import io.sluice.durability.Policy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code sluice demo}: start a primary and (by default) two replicas, each in its own process on loopback with a
 * temporary data directory, drive the primary with the bench, print the latency table and the per-stage
 * breakdown, shut everything down and clean up. Exits 0 only if every request was answered.
 */
@Command(name = "demo", sortOptions = false,
    description = "Start a primary on loopback, drive it with the bench, print the latency table.")
public final class DemoCommand implements Callable<Integer>
{
    /**
     * Offered load of the demo by default, per second. Measured on the 2-core machine the demo was built on, where
     * the bench and the node share the two cores: a standalone primary with durability local answered every request
     * at 1,000 to 20,000/s, with a p99 of about 7 ms at 2,000/s on a quiet machine and 12 ms at 5,000/s; 2,000/s
     * leaves headroom for other work on the machine. README.md has the figures.
     */
    static final String DEFAULT_RATE = "2000";
    static final int INSTRUMENTS = BenchContext.DEFAULT_INSTRUMENTS;
    private static final long START_TIMEOUT_MS = 60_000;
    private static final long HEALTHY_TIMEOUT_MS = 30_000;
    /** The primary drains for up to 10 s on SIGTERM (PrimaryCommand); give it a little more before killing it. */
    private static final long STOP_TIMEOUT_MS = 15_000;

    @Option(names = "--seconds", defaultValue = "10", description = "Measured phase (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--rate", defaultValue = DEFAULT_RATE,
        description = "Requests per second, open loop (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--durability",
        description = "Durability policy: a mode or a clause expression (default hybrid with replicas, local without).")
    String durability;

    @Option(names = "--replicas", defaultValue = "2", description = "Replicas to start: 0, 1 or 2 (default ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--warmup-seconds", defaultValue = "2",
        description = "Warm-up before the measured phase, not recorded (default ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--connections", defaultValue = "" + BenchContext.DEFAULT_CONNECTIONS,
        description = "Bench connections (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--seed", defaultValue = "" + BenchContext.DEFAULT_SEED,
        description = "Seed of the order flow (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Write the bench result as one JSON object to this file.")
    Path json;

    @Option(names = "--hgrm", description = "Write the round-trip percentile distribution (HdrHistogram, us).")
    Path hgrm;

    @Option(names = "--plot", description = "Write a PNG plot of the round trip by percentile.")
    Path plot;

    @Option(names = "--keep", description = "Keep the temporary directory (journal, config, node log).")
    boolean keep;

    @Option(names = "--quiet", description = "No progress line every second.")
    boolean quiet;

    @Option(names = "--no-floor", description = "Do not measure the nodes' idle CPU and this machine's floor of the " +
        "policy (a few seconds before the load) nor show Sluice / floor.")
    boolean noFloor;

    private final PrintStream out = System.out;
    private final PrintStream err = System.err;

    @Override
    public Integer call() throws IOException
    {
        if (replicas < 0 || replicas > 2)
        {
            err.println("sluice demo: --replicas must be 0, 1 or 2");
            return BenchCommand.EXIT_USAGE;
        }
        if (durability == null)
        {
            durability = replicas > 0 ? "hybrid" : "local";
        }
        final Policy policy;
        try
        {
            policy = Policy.resolve(durability);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("sluice demo: --durability " + durability + ": " + ex.getMessage());
            return BenchCommand.EXIT_USAGE;
        }
        if (policy.requiredNodes() > 1 + replicas)
        {
            err.println("sluice demo: --durability " + durability + " needs " + policy.requiredNodes() +
                " nodes but the demo runs " + (1 + replicas) + "; the primary would halt and refuse every order.");
            return BenchCommand.EXIT_USAGE;
        }
        final BenchContext context;
        try
        {
            context = new BenchContext()
                .ratePerSecond(rate)
                .connections(connections)
                .durationNs(BenchCommand.nanos(seconds))
                .warmupNs(BenchCommand.nanos(warmupSeconds))
                .seed(seed)
                .instruments(INSTRUMENTS)
                .progress(quiet ? null : err);
            context.validateLoad();
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("sluice demo: " + ex.getMessage());
            return BenchCommand.EXIT_USAGE;
        }

        final Path dir = Files.createTempDirectory("sluice-demo-");
        try
        {
            return run(dir, policy, context);
        }
        finally
        {
            cleanUp(dir);
        }
    }

    private void cleanUp(final Path dir)
    {
        if (keep)
        {
            out.println("demo: kept " + dir + " (config, journal, node log primary.log)");
            return;
        }
        try
        {
            Directories.deleteRecursively(dir);
        }
        catch (final IOException ex)
        {
            err.println("sluice demo: could not remove " + dir + ": " + ex.getMessage());
        }
    }

    private int run(final Path dir, final Policy policy, final BenchContext context) throws IOException
    {
        final DemoClusterConfig cluster = DemoClusterConfig.write(dir, policy.description(), INSTRUMENTS, replicas,
            context.firstSessionId(), context.connections(), true);
        final List<Path> replicaConfigs = cluster.replicaConfigs();
        final Path config = cluster.primaryConfig();
        context.traderKeys(cluster.keys()::trader).operatorKey(cluster.keys().operator());

        out.println("demo: starting a primary" + (replicas == 0 ? "" : " and " + replicas + " replica(s)") +
            " (durability " + policy.description() + ", " + INSTRUMENTS + " instruments, auth on with keys " +
            "generated for this run) in " + dir);
        out.flush();
        final NodeProcess primary;
        final List<NodeProcess> replicaProcesses = new ArrayList<>();
        try
        {
            primary = NodeProcess.start(config, dir, START_TIMEOUT_MS);
        }
        catch (final IOException ex)
        {
            err.println("sluice demo: cannot start the primary: " + ex.getMessage());
            return BenchCommand.EXIT_FAILED;
        }
        try
        {
            for (int slot = 0; slot < replicas; slot++)
            {
                replicaProcesses.add(NodeProcess.start("replica", "replica-" + slot, replicaConfigs.get(slot), dir,
                    START_TIMEOUT_MS));
            }
        }
        catch (final IOException ex)
        {
            err.println("sluice demo: cannot start a replica: " + ex.getMessage());
            replicaProcesses.forEach(NodeProcess::close);
            primary.close();
            return BenchCommand.EXIT_FAILED;
        }
        // Ctrl-C must not leave the primary running on its own: stop it and clean up before this JVM exits.
        final Thread onInterrupt = new Thread(() ->
        {
            primary.close();
            replicaProcesses.forEach(NodeProcess::close);
            cleanUp(dir);
        }, "sluice-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        int exitCode = BenchCommand.EXIT_FAILED;
        try
        {
            if (!NodeProbe.awaitTrading(primary.httpAddress(), HEALTHY_TIMEOUT_MS))
            {
                err.println("sluice demo: the primary did not report trading on /healthz within " +
                    HEALTHY_TIMEOUT_MS + " ms:\n" + tail(primary));
                return BenchCommand.EXIT_FAILED;
            }
            if (replicas > 0 && !NodeProbe.awaitReplicas(primary.httpAddress(), replicas, HEALTHY_TIMEOUT_MS))
            {
                err.println("sluice demo: not all " + replicas + " replicas connected within " + HEALTHY_TIMEOUT_MS +
                    " ms:\n" + tail(primary));
                return BenchCommand.EXIT_FAILED;
            }
            out.println("demo: primary trading at client=" + Endpoints.hostPort(primary.clientAddress()) +
                " admin=" + Endpoints.hostPort(primary.adminAddress()) +
                " http=" + Endpoints.hostPort(primary.httpAddress()));
            final DemoFloor floor = noFloor ? null :
                DemoFloor.measure(dir, policy, primary, replicaProcesses, out, err);
            out.printf(Locale.ROOT, "demo: bench open loop at %,.0f/s over %d connections for %.1f s after %.1f s " +
                "warm-up%n", context.ratePerSecond(), context.connections(), seconds, warmupSeconds);
            out.flush();

            context.endpoint(primary.clientAddress()).adminEndpoint(primary.adminAddress());
            exitCode = BenchCommand.run(context, new BenchCommand.Outputs(json, hgrm, plot, List.of()), out,
                primary.httpAddress(), floor == null ? null : (result) -> floor.printBeside(result, out));
            if (floor != null && json != null && !floor.addToJson(json, err))
            {
                exitCode = BenchCommand.EXIT_FAILED;
            }
            if (exitCode != 0)
            {
                err.println("sluice demo: the node's log ends with:\n" + tail(primary));
            }
        }
        finally
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            }
            catch (final IllegalStateException ex)
            {
                // This JVM is already shutting down; the hook stops the primary.
            }
            if (!primary.stop(STOP_TIMEOUT_MS))
            {
                err.println("sluice demo: the primary did not stop within " + STOP_TIMEOUT_MS + " ms and was killed");
                exitCode = BenchCommand.EXIT_FAILED;
            }
            else
            {
                out.println("demo: primary stopped");
            }
            for (final NodeProcess replica : replicaProcesses)
            {
                if (!replica.stop(STOP_TIMEOUT_MS))
                {
                    err.println("sluice demo: a replica did not stop within " + STOP_TIMEOUT_MS + " ms and was killed");
                    exitCode = BenchCommand.EXIT_FAILED;
                }
            }
            if (!replicaProcesses.isEmpty())
            {
                out.println("demo: replicas stopped");
            }
        }
        return exitCode;
    }

    private static String tail(final NodeProcess primary)
    {
        return primary.logTail();
    }
}
