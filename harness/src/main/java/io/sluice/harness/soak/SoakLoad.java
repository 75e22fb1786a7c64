package io.sluice.harness.soak;

import io.sluice.harness.bench.BenchContext;
import io.sluice.harness.bench.BenchResult;
import io.sluice.harness.bench.LoadGenerator;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The soak's load: open-loop bench runs of {@link SoakContext#loadRunNs()} back to back on their own thread, each
 * recording its own history file, all with the same sessions (each run continues from the cluster's high-water
 * mark), failing over across every node's client listener. Running in pieces lets the soak end the load soon
 * after its last fault; a run that cannot connect (no node trades at that moment) is retried.
 */
final class SoakLoad
{
    private static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(90);
    private static final long RECONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(150);
    private static final long RETRY_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(500);
    /** Client order ids of run N start at (N + 1) times this: no run reuses an id a resting order still has. */
    private static final long CLIENT_ORDER_IDS_PER_RUN = 1_000_000_000L;

    private final SoakContext context;
    private final List<InetSocketAddress> endpoints;
    private final Path historyDir;
    private final Thread thread;

    /** Set by the soak's fault thread to end the load after the run in progress. */
    private volatile boolean stopRequested;

    // Written by the load thread; read by others only after join().
    private final List<BenchResult> results = new ArrayList<>();
    private final List<Path> historyFiles = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    SoakLoad(final SoakContext context, final List<InetSocketAddress> endpoints, final Path historyDir)
        throws IOException
    {
        this.context = context;
        this.endpoints = List.copyOf(endpoints);
        this.historyDir = Files.createDirectories(historyDir);
        this.thread = new Thread(this::run, "sluice-soak-load");
        thread.setDaemon(true);
    }

    void start()
    {
        thread.start();
    }

    /**
     * End the load after the run in progress (and its drain) and wait for it.
     *
     * @param timeoutMs how long to wait.
     * @return true if the load ended in time.
     */
    boolean stop(final long timeoutMs) throws InterruptedException
    {
        stopRequested = true;
        thread.join(timeoutMs);
        return !thread.isAlive();
    }

    boolean isRunning()
    {
        return thread.isAlive();
    }

    /**
     * @return the bench runs' results; after {@link #stop}.
     */
    List<BenchResult> results()
    {
        return results;
    }

    /**
     * @return every history file written, including those of runs that could not connect; after {@link #stop}.
     */
    List<Path> historyFiles()
    {
        return historyFiles;
    }

    /**
     * @return why runs could not start (no node trading when they connected); after {@link #stop}.
     */
    List<String> failures()
    {
        return failures;
    }

    private void run()
    {
        int runIndex = 0;
        while (!stopRequested)
        {
            final Path history = historyDir.resolve(String.format("run-%04d.jsonl", runIndex));
            final BenchContext bench = new BenchContext()
                .endpoints(endpoints)
                .ratePerSecond(context.ratePerSecond())
                .connections(context.connections())
                .instruments(context.instruments())
                .seed(context.seed() * 1_000_003L + runIndex)
                .firstClientOrderId((runIndex + 1) * CLIENT_ORDER_IDS_PER_RUN)
                .warmupNs(0)
                .durationNs(context.loadRunNs())
                .drainTimeoutNs(DRAIN_TIMEOUT_NS)
                .reconnectTimeoutNs(RECONNECT_TIMEOUT_NS)
                .historyFile(history);
            runIndex++;
            try
            {
                results.add(LoadGenerator.run(bench));
            }
            catch (final IOException | RuntimeException ex)
            {
                failures.add(ex.toString());
                try
                {
                    TimeUnit.NANOSECONDS.sleep(RETRY_INTERVAL_NS);
                }
                catch (final InterruptedException interrupted)
                {
                    Thread.currentThread().interrupt();
                    stopRequested = true;
                }
            }
            finally
            {
                if (Files.exists(history))
                {
                    historyFiles.add(history);
                }
            }
        }
    }
}
