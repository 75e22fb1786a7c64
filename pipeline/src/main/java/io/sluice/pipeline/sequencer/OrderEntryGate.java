package io.sluice.pipeline.sequencer;

import io.sluice.journal.JournalAgent;
import io.sluice.durability.DurabilityEvaluator;

import java.util.function.BooleanSupplier;

/**
 * Why a primary may not accept orders, checked by the sequencer before each state-changing command: shutdown, an
 * operator HALT, a fence (a replica reported a higher epoch), a failed journal (a sync error makes the primary role
 * unsafe), or a durability policy the connected nodes cannot meet. Until the journal agent is
 * {@linkplain #watch(JournalAgent) watched} the gate is closed: the sequencer exists before the journal agent (it
 * recovers the book the journal agent then appends after), and nothing may be taken before both run.
 * <p>
 * A {@link DurabilityEvaluator} reuses one cursor view and must stay on one thread: {@link #haltReason()} is the
 * sequencer's and uses its own, {@link #statusHaltReason()} is for every other thread (STATUS, {@code /healthz},
 * metrics, admin) and evaluates on a second one under a lock. A shared view could overflow when a STATUS poll and
 * the sequencer evaluate at once, and the sequencer would throw while it holds a request.
 */
public final class OrderEntryGate implements TradingGate
{
    public static final String OPERATOR_HALT = "halted by operator";
    public static final String JOURNAL_FAILED = "journal failed; node cannot persist";
    public static final String JOURNAL_NOT_STARTED = "journal not started";
    public static final String POLICY_DEGRADED = "durability policy cannot be met by connected nodes";
    public static final String SHUTTING_DOWN = "node shutting down";
    public static final String FENCED = "fenced: a replica reported a higher epoch";

    private final DurabilityEvaluator evaluator;
    private final DurabilityEvaluator statusEvaluator;
    private final BooleanSupplier fenced;
    /** Set once, before the sequencer starts, by the thread that wires the node. */
    private volatile JournalAgent journalAgent;
    private volatile boolean operatorHalt;
    private volatile boolean shuttingDown;

    /**
     * @param evaluator       the sequencer's, used only on its thread.
     * @param statusEvaluator for every other thread, used only under its own lock.
     * @param fenced          true once a replica reported a higher epoch than this primary's; any thread.
     */
    public OrderEntryGate(
        final DurabilityEvaluator evaluator,
        final DurabilityEvaluator statusEvaluator,
        final BooleanSupplier fenced)
    {
        if (evaluator == statusEvaluator)
        {
            throw new IllegalArgumentException("the sequencer's evaluator cannot be shared with other threads");
        }
        this.evaluator = evaluator;
        this.statusEvaluator = statusEvaluator;
        this.fenced = fenced;
    }

    /**
     * Halt order entry whenever this journal agent has failed; until it is set, the gate stays closed.
     *
     * @param journalAgent the node's, before the sequencer starts.
     */
    public void watch(final JournalAgent journalAgent)
    {
        this.journalAgent = journalAgent;
    }

    public void operatorHalt(final boolean halted)
    {
        operatorHalt = halted;
    }

    public boolean operatorHalt()
    {
        return operatorHalt;
    }

    public void shuttingDown()
    {
        shuttingDown = true;
    }

    /** Sequencer thread only. */
    @Override
    public String haltReason()
    {
        final String reason = reasonBesidesPolicy();
        if (reason != null)
        {
            return reason;
        }
        return evaluator.evaluate().degraded() ? POLICY_DEGRADED : null;
    }

    /**
     * Open under an operator's HALT and while the policy cannot be met: a KILL then still cancels, and a replica
     * that comes back catches up with it. Closed while starting, shutting down, fenced or with a failed journal.
     * Sequencer thread only.
     */
    @Override
    public String nodeCommandHaltReason()
    {
        if (shuttingDown)
        {
            return SHUTTING_DOWN;
        }
        return fencedOrJournalReason();
    }

    /** Sequencer thread only. */
    @Override
    public long durableWireSeq()
    {
        return evaluator.evaluate().durablePos();
    }

    /**
     * @return the same answer as {@link #haltReason()}, for any thread other than the sequencer's.
     */
    public String statusHaltReason()
    {
        final String reason = reasonBesidesPolicy();
        if (reason != null)
        {
            return reason;
        }
        return policyDegraded() ? POLICY_DEGRADED : null;
    }

    /**
     * @return true while the policy in force cannot be met by the connected nodes; any thread but the sequencer's.
     */
    public boolean policyDegraded()
    {
        synchronized (statusEvaluator)
        {
            return statusEvaluator.evaluate().degraded();
        }
    }

    private String reasonBesidesPolicy()
    {
        if (shuttingDown)
        {
            return SHUTTING_DOWN;
        }
        if (operatorHalt)
        {
            return OPERATOR_HALT;
        }
        return fencedOrJournalReason();
    }

    private String fencedOrJournalReason()
    {
        if (fenced.getAsBoolean())
        {
            return FENCED;
        }
        final JournalAgent journal = journalAgent;
        if (journal == null)
        {
            return JOURNAL_NOT_STARTED;
        }
        if (journal.isFailed())
        {
            return JOURNAL_FAILED;
        }
        return null;
    }
}
