package io.sluice.durability;

/**
 * How far a node has taken a command: applied in memory, or written and synced to its journal.
 * <p>
 * A node that has persisted a {@code wireSeq} also holds it in memory, so a clause at {@link #IN_MEMORY} counts a
 * node by the larger of its two cursors.
 */
public enum Level
{
    IN_MEMORY("in_memory"),
    PERSISTED("persisted");

    private final String text;

    Level(final String text)
    {
        this.text = text;
    }

    /**
     * @return the spelling used in clause expressions, e.g. {@code in_memory}.
     */
    public String text()
    {
        return text;
    }

    /**
     * Level for its expression spelling.
     *
     * @param text {@code in_memory} or {@code persisted}, case and surrounding whitespace ignored.
     * @return the level, never null.
     * @throws InvalidPolicyException naming the unknown level.
     */
    public static Level parse(final String text)
    {
        final String trimmed = text.trim();
        for (final Level level : values())
        {
            if (level.text.equalsIgnoreCase(trimmed))
            {
                return level;
            }
        }

        throw new InvalidPolicyException(
            "unknown level '" + trimmed + "' (expected " + IN_MEMORY.text + " or " + PERSISTED.text + ")");
    }

    public String toString()
    {
        return text;
    }
}
