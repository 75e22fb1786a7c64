package io.sluice.perf.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.durability.Policy;
import io.sluice.harness.floor.FloorResult;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The outcome of a comparison: the table people read and the JSON object of the contract,
 * <pre>
 * {"pairs": [{"sluice_policy", "aeron_sync_level",
 *             "runs": [{"rate", "sluice": {"p50_us", "p99_us", "p99_9_us", "sent", "acked", ...},
 *                       "aeron_cluster": {...}, "sluice_hybrid": {...}}],
 *             "max_throughput_per_s": {"sluice", "aeron_cluster", "sluice_hybrid"}, ...}],
 *  "p99_ratio_at_low_rate", "throughput_ratio", ...}
 * </pre>
 * The first run of each pair is the low-rate run ({@code "kind": "low_rate"}), the others the sweep's in increasing
 * rate. A system whose sweep had stopped before a rate has that run with {@code "ran": false} and null latencies.
 * The top-level ratios are the worst over the pairs, Sluice / Aeron Cluster: the highest p99 ratio at the low rate
 * and the lowest throughput ratio. Sluice {@code hybrid} is measured once and reported beside both pairs (its own
 * ratios are in each pair, not in the worst).
 */
final class CompareReport
{
    /**
     * One like-for-like pairing on durability.
     */
    static final class Pair
    {
        final String sluicePolicy;
        final int aeronSyncLevel;
        final Sweep sluice;
        final Sweep aeron;

        Pair(final String sluicePolicy, final int aeronSyncLevel, final Sweep sluice, final Sweep aeron)
        {
            this.sluicePolicy = sluicePolicy;
            this.aeronSyncLevel = aeronSyncLevel;
            this.sluice = sluice;
            this.aeron = aeron;
        }
    }

    private final CompareSettings settings;
    private final List<Pair> pairs;
    private final Sweep hybrid;
    private final Map<String, String> machine;
    private final double elapsedSeconds;
    /** The physical floor measured before the systems ran, or null if it could not be. */
    private final FloorResult floor;

    /**
     * @param settings       of the run.
     * @param pairs          the like-for-like pairs, in the order they ran.
     * @param hybrid         Sluice with the hybrid policy.
     * @param machine        facts about the machine and JVM, reported as strings.
     * @param elapsedSeconds how long the comparison took.
     */
    CompareReport(
        final CompareSettings settings,
        final List<Pair> pairs,
        final Sweep hybrid,
        final Map<String, String> machine,
        final double elapsedSeconds)
    {
        this(settings, pairs, hybrid, machine, elapsedSeconds, null);
    }

    /**
     * @param settings       of the run.
     * @param pairs          the like-for-like pairs, in the order they ran.
     * @param hybrid         Sluice with the hybrid policy.
     * @param machine        facts about the machine and JVM, reported as strings.
     * @param elapsedSeconds how long the comparison took.
     * @param floor          this machine's floor of each Sluice policy, or null if not measured.
     */
    CompareReport(
        final CompareSettings settings,
        final List<Pair> pairs,
        final Sweep hybrid,
        final Map<String, String> machine,
        final double elapsedSeconds,
        final FloorResult floor)
    {
        this.settings = settings;
        this.pairs = pairs;
        this.hybrid = hybrid;
        this.machine = machine;
        this.elapsedSeconds = elapsedSeconds;
        this.floor = floor;
    }

    /**
     * @return each Sluice policy run and its sweep, in the order they ran.
     */
    private Map<String, Sweep> sluiceSweeps()
    {
        final Map<String, Sweep> sweeps = new LinkedHashMap<>();
        pairs.forEach((pair) -> sweeps.put(pair.sluicePolicy, pair.sluice));
        sweeps.put(Policy.resolve(ClusterCompare.HYBRID).description(), hybrid);
        return sweeps;
    }

