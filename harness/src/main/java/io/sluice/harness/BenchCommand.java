package io.sluice.harness;

import io.sluice.harness.bench.BenchContext;
import io.sluice.harness.bench.BenchReport;
import io.sluice.harness.bench.BenchResult;
import io.sluice.harness.bench.LoadGenerator;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code sluice bench --connect HOST:PORT --rate R --seconds N}: drive a node with the seeded order flow and print
 * its round-trip latency. Exits 0 when every request was answered and no error was seen, 1 otherwise, 2 on bad
 * options or when the node cannot be reached. {@code sluice bench --compare A.json B.json --plot FILE.png} only
 * plots earlier runs.
 */
@Command(name = "bench", sortOptions = false,
    description = "Load generator and latency harness: open loop at --rate (latency from the scheduled send " +
        "time, no coordinated omission), or closed loop with --window.")
public final class BenchCommand implements Callable<Integer>
{
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;

    @Option(names = "--connect", description = "host:port of the node's client listener (required unless only " +
        "plotting with --compare), or a comma-separated list of the cluster's: tried in order, and on a lost " +
        "connection or a Halted answer each connection moves to the next node that trades and sends its " +
        "unanswered requests again.")
    String connect;

    @Option(names = "--history", paramLabel = "FILE", description = "Record every request, reply (with its " +
        "wireSeq) and reconnect as JSON Lines, for sluice check.")
    Path history;

    @Option(names = "--reconnect-seconds", defaultValue = "15", description = "How long a connection keeps " +
        "trying the endpoints after a loss before it fails (default ${DEFAULT-VALUE}).")
    double reconnectSeconds;

    @Option(names = "--rate", description = "Requests per second over all connections (open loop; required " +
        "unless --window is given).")
    Double rate;

    @Option(names = "--seconds", defaultValue = "10", description = "Measured phase (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--warmup-seconds", defaultValue = "2",
        description = "Warm-up before it, same load, not recorded (default ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--connections", defaultValue = "" + BenchContext.DEFAULT_CONNECTIONS,
        description = "Connections, one session and account each (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--window", defaultValue = "0",
        description = "Closed loop: requests in flight per connection; 0 = open loop (default).")
    int window;

    @Option(names = "--admin", description = "host:port of the node's admin listener, to report its durability " +
        "policy and replicas (else \"unknown\").")
    String admin;

    @Option(names = "--json", description = "Write the result as one JSON object to this file.")
    Path json;

    @Option(names = "--hgrm", description = "Write the round-trip percentile distribution (HdrHistogram, us).")
    Path hgrm;

    @Option(names = "--plot", description = "Write a PNG plot of the round trip by percentile (with --compare: " +
        "overlaid on earlier runs).")
    Path plot;

    @Option(names = "--compare", arity = "1..*", description = "Earlier --json reports to overlay in the --plot; " +
        "without --connect, plot them and run nothing.")
    List<Path> compare = new ArrayList<>();

    @Option(names = "--seed", defaultValue = "" + BenchContext.DEFAULT_SEED,
        description = "Seed of the order flow (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--instruments", defaultValue = "" + BenchContext.DEFAULT_INSTRUMENTS,
        description = "Instruments to trade, ids from --first-instrument (default ${DEFAULT-VALUE}).")
    int instruments;

    @Option(names = "--first-instrument", defaultValue = "1", description = "First instrument id (default 1).")
    int firstInstrument;

    @Option(names = "--reference-price", defaultValue = "" + BenchContext.DEFAULT_REFERENCE_PRICE,
        description = "Reference price of every instrument; the node's band must allow +-40%% (default " +
            "${DEFAULT-VALUE}).")
    long referencePrice;

    @Option(names = "--tick", defaultValue = "1", description = "Tick size of every instrument (default 1).")
    long tick;

    @Option(names = "--lot", defaultValue = "1", description = "Lot size of every instrument (default 1).")
    long lot;

    @Option(names = "--first-session", defaultValue = "" + BenchContext.DEFAULT_FIRST_SESSION_ID,
        description = "Connection i logs on as session and account FIRST+i (default ${DEFAULT-VALUE}).")
    long firstSession;

    @Option(names = "--late-threshold-us", defaultValue = "1000",
        description = "A request sent this far behind its schedule counts as late (default ${DEFAULT-VALUE}).")
    long lateThresholdUs;

    @Option(names = "--drain-seconds", defaultValue = "10",
        description = "How long to wait for the last answers (default ${DEFAULT-VALUE}).")
    double drainSeconds;

    @Option(names = "--idle", defaultValue = "block", description = "How the bench thread waits when nothing " +
        "is due: block (sleep in a select on its connections until a reply arrives or a request falls due; leaves " +
        "the cores to the node), backoff (spin, yield, then park up to 20 us), yield, or busy-spin (takes a whole " +
        "core) (default ${DEFAULT-VALUE}).")
    String idle;

    @Option(names = "--quiet", description = "No progress line every second.")
    boolean quiet;

