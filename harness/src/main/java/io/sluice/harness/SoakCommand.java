package io.sluice.harness;

import io.sluice.harness.soak.Soak;
import io.sluice.harness.soak.SoakContext;
import io.sluice.harness.soak.SoakResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice soak --minutes N}: three nodes on loopback under load, SIGKILLed on a seeded schedule and brought
 * back (restart, promotion, resync), then the history checker over the whole run. Exits 0 only if every fault was
 * survived and the checker found no violation; 1 otherwise; 2 for bad options or a cluster that does not come up.
 */
@Command(name = "soak", sortOptions = false,
    description = "Crash soak: a primary and two replicas under load, SIGKILLed at random (primary or replica, " +
        "during snapshots, catch-up and promotion), recovered by restart or promotion, then every acknowledged " +
        "request checked against the journals. See docs/reliability.md.")
public final class SoakCommand implements Callable<Integer>
{
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;

    @Option(names = "--minutes", required = true, description = "How long faults are injected under load.")
    double minutes;

    @Option(names = "--seed", defaultValue = "" + SoakContext.DEFAULT_SEED,
        description = "Seed of the fault schedule and the order flow (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--rate", defaultValue = "500", description = "Requests per second, open loop (default " +
        "${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--max-faults", defaultValue = "0",
        description = "Stop injecting after this many faults, 0 for no limit (default ${DEFAULT-VALUE}).")
    int maxFaults;

    @Option(names = "--dir", description = "Run in this (empty or new) directory, kept afterwards; default a " +
        "temporary directory, deleted after a passing run.")
    Path dir;

    @Option(names = "--keep", description = "Keep the temporary directory (data, configs, logs, histories).")
    boolean keep;

    @Option(names = "--no-policy-swaps", description = "Keep hybrid all through instead of " +
        "swapping the durability policy at random (every 0.5 to 3 s, among policies at least as strong as hybrid).")
    boolean noPolicySwaps;

    @Override
    public Integer call()
    {
        final SoakContext context = new SoakContext()
            .durationNs((long)(minutes * TimeUnit.MINUTES.toNanos(1)))
            .seed(seed)
            .ratePerSecond(rate)
            .maxFaults(maxFaults)
            .directory(dir)
            .keep(keep)
            .policySwaps(!noPolicySwaps)
            .progress(System.out);
        final SoakResult result;
        try
        {
            result = Soak.run(context);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("sluice soak: " + ex.getMessage());
            return EXIT_USAGE;
        }
        catch (final IOException ex)
        {
            System.err.println("sluice soak: " + ex.getMessage());
            return EXIT_USAGE;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            System.err.println("sluice soak: interrupted");
            return EXIT_FAILED;
        }
        System.out.print(result.summary());
        System.out.flush();
        return result.passed() ? 0 : EXIT_FAILED;
    }
}
