package io.sluice.durability;

/**
 * A durability policy or mode that cannot be used: empty, a count out of range, an unknown level or mode, or text
 * that is not a clause expression. The message says which and is fit to show an operator as is.
 */
public final class InvalidPolicyException extends IllegalArgumentException
{
    public InvalidPolicyException(final String message)
    {
        super(message);
    }
}
