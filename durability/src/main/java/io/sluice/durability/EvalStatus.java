package io.sluice.durability;

/**
 * Result of evaluating a {@link Policy} over a {@link CursorView}, reused across evaluations so the hot path does not
 * allocate. Owned by one thread: whoever passes it to {@link Policy#evaluate(CursorView, EvalStatus)}.
 */
public final class EvalStatus
{
    private long durablePos;
    private boolean degraded;

    /**
     * @return the highest {@code wireSeq} the policy holds as covered; every reply at or below it may be released.
     * {@code 0} when the policy is degraded.
     */
    public long durablePos()
    {
        return durablePos;
    }

    /**
     * @return true when the nodes in the view are too few for some clause, so the policy cannot be met until a
     * replica (re)connects or the policy is swapped.
     */
    public boolean degraded()
    {
        return degraded;
    }

    EvalStatus set(final long durablePos, final boolean degraded)
    {
        this.durablePos = durablePos;
        this.degraded = degraded;
        return this;
    }

    public String toString()
    {
        return "EvalStatus{durablePos=" + durablePos + ", degraded=" + degraded + '}';
    }
}