    /**
     * @return the floor's JSON object plus, for each Sluice policy whose low-rate run ran, Sluice / floor at the low
     * rate ({@code sluice_ratios_at_low_rate}); null when the floor was not measured.
     */
    private String floorJson()
    {
        if (floor == null)
        {
            return "null";
        }
        final ObjectNode json = floor.json();
        final ObjectNode ratios = json.putObject("sluice_ratios_at_low_rate");
        sluiceSweeps().forEach((policy, sweep) ->
        {
            final RunFigures low = sweep.lowRate();
            if (low != null && low.ran())
            {
                ratios.set(policy, floor.ratioJson(Policy.resolve(policy), low.p50Us(), low.p99Us()));
            }
        });
        return json.toString();
    }

    /**
     * @return Sluice's p99 at the low rate over the baseline's; NaN if either is missing.
     */
    static double p99RatioAtLowRate(final Sweep sluice, final Sweep aeron)
    {
        if (sluice.lowRate() == null || aeron.lowRate() == null || !sluice.lowRate().ran() ||
            !aeron.lowRate().ran() || aeron.lowRate().p99Us() <= 0)
        {
            return Double.NaN;
        }
        return sluice.lowRate().p99Us() / aeron.lowRate().p99Us();
    }

    /**
     * @return Sluice's max sustained throughput over the baseline's; NaN if the baseline sustained no rate.
     */
    static double throughputRatio(final Sweep sluice, final Sweep aeron)
    {
        final double aeronMax = aeron.maxSustainedPerSecond();
        return aeronMax > 0 ? sluice.maxSustainedPerSecond() / aeronMax : Double.NaN;
    }

    /**
     * @return the highest p99 ratio over the pairs (the worst for Sluice); NaN if none is known.
     */
    double worstP99RatioAtLowRate()
    {
        double worst = Double.NaN;
        for (final Pair pair : pairs)
        {
            final double ratio = p99RatioAtLowRate(pair.sluice, pair.aeron);
            if (Double.isFinite(ratio) && !(ratio <= worst))
            {
                worst = ratio;
            }
        }
        return worst;
    }

    /**
     * @return the lowest throughput ratio over the pairs (the worst for Sluice); NaN if none is known.
     */
    double worstThroughputRatio()
    {
        double worst = Double.NaN;
        for (final Pair pair : pairs)
        {
            final double ratio = throughputRatio(pair.sluice, pair.aeron);
            if (Double.isFinite(ratio) && !(ratio >= worst))
            {
                worst = ratio;
            }
        }
        return worst;
    }

    private TreeSet<Double> sweepRates(final Pair pair)
    {
        final TreeSet<Double> rates = new TreeSet<>();
        pair.sluice.runs().forEach((run) -> rates.add(run.ratePerSecond()));
        pair.aeron.runs().forEach((run) -> rates.add(run.ratePerSecond()));
        return rates;
    }

    private static RunFigures at(final Sweep sweep, final double ratePerSecond)
    {
        final RunFigures run = sweep.at(ratePerSecond);
        return run != null ? run : RunFigures.notRun(ratePerSecond, CompareSettings.SWEEP_CONNECTIONS);
    }

