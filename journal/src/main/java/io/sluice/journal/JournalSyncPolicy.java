package io.sluice.journal;

/**
 * When the journal forces appended entries to disk.
 */
public enum JournalSyncPolicy
{
    /**
     * After every group of appends (ring drained, or the group size/bytes limit reached) the written range is
     * synced before {@code journalPersistedWireSeq} advances. The durability gate assumes this.
     */
    EVERY_GROUP("every-group"),

    /**
     * Never sync: the persisted cursor advances once entries are in the page cache. For benchmarks only; a power
     * loss can lose entries the gate has released.
     */
    NONE("none");

    private final String configName;

    JournalSyncPolicy(final String configName)
    {
        this.configName = configName;
    }

    /** Name used in configuration files: {@code every-group} or {@code none}. */
    public String configName()
    {
        return configName;
    }

    /**
     * Parses a configuration value.
     *
     * @throws IllegalArgumentException naming the allowed values.
     */
    public static JournalSyncPolicy parse(final String value)
    {
        for (final JournalSyncPolicy policy : values())
        {
            if (policy.configName.equals(value))
            {
                return policy;
            }
        }
        throw new IllegalArgumentException("sync=" + value + " is not one of every-group, none");
    }
}
