package io.sluice.matching;

/**
 * What the engine does when an incoming order would trade against a resting order of the same account.
 * <p>
 * The codes are stable (they enter {@link MatchingEngine#configDigest()}) and are never renumbered.
 */
public enum SelfTradePrevention
{
    /** Cancel the remainder of the incoming (newest) order; the resting order stays. The default. */
    CANCEL_NEWEST(1),

    /** Cancel the resting (oldest) order and keep matching the incoming order against the book. */
    CANCEL_OLDEST(2),

    /** Cancel both the resting order and the remainder of the incoming order. */
    CANCEL_BOTH(3);

    private final int code;

    SelfTradePrevention(final int code)
    {
        this.code = code;
    }

    /**
     * Stable numeric code of the mode.
     *
     * @return the code, 1..3.
     */
    public int code()
    {
        return code;
    }
}
