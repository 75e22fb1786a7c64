package io.sluice.harness.soak;

import io.sluice.harness.bench.BenchResult;
import io.sluice.harness.check.CheckResult;
import io.sluice.harness.check.Violation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a soak run did and found: the faults and how the cluster came back from each, the load, and the checker's
 * verdict on the clients' histories against the final primary's and replicas' journals.
 */
public final class SoakResult
{
    private final SoakContext context;
    private final Path directory;
    private final long durationNs;
    private final List<FaultRecord> faults;
    private final List<BenchResult> loadRuns;
    private final List<String> loadFailures;
    private final int historyFiles;
    private final CheckResult check;
    private final String finalCluster;
    private final List<String> problems;
    private final long policySwaps;
    private final long policySwapRoundsUnanswered;

    SoakResult(
        final SoakContext context,
        final Path directory,
        final long durationNs,
        final List<FaultRecord> faults,
        final List<BenchResult> loadRuns,
        final List<String> loadFailures,
        final int historyFiles,
        final CheckResult check,
        final String finalCluster,
        final List<String> problems,
        final long policySwaps,
        final long policySwapRoundsUnanswered)
    {
        this.policySwaps = policySwaps;
        this.policySwapRoundsUnanswered = policySwapRoundsUnanswered;
        this.context = context;
        this.directory = directory;
        this.durationNs = durationNs;
        this.faults = List.copyOf(faults);
        this.loadRuns = List.copyOf(loadRuns);
        this.loadFailures = List.copyOf(loadFailures);
        this.historyFiles = historyFiles;
        this.check = check;
        this.finalCluster = finalCluster;
        this.problems = List.copyOf(problems);
    }

    /**
     * @return true if every fault was survived, the nodes drained and stopped cleanly, and the checker ran and
     * found no violation.
     */
    public boolean passed()
    {
        return problems.isEmpty() && check != null && check.passed() && faultsSurvived() == faults.size();
    }

    /**
     * @return where the nodes' data, configs, logs ({@code logs/}) and histories ({@code history/}) are.
     */
    public Path directory()
    {
        return directory;
    }

    public long durationNs()
    {
        return durationNs;
    }

    public List<FaultRecord> faults()
    {
        return faults;
    }

    /**
     * @return durability policy swaps a primary accepted during the run.
     */
    public long policySwaps()
    {
        return policySwaps;
    }

    public long faultsSurvived()
    {
        return faults.stream().filter(FaultRecord::survived).count();
    }

    /**
     * @return processes killed (a fault may kill two).
     */
    public int kills()
    {
        return faults.stream().mapToInt(fault -> fault.victims().size()).sum();
    }

    /**
     * @return faults that killed the primary, each followed by a promotion.
     */
    public long primaryKills()
    {
        return faults.stream().filter(fault -> fault.kind().killsPrimary()).count();
    }

    public long promotions()
    {
        return faults.stream().filter(fault -> fault.promoted() != null).count();
    }

    public Map<FaultKind, Integer> faultsByKind()
    {
        final Map<FaultKind, Integer> counts = new EnumMap<>(FaultKind.class);
        faults.forEach(fault -> counts.merge(fault.kind(), 1, Integer::sum));
        return counts;
    }

    /**
     * @param kind a targeted kind.
     * @return faults of that kind whose kill landed where it was aimed (see {@link FaultRecord#landedInWindow()}).
     */
    public long landedInWindow(final FaultKind kind)
    {
        return faults.stream().filter(fault -> fault.kind() == kind && Boolean.TRUE.equals(fault.landedInWindow()))
            .count();
    }

    public List<BenchResult> loadRuns()
    {
        return loadRuns;
    }

    public long sent()
    {
        return loadRuns.stream().mapToLong(BenchResult::sent).sum();
    }

    public long acked()
    {
        return loadRuns.stream().mapToLong(BenchResult::acked).sum();
    }

    public long rejected()
    {
        return loadRuns.stream().mapToLong(BenchResult::rejected).sum();
    }

    public long unanswered()
    {
        return loadRuns.stream().mapToLong(BenchResult::unanswered).sum();
    }

    public long reconnects()
    {
        return loadRuns.stream().mapToLong(BenchResult::reconnects).sum();
    }

    public long loadErrors()
    {
        return loadRuns.stream().mapToLong(BenchResult::errors).sum();
    }

    /**
     * @return the checker's result, or null if it could not run (see {@link #problems()}).
     */
    public CheckResult check()
    {
        return check;
    }

    /**
     * @return violations the checker found, 0 if it did not run.
     */
    public int violations()
    {
        return check == null ? 0 : check.violations().size();
    }

    /**
     * @return what went wrong outside the checker's findings: a fault not survived, a node that did not stop
     * cleanly, a checker that could not run.
     */
    public List<String> problems()
    {
        return problems;
    }

