package io.sluice.replication;

import io.sluice.durability.Clause;
import io.sluice.durability.DurabilityControl;
import io.sluice.durability.DurabilityMode;
import io.sluice.durability.InvalidPolicyException;
import io.sluice.durability.Level;
import io.sluice.durability.Policy;

import java.util.ArrayList;
import java.util.List;

/**
 * A replica's copy of the durability policy its primary runs, taken from the primary's StreamStarts and heartbeats
 * and swapped into the node's {@link DurabilityControl} (if it has one), so a promoted replica keeps the operator's
 * choice. A named mode comes as its mode byte; a custom clause expression, which the byte cannot name, as its two
 * clause counts. A policy is built and swapped in only when what the primary sends changes.
 * <p>
 * Replica agent thread only, apart from {@link #primaryDurabilityMode()}.
 */
final class PolicyFollower
{
    /** Optional: without it the primary's policy is only reported. */
    private final DurabilityControl control;
    /** Mode byte last taken, -1 before the first. */
    private short modeCode = -1;
    /** Clause counts of the primary's custom policy last taken. */
    private short customPersistedCount;
    private short customInMemoryCount;
    /** Written by the agent thread only; read by any thread. */
    private volatile byte primaryDurabilityMode = DurabilityMode.CUSTOM_CODE;

    PolicyFollower(final DurabilityControl control)
    {
        this.control = control;
    }

    /** Takes the primary's named mode; a custom policy is taken only with its clause counts. */
    void onMode(final short code)
    {
        if (code == modeCode || code == DurabilityMode.CUSTOM_CODE)
        {
            return;
        }
        modeCode = code;
        primaryDurabilityMode = (byte)code;
        final DurabilityMode mode = DurabilityMode.fromCode((byte)code);
        if (control != null && mode != null && control.policy() != mode.policy())
        {
            control.swap(mode);
        }
    }

    /**
     * Takes the primary's policy as its heartbeat carries it: a named mode by its byte, a custom clause expression
     * by its clause counts.
     *
     * @return false if the counts are not a policy (out of range, or none): the heartbeat was malformed.
     */
    boolean onHeartbeat(final short code, final short persistedCount, final short inMemoryCount)
    {
        if (code != DurabilityMode.CUSTOM_CODE)
        {
            onMode(code);
            return true;
        }
        if (modeCode == DurabilityMode.CUSTOM_CODE && persistedCount == customPersistedCount &&
            inMemoryCount == customInMemoryCount)
        {
            return true;
        }
        final Policy policy;
        try
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
            policy = Policy.of(clauses);
        }
        catch (final InvalidPolicyException ex)
        {
            return false;
        }
        modeCode = DurabilityMode.CUSTOM_CODE;
        primaryDurabilityMode = DurabilityMode.CUSTOM_CODE;
        customPersistedCount = persistedCount;
        customInMemoryCount = inMemoryCount;
        if (control != null && !control.policy().sameRequirementAs(policy))
        {
            control.swap(policy);
        }
        return true;
    }

    /** The primary's durability mode byte ({@link DurabilityMode#code()}), {@code CUSTOM_CODE} until known. */
    byte primaryDurabilityMode()
    {
        return primaryDurabilityMode;
    }
}
