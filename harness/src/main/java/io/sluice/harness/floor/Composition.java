package io.sluice.harness.floor;

import io.sluice.durability.Policy;
import io.sluice.harness.bench.LatencySummary;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The floor of a reply under a durability policy, composed from the measured paths. A reply crosses TCP once; before
 * it may leave, the policy's conditions must hold, and each condition has its own path, which runs in parallel with
 * the others:
 * <ul>
 *   <li>{@code persisted>=1}: the primary's journal sync;</li>
 *   <li>{@code in_memory>=2}: a replica receives the entry and acks it, an Aeron round trip;</li>
 *   <li>{@code persisted>=2}: a replica receives the entry, syncs it and acks it, an Aeron round trip plus a sync.</li>
 * </ul>
 * So {@code floor = tcp + max(sync if persisted>=1, aeron if in_memory>=2, aeron + sync if persisted>=2)}, with one
 * sync drawn for both nodes: {@code local} = tcp + sync, {@code replicated} = tcp + aeron, {@code hybrid} = tcp +
 * max(sync, aeron), {@code durably-replicated} = tcp + aeron + sync. Counts above 2 are taken as 2 (the slowest of
 * several replicas is not modelled).
 * <p>
 * The distribution is composed by Monte Carlo: each draw takes one measured sample of each path, independently and
 * uniformly ({@link SplittableRandom} from a seed, so a seed gives the same floor for the same samples), and
 * applies the formula; the percentiles are exact over the draws (nearest rank). Independence is an assumption: on a
 * real machine a slow moment can slow every path at once.
 */
public final class Composition
{
    public static final int DEFAULT_DRAWS = 1_000_000;
    public static final long DEFAULT_SEED = 42;

    private Composition()
    {
    }

    /**
     * @param policy a durability policy.
     * @return whether its floor has an Aeron round trip.
     */
    public static boolean needsAeron(final Policy policy)
    {
        return policy.inMemoryCount() >= 2 || policy.persistedCount() >= 2;
    }

    /**
     * @param policy a durability policy.
     * @return whether its floor has a sync.
     */
    public static boolean needsSync(final Policy policy)
    {
        return policy.persistedCount() >= 1;
    }

    /**
     * @return the formula of the policy's floor, for people.
     */
    public static String formula(final Policy policy)
    {
        final boolean sync = needsSync(policy);
        final boolean aeron = needsAeron(policy);
        final boolean replicaSync = policy.persistedCount() >= 2;
        if (replicaSync)
        {
            return "tcp + aeron + sync";
        }
        if (sync && aeron)
        {
            return "tcp + max(sync, aeron)";
        }
        return "tcp" + (sync ? " + sync" : "") + (aeron ? " + aeron" : "");
    }

    /**
     * One draw of the floor.
     *
     * @return the floor of a reply whose paths took these times.
     */
    static long floorNs(final Policy policy, final long tcpNs, final long aeronNs, final long syncNs)
    {
        long waitNs = needsSync(policy) ? syncNs : 0;
        if (needsAeron(policy))
        {
            waitNs = Math.max(waitNs, aeronNs + (policy.persistedCount() >= 2 ? syncNs : 0));
        }
        return tcpNs + waitNs;
    }

    /**
     * @param policy the policy.
     * @param tcp    TCP round trips.
     * @param aeron  Aeron round trips; may be null if the policy has none.
     * @param sync   syncs; may be null if the policy has none.
     * @param draws  how many draws.
     * @param seed   of the random draws.
     * @return the percentiles of the composed floor in microseconds (p99.99 included), exact over the draws.
     * @throws IllegalArgumentException if a path the policy needs has no sample.
     */
    public static LatencySummary compose(
        final Policy policy, final Samples tcp, final Samples aeron, final Samples sync, final int draws,
        final long seed)
    {
        require(tcp, "tcp");
        if (needsAeron(policy))
        {
            require(aeron, "aeron");
        }
        if (needsSync(policy))
        {
            require(sync, "sync");
        }
        if (draws < 1)
        {
            throw new IllegalArgumentException("draws must be at least 1: " + draws);
        }
        final SplittableRandom random = new SplittableRandom(seed);
        final long[] floorsNs = new long[draws];
        double sumNs = 0;
        for (int i = 0; i < draws; i++)
        {
            final long tcpNs = tcp.valueNs(random.nextInt(tcp.count()));
            final long aeronNs = aeron == null || aeron.count() == 0 ? 0 : aeron.valueNs(random.nextInt(aeron.count()));
            final long syncNs = sync == null || sync.count() == 0 ? 0 : sync.valueNs(random.nextInt(sync.count()));
            floorsNs[i] = floorNs(policy, tcpNs, aeronNs, syncNs);
            sumNs += floorsNs[i];
        }
        Arrays.sort(floorsNs);
        return new LatencySummary(draws, sumNs / draws / 1_000.0, percentileUs(floorsNs, 50),
            percentileUs(floorsNs, 90), percentileUs(floorsNs, 99), percentileUs(floorsNs, 99.9),
            percentileUs(floorsNs, 99.99), floorsNs[draws - 1] / 1_000.0);
    }

    /**
     * @param sortedNs ascending, not empty.
     * @param percent  in (0, 100].
     * @return the nearest-rank percentile in microseconds.
     */
    static double percentileUs(final long[] sortedNs, final double percent)
    {
        // The tolerance keeps 99.9% of 1,000 at rank 999 despite 99.9 having no exact binary form.
        final int rank = (int)Math.ceil(percent * sortedNs.length / 100.0 - 1e-9);
        return sortedNs[Math.max(0, Math.min(sortedNs.length, rank) - 1)] / 1_000.0;
    }

    private static void require(final Samples samples, final String path)
    {
        if (samples == null || samples.count() == 0)
        {
            throw new IllegalArgumentException("no " + path + " samples to compose");
        }
    }
}
