package io.sluice.harness;

import io.sluice.harness.check.CheckResult;
import io.sluice.harness.check.HistoryChecker;
import io.sluice.harness.check.Violation;
import io.sluice.node.config.ConfigException;
import io.sluice.node.config.NodeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code sluice check HISTORY... --against DIR [--replica DIR ...] [--earlier DIR ...] [--config FILE]
 * [--policy MODE]}: check what clients recorded ({@code sluice bench --history}) against the journals of stopped
 * nodes. Exits 0 when nothing is wrong, 1 listing each violation, 2 on bad options or unreadable histories. See
 * docs/reliability.md.
 */
@Command(name = "check", sortOptions = false,
    description = "Check client histories (bench --history) against the surviving primary's journal: every " +
        "acknowledged request present exactly once, in order, on as many journals as the policy requires, and " +
        "replicas in the same state. Read stopped nodes' journals, or copies.")
public final class CheckCommand implements Callable<Integer>
{
    static final int EXIT_VIOLATIONS = 1;
    static final int EXIT_USAGE = 2;

    @Parameters(arity = "1..*", paramLabel = "HISTORY", description = "History files written by bench --history.")
    List<Path> histories = new ArrayList<>();

    @Option(names = "--against", required = true, paramLabel = "DIR",
        description = "The surviving primary's data directory or journal directory.")
    Path against;

    @Option(names = "--replica", paramLabel = "DIR",
        description = "A replica's data or journal directory (repeatable); it must follow this primary.")
    List<Path> replicas = new ArrayList<>();

    @Option(names = "--earlier", paramLabel = "DIR", description = "A journal holding history the primary's no " +
        "longer does (repeatable): one a resync set aside (journal.diverged-*, journal.behind-*) or an archived " +
        "copy. Used only to check requests below the primary journal's first wireSeq.")
    List<Path> earlierJournals = new ArrayList<>();

    @Option(names = "--config", paramLabel = "FILE", description = "Any node's configuration: replay every journal " +
        "and compare state hashes at the lowest last wireSeq they share.")
    Path config;

    @Option(names = "--policy", paramLabel = "MODE", defaultValue = "hybrid", description = "The weakest durability " +
        "policy in force during the run: a mode or a clause expression (default ${DEFAULT-VALUE}).")
    String policy;

    @Option(names = "--max-listed", defaultValue = "50", paramLabel = "N",
        description = "Violations listed per kind; the rest are counted (default ${DEFAULT-VALUE}).")
    int maxListed;

    @Override
    public Integer call()
    {
        final HistoryChecker checker = new HistoryChecker().primary(against);
        replicas.forEach(checker::replica);
        earlierJournals.forEach(checker::earlierJournal);
        try
        {
            checker.policy(policy);
            if (config != null)
            {
                checker.config(NodeConfig.load(config, Map.of()));
            }
            final CheckResult result = checker.check(histories);
            print(result, System.out);
            return result.passed() ? 0 : EXIT_VIOLATIONS;
        }
        catch (final ConfigException | IllegalArgumentException | IOException ex)
        {
            // Bad options, an invalid policy (an IllegalArgumentException), a bad config or unreadable histories.
            System.err.println("sluice check: " + ex.getMessage());
            return EXIT_USAGE;
        }
    }

    /**
     * Print the notes, each violation (up to the limit per kind) and the summary line, last.
     */
    void print(final CheckResult result, final PrintStream out)
    {
        for (final String note : result.notes())
        {
            out.println("note: " + note);
        }
        final Map<Violation.Kind, Integer> listed = new EnumMap<>(Violation.Kind.class);
        for (final Violation violation : result.violations())
        {
            final int count = listed.merge(violation.kind(), 1, Integer::sum);
            if (count <= maxListed)
            {
                out.println("VIOLATION " + violation);
            }
        }
        result.countsByKind().forEach((kind, count) ->
        {
            if (count > maxListed)
            {
                out.println("VIOLATION " + kind + ": " + (count - maxListed) + " more not listed");
            }
            out.println("violations " + kind + ": " + count);
        });
        out.println("check: " + result.summary());
        out.flush();
    }
}