    /**
     * @return the JSON object, one line.
     */
    String json()
    {
        final StringBuilder json = new StringBuilder(16 * 1024).append("{\"pairs\": [");
        for (int i = 0; i < pairs.size(); i++)
        {
            final Pair pair = pairs.get(i);
            json.append(i == 0 ? "" : ", ")
                .append("{\"sluice_policy\": \"").append(pair.sluicePolicy).append("\", \"aeron_sync_level\": ")
                .append(pair.aeronSyncLevel).append(", \"runs\": [");
            json.append(runJson("low_rate", CompareSettings.LOW_RATE_PER_SECOND, pair.sluice.lowRate(),
                pair.aeron.lowRate(), hybrid.lowRate()));
            for (final double rate : sweepRates(pair))
            {
                json.append(", ").append(runJson("sweep", rate, at(pair.sluice, rate), at(pair.aeron, rate),
                    at(hybrid, rate)));
            }
            json.append("], \"max_throughput_per_s\": {\"sluice\": ")
                .append(RunFigures.number(pair.sluice.maxSustainedPerSecond()))
                .append(", \"aeron_cluster\": ").append(RunFigures.number(pair.aeron.maxSustainedPerSecond()))
                .append(", \"sluice_hybrid\": ").append(RunFigures.number(hybrid.maxSustainedPerSecond()))
                .append("}, \"p99_ratio_at_low_rate\": ").append(ratio(p99RatioAtLowRate(pair.sluice, pair.aeron)))
                .append(", \"throughput_ratio\": ").append(ratio(throughputRatio(pair.sluice, pair.aeron)))
                .append(", \"hybrid_p99_ratio_at_low_rate\": ").append(ratio(p99RatioAtLowRate(hybrid, pair.aeron)))
                .append(", \"hybrid_throughput_ratio\": ").append(ratio(throughputRatio(hybrid, pair.aeron)))
                .append('}');
        }
        json.append("], \"p99_ratio_at_low_rate\": ").append(ratio(worstP99RatioAtLowRate()))
            .append(", \"throughput_ratio\": ").append(ratio(worstThroughputRatio()))
            .append(", \"quick\": ").append(settings.quick())
            .append(", \"p99_limit_us\": ").append(RunFigures.number(CompareSettings.P99_LIMIT_US))
            .append(", \"low_rate\": {\"rate\": ").append(RunFigures.number(CompareSettings.LOW_RATE_PER_SECOND))
            .append(", \"connections\": ").append(CompareSettings.LOW_RATE_CONNECTIONS)
            .append("}, \"sweep_connections\": ").append(CompareSettings.SWEEP_CONNECTIONS)
            .append(", \"seed\": ").append(CompareSettings.SEED)
            .append(", \"instruments\": ").append(CompareSettings.INSTRUMENTS)
            .append(", \"elapsed_s\": ").append(RunFigures.number(elapsedSeconds))
            .append(", \"floor\": ").append(floorJson())
            .append(", \"machine\": {");
        boolean first = true;
        for (final Map.Entry<String, String> entry : machine.entrySet())
        {
            json.append(first ? "" : ", ").append('"').append(entry.getKey()).append("\": \"")
                .append(entry.getValue().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            first = false;
        }
        return json.append("}}").toString();
    }

    private static String runJson(
        final String kind, final double rate, final RunFigures sluice, final RunFigures aeron, final RunFigures hybrid)
    {
        return "{\"rate\": " + RunFigures.number(rate) + ", \"kind\": \"" + kind + "\", \"sluice\": " +
            json(sluice, rate) + ", \"aeron_cluster\": " + json(aeron, rate) + ", \"sluice_hybrid\": " +
            json(hybrid, rate) + "}";
    }

    private static String json(final RunFigures run, final double rate)
    {
        return (run != null ? run : RunFigures.notRun(rate, CompareSettings.SWEEP_CONNECTIONS)).json();
    }

    private static String ratio(final double ratio)
    {
        return Double.isFinite(ratio) ? String.format(Locale.ROOT, "%.3f", ratio) : "null";
    }

    /**
     * Print the table: per pair, each rate's p50/p99/p99.9 for Sluice, Aeron Cluster and Sluice hybrid, then the
     * max sustained throughputs and the ratios.
     *
     * @param out where to print.
     */
    void printTable(final PrintStream out)
    {
        out.println();
        out.printf(Locale.ROOT, "Aeron Cluster comparison%s: 3 nodes each on loopback, the same seeded order flow " +
            "(seed %d, %d instruments) through the same bench driver%n", settings.quick() ? " (quick)" : "",
            CompareSettings.SEED, CompareSettings.INSTRUMENTS);
        out.printf(Locale.ROOT, "  low rate: %,.0f/s open loop over %d connection; sweep: open loop over %d " +
            "connections; sustained = every request answered and p99 <= %,.0f us%n",
            CompareSettings.LOW_RATE_PER_SECOND, CompareSettings.LOW_RATE_CONNECTIONS,
            CompareSettings.SWEEP_CONNECTIONS, CompareSettings.P99_LIMIT_US);
        for (int i = 0; i < pairs.size(); i++)
        {
            final Pair pair = pairs.get(i);
            out.println();
            out.printf(Locale.ROOT, "pair %d: %s  vs  %s  (beside: %s)%n", i + 1, pair.sluice.label(),
                pair.aeron.label(), hybrid.label());
            out.printf(Locale.ROOT, "  %9s | %-38s | %-38s | %-38s%n", "rate/s", pair.sluice.label(),
                pair.aeron.label(), hybrid.label());
            final String systemHeader = String.format(Locale.ROOT, "%8s %9s %9s %-9s", "p50 us", "p99 us",
                "p99.9 us", "");
            out.printf(Locale.ROOT, "  %9s | %s | %s | %s%n", "", systemHeader, systemHeader, systemHeader);
            out.printf(Locale.ROOT, "  %9s | %s | %s | %s%n", "low " + (int)CompareSettings.LOW_RATE_PER_SECOND,
                cell(pair.sluice.lowRate()), cell(pair.aeron.lowRate()), cell(hybrid.lowRate()));
            for (final double rate : sweepRates(pair))
            {
                out.printf(Locale.ROOT, "  %,9.0f | %s | %s | %s%n", rate, cell(at(pair.sluice, rate)),
                    cell(at(pair.aeron, rate)), cell(at(hybrid, rate)));
            }
            out.printf(Locale.ROOT, "  max sustained answers/s: %s %,.0f, %s %,.0f, %s %,.0f%n",
                pair.sluice.label(), pair.sluice.maxSustainedPerSecond(), pair.aeron.label(),
                pair.aeron.maxSustainedPerSecond(), hybrid.label(), hybrid.maxSustainedPerSecond());
            out.printf(Locale.ROOT, "  sluice / aeron: p99 at low rate %s (hybrid %s); max throughput %s " +
                "(hybrid %s)%n", times(p99RatioAtLowRate(pair.sluice, pair.aeron)),
                times(p99RatioAtLowRate(hybrid, pair.aeron)), times(throughputRatio(pair.sluice, pair.aeron)),
                times(throughputRatio(hybrid, pair.aeron)));
        }
        out.println();
        out.printf(Locale.ROOT, "worst over the pairs, sluice / aeron cluster: p99 at low rate %s (target <= 1, aim " +
            "0.5), max throughput %s (target >= 1, aim 2)%n", times(worstP99RatioAtLowRate()),
            times(worstThroughputRatio()));
        if (floor != null)
        {
            floor.printTable(out);
            out.println();
            out.println("sluice at the low rate against this machine's floor of its policy:");
            sluiceSweeps().forEach((policy, sweep) ->
            {
                final RunFigures low = sweep.lowRate();
                if (low != null && low.ran())
                {
                    floor.printRatio(out, sweep.label(), Policy.resolve(policy), low.p50Us(), low.p99Us());
                }
            });
            out.println();
        }
        out.printf(Locale.ROOT, "took %.0f s%n", elapsedSeconds);
    }

    private static String cell(final RunFigures run)
    {
        if (run == null || !run.ran())
        {
            return String.format(Locale.ROOT, "%8s %9s %9s %-9s", "-", "-", "-", "not run");
        }
        final String verdict = run.sustained() ? "ok" : run.passed() ? "p99>lim" : "LOST";
        return String.format(Locale.ROOT, "%,8.0f %,9.0f %,9.0f %-9s", run.p50Us(), run.p99Us(), run.p99_9Us(),
            verdict);
    }

    private static String times(final double ratio)
    {
        return Double.isFinite(ratio) ? String.format(Locale.ROOT, "%.2fx", ratio) : "n/a";
    }
}
