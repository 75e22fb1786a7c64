package io.sluice.durability;

/**
 * The named durability modes an operator picks with {@code DURABILITY <name>}. Each has a one-byte code that is
 * stable forever: it is written to configuration, sent to replicas in heartbeats and shown by {@code STATUS}, so a
 * code is never reused or renumbered and new modes take new codes.
 */
public enum DurabilityMode
{
    /** Synced by at least one node, normally the primary's journal: {@code persisted>=1}. */
    LOCAL((byte)1, "local", 1, 0),

    /** Synced by one node and held in memory by another: {@code persisted>=1 && in_memory>=2}. */
    HYBRID((byte)2, "hybrid", 1, 2),

    /** Synced by two nodes: {@code persisted>=2}. */
    DURABLY_REPLICATED((byte)3, "durably-replicated", 2, 0),

    /** Held in memory by two nodes: {@code in_memory>=2}. */
    REPLICATED((byte)4, "replicated", 0, 2);

    /** Code for a policy given as a custom clause expression rather than a named mode. */
    public static final byte CUSTOM_CODE = 0;

    /** Mode a node starts in unless configured otherwise. */
    public static final DurabilityMode DEFAULT = HYBRID;

    private static final DurabilityMode[] VALUES = values();

    private final byte code;
    private final String modeName;
    private final Policy policy;

    DurabilityMode(final byte code, final String modeName, final int persistedCount, final int inMemoryCount)
    {
        this.code = code;
        this.modeName = modeName;
        this.policy = new Policy(persistedCount, inMemoryCount, this);
    }

    /**
     * @return the stable one-byte code.
     */
    public byte code()
    {
        return code;
    }

    /**
     * @return the name operators type, e.g. {@code durably-replicated}.
     */
    public String modeName()
    {
        return modeName;
    }

    /**
     * @return the mode's policy; one shared instance per mode.
     */
    public Policy policy()
    {
        return policy;
    }

    /**
     * @param code a one-byte mode code.
     * @return the mode, or null if the code is {@link #CUSTOM_CODE} or unknown.
     */
    public static DurabilityMode fromCode(final byte code)
    {
        for (final DurabilityMode mode : VALUES)
        {
            if (mode.code == code)
            {
                return mode;
            }
        }

        return null;
    }

    /**
     * @param name a mode name, case and surrounding whitespace ignored.
     * @return the mode, or null if no mode has that name.
     */
    public static DurabilityMode fromName(final String name)
    {
        final String trimmed = name.trim();
        for (final DurabilityMode mode : VALUES)
        {
            if (mode.modeName.equalsIgnoreCase(trimmed))
            {
                return mode;
            }
        }

        return null;
    }

    /**
     * @param policy any policy.
     * @return the named mode asking for the same thing, or null.
     */
    public static DurabilityMode matching(final Policy policy)
    {
        for (final DurabilityMode mode : VALUES)
        {
            if (mode.policy.sameRequirementAs(policy))
            {
                return mode;
            }
        }

        return null;
    }

    static String namesForHumans()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < VALUES.length; i++)
        {
            if (i > 0)
            {
                sb.append(", ");
            }
            sb.append(VALUES[i].modeName);
        }

        return sb.toString();
    }

    public String toString()
    {
        return modeName;
    }
}
