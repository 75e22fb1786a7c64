package io.sluice.durability;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The durability policy in force, swapped at runtime by the admin {@code DURABILITY} command and read by the
 * response stage (which gates replies on it) and the sequencer (which halts order entry while it is degraded).
 * <p>
 * The policy is one word: a reference to an immutable {@link Policy}. Named modes are shared instances, so a reader
 * sees a swap as a change of reference and never rebuilds anything; the mode's one-byte code travels with it
 * ({@link #modeCode()}). Writers: the admin handler, or the replica follower applying the primary's mode byte; a
 * swap is a single atomic exchange, so concurrent swaps are ordered and each reports the policy it replaced.
 * Readers: any thread, with an acquire load.
 */
public final class DurabilityControl
{
    private static final Logger LOG = LoggerFactory.getLogger(DurabilityControl.class);
    private static final VarHandle POLICY;

    static
    {
        try
        {
            POLICY = MethodHandles.lookup().findVarHandle(DurabilityControl.class, "policy", Policy.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    @SuppressWarnings("unused") // accessed through POLICY
    private Policy policy;

    /**
     * Start in {@link DurabilityMode#DEFAULT}.
     */
    public DurabilityControl()
    {
        this(DurabilityMode.DEFAULT.policy());
    }

    /**
     * @param initial policy at start-up, e.g. from configuration.
     */
    public DurabilityControl(final Policy initial)
    {
        if (null == initial)
        {
            throw new NullPointerException("initial policy");
        }

        POLICY.setRelease(this, initial);
    }

    /**
     * @return the policy in force (acquire load; allocation free).
     */
    public Policy policy()
    {
        return (Policy)POLICY.getAcquire(this);
    }

    /**
     * @return the one-byte code of the mode in force, {@link DurabilityMode#CUSTOM_CODE} for a custom expression.
     */
    public byte modeCode()
    {
        return policy().modeCode();
    }

    /**
     * Swap to a mode name or clause expression, as the admin {@code DURABILITY} command does. An invalid argument
     * changes nothing.
     *
     * @param modeOrExpression e.g. {@code local} or {@code persisted>=1 && in_memory>=2}.
     * @return what happened, ready to print.
     */
    public SwapResult swap(final String modeOrExpression)
    {
        final Policy next;
        try
        {
            next = Policy.resolve(modeOrExpression);
        }
        catch (final InvalidPolicyException ex)
        {
            LOG.debug("durability swap refused reason=\"{}\"", ex.getMessage());
            return new SwapResult(false, policy().description(), null, ex.getMessage());
        }

        return swap(next);
    }

    /**
     * Swap to a named mode, e.g. from the mode byte in a primary's heartbeat.
     *
     * @param mode to put in force.
     * @return what happened.
     */
    public SwapResult swap(final DurabilityMode mode)
    {
        return swap(mode.policy());
    }

    /**
     * Swap to a policy.
     *
     * @param next to put in force.
     * @return what happened.
     */
    public SwapResult swap(final Policy next)
    {
        if (null == next)
        {
            throw new NullPointerException("next policy");
        }

        final Policy previous = (Policy)POLICY.getAndSet(this, next);
        if (previous != next)
        {
            LOG.info("durability policy swapped prev={} next={} expression=\"{}\"",
                previous.description(), next.description(), next.expression());
        }

        return new SwapResult(true, previous.description(), next.description(), null);
    }

    public String toString()
    {
        return "DurabilityControl{" + policy().description() + '}';
    }

    /**
     * Outcome of a swap.
     *
     * @param ok       whether the swap happened.
     * @param previous description of the policy before (still in force if not ok).
     * @param next     description of the policy now in force, null if not ok.
     * @param error    why the swap was refused, null if ok.
     */
    public record SwapResult(boolean ok, String previous, String next, String error)
    {
        /**
         * @return {@code OK <prev> -> <next>} or {@code ERR <reason>}, as the admin console answers.
         */
        public String message()
        {
            return ok ? "OK " + previous + " -> " + next : "ERR " + error;
        }
    }
}
