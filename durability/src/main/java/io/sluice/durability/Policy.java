package io.sluice.durability;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A durability policy: a non-empty conjunction of {@link Clause}s, all of which must hold before a reply may leave.
 * <p>
 * A clause's durable position is the {@code count}-th largest cursor at its level among the nodes in the
 * {@link CursorView}; the policy's is the minimum over its clauses. A clause whose count exceeds the view's size
 * cannot be met: it yields 0 and the result is flagged degraded.
 * <p>
 * Only the largest count per level matters (a higher count never gives a higher position), so a policy is held as at
 * most one clause per level and printed that way: {@code persisted>=1 && persisted>=2} is {@code persisted>=2}.
 * Immutable and safe to share; {@link #evaluate} does not allocate.
 */
public final class Policy
{
    private static final String AND = "&&";
    private static final String AT_LEAST = ">=";
    private static final String EXAMPLE = "persisted>=1 && in_memory>=2";

    /** 0 when the policy has no clause at that level. */
    private final int persistedCount;
    private final int inMemoryCount;
    /** The named mode this policy is, or null for a custom expression. */
    private final DurabilityMode mode;
    private final String expression;

    Policy(final int persistedCount, final int inMemoryCount, final DurabilityMode mode)
    {
        this.persistedCount = persistedCount;
        this.inMemoryCount = inMemoryCount;
        this.mode = mode;
        this.expression = render(persistedCount, inMemoryCount);
    }

    /**
     * A custom policy from clauses.
     *
     * @param clauses at least one.
     * @return the policy.
     * @throws InvalidPolicyException if there are no clauses.
     */
    public static Policy of(final Clause... clauses)
    {
        return of(List.of(clauses));
    }

    /**
     * A custom policy from clauses.
     *
     * @param clauses at least one.
     * @return the policy.
     * @throws InvalidPolicyException if there are no clauses.
     */
    public static Policy of(final List<Clause> clauses)
    {
        if (clauses.isEmpty())
        {
            throw new InvalidPolicyException("empty policy: give at least one clause, e.g. '" + EXAMPLE + "'");
        }

        int persistedCount = 0;
        int inMemoryCount = 0;
        for (final Clause clause : clauses)
        {
            if (Level.PERSISTED == clause.level())
            {
                persistedCount = Math.max(persistedCount, clause.count());
            }
            else
            {
                inMemoryCount = Math.max(inMemoryCount, clause.count());
            }
        }

        return new Policy(persistedCount, inMemoryCount, null);
    }

    /**
     * Parse a clause expression: clauses {@code <level>>=<count>} joined by {@code &&}, whitespace anywhere between
     * tokens, e.g. {@code persisted>=1 && in_memory>=2}.
     *
     * @param expression to parse.
     * @return a custom policy (its {@link #mode()} is null even if it equals a named mode; see {@link #resolve}).
     * @throws InvalidPolicyException saying what is wrong: empty, bad syntax, unknown level, count out of range.
     */
    public static Policy parse(final String expression)
    {
        if (null == expression || expression.isBlank())
        {
            throw new InvalidPolicyException("empty policy: give at least one clause, e.g. '" + EXAMPLE + "'");
        }

        final String[] tokens = expression.split(AND, -1);
        final List<Clause> clauses = new ArrayList<>(tokens.length);
        for (final String rawToken : tokens)
        {
            clauses.add(parseClause(rawToken.trim(), expression));
        }

        return of(clauses);
    }

    /**
     * What the admin {@code DURABILITY} command accepts: a mode name ({@code local}, {@code hybrid},
     * {@code durably-replicated}, {@code replicated}, case ignored) or a clause expression. An expression that asks
     * for exactly what a named mode asks for resolves to that mode, so its one-byte code can travel to replicas.
     *
     * @param modeOrExpression from the operator.
     * @return a named mode's policy or a custom one.
     * @throws InvalidPolicyException saying what is wrong.
     */
    public static Policy resolve(final String modeOrExpression)
    {
        if (null == modeOrExpression || modeOrExpression.isBlank())
        {
            throw new InvalidPolicyException(
                "empty durability mode: expected a mode (" + DurabilityMode.namesForHumans() + ") or a clause " +
                "expression such as '" + EXAMPLE + "'");
        }

        final DurabilityMode named = DurabilityMode.fromName(modeOrExpression);
        if (null != named)
        {
            return named.policy();
        }

        if (!modeOrExpression.contains(AT_LEAST))
        {
            throw new InvalidPolicyException(
                "unknown durability mode '" + modeOrExpression.trim() + "': expected a mode (" +
                DurabilityMode.namesForHumans() + ") or a clause expression such as '" + EXAMPLE + "'");
        }

        final Policy custom = parse(modeOrExpression);
        final DurabilityMode same = DurabilityMode.matching(custom);

        return null != same ? same.policy() : custom;
    }

    private static Clause parseClause(final String token, final String expression)
    {
        if (token.isEmpty())
        {
            throw new InvalidPolicyException(
                "bad syntax in '" + expression.trim() + "': empty clause around '&&' (expected " +
                "<level>>=<count> joined by '&&', e.g. '" + EXAMPLE + "')");
        }

        final int opIndex = token.indexOf(AT_LEAST);
        if (opIndex < 0 || opIndex != token.lastIndexOf(AT_LEAST))
        {
            throw new InvalidPolicyException(
                "bad syntax in clause '" + token + "': expected <level>>=<count> joined by '&&', e.g. '" +
                EXAMPLE + "'");
        }

        final String levelText = token.substring(0, opIndex).trim();
        final String countText = token.substring(opIndex + AT_LEAST.length()).trim();
        if (levelText.isEmpty())
        {
            throw new InvalidPolicyException("bad syntax in clause '" + token + "': missing level before '>='");
        }

        final Level level = Level.parse(levelText);
        if (countText.isEmpty() || !isDigits(countText))
        {
            throw new InvalidPolicyException(
                "bad count '" + countText + "' in clause '" + token + "': expected a whole number " +
                Clause.MIN_COUNT + ".." + Clause.MAX_COUNT);
        }

        final int count = countText.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(countText);

        return new Clause(level, count);
    }

    private static boolean isDigits(final String text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                return false;
            }
        }

        return true;
    }

    private static String render(final int persistedCount, final int inMemoryCount)
    {
        final StringBuilder sb = new StringBuilder();
        if (persistedCount > 0)
        {
            sb.append(Level.PERSISTED.text()).append(AT_LEAST).append(persistedCount);
        }
        if (inMemoryCount > 0)
        {
            if (sb.length() > 0)
            {
                sb.append(' ').append(AND).append(' ');
            }
            sb.append(Level.IN_MEMORY.text()).append(AT_LEAST).append(inMemoryCount);
        }

        return sb.toString();
    }

    /**
     * Evaluate the policy over a view. Allocation free.
     *
     * @param view   nodes that may be counted.
     * @param status receives the durable position and whether the policy is degraded.
     * @return {@code status}.
     */
    public EvalStatus evaluate(final CursorView view, final EvalStatus status)
    {
        final int size = view.size();
        if (persistedCount > size || inMemoryCount > size)
        {
            return status.set(0, true);
        }

        long durablePos = Long.MAX_VALUE;
        if (persistedCount > 0)
        {
            durablePos = Math.min(durablePos, view.kthLargest(Level.PERSISTED, persistedCount));
        }
        if (inMemoryCount > 0)
        {
            durablePos = Math.min(durablePos, view.kthLargest(Level.IN_MEMORY, inMemoryCount));
        }

        return status.set(durablePos, false);
    }

    /**
     * @return the clauses, at most one per level, persisted first.
     */
    public List<Clause> clauses()
    {
        final List<Clause> clauses = new ArrayList<>(2);
        if (persistedCount > 0)
        {
            clauses.add(new Clause(Level.PERSISTED, persistedCount));
        }
        if (inMemoryCount > 0)
        {
            clauses.add(new Clause(Level.IN_MEMORY, inMemoryCount));
        }

        return Collections.unmodifiableList(clauses);
    }

    /**
     * @return the fewest nodes (primary included) that must be in the view for the policy not to be degraded.
     */
    public int requiredNodes()
    {
        return Math.max(persistedCount, inMemoryCount);
    }

    /**
     * @return the named mode this policy is, or null for a custom expression.
     */
    public DurabilityMode mode()
    {
        return mode;
    }

    /**
     * @return the persisted clause's count, 0 when the policy has none; what heartbeats carry so a custom policy
     * survives a promotion.
     */
    public int persistedCount()
    {
        return persistedCount;
    }

    /**
     * @return the in_memory clause's count, 0 when the policy has none.
     */
    public int inMemoryCount()
    {
        return inMemoryCount;
    }

    /**
     * @return the named mode's stable one-byte code, or {@link DurabilityMode#CUSTOM_CODE}.
     */
    public byte modeCode()
    {
        return null == mode ? DurabilityMode.CUSTOM_CODE : mode.code();
    }

    /**
     * @return the canonical clause expression, e.g. {@code persisted>=1 && in_memory>=2}.
     */
    public String expression()
    {
        return expression;
    }

    /**
     * @return the mode name for a named mode, otherwise the expression: what the admin console prints.
     */
    public String description()
    {
        return null == mode ? expression : mode.modeName();
    }

    /**
     * @param other policy to compare.
     * @return true if both ask for the same thing, whatever they are called.
     */
    public boolean sameRequirementAs(final Policy other)
    {
        return persistedCount == other.persistedCount && inMemoryCount == other.inMemoryCount;
    }

    /**
     * Equal when {@link #sameRequirementAs} and both are the same named mode or both custom.
     */
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }

        return o instanceof Policy other && sameRequirementAs(other) && mode == other.mode;
    }

    public int hashCode()
    {
        return 31 * (31 * persistedCount + inMemoryCount) + (null == mode ? 0 : mode.code());
    }

    public String toString()
    {
        return description();
    }
}
