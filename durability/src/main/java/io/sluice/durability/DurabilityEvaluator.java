package io.sluice.durability;

import java.util.function.LongSupplier;

/**
 * Evaluates the policy in force against the live cursors: reads the policy from the {@link DurabilityControl},
 * captures a {@link CursorView} from the journal cursor and the {@link ReplicationMetrics}, and evaluates. The
 * response stage uses one to gate replies; the sequencer uses another to halt order entry while the policy is
 * degraded.
 * <p>
 * Owned by one thread (it reuses its view and status); allocation free.
 */
public final class DurabilityEvaluator
{
    private final DurabilityControl control;
    private final LongSupplier journalPersistedWireSeq;
    private final ReplicationMetrics metrics;
    private final CursorView view;
    private final EvalStatus status = new EvalStatus();
    private Policy policy;

    /**
     * @param control                 policy in force.
     * @param journalPersistedWireSeq reads the primary journal's persisted cursor with acquire semantics.
     * @param metrics                 replica slots; zero slots for a standalone primary.
     */
    public DurabilityEvaluator(
        final DurabilityControl control, final LongSupplier journalPersistedWireSeq, final ReplicationMetrics metrics)
    {
        this.control = control;
        this.journalPersistedWireSeq = journalPersistedWireSeq;
        this.metrics = metrics;
        this.view = new CursorView(1 + metrics.slotCount());
        this.policy = control.policy();
    }

    /**
     * Read the policy in force and the cursors, and evaluate.
     *
     * @return the status, reused by the next call.
     */
    public EvalStatus evaluate()
    {
        policy = control.policy();
        view.capture(journalPersistedWireSeq.getAsLong(), metrics);
        return policy.evaluate(view, status);
    }

    /**
     * @return the policy the last {@link #evaluate()} used.
     */
    public Policy policy()
    {
        return policy;
    }

    /**
     * @return the view the last {@link #evaluate()} captured.
     */
    public CursorView view()
    {
        return view;
    }

    /**
     * @return the last status.
     */
    public EvalStatus status()
    {
        return status;
    }
}
