package io.sluice.perf.matching;

import io.sluice.client.flow.OrderFlowGenerator;
import org.HdrHistogram.Histogram;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.ListStatistics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code perf/run matching [--quick] [--json FILE] [--seed N]}: runs {@link MatchingBenchmark} for both engines
 * with JMH's GC profiler, in rounds that alternate the engines (one fork each per round: 2 rounds with --quick,
 * 3 otherwise), then a per-command latency pass in this JVM, and prints throughput, the ratio Sluice /
 * exchange-core, the allocation per command and the latency percentiles.
 * <p>
 * Exit code 0 on success, 1 if a benchmark failed (including a final-state check), 2 on bad arguments.
 */
public final class MatchingComparison
{
    private static final String ALLOC_NORM = "gc.alloc.rate.norm";

    private MatchingComparison()
    {
    }

    public static void main(final String[] args) throws RunnerException, IOException
    {
        boolean quick = false;
        Path json = null;
        long seed = 42;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--quick" -> quick = true;
                case "--json" -> json = Path.of(requireValue(args, ++i, "--json"));
                case "--seed" -> seed = Long.parseLong(requireValue(args, ++i, "--seed"));
                default ->
                {
                    System.err.println("unknown option " + args[i] +
                        "; usage: perf/run matching [--quick] [--json FILE] [--seed N]");
                    System.exit(2);
                }
            }
        }

        // The machine's load drifts while a run lasts, so the engines take turns: each round runs one fork of each,
        // in alternating order, and the iterations of all rounds are pooled per engine.
        final int rounds = quick ? 2 : 3;
        final Engine exchangeCore = new Engine("exchange-core", "exchangeCore");
        final Engine sluice = new Engine("sluice", "sluice");
        for (int round = 0; round < rounds; round++)
        {
            final Engine first = round % 2 == 0 ? exchangeCore : sluice;
            final Engine second = round % 2 == 0 ? sluice : exchangeCore;
            for (final Engine engine : new Engine[]{ first, second })
            {
                final ChainedOptionsBuilder options = new OptionsBuilder()
                    .include(MatchingBenchmark.class.getName() + "\\." + engine.method + "$")
                    .param("seed", Long.toString(seed))
                    .addProfiler(GCProfiler.class)
                    .jvmArgs(forkJvmArgs())
                    .forks(1)
                    .shouldFailOnError(true);
                if (quick)
                {
                    options.warmupIterations(2).warmupTime(TimeValue.seconds(2))
                        .measurementIterations(2).measurementTime(TimeValue.seconds(2));
                }
                else
                {
                    options.warmupIterations(4).warmupTime(TimeValue.seconds(3))
                        .measurementIterations(6).measurementTime(TimeValue.seconds(3));
                }

                try
                {
                    engine.add(new Runner(options.build()).runSingle());
                }
                catch (final RunnerException ex)
                {
                    System.err.println("benchmark " + engine.name + " failed: " + ex.getMessage());
                    System.exit(1);
                }
            }
        }

        final double sluiceOps = sluice.throughput.getMean();
        final double exchangeCoreOps = exchangeCore.throughput.getMean();

        final RecordedFlow flow =
            RecordedFlow.generate(new OrderFlowGenerator.Config().seed(seed), MatchingBenchmark.COMMANDS);
        final long[] kinds = flow.kindCounts();
        final Histogram sluiceLatency = sluiceLatency(flow, quick ? 3 : 6);
        final Histogram exchangeCoreLatency = exchangeCoreLatency(flow, quick ? 3 : 6);
        final double ratio = sluiceOps / exchangeCoreOps;

        final StringBuilder out = new StringBuilder();
        out.append('\n').append("Matching comparison: ").append(flow.count).append(" commands, seed ").append(seed)
            .append(", ").append(flow.config.instruments()).append(" instruments, ").append(flow.config.accounts())
            .append(" accounts").append(quick ? " (quick)" : "").append('\n');
        out.append(String.format(Locale.ROOT,
            "  mix: %.1f%% new (%.1f%% of them IOC/market), %.1f%% cancel, %.1f%% replace; " +
            "%d trades, %d orders resting at the end%n",
            100.0 * kinds[0] / flow.count, 100.0 * kinds[3] / Math.max(1, kinds[0]), 100.0 * kinds[1] / flow.count,
            100.0 * kinds[2] / flow.count, flow.expected.trades(), flow.expected.liveOrderCount()));
        out.append("  final state of both engines checked against the reference book after every iteration\n\n");
        out.append(String.format(Locale.ROOT, "  %-14s %16s %12s %12s %8s %8s %8s %8s %8s%n",
            "engine", "ops/s", "± (99.9%)", "alloc B/op", "p50 ns", "p90 ns", "p99 ns", "p99.9 ns", "max ns"));
        out.append(row(sluice, sluiceLatency));
        out.append(row(exchangeCore, exchangeCoreLatency));
        out.append("\n  per round (mean ops/s):");
        for (int round = 0; round < rounds; round++)
        {
            out.append(String.format(Locale.ROOT, "  %d: sluice %,.0f, exchange-core %,.0f;", round + 1,
                sluice.roundMeans.get(round), exchangeCore.roundMeans.get(round)));
        }
        out.append('\n');
        out.append(String.format(Locale.ROOT, "%n  ratio sluice / exchange-core: %.2fx%n", ratio));
        out.append("  (latency: one System.nanoTime pair per command in a single warmed-up replay, timer cost " +
            "included)\n");
        System.out.print(out);

        if (null != json)
        {
            final String text = String.format(Locale.ROOT,
                "{\"sluice_ops_per_s\": %.1f, \"exchange_core_ops_per_s\": %.1f, \"ratio\": %.4f, " +
                "\"sluice_alloc_bytes_per_op\": %.4f, \"commands\": %d, \"seed\": %d, " +
                "\"exchange_core_alloc_bytes_per_op\": %.4f, \"quick\": %b, " +
                "\"sluice_latency_ns\": %s, \"exchange_core_latency_ns\": %s}%n",
                sluiceOps, exchangeCoreOps, ratio, sluice.allocBytesPerOp(), flow.count, seed,
                exchangeCore.allocBytesPerOp(), quick,
                percentilesJson(sluiceLatency), percentilesJson(exchangeCoreLatency));
            final Path parent = json.toAbsolutePath().getParent();
            if (null != parent)
            {
                Files.createDirectories(parent);
            }
            Files.writeString(json, text, StandardCharsets.UTF_8);
            System.out.println("  wrote " + json);
        }
    }

    /**
     * JVM flags for the forks, replacing the launcher's own (JMH would otherwise pass those on): a fixed heap, so
     * both engines run under the same GC conditions, and the export Agrona's buffers need. exchange-core's order book needs no extra opens (its Chronicle serialisation is not
     * used here).
     */
    private static String[] forkJvmArgs()
    {
        final List<String> args = new ArrayList<>(Arrays.asList(
            "-Xms2g", "-Xmx2g",
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 24)
        {
            args.add("--enable-native-access=ALL-UNNAMED");
            args.add("--sun-misc-unsafe-memory-access=allow");
        }
        return args.toArray(new String[0]);
    }

    private static String requireValue(final String[] args, final int index, final String option)
    {
        if (index >= args.length)
        {
            System.err.println(option + " needs a value");
            System.exit(2);
        }
        return args[index];
    }

    @SuppressWarnings("rawtypes")
    private static double secondary(final Map<String, Result> results, final String suffix)
    {
        for (final Map.Entry<String, Result> entry : results.entrySet())
        {
            if (entry.getKey().endsWith(suffix))
            {
                return entry.getValue().getScore();
            }
        }
        return Double.NaN;
    }

    private static Histogram sluiceLatency(final RecordedFlow flow, final int warmupPasses)
    {
        final SluiceDriver driver = new SluiceDriver(flow.config);
        for (int pass = 0; pass < warmupPasses; pass++)
        {
            driver.reset();
            driver.run(flow);
        }
        driver.reset();
        final Histogram histogram = new Histogram(10_000_000_000L, 3);
        for (int i = 0; i < flow.count; i++)
        {
            final long startNs = System.nanoTime();
            driver.apply(flow, i);
            histogram.recordValue(System.nanoTime() - startNs);
        }
        driver.verify(flow);
        return histogram;
    }

    private static Histogram exchangeCoreLatency(final RecordedFlow flow, final int warmupPasses)
    {
        final ExchangeCoreDriver driver = new ExchangeCoreDriver(flow.config);
        for (int pass = 0; pass < warmupPasses; pass++)
        {
            driver.reset(flow);
            driver.run(flow);
        }
        driver.reset(flow);
        final Histogram histogram = new Histogram(10_000_000_000L, 3);
        for (int i = 0; i < flow.count; i++)
        {
            final long startNs = System.nanoTime();
            driver.apply(flow, i);
            histogram.recordValue(System.nanoTime() - startNs);
        }
        driver.verify(flow);
        return histogram;
    }

    private static String row(final Engine engine, final Histogram latency)
    {
        return String.format(Locale.ROOT, "  %-14s %,16.0f %,12.0f %12.3f %8d %8d %8d %8d %8d%n",
            engine.name, engine.throughput.getMean(), engine.throughput.getMeanErrorAt(0.999),
            engine.allocBytesPerOp(), latency.getValueAtPercentile(50), latency.getValueAtPercentile(90),
            latency.getValueAtPercentile(99), latency.getValueAtPercentile(99.9), latency.getMaxValue());
    }

    /**
     * Pooled results of one engine over all rounds.
     */
    private static final class Engine
    {
        final String name;
        final String method;
        final ListStatistics throughput = new ListStatistics();
        final List<Double> roundMeans = new ArrayList<>();
        double allocSum;
        int allocRuns;

        Engine(final String name, final String method)
        {
            this.name = name;
            this.method = method;
        }

        void add(final RunResult result)
        {
            final ListStatistics roundStatistics = new ListStatistics();
            for (final BenchmarkResult benchmark : result.getBenchmarkResults())
            {
                for (final IterationResult iteration : benchmark.getIterationResults())
                {
                    throughput.addValue(iteration.getPrimaryResult().getScore());
                    roundStatistics.addValue(iteration.getPrimaryResult().getScore());
                }
            }
            roundMeans.add(roundStatistics.getMean());
            final double alloc = secondary(result.getSecondaryResults(), ALLOC_NORM);
            if (!Double.isNaN(alloc))
            {
                allocSum += alloc;
                allocRuns++;
            }
        }

        double allocBytesPerOp()
        {
            return 0 == allocRuns ? Double.NaN : allocSum / allocRuns;
        }
    }

    private static String percentilesJson(final Histogram latency)
    {
        return String.format(Locale.ROOT,
            "{\"p50\": %d, \"p90\": %d, \"p99\": %d, \"p99_9\": %d, \"p99_99\": %d, \"max\": %d}",
            latency.getValueAtPercentile(50), latency.getValueAtPercentile(90), latency.getValueAtPercentile(99),
            latency.getValueAtPercentile(99.9), latency.getValueAtPercentile(99.99), latency.getMaxValue());
    }
}
