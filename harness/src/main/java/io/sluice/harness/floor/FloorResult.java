package io.sluice.harness.floor;

import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.durability.Policy;
import io.sluice.harness.bench.LatencySummary;

import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The floor a run measured: each path's samples, each policy's composed floor, and the nodes' idle CPU when it was
 * measured; the table people read, the JSON object scripts read, and Sluice's figures as ratios to it.
 * <p>
 * The JSON object has {@code tcp_rtt_us}, {@code aeron_rtt_us} and {@code sync_us} ({@code p50}, {@code p90},
 * {@code p99}, {@code p99_9}, {@code p99_99}, {@code max}, {@code mean}, {@code count}; null for a path not
 * measured), {@code policy_floor_us} (the same by policy name, with its {@code formula}) and
 * {@code idle_cpu_percent_of_core} (by node, and {@code total}; null when not measured), plus both syncs
 * ({@code sync_journal_us}, {@code sync_raw_us}), which one the floors use ({@code sync_method}), the composition's
 * settings, the message sizes and the run's settings.
 */
public final class FloorResult
{
    /**
     * Reads numbers as they are written (a report's {@code 12.300} stays {@code 12.300}) and writes decimals plain,
     * never in exponent form.
     */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
        .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
        .build();
    private static final String SYNC_RAW = "raw";
    private static final String SYNC_JOURNAL = "journal";

    /**
     * One policy's floor.
     *
     * @param policy  the policy.
     * @param formula how its paths combine.
     * @param floorUs the composed floor.
     */
    record PolicyFloor(Policy policy, String formula, LatencySummary floorUs)
    {
    }

    private final FloorContext context;
    private final Samples tcp;
    private final Samples aeron;
    private final Samples journalSync;
    private final Samples rawSync;
    private final String syncMethod;
    private final Map<String, PolicyFloor> floors;
    private IdleCpu idleCpu;
    private String idleCpuNote;

    private FloorResult(
        final FloorContext context,
        final Samples tcp,
        final Samples aeron,
        final Samples journalSync,
        final Samples rawSync,
        final String syncMethod,
        final Map<String, PolicyFloor> floors)
    {
        this.context = context;
        this.tcp = tcp;
        this.aeron = aeron;
        this.journalSync = journalSync;
        this.rawSync = rawSync;
        this.syncMethod = syncMethod;
        this.floors = floors;
    }

    /**
     * Compose each policy's floor from the samples. The sync composed is the way with the lower median: the floor
     * is the least this machine takes to make an entry durable, whichever way does it.
     *
     * @param context     the run's settings.
     * @param policies    whose floors to compose.
     * @param tcp         TCP round trips.
     * @param aeron       Aeron round trips, or null if no policy needs them.
     * @param journalSync syncs the journal's way, or null if no policy needs a sync.
     * @param rawSync     syncs of a plain file, or null if no policy needs a sync.
     * @return the result.
     */
    static FloorResult compose(
        final FloorContext context,
        final List<Policy> policies,
        final Samples tcp,
        final Samples aeron,
        final Samples journalSync,
        final Samples rawSync)
    {
        String syncMethod = null;
        Samples sync = null;
        if (journalSync != null && rawSync != null)
        {
            final boolean rawFaster = rawSync.histogramNs().getValueAtPercentile(50) <=
                journalSync.histogramNs().getValueAtPercentile(50);
            syncMethod = rawFaster ? SYNC_RAW : SYNC_JOURNAL;
            sync = rawFaster ? rawSync : journalSync;
        }
        final Map<String, PolicyFloor> floors = new LinkedHashMap<>();
        for (final Policy policy : policies)
        {
            floors.put(policy.description(), new PolicyFloor(policy, Composition.formula(policy),
                Composition.compose(policy, tcp, aeron, sync, context.draws(), context.seed())));
        }
        return new FloorResult(context, tcp, aeron, journalSync, rawSync, syncMethod, floors);
    }

    /**
     * @param policy one of the policies composed.
     * @return its floor.
     * @throws IllegalArgumentException if it was not composed.
     */
    public LatencySummary floor(final Policy policy)
    {
        final PolicyFloor floor = floors.get(policy.description());
        if (floor == null)
        {
            throw new IllegalArgumentException("no floor was composed for " + policy.description());
        }
        return floor.floorUs();
    }

    public FloorContext context()
    {
        return context;
    }

    public Samples tcp()
    {
        return tcp;
    }

    /**
     * @return the Aeron round trips, or null when no policy needed them.
     */
    public Samples aeron()
    {
        return aeron;
    }

    /**
     * @return the syncs the floors are composed with, or null when no policy needed one.
     */
    public Samples sync()
    {
        return SYNC_RAW.equals(syncMethod) ? rawSync : journalSync;
    }

    /**
     * @param idleCpu the nodes' idle CPU, measured beside the floor.
     */
    public void idleCpu(final IdleCpu idleCpu)
    {
        this.idleCpu = idleCpu;
    }

