package io.sluice.pipeline.shard;

/**
 * A shard lifecycle or scaling request that could not be carried out; nothing was changed.
 */
public final class ScalingException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public enum Reason
    {
        /** Adding would take active plus provisioning shards above the policy's maximum, or ids are exhausted. */
        AT_MAX_SHARDS,
        /** Draining would take active shards below the policy's minimum. */
        AT_MIN_SHARDS,
        /** The last scaling action was less than the cooldown ago. */
        IN_COOLDOWN,
        /** The shard is not in a state the request applies to. */
        INVALID_STATE,
        /** No shard has that id (never allocated, or stopped and removed). */
        UNKNOWN_SHARD,
        /** The manager runs a fixed set of shards. */
        STATIC_MODE,
        /** The manager is shutting down. */
        SHUTTING_DOWN,
        /** The lifecycle listener failed to start the shard's reader. */
        READER_START_FAILED
    }

    private final Reason reason;

    ScalingException(final Reason reason, final String message)
    {
        super(message);
        this.reason = reason;
    }

    ScalingException(final Reason reason, final String message, final Throwable cause)
    {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason()
    {
        return reason;
    }
}
