package io.sluice.node.primary;

import io.sluice.journal.JournalAgent;
import io.sluice.pipeline.sequencer.TradingGate;
import io.sluice.replication.PrimaryFence;
import io.sluice.response.DurabilityEvaluator;

/**
 * Why a node may not accept orders, checked by the sequencer before each state-changing command: an operator HALT,
 * a failed journal (a sync error makes the primary role unsafe), or a durability policy the connected nodes cannot
 * meet. The evaluator is used only on the sequencer thread.
 */
final class NodeTradingGate implements TradingGate
{
    static final String OPERATOR_HALT = "halted by operator";
    static final String JOURNAL_FAILED = "journal failed; node cannot persist";
    static final String POLICY_DEGRADED = "durability policy cannot be met by connected nodes";
    static final String SHUTTING_DOWN = "node shutting down";
    static final String FENCED = "fenced: a replica reported a higher epoch";

    private final DurabilityEvaluator evaluator;
    private final JournalAgent journalAgent;
    private final PrimaryFence fence;
    private volatile boolean operatorHalt;
    private volatile boolean shuttingDown;

    NodeTradingGate(final DurabilityEvaluator evaluator, final JournalAgent journalAgent, final PrimaryFence fence)
    {
        this.evaluator = evaluator;
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

    @Override
    public String haltReason()
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
        if (evaluator.evaluate().degraded())
        {
            return POLICY_DEGRADED;
        }
        return null;
    }
}
