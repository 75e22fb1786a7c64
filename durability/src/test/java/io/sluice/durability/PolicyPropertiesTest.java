package io.sluice.durability;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyPropertiesTest
{
    private static final int TRIES = 300;

    @Provide
    Arbitrary<Policy> policies()
    {
        return Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 3))
            .filter((persisted, inMemory) -> persisted + inMemory > 0)
            .as((persisted, inMemory) ->
            {
                final List<Clause> clauses = new ArrayList<>();
                if (persisted > 0)
                {
                    clauses.add(new Clause(Level.PERSISTED, persisted));
                }
                if (inMemory > 0)
                {
                    clauses.add(new Clause(Level.IN_MEMORY, inMemory));
                }
                return Policy.of(clauses);
            });
    }

    /** Replicas as {inMemory, persisted} pairs, 0..4 of them. */
    @Provide
    Arbitrary<List<long[]>> replicas()
    {
        final Arbitrary<long[]> replica = Combinators.combine(
            Arbitraries.longs().between(0, 1_000), Arbitraries.longs().between(0, 1_000))
            .as((inMemory, persisted) -> new long[]{ inMemory, persisted });
        return replica.list().ofMaxSize(4);
    }

    private static CursorView view(final long journal, final List<long[]> replicas)
    {
        final CursorView view = new CursorView(1 + replicas.size() + 1);
        view.addPrimary(journal);
        for (final long[] replica : replicas)
        {
            view.addReplica(replica[0], replica[1]);
        }
        return view;
    }

    private static long[] levelCursors(final CursorView view, final Level level)
    {
        final long[] values = new long[view.size()];
        for (int i = 0; i < values.length; i++)
        {
            values[i] = Level.PERSISTED == level ? view.persistedWireSeq(i) : view.effectiveInMemoryWireSeq(i);
        }
        return values;
    }

    @Property(tries = TRIES)
    void shouldMatchSortingOracle(
        @ForAll("policies") final Policy policy,
        @ForAll @LongRange(min = 0, max = 1_000) final long journal,
        @ForAll("replicas") final List<long[]> replicas)
    {
        final CursorView view = view(journal, replicas);
        final EvalStatus status = policy.evaluate(view, new EvalStatus());

        boolean degraded = false;
        long expected = Long.MAX_VALUE;
        for (final Clause clause : policy.clauses())
        {
            if (clause.count() > view.size())
            {
                degraded = true;
                expected = 0;
                continue;
            }
            final long[] sorted = levelCursors(view, clause.level());
            Arrays.sort(sorted);
            expected = Math.min(expected, sorted[sorted.length - clause.count()]);
        }

        assertEquals(degraded, status.degraded());
        assertEquals(expected, status.durablePos());
    }

    @Property(tries = TRIES)
    void shouldNeverExceedCountThLargestCursorOfAnyClause(
        @ForAll("policies") final Policy policy,
        @ForAll @LongRange(min = 0, max = 1_000) final long journal,
        @ForAll("replicas") final List<long[]> replicas)
    {
        final CursorView view = view(journal, replicas);
        final long durablePos = policy.evaluate(view, new EvalStatus()).durablePos();
        for (final Clause clause : policy.clauses())
        {
            final long holding = Arrays.stream(levelCursors(view, clause.level())).filter(c -> c >= durablePos).count();
            assertTrue(0 == durablePos || holding >= clause.count(),
                "only " + holding + " nodes hold " + durablePos + " at " + clause + " in " + view);
        }
    }

    @Property(tries = TRIES)
    void shouldNeverLowerDurablePosWhenActiveNodeIsAdded(
        @ForAll("policies") final Policy policy,
        @ForAll @LongRange(min = 0, max = 1_000) final long journal,
        @ForAll("replicas") final List<long[]> replicas,
        @ForAll @LongRange(min = 0, max = 1_000) final long addedInMemory,
        @ForAll @LongRange(min = 0, max = 1_000) final long addedPersisted)
    {
        final EvalStatus before = policy.evaluate(view(journal, replicas), new EvalStatus());
        final CursorView grown = view(journal, replicas).addReplica(addedInMemory, addedPersisted);
        final EvalStatus after = policy.evaluate(grown, new EvalStatus());

        assertTrue(after.durablePos() >= before.durablePos(), before + " -> " + after);
        assertTrue(!after.degraded() || before.degraded(), "a node more cannot make the policy degraded");
    }

    @Property(tries = TRIES)
    void shouldNeverLowerDurablePosWhenAnyCursorAdvances(
        @ForAll("policies") final Policy policy,
        @ForAll @LongRange(min = 0, max = 1_000) final long journal,
        @ForAll("replicas") final List<long[]> replicas,
        @ForAll @IntRange(min = 0, max = 8) final int which,
        @ForAll @LongRange(min = 0, max = 500) final long advance)
    {
        final EvalStatus before = policy.evaluate(view(journal, replicas), new EvalStatus());

        long advancedJournal = journal;
        final List<long[]> advanced = new ArrayList<>();
        replicas.forEach(r -> advanced.add(r.clone()));
        final int cursor = which % (1 + 2 * replicas.size());
        if (0 == cursor)
        {
            advancedJournal += advance;
        }
        else
        {
            advanced.get((cursor - 1) / 2)[(cursor - 1) % 2] += advance;
        }

        final EvalStatus after = policy.evaluate(view(advancedJournal, advanced), new EvalStatus());
        assertTrue(after.durablePos() >= before.durablePos(), before + " -> " + after);
        assertEquals(before.degraded(), after.degraded());
    }

    @Property(tries = TRIES)
    void shouldBeDegradedExactlyWhenViewIsTooSmallAndThenStayAtZero(
        @ForAll("policies") final Policy policy,
        @ForAll @LongRange(min = 0, max = 1_000) final long journal,
        @ForAll("replicas") final List<long[]> replicas)
    {
        final CursorView view = view(journal, replicas);
        final EvalStatus status = policy.evaluate(view, new EvalStatus());
        assertEquals(policy.requiredNodes() > view.size(), status.degraded());
        if (status.degraded())
        {
            assertEquals(0, status.durablePos());
        }
    }

    @Property(tries = TRIES)
    void shouldParseItsOwnExpressionWithAnyWhitespace(
        @ForAll("policies") final Policy policy,
        @ForAll @IntRange(min = 0, max = 3) final int spaces)
    {
        final String pad = " ".repeat(spaces);
        final String spaced = pad + policy.expression().replace(">=", pad + ">=" + pad).replace("&&", pad + "&&" + pad);
        final Policy parsed = Policy.parse(spaced);
        assertTrue(parsed.sameRequirementAs(policy), spaced);
        assertEquals(policy.expression(), parsed.expression());
        assertEquals(policy, parsed);
    }

    @Property(tries = TRIES)
    void shouldRejectEveryCountOutsideOneToThree(
        @ForAll @IntRange(min = -1_000, max = 1_000) final int count,
        @ForAll final Level level)
    {
        final String expression = level.text() + ">=" + count;
        if (count >= 1 && count <= 3)
        {
            assertEquals(count, Policy.parse(expression).clauses().get(0).count());
        }
        else
        {
            final InvalidPolicyException ex =
                org.junit.jupiter.api.Assertions.assertThrows(
                    InvalidPolicyException.class, () -> Policy.parse(expression));
            assertFalse(ex.getMessage().isBlank());
        }
    }
}
