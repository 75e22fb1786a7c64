package io.sluice.harness.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Presents a {@link BenchResult}: the table people read, the JSON object scripts read, and HdrHistogram's
 * percentile distribution ({@code .hgrm}) for plotting tools.
 * <p>
 * The JSON object has at least the keys of the contract — {@code sent}, {@code acked}, {@code rejected},
 * {@code errors}, {@code throughput_per_s}, {@code durability}, {@code replicas} and {@code latency_us} with
 * {@code p50}, {@code p90}, {@code p99}, {@code p99_9}, {@code p99_99}, {@code max} — plus {@code stages_us}, an
 * object of the same percentile objects by stage name, when the node traced its stages. {@code percentiles_us} is the
 * whole round-trip curve as [percentile, microseconds] pairs, which {@code --compare} plots.
 */
public final class BenchReport
{
    private BenchReport()
    {
    }

    /**
     * Print the human-readable table.
     *
     * @param result of the run.
     * @param out    where to print it.
     */
    public static void printTable(final BenchResult result, final PrintStream out)
    {
        out.println();
        if ("open-loop".equals(result.mode()))
        {
            out.printf(Locale.ROOT, "sluice bench: open loop at %,.0f/s over %d connections, %s s measured after " +
                "%s s warm-up (seed %d, %d instruments)%n", result.targetRatePerSecond(), result.connections(),
                seconds(result.seconds()), seconds(result.warmupSeconds()), result.seed(), result.instruments());
        }
        else
        {
            out.printf(Locale.ROOT, "sluice bench: closed loop, window %d per connection over %d connections, %s s " +
                "measured after %s s warm-up (seed %d, %d instruments)%n", result.window(), result.connections(),
                seconds(result.seconds()), seconds(result.warmupSeconds()), result.seed(), result.instruments());
        }
        out.printf(Locale.ROOT, "node: durability %s, replicas %s%n", result.durability(),
            result.replicas() == null ? "unknown" : result.replicas().toString());
        out.println();
        out.printf(Locale.ROOT, "  throughput   %,.0f answers/s (requests sent at %,.0f/s)%n",
            result.throughputPerSecond(), result.sendRatePerSecond());
        out.printf(Locale.ROOT, "  requests     sent %,d   acked %,d   rejected %,d   errors %,d   unanswered %,d" +
            "   unsent %,d%n", result.sent(), result.acked(), result.rejected(), result.errors(), result.unanswered(),
            result.unsent());
        if (result.reconnects() > 0)
        {
            out.printf(Locale.ROOT, "  failover     %,d reconnects (unanswered requests sent again)%n",
                result.reconnects());
        }
        if (!result.rejectsByReason().isEmpty())
        {
            final StringBuilder rejects = new StringBuilder();
            result.rejectsByReason().forEach((reason, count) ->
                rejects.append("   ").append(reason).append(' ').append(String.format(Locale.ROOT, "%,d", count)));
            out.println("  rejected by" + rejects);
        }
        final StringBuilder flow = new StringBuilder();
        result.flow().forEach((kind, count) ->
            flow.append("   ").append(kind).append(' ').append(String.format(Locale.ROOT, "%,d", count)));
        out.println("  flow        " + flow + "   (warm-up included)");
        out.println();
        final LatencySummary latency = result.latency();
        out.println("open-loop".equals(result.mode()) ?
            "  round trip (us), from the scheduled send time to the BatchEnd:" :
            "  round trip (us), from the send to the BatchEnd:");
        out.printf(Locale.ROOT, "  %10s %10s %10s %10s %10s %10s %10s%n",
            "p50", "p90", "p99", "p99.9", "p99.99", "max", "mean");
        out.printf(Locale.ROOT, "  %,10.1f %,10.1f %,10.1f %,10.1f %,10.1f %,10.1f %,10.1f%n",
            latency.p50Us(), latency.p90Us(), latency.p99Us(), latency.p99_9Us(), latency.p99_99Us(),
            latency.maxUs(), latency.meanUs());
        for (final Map.Entry<String, LatencySummary> stage : result.stages().entrySet())
        {
            final LatencySummary s = stage.getValue();
            out.printf(Locale.ROOT, "  %-22s %,10.1f %,10.1f %,10.1f %,10.1f %,10.1f %,10.1f%n", stage.getKey(),
                s.p50Us(), s.p90Us(), s.p99Us(), s.p99_9Us(), s.p99_99Us(), s.maxUs());
        }
        if ("open-loop".equals(result.mode()))
        {
            final LatencySummary delay = result.sendDelay();
            out.printf(Locale.ROOT, "  send delay (the generator's own lag, us): p50 %,.1f   p99 %,.1f   max %,.1f;" +
                "   late sends %,d (more than %,.0f us behind schedule)%n", delay.p50Us(), delay.p99Us(),
                delay.maxUs(), result.lateSends(), result.lateThresholdUs());
        }
        out.println();
        for (final String error : result.errorSamples())
        {
            out.println("  error: " + error);
        }
        if (result.passed())
        {
            out.println("PASS: every request was answered, no errors");
        }
        else
        {
            out.printf(Locale.ROOT, "FAIL: %,d unanswered, %,d never sent, %,d errors%n",
                result.unanswered(), result.unsent(), result.errors());
        }
    }

