package io.sluice.harness.soak;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The seeded fault schedule: which fault comes next, which node it hits and when. Without a fixed plan, faults come
 * in rounds that hold every {@link FaultKind} once in a seeded order, so any five consecutive rounds' worth of a run
 * has as many kills during catch-up, snapshot writing and promotion as plain ones. Used by the soak's fault thread
 * only.
 */
final class FaultSchedule
{
    private final Random random;
    private final List<FaultKind> plan;
    private final List<FaultKind> round = new ArrayList<>();
    private int planIndex;

    /**
     * @param seed of every choice.
     * @param plan fixed kinds in order, or empty for rounds of every kind.
     */
    FaultSchedule(final long seed, final List<FaultKind> plan)
    {
        this.random = new Random(seed);
        this.plan = List.copyOf(plan);
    }

    /**
     * @return true if a fixed plan is used up; a schedule of rounds never is.
     */
    boolean exhausted()
    {
        return !plan.isEmpty() && planIndex >= plan.size();
    }

    FaultKind next()
    {
        if (!plan.isEmpty())
        {
            return plan.get(planIndex++);
        }
        if (round.isEmpty())
        {
            round.addAll(Arrays.asList(FaultKind.values()));
            Collections.shuffle(round, random);
        }
        return round.remove(0);
    }

    /**
     * @param minNs least.
     * @param maxNs most.
     * @return a uniformly drawn duration in [minNs, maxNs].
     */
    long durationNs(final long minNs, final long maxNs)
    {
        return maxNs <= minNs ? minNs : minNs + (long)(random.nextDouble() * (maxNs - minNs));
    }

    /**
     * @param bound exclusive.
     * @return a choice in [0, bound).
     */
    int choose(final int bound)
    {
        return random.nextInt(bound);
    }
}
