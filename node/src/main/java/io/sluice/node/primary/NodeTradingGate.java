package io.sluice.node.primary;

import io.sluice.journal.JournalAgent;
import io.sluice.pipeline.sequencer.TradingGate;
import io.sluice.replication.PrimaryFence;
import io.sluice.durability.DurabilityEvaluator;

/**
 * Why a node may not accept orders, checked by the sequencer before each state-changing command: an operator HALT,
 * a failed journal (a sync error makes the primary role unsafe), or a durability policy the connected nodes cannot
 * meet.
 * <p>
 * A {@link DurabilityEvaluator} reuses one cursor view and must stay on one thread: {@link #haltReason()} is the
 * sequencer's and uses its own, {@link #statusHaltReason()} is for every other thread (STATUS, {@code /healthz},
 * metrics, admin) and evaluates on a second one under a lock. The soak once had STATUS polls evaluate on the
 * sequencer's view at the same moment as the sequencer: the view overflowed, the sequencer threw, and the request
 * it was handling was neither journaled nor answered.
 */
final class NodeTradingGate implements TradingGate
{
    static final String OPERATOR_HALT = "halted by operator";
    static final String JOURNAL_FAILED = "journal failed; node cannot persist";
    static final String POLICY_DEGRADED = "durability policy cannot be met by connected nodes";
    static final String SHUTTING_DOWN = "node shutting down";
    static final String FENCED = "fenced: a replica reported a higher epoch";

    private final DurabilityEvaluator evaluator;
    private final DurabilityEvaluator statusEvaluator;
    private final JournalAgent journalAgent;
    private final PrimaryFence fence;
    private volatile boolean operatorHalt;
    private volatile boolean shuttingDown;

    /**
     * @param evaluator       the sequencer's, used only on its thread.
     * @param statusEvaluator for every other thread, used only under its own lock.
     */
    NodeTradingGate(
        final DurabilityEvaluator evaluator,
        final DurabilityEvaluator statusEvaluator,
        final JournalAgent journalAgent,
        final PrimaryFence fence)
    {
        if (evaluator == statusEvaluator)
        {
            throw new IllegalArgumentException("the sequencer's evaluator cannot be shared with other threads");
        }
        this.evaluator = evaluator;
        this.statusEvaluator = statusEvaluator;
        this.journalAgent = journalAgent;
        this.fence = fence;
    }

    void operatorHalt(final boolean halted)
    {
        operatorHalt = halted;
    }

    boolean operatorHalt()
    {
        return operatorHalt;
    }

    void shuttingDown()
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
     * @return the same answer as {@link #haltReason()}, for any thread other than the sequencer's.
     */
    String statusHaltReason()
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
    boolean policyDegraded()
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
        if (fence.isFenced())
        {
            return FENCED;
        }
        if (journalAgent.isFailed())
        {
            return JOURNAL_FAILED;
        }
        return null;
    }
}
