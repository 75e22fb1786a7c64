package io.sluice.harness.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@link HistoryChecker#check} found: counts of what it checked, every violation, and notes saying what was
 * checked and what could not be.
 */
public final class CheckResult
{
    private final long requests;
    private final long acknowledged;
    private final long sequenced;
    private final long refused;
    private final long unanswered;
    private final long notCheckable;
    private final List<Violation> violations;
    private final List<String> notes;

    CheckResult(
        final long requests,
        final long acknowledged,
        final long sequenced,
        final long refused,
        final long unanswered,
        final long notCheckable,
        final List<Violation> violations,
        final List<String> notes)
    {
        this.requests = requests;
        this.acknowledged = acknowledged;
        this.sequenced = sequenced;
        this.refused = refused;
        this.unanswered = unanswered;
        this.notCheckable = notCheckable;
        this.violations = Collections.unmodifiableList(new ArrayList<>(violations));
        this.notes = Collections.unmodifiableList(new ArrayList<>(notes));
    }

    /**
     * @return true if no violation was found.
     */
    public boolean passed()
    {
        return violations.isEmpty();
    }

    /**
     * @return requests in the history (each session's distinct requestSeqs).
     */
    public long requests()
    {
        return requests;
    }

    /**
     * @return requests answered as accepted with a {@code wireSeq}: the state changes the client was promised.
     */
    public long acknowledged()
    {
        return acknowledged;
    }

    /**
     * @return requests answered with a {@code wireSeq}, accepted or rejected by the engine (a business reject, a
     * duplicate): every one of them was released by the durability gate.
     */
    public long sequenced()
    {
        return sequenced;
    }

    /**
     * @return requests answered without a {@code wireSeq} (halted, server busy, engine error): never applied.
     */
    public long refused()
    {
        return refused;
    }

    /**
     * @return requests never answered: in doubt, each may or may not be in the journal (at most once).
     */
    public long unanswered()
    {
        return unanswered;
    }

    /**
     * @return sequenced replies whose {@code wireSeq} is below the first entry the journal still holds (retention
     * deleted it), so their presence could not be checked.
     */
    public long notCheckable()
    {
        return notCheckable;
    }

    public List<Violation> violations()
    {
        return violations;
    }

    /**
     * @param kind of violation.
     * @return the violations of that kind, in the order found.
     */
    public List<Violation> violations(final Violation.Kind kind)
    {
        final List<Violation> matching = new ArrayList<>();
        for (final Violation violation : violations)
        {
            if (violation.kind() == kind)
            {
                matching.add(violation);
            }
        }
        return matching;
    }

    /**
     * @return violations counted by kind, kinds in declaration order, only those found.
     */
    public Map<Violation.Kind, Integer> countsByKind()
    {
        final Map<Violation.Kind, Integer> counts = new EnumMap<>(Violation.Kind.class);
        for (final Violation violation : violations)
        {
            counts.merge(violation.kind(), 1, Integer::sum);
        }
        return counts;
    }

    /**
     * @return what was checked against what, and what cannot be checked after the fact, one line each.
     */
    public List<String> notes()
    {
        return notes;
    }

    /**
     * @return one line: OK or FAIL, requests checked, acknowledged, violations.
     */
    public String summary()
    {
        return String.format(Locale.ROOT, "%s requests %d acknowledged %d sequenced %d refused %d unanswered %d " +
            "violations %d", passed() ? "OK" : "FAIL", requests, acknowledged, sequenced, refused, unanswered,
            violations.size());
    }

    @Override
    public String toString()
    {
        return summary();
    }
}