    /**
     * @return the multi-line report the command prints.
     */
    public String summary()
    {
        final StringBuilder out = new StringBuilder(2048);
        out.append(String.format(Locale.ROOT, "soak: %s in %.1f s, seed %d, %.0f requests/s, 3 nodes, %s, " +
            "snapshot every %d entries%n", passed() ? "PASSED" : "FAILED", durationNs / 1e9, context.seed(),
            context.ratePerSecond(), context.policySwaps() ? "policy swapped at random (at least hybrid)" : "hybrid",
            context.snapshotIntervalEntries()));
        if (context.policySwaps())
        {
            out.append(String.format(Locale.ROOT, "policy swaps: %d taken by the primary among %s; %d rounds found " +
                "no primary (one being killed or promoted)%n", policySwaps, PolicySwapper.POLICIES,
                policySwapRoundsUnanswered));
        }
        out.append(String.format(Locale.ROOT, "faults: %d injected, %d survived; %d kills (%d of the primary, " +
            "each followed by a promotion: %d promotions), %d resyncs of an old primary%n", faults.size(),
            faultsSurvived(), kills(), primaryKills(), promotions(),
            faults.stream().mapToInt(FaultRecord::resyncs).sum()));
        for (final Map.Entry<FaultKind, Integer> entry : faultsByKind().entrySet())
        {
            out.append(String.format(Locale.ROOT, "  %-30s %3d%s%n", entry.getKey(), entry.getValue(),
                window(entry.getKey(), entry.getValue())));
        }
        final long[] recoveries = faults.stream().filter(FaultRecord::survived).mapToLong(FaultRecord::recoveryNs)
            .sorted().toArray();
        if (recoveries.length > 0)
        {
            out.append(String.format(Locale.ROOT, "recovery (first kill until trading with both replicas caught " +
                "up): median %.1f s, max %.1f s%n", recoveries[recoveries.length / 2] / 1e9,
                recoveries[recoveries.length - 1] / 1e9));
        }
        out.append(String.format(Locale.ROOT, "load: %d bench runs (%d could not connect), sent %d, acknowledged " +
            "%d, rejected %d, unanswered %d, reconnects %d, errors %d%n", loadRuns.size(), loadFailures.size(),
            sent(), acked(), rejected(), unanswered(), reconnects(), loadErrors()));
        if (check != null)
        {
            out.append("check: ").append(check.summary()).append(" (").append(historyFiles)
                .append(" history files against ").append(finalCluster).append(")\n");
            for (final Map.Entry<Violation.Kind, Integer> entry : check.countsByKind().entrySet())
            {
                out.append(String.format(Locale.ROOT, "  VIOLATION %s x%d%n", entry.getKey(), entry.getValue()));
            }
            check.violations().stream().limit(20).forEach(violation ->
                out.append("  ").append(violation).append('\n'));
        }
        problems.forEach(problem -> out.append("problem: ").append(problem).append('\n'));
        out.append("directory: ").append(directory).append('\n');
        return out.toString();
    }

    private String window(final FaultKind kind, final int count)
    {
        switch (kind)
        {
            case REPLICA_KILL_DURING_CATCH_UP:
                return "  second kill landed while behind: " + landedInWindow(kind) + " of " + count;
            case PRIMARY_KILL_DURING_SNAPSHOT:
                return "  kill landed while the snapshot was being written: " + landedInWindow(kind) + " of " +
                    count + landings(kind);
            case KILL_DURING_PROMOTION:
                return "  other replica killed while the promotion ran: " + landedInWindow(kind) + " of " + count;
            case PRIMARY_KILL_AT_SEGMENT_ROLL:
                return "  kill landed within 20 ms of a new cycle file: " + landedInWindow(kind) + " of " +
                    count;
            case PRIMARY_KILL:
                final long duringPeriodic = faults.stream()
                    .filter(fault -> fault.kind() == kind && fault.landing() != null).count();
                return duringPeriodic == 0 ? "" : "  (" + duringPeriodic + " during a periodic snapshot write)";
            default:
                return "";
        }
    }

    private String landings(final FaultKind kind)
    {
        final List<String> others = new ArrayList<>();
        final long after = faults.stream().filter(fault -> fault.kind() == kind && fault.landing() != null &&
            fault.landing().contains("just after")).count();
        final long before = faults.stream().filter(fault -> fault.kind() == kind && fault.landing() != null &&
            fault.landing().contains("before")).count();
        if (after > 0)
        {
            others.add(after + " just after it");
        }
        if (before > 0)
        {
            others.add(before + " before it");
        }
        return others.isEmpty() ? "" : " (" + String.join(", ", others) + ")";
    }
}
