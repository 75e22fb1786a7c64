package io.sluice.durability;

/**
 * One requirement of a durability policy: at least {@code count} nodes hold the command at {@code level}.
 *
 * @param level how far each counted node must have taken the command.
 * @param count how many nodes, {@value #MIN_COUNT}..{@value #MAX_COUNT} (a primary and two replicas).
 */
public record Clause(Level level, int count)
{
    public static final int MIN_COUNT = 1;
    public static final int MAX_COUNT = 3;

    /**
     * @throws InvalidPolicyException if the level is missing or the count is out of range.
     */
    public Clause
    {
        if (null == level)
        {
            throw new InvalidPolicyException("clause has no level");
        }

        if (count < MIN_COUNT || count > MAX_COUNT)
        {
            throw new InvalidPolicyException(
                "count " + count + " out of range " + MIN_COUNT + ".." + MAX_COUNT + " in clause '" +
                level.text() + ">=" + count + "'");
        }
    }

    /**
     * @return the clause in expression form, e.g. {@code persisted>=1}.
     */
    public String toString()
    {
        return level.text() + ">=" + count;
    }
}
