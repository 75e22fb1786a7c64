package io.sluice.harness.soak;

import io.sluice.node.admin.AdminClient;

import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The operator who keeps changing their mind: swaps the durability policy at seeded random moments all through the
 * soak, faults included, by sending {@code DURABILITY} to every node's admin port (replicas refuse it, nodes that are
 * down do not answer; whichever node is primary takes it). It never needs to know which node is primary, so it runs
 * on its own thread without touching the fault injector's view of the cluster.
 * <p>
 * Every policy it picks is at least as strong as {@code hybrid} (persisted on one node and in memory on two), the
 * policy the checker then holds every acknowledged request to: a reply released early for the policy in force would
 * show up as an acknowledged request missing from the surviving journals.
 */
final class PolicySwapper implements AutoCloseable
{
    /** Each at least as strong as hybrid; the last is a custom clause expression (all three nodes in memory). */
    static final List<String> POLICIES = List.of("hybrid", "durably-replicated", "persisted>=1 && in_memory>=3");
    private static final int ADMIN_TIMEOUT_MS = 2_000;

    private final List<SoakCluster.Node> nodes;
    private final SplittableRandom random;
    private final long minGapNs;
    private final long maxGapNs;
    private final AtomicLong swapsAccepted = new AtomicLong();
    private final AtomicLong swapsUnanswered = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param nodes    every node of the cluster.
     * @param seed     fixes the policies and the gaps.
     * @param minGapNs least time between swaps.
     * @param maxGapNs most time between swaps.
     */
    PolicySwapper(final List<SoakCluster.Node> nodes, final long seed, final long minGapNs, final long maxGapNs)
    {
        this.nodes = List.copyOf(nodes);
        this.random = new SplittableRandom(seed ^ 0x5eed_5a4bL);
        this.minGapNs = minGapNs;
        this.maxGapNs = maxGapNs;
        this.thread = new Thread(this::run, "sluice-soak-policy-swapper");
        this.thread.setDaemon(true);
    }

    void start()
    {
        thread.start();
    }

    /**
     * @return swaps a primary acknowledged.
     */
    long swapsAccepted()
    {
        return swapsAccepted.get();
    }

    /**
     * @return swap rounds no node accepted (no primary at that moment: one was being killed or promoted).
     */
    long swapsUnanswered()
    {
        return swapsUnanswered.get();
    }

    private void run()
    {
        while (running)
        {
            final long gapNs = minGapNs + random.nextLong(Math.max(1, maxGapNs - minGapNs));
            try
            {
                TimeUnit.NANOSECONDS.sleep(gapNs);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            if (!running)
            {
                return;
            }
            final String policy = POLICIES.get(random.nextInt(POLICIES.size()));
            if (swapOnPrimary(policy))
            {
                swapsAccepted.incrementAndGet();
            }
            else
            {
                swapsUnanswered.incrementAndGet();
            }
        }
    }

    private boolean swapOnPrimary(final String policy)
    {
        boolean accepted = false;
        for (final SoakCluster.Node node : nodes)
        {
            try (AdminClient client = new AdminClient(node.adminAddress, ADMIN_TIMEOUT_MS))
            {
                final List<String> answer = client.execute("DURABILITY " + policy);
                accepted |= !answer.isEmpty() && answer.get(0).startsWith("OK");
            }
            catch (final IOException ex)
            {
                // Down, starting or being promoted: the next round asks again.
            }
        }
        return accepted;
    }

    /**
     * Stops swapping and waits for a round in progress.
     */
    @Override
    public void close()
    {
        running = false;
        thread.interrupt();
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