    @Override
    public Integer call()
    {
        if (!compare.isEmpty() && plot == null)
        {
            System.err.println("sluice bench: --compare needs --plot FILE.png");
            return EXIT_USAGE;
        }
        if (connect == null)
        {
            if (compare.isEmpty())
            {
                System.err.println("sluice bench: --connect HOST:PORT is required");
                return EXIT_USAGE;
            }
            return writePlot(null, compare, plot, System.out);
        }
        final BenchContext context;
        try
        {
            if (window == 0 && rate == null)
            {
                throw new IllegalArgumentException("--rate is required in open loop (or give --window)");
            }
            context = new BenchContext()
                .endpoints(BenchContext.parseHostPorts("--connect", connect))
                .historyFile(history)
                .reconnectTimeoutNs(nanos(reconnectSeconds))
                .adminEndpoint(admin == null ? null : BenchContext.parseHostPort("--admin", admin))
                .ratePerSecond(rate == null ? 0 : rate)
                .window(window)
                .connections(connections)
                .durationNs(nanos(seconds))
                .warmupNs(nanos(warmupSeconds))
                .seed(seed)
                .instruments(instruments)
                .firstInstrumentId(firstInstrument)
                .referencePrice(referencePrice)
                .tickSize(tick)
                .lotSize(lot)
                .firstSessionId(firstSession)
                .lateThresholdNs(TimeUnit.MICROSECONDS.toNanos(lateThresholdUs))
                .drainTimeoutNs(nanos(drainSeconds))
                .idleStrategy(idleStrategy(idle))
                .progress(quiet ? null : System.err);
            context.validate();
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("sluice bench: " + ex.getMessage());
            return EXIT_USAGE;
        }
        return run(context, new Outputs(json, hgrm, plot, compare), System.out);
    }

    /**
     * Files a run writes besides the table.
     */
    static final class Outputs
    {
        final Path json;
        final Path hgrm;
        final Path plot;
        final List<Path> compare;

        Outputs(final Path json, final Path hgrm, final Path plot, final List<Path> compare)
        {
            this.json = json;
            this.hgrm = hgrm;
            this.plot = plot;
            this.compare = compare;
        }
    }

    /**
     * Run the bench, print the table and write the files asked for.
     *
     * @return the exit code: 0 if every request was answered cleanly.
     */
    static int run(final BenchContext context, final Outputs outputs, final PrintStream out)
    {
        return run(context, outputs, out, null);
    }

    /**
     * Run the bench and, when the node traces its stages ({@code trace=on}), attach the node's per-stage breakdown
     * from {@code GET /stats} (reset just before the run, so it covers warm-up and the measured phase).
     *
     * @param statsHttp the node's HTTP listener, or null to skip the breakdown.
     * @return the exit code: 0 if every request was answered cleanly.
     */
    static int run(final BenchContext context, final Outputs outputs, final PrintStream out,
        final java.net.InetSocketAddress statsHttp)
    {
        return run(context, outputs, out, statsHttp, null);
    }

    /**
     * As {@link #run(BenchContext, Outputs, PrintStream, java.net.InetSocketAddress)}, and hand the result to
     * {@code afterTable} once its table is printed (to print beside it), before any file is written.
     *
     * @param afterTable told the result, or null.
     * @return the exit code: 0 if every request was answered cleanly.
     */
    static int run(final BenchContext context, final Outputs outputs, final PrintStream out,
        final java.net.InetSocketAddress statsHttp, final Consumer<BenchResult> afterTable)
    {
        final BenchResult result;
        try
        {
            if (statsHttp != null)
            {
                io.sluice.harness.bench.NodeProbe.resetStats(statsHttp);
            }
            result = LoadGenerator.run(context);
            if (statsHttp != null)
            {
                io.sluice.harness.bench.NodeProbe.stats(statsHttp).forEach(result::stage);
            }
        }
        catch (final IOException ex)
        {
            System.err.println("sluice bench: cannot connect to " + context.endpoints() + " or write the history: " +
                ex.getMessage());
            return EXIT_USAGE;
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("sluice bench: " + ex.getMessage());
            return EXIT_USAGE;
        }
        BenchReport.printTable(result, out);
        if (afterTable != null)
        {
            afterTable.accept(result);
        }
        try
        {
            if (outputs.json != null)
            {
                BenchReport.writeJson(result, outputs.json);
                out.println("wrote " + outputs.json);
            }
            if (outputs.hgrm != null)
            {
                BenchReport.writeHgrm(result, outputs.hgrm);
                out.println("wrote " + outputs.hgrm);
            }
            if (context.historyFile() != null)
            {
                out.println("wrote " + context.historyFile());
            }
        }
        catch (final IOException ex)
        {
            System.err.println("sluice bench: cannot write the report: " + ex.getMessage());
            return EXIT_FAILED;
        }
        if (outputs.plot != null && writePlot(result, outputs.compare, outputs.plot, out) != 0)
        {
            return EXIT_FAILED;
        }
        out.flush();
        return result.passed() ? 0 : EXIT_FAILED;
    }

    private static int writePlot(final BenchResult result, final List<Path> compare, final Path plot,
        final PrintStream out)
    {
        try
        {
            BenchReport.writePlot(result, compare, plot);
            out.println("wrote " + plot);
            return 0;
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            System.err.println("sluice bench: cannot plot: " + ex.getMessage());
            return result == null ? EXIT_USAGE : EXIT_FAILED;
        }
        catch (final Error ex)
        {
            // Headless AWT needs fontconfig and a font to draw text; a bare container may have neither.
            System.err.println("sluice bench: cannot draw the plot (" + ex + "); is a font installed?");
            return EXIT_FAILED;
        }
    }

    static IdleStrategy idleStrategy(final String name)
    {
        switch (name)
        {
            case "block":
                return null;
            case "backoff":
                return BenchContext.backoff();
            case "yield":
                return new YieldingIdleStrategy();
            case "busy-spin":
                return new BusySpinIdleStrategy();
            default:
                throw new IllegalArgumentException("--idle must be block, backoff, yield or busy-spin: '" + name +
                    "'");
        }
    }

    static long nanos(final double seconds)
    {
        if (!(seconds >= 0) || seconds > TimeUnit.DAYS.toSeconds(1))
        {
            throw new IllegalArgumentException("a duration of " + seconds + " s is outside [0, 86400]");
        }
        return (long)(seconds * 1e9);
    }
}
