package io.sluice.pipeline.shard;

/**
 * What {@link ShardManager#evaluateScaling()} advises: nothing, add {@code count} shards, or drain {@code count}.
 */
public final class ScalingDecision
{
    public enum Action
    {
        NONE,
        SCALE_UP,
        SCALE_DOWN
    }

    public static final ScalingDecision NONE = new ScalingDecision(Action.NONE, 0);

    private final Action action;
    private final int count;

    private ScalingDecision(final Action action, final int count)
    {
        this.action = action;
        this.count = count;
    }

    static ScalingDecision scaleUp(final int count)
    {
        return new ScalingDecision(Action.SCALE_UP, count);
    }

    static ScalingDecision scaleDown(final int count)
    {
        return new ScalingDecision(Action.SCALE_DOWN, count);
    }

    public Action action()
    {
        return action;
    }

    /**
     * @return shards to add or drain; 0 for {@link Action#NONE}.
     */
    public int count()
    {
        return count;
    }

    public String toString()
    {
        return Action.NONE == action ? "NONE" : action + "(" + count + ")";
    }
}