    /**
     * @param note why idle CPU was not measured.
     */
    public void idleCpuNote(final String note)
    {
        this.idleCpuNote = note;
    }

    /**
     * Print the table: each path's percentiles, each policy's floor, the nodes' idle CPU.
     *
     * @param out where to print it.
     */
    public void printTable(final PrintStream out)
    {
        out.println();
        out.printf(Locale.ROOT, "physical floor of each path on this machine%s: one request in flight, one every " +
            "%,d us; %s s measured per path after %s s of warm-up%n", context.quick() ? " (short run)" : "",
            context.intervalUs(), decimal(context.seconds()), decimal(context.warmupSeconds()));
        out.printf(Locale.ROOT, "  %-50s %10s %10s %10s %10s %10s %8s%n", "path", "p50 us", "p90 us", "p99 us",
            "p99.9 us", "max us", "count");
        row(out, String.format(Locale.ROOT, "tcp round trip, %d B out, %d B back", FloorMessages.tcpRequest().length,
            FloorMessages.tcpReply().length), tcp.summary());
        if (aeron != null)
        {
            row(out, String.format(Locale.ROOT, "aeron round trip, %d B out, %d B back", FloorMessages.batchBytes(),
                FloorMessages.ackBytes()), aeron.summary());
        }
        if (journalSync != null)
        {
            row(out, String.format(Locale.ROOT, "sync, journal: append + msync, %d B%s",
                FloorMessages.journalEntryBytes(), SYNC_JOURNAL.equals(syncMethod) ? " *" : ""),
                journalSync.summary());
            row(out, String.format(Locale.ROOT, "sync, raw: write + force(false), %d B%s",
                FloorMessages.journalEntryBytes(), SYNC_RAW.equals(syncMethod) ? " *" : ""), rawSync.summary());
            out.println("  (* the sync the floors below are composed with: the lower median)");
        }
        out.printf(Locale.ROOT, "%nfloor of a reply per durability policy, composed by Monte Carlo: %,d independent " +
            "draws (seed %d) from the samples above%n", context.draws(), context.seed());
        for (final PolicyFloor floor : floors.values())
        {
            row(out, String.format(Locale.ROOT, "%-20s = %s", floor.policy().description(), floor.formula()),
                floor.floorUs());
        }
        out.println();
        out.println(idleCpuLine("with no load"));
    }