    private static String seconds(final double seconds)
    {
        return BigDecimal.valueOf(seconds).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    /**
     * @param result of the run.
     * @return one JSON object, keys in a stable order.
     */
    public static String json(final BenchResult result)
    {
        final StringBuilder json = new StringBuilder(1024);
        json.append('{');
        field(json, "mode").append(quote(result.mode()));
        field(json, "rate_per_s").append(number(result.targetRatePerSecond()));
        field(json, "window").append(result.window());
        field(json, "connections").append(result.connections());
        field(json, "seconds").append(number(result.seconds()));
        field(json, "warmup_seconds").append(number(result.warmupSeconds()));
        field(json, "seed").append(result.seed());
        field(json, "instruments").append(result.instruments());
        field(json, "durability").append(quote(result.durability()));
        field(json, "replicas").append(result.replicas() == null ? "null" : result.replicas().toString());
        field(json, "sent").append(result.sent());
        field(json, "acked").append(result.acked());
        field(json, "rejected").append(result.rejected());
        field(json, "errors").append(result.errors());
        field(json, "reconnects").append(result.reconnects());
        field(json, "unanswered").append(result.unanswered());
        field(json, "unsent").append(result.unsent());
        field(json, "passed").append(result.passed());
        field(json, "throughput_per_s").append(number(result.throughputPerSecond()));
        field(json, "send_rate_per_s").append(number(result.sendRatePerSecond()));
        field(json, "latency_us");
        summary(json, result.latency());
        field(json, "send_delay_us");
        summary(json, result.sendDelay());
        field(json, "late_sends").append(result.lateSends());
        field(json, "late_threshold_us").append(number(result.lateThresholdUs()));
        field(json, "rejects_by_reason");
        counts(json, result.rejectsByReason());
        field(json, "flow");
        counts(json, result.flow());
        field(json, "error_samples").append('[');
        for (int i = 0; i < result.errorSamples().size(); i++)
        {
            json.append(i == 0 ? "" : ",").append(quote(result.errorSamples().get(i)));
        }
        json.append(']');
        field(json, "percentiles_us").append('[');
        final List<double[]> curve = PercentilePlot.curve(result.latencyHistogramNs());
        for (int i = 0; i < curve.size(); i++)
        {
            json.append(i == 0 ? "[" : ",[").append(number(curve.get(i)[0])).append(',')
                .append(number(curve.get(i)[1])).append(']');
        }
        json.append(']');
        if (!result.stages().isEmpty())
        {
            field(json, "stages_us").append('{');
            boolean first = true;
            for (final Map.Entry<String, LatencySummary> stage : result.stages().entrySet())
            {
                json.append(first ? "" : ",").append(quote(stage.getKey())).append(':');
                summary(json, stage.getValue());
                first = false;
            }
            json.append('}');
        }
        return json.append("}\n").toString();
    }

    /**
     * Plot the run's round-trip percentile curve, overlaid on the curves of earlier reports.
     *
     * @param result  of the run, or null to plot only the earlier reports.
     * @param compare earlier {@code --json} reports to overlay.
     * @param file    PNG to write.
     * @throws IOException if a report cannot be read or the plot cannot be written.
     */
    public static void writePlot(final BenchResult result, final List<Path> compare, final Path file)
        throws IOException
    {
        final List<PercentilePlot.Series> series = new ArrayList<>();
        if (result != null)
        {
            series.add(PercentilePlot.Series.of(String.format(Locale.ROOT, "this run (%s, %,.0f/s)", result.mode(),
                result.throughputPerSecond()), result.latencyHistogramNs()));
        }
        for (final Path report : compare)
        {
            series.add(PercentilePlot.Series.read(report));
        }
        PercentilePlot.write(series, "sluice bench: round trip by percentile", file);
    }

    public static void writeJson(final BenchResult result, final Path file) throws IOException
    {
        Files.writeString(file, json(result), StandardCharsets.UTF_8);
    }

    /**
     * Write HdrHistogram's percentile distribution of the measured round trip, values in microseconds.
     *
     * @param result of the run.
     * @param file   to write.
     * @throws IOException if it cannot be written.
     */
    public static void writeHgrm(final BenchResult result, final Path file) throws IOException
    {
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8))
        {
            result.latencyHistogramNs().outputPercentileDistribution(out, 1_000.0);
        }
    }

    private static StringBuilder field(final StringBuilder json, final String name)
    {
        if (json.length() > 1)
        {
            json.append(',');
        }
        return json.append('"').append(name).append("\":");
    }

    private static void summary(final StringBuilder json, final LatencySummary summary)
    {
        json.append("{\"p50\":").append(number(summary.p50Us()))
            .append(",\"p90\":").append(number(summary.p90Us()))
            .append(",\"p99\":").append(number(summary.p99Us()))
            .append(",\"p99_9\":").append(number(summary.p99_9Us()))
            .append(",\"p99_99\":").append(number(summary.p99_99Us()))
            .append(",\"max\":").append(number(summary.maxUs()))
            .append(",\"mean\":").append(number(summary.meanUs()))
            .append(",\"count\":").append(summary.count())
            .append('}');
    }

    private static void counts(final StringBuilder json, final Map<String, Long> counts)
    {
        json.append('{');
        boolean first = true;
        for (final Map.Entry<String, Long> entry : counts.entrySet())
        {
            json.append(first ? "" : ",").append(quote(entry.getKey())).append(':').append(entry.getValue());
            first = false;
        }
        json.append('}');
    }

    private static String number(final double value)
    {
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            return "null";
        }
        return String.format(Locale.ROOT, "%.3f", value);
    }

    static String quote(final String text)
    {
        final StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '"':
                    quoted.append("\\\"");
                    break;
                case '\\':
                    quoted.append("\\\\");
                    break;
                case '\n':
                    quoted.append("\\n");
                    break;
                case '\r':
                    quoted.append("\\r");
                    break;
                case '\t':
                    quoted.append("\\t");
                    break;
                default:
                    if (c < 0x20)
                    {
                        quoted.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
                    }
                    else
                    {
                        quoted.append(c);
                    }
            }
        }
        return quoted.append('"').toString();
    }
}
