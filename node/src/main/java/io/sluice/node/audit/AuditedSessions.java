package io.sluice.node.audit;

import io.sluice.pipeline.net.Authenticator;
import io.sluice.pipeline.net.CloseReason;
import io.sluice.pipeline.net.SessionListener;

/**
 * Client sessions in the audit log: every logon a reader shard decides ({@code client_logon}, with the key's
 * fingerprint and the verdict, so refused logons show as auth failures) and the end of every logged-on connection
 * ({@code client_logoff}, with why). Runs on the reader shards' threads; {@link AuditLog#record} never blocks.
 */
public final class AuditedSessions implements SessionListener
{
    private final AuditLog audit;

    public AuditedSessions(final AuditLog audit)
    {
        this.audit = audit;
    }

    @Override
    public void onLogon(
        final long connectionId,
        final long sessionId,
        final long accountId,
        final byte[] publicKey,
        final Authenticator.AuthResult verdict)
    {
        audit.record("client_logon", "session", sessionId, "account", accountId, "connection", connectionId, "key",
            AuditLog.fingerprint(publicKey), "result", verdict);
    }

    @Override
    public void onLogoff(final long connectionId, final long sessionId, final long accountId, final CloseReason reason)
    {
        audit.record("client_logoff", "session", sessionId, "account", accountId, "connection", connectionId,
            "reason", reason);
    }
}
