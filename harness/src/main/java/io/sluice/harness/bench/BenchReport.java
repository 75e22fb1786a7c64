package io.sluice.harness.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.sluice.harness.check.CompactJson;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
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
    /** {@code \n}, {@code \r} and {@code \t} short, as the report has always been written. */
    private static final JsonFactory WRITER = CompactJson.factory("\n\r\t");
    /** Strict JSON, no key twice in an object. */
    private static final ObjectMapper READER = JsonMapper.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();

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
     * @return one JSON object, keys in a stable order, and a newline.
     */
    public static String json(final BenchResult result)
    {
        final StringWriter text = new StringWriter(1024);
        try (JsonGenerator json = WRITER.createGenerator(text))
        {
            json.writeStartObject();
            json.writeStringField("mode", result.mode());
            number(json, "rate_per_s", result.targetRatePerSecond());
            json.writeNumberField("window", result.window());
            json.writeNumberField("connections", result.connections());
            number(json, "seconds", result.seconds());
            number(json, "warmup_seconds", result.warmupSeconds());
            json.writeNumberField("seed", result.seed());
            json.writeNumberField("instruments", result.instruments());
            json.writeStringField("durability", result.durability());
            json.writeFieldName("replicas");
            if (result.replicas() == null)
            {
                json.writeNull();
            }
            else
            {
                json.writeNumber(result.replicas());
            }
            json.writeNumberField("sent", result.sent());
            json.writeNumberField("acked", result.acked());
            json.writeNumberField("rejected", result.rejected());
            json.writeNumberField("errors", result.errors());
            json.writeNumberField("reconnects", result.reconnects());
            json.writeNumberField("unanswered", result.unanswered());
            json.writeNumberField("unsent", result.unsent());
            json.writeBooleanField("passed", result.passed());
            number(json, "throughput_per_s", result.throughputPerSecond());
            number(json, "send_rate_per_s", result.sendRatePerSecond());
            summary(json, "latency_us", result.latency());
            summary(json, "send_delay_us", result.sendDelay());
            json.writeNumberField("late_sends", result.lateSends());
            number(json, "late_threshold_us", result.lateThresholdUs());
            counts(json, "rejects_by_reason", result.rejectsByReason());
            counts(json, "flow", result.flow());
            json.writeArrayFieldStart("error_samples");
            for (final String error : result.errorSamples())
            {
                json.writeString(error);
            }
            json.writeEndArray();
            json.writeArrayFieldStart("percentiles_us");
            for (final double[] point : PercentilePlot.curve(result.latencyHistogramNs()))
            {
                json.writeStartArray();
                number(json, point[0]);
                number(json, point[1]);
                json.writeEndArray();
            }
            json.writeEndArray();
            if (!result.stages().isEmpty())
            {
                json.writeObjectFieldStart("stages_us");
                for (final Map.Entry<String, LatencySummary> stage : result.stages().entrySet())
                {
                    summary(json, stage.getKey(), stage.getValue());
                }
                json.writeEndObject();
            }
            json.writeEndObject();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("a StringWriter does not fail", ex);
        }
        return text.append('\n').toString();
    }

    /**
     * @param text a report as {@link #json} writes it.
     * @return its object; numbers as written, so the curve and percentiles read back as they were.
     * @throws IllegalArgumentException in one line, if it is not one well-formed JSON object.
     */
    static JsonNode parse(final String text)
    {
        try (JsonParser parser = READER.createParser(text))
        {
            final JsonNode report = READER.readTree(parser);
            if (report == null || !report.isObject())
            {
                throw new IllegalArgumentException("not a JSON object");
            }
            if (parser.nextToken() != null)
            {
                throw new IllegalArgumentException("not JSON: text after the object at " +
                    where(parser.currentTokenLocation()));
            }
            return report;
        }
        catch (final JsonEOFException ex)
        {
            throw new IllegalArgumentException("not JSON: it ends before the object does");
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalArgumentException("not JSON: " + ex.getOriginalMessage() +
                (ex.getLocation() == null ? "" : " at " + where(ex.getLocation())));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("reading a String does no I/O", ex);
        }
    }

    private static String where(final JsonLocation location)
    {
        return "line " + location.getLineNr() + ", column " + location.getColumnNr();
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

    private static void summary(final JsonGenerator json, final String name, final LatencySummary summary)
        throws IOException
    {
        json.writeObjectFieldStart(name);
        number(json, "p50", summary.p50Us());
        number(json, "p90", summary.p90Us());
        number(json, "p99", summary.p99Us());
        number(json, "p99_9", summary.p99_9Us());
        number(json, "p99_99", summary.p99_99Us());
        number(json, "max", summary.maxUs());
        number(json, "mean", summary.meanUs());
        json.writeNumberField("count", summary.count());
        json.writeEndObject();
    }

    private static void counts(final JsonGenerator json, final String name, final Map<String, Long> counts)
        throws IOException
    {
        json.writeObjectFieldStart(name);
        for (final Map.Entry<String, Long> entry : counts.entrySet())
        {
            json.writeNumberField(entry.getKey(), entry.getValue());
        }
        json.writeEndObject();
    }

    private static void number(final JsonGenerator json, final String name, final double value) throws IOException
    {
        json.writeFieldName(name);
        number(json, value);
    }

    /**
     * Three decimals, as scripts and the plot have always read them; null for what is not a number.
     */
    private static void number(final JsonGenerator json, final double value) throws IOException
    {
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            json.writeNull();
        }
        else
        {
            json.writeNumber(String.format(Locale.ROOT, "%.3f", value));
        }
    }
}