    /**
     * @param when when it was measured, for people.
     * @return one line with the nodes' idle CPU, or why it was not measured.
     */
    String idleCpuLine(final String when)
    {
        if (idleCpu == null)
        {
            return "  " + (idleCpuNote != null ? idleCpuNote : "idle CPU not measured");
        }
        final StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
            "  idle CPU of the nodes %s, over %s s, %% of one core:", when, decimal(idleCpu.seconds())));
        idleCpu.percentOfCoreByProcess().forEach((name, percent) ->
            line.append(String.format(Locale.ROOT, " %s %.1f,", name, percent)));
        return line.append(String.format(Locale.ROOT, " total %.1f", idleCpu.totalPercentOfCore())).toString();
    }

    /**
     * Print Sluice's figures beside the policy's floor.
     *
     * @param out    where to print.
     * @param label  what Sluice ran.
     * @param policy its policy, one of those composed.
     * @param p50Us  Sluice's median.
     * @param p99Us  Sluice's p99.
     */
    public void printRatio(
        final PrintStream out, final String label, final Policy policy, final double p50Us, final double p99Us)
    {
        final LatencySummary floor = floor(policy);
        out.printf(Locale.ROOT, "  %s / floor (%s = %s): p50 %,.1f / %,.1f us = %s, p99 %,.1f / %,.1f us = %s%n",
            label, policy.description(), floors.get(policy.description()).formula(), p50Us, floor.p50Us(),
            times(p50Us / floor.p50Us()), p99Us, floor.p99Us(), times(p99Us / floor.p99Us()));
    }

    /**
     * @return Sluice's figures and the policy's floor as a JSON object: {@code policy}, {@code formula},
     * {@code floor_p50_us}, {@code floor_p99_us}, {@code sluice_p50_us}, {@code sluice_p99_us}, {@code p50_ratio},
     * {@code p99_ratio}.
     */
    public ObjectNode ratioJson(final Policy policy, final double p50Us, final double p99Us)
    {
        final LatencySummary floor = floor(policy);
        final ObjectNode json = MAPPER.createObjectNode();
        json.put("policy", policy.description());
        json.put("formula", floors.get(policy.description()).formula());
        put(json, "floor_p50_us", floor.p50Us());
        put(json, "floor_p99_us", floor.p99Us());
        put(json, "sluice_p50_us", p50Us);
        put(json, "sluice_p99_us", p99Us);
        put(json, "p50_ratio", p50Us / floor.p50Us());
        put(json, "p99_ratio", p99Us / floor.p99Us());
        return json;
    }

    /**
     * @return the JSON object of the contract (see the class comment).
     */
    public ObjectNode json()
    {
        final ObjectNode json = MAPPER.createObjectNode();
        json.set("tcp_rtt_us", summary(tcp));
        json.set("aeron_rtt_us", summary(aeron));
        json.set("sync_us", summary(sync()));
        if (syncMethod == null)
        {
            json.putNull("sync_method");
        }
        else
        {
            json.put("sync_method", syncMethod);
        }
        json.set("sync_journal_us", summary(journalSync));
        json.set("sync_raw_us", summary(rawSync));
        final ObjectNode policies = json.putObject("policy_floor_us");
        floors.forEach((name, floor) -> policies.set(name, summary(floor.floorUs()).put("formula", floor.formula())));
        final ObjectNode composition = json.putObject("composition");
        composition.put("method", "monte carlo: independent uniform draws from each path's samples");
        composition.put("draws", context.draws());
        composition.put("seed", context.seed());
        if (idleCpu == null)
        {
            json.putNull("idle_cpu_percent_of_core");
            json.put("idle_cpu_note", idleCpuNote != null ? idleCpuNote : "not measured");
        }
        else
        {
            final ObjectNode idle = json.putObject("idle_cpu_percent_of_core");
            idleCpu.percentOfCoreByProcess().forEach((name, percent) -> put(idle, name, percent));
            put(idle, "total", idleCpu.totalPercentOfCore());
            put(json, "idle_cpu_seconds", idleCpu.seconds());
        }
        final ObjectNode bytes = json.putObject("message_bytes");
        bytes.put("tcp_request", FloorMessages.tcpRequest().length);
        bytes.put("tcp_reply", FloorMessages.tcpReply().length);
        bytes.put("aeron_batch", FloorMessages.batchBytes());
        bytes.put("aeron_ack", FloorMessages.ackBytes());
        bytes.put("journal_entry", FloorMessages.journalEntryBytes());
        final ObjectNode settings = json.putObject("settings");
        put(settings, "seconds", context.seconds());
        put(settings, "warmup_seconds", context.warmupSeconds());
        settings.put("interval_us", context.intervalUs());
        settings.put("quick", context.quick());
        return json;
    }

    /**
     * @param file to write {@link #json()} to, one object, indented.
     * @throws IOException if it cannot be written.
     */
    public void writeJson(final Path file) throws IOException
    {
        final Path parent = file.toAbsolutePath().getParent();
        if (parent != null)
        {
            Files.createDirectories(parent);
        }
        Files.writeString(file, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json()) +
            System.lineSeparator());
    }

    /**
     * Add a field to the JSON object in a file, keeping everything else as it was written.
     *
     * @param file  holding one JSON object.
     * @param name  of the field to add (or replace).
     * @param value its value.
     * @throws IOException if the file cannot be read or written, or does not hold a JSON object.
     */
    static void addField(final Path file, final String name, final JsonNode value) throws IOException
    {
        final JsonNode report = MAPPER.readTree(file.toFile());
        if (!(report instanceof ObjectNode))
        {
            throw new IOException(file + " does not hold a JSON object");
        }
        ((ObjectNode)report).set(name, value);
        Files.writeString(file, MAPPER.writeValueAsString(report) + "\n");
    }

    private static ObjectNode summary(final Samples samples)
    {
        return samples == null ? null : summary(samples.summary());
    }

    private static ObjectNode summary(final LatencySummary summary)
    {
        final ObjectNode json = MAPPER.createObjectNode();
        put(json, "p50", summary.p50Us());
        put(json, "p90", summary.p90Us());
        put(json, "p99", summary.p99Us());
        put(json, "p99_9", summary.p99_9Us());
        put(json, "p99_99", summary.p99_99Us());
        put(json, "max", summary.maxUs());
        put(json, "mean", summary.meanUs());
        json.put("count", summary.count());
        return json;
    }

    private static void put(final ObjectNode json, final String name, final double value)
    {
        if (Double.isFinite(value))
        {
            json.put(name, BigDecimal.valueOf(value).setScale(3, RoundingMode.HALF_UP));
        }
        else
        {
            json.putNull(name);
        }
    }

    private static void row(final PrintStream out, final String label, final LatencySummary summary)
    {
        out.printf(Locale.ROOT, "  %-50s %,10.1f %,10.1f %,10.1f %,10.1f %,10.1f %,8d%n", label, summary.p50Us(),
            summary.p90Us(), summary.p99Us(), summary.p99_9Us(), summary.maxUs(), summary.count());
    }

    private static String decimal(final double value)
    {
        return BigDecimal.valueOf(value).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    private static String times(final double ratio)
    {
        return Double.isFinite(ratio) ? String.format(Locale.ROOT, "%.2fx", ratio) : "n/a";
    }
}
