package io.sluice.pipeline.net;

/**
 * Told of each client logon a reader shard decides and of the end of each logged-on connection, on that shard's
 * thread: what a node's audit trail records. Called once per logon and per connection, never per order; an
 * implementation must not block.
 */
public interface SessionListener
{
    /** Hears nothing. */
    SessionListener NONE = new SessionListener()
    {
    };

    /**
     * @param publicKey the raw key the logon carried (zeros without auth); valid only during the call.
     * @param verdict   the authenticator's: accepted, or why not (the connection is then closed).
     */
    default void onLogon(
        final long connectionId,
        final long sessionId,
        final long accountId,
        final byte[] publicKey,
        final Authenticator.AuthResult verdict)
    {
    }

    /** A logged-on connection ended: the client logged out or went away, or the node closed it. */
    default void onLogoff(final long connectionId, final long sessionId, final long accountId, final CloseReason reason)
    {
    }
}
