package io.sluice.harness.soak;

/**
 * The cluster did not come back from a fault the way it must: a node refused for no reason the fault explains, a
 * promotion failed, a recovery timed out. Ends the fault schedule; the run still drains, stops and checks what it
 * can, and reports this.
 */
final class SoakFailure extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    SoakFailure(final String message)
    {
        super(message);
    }
}
