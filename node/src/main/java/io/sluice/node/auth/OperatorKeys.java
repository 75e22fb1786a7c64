package io.sluice.node.auth;

import io.sluice.node.admin.AdminServer;
import io.sluice.wire.LogonSignatures;

/**
 * The admin listener's key check: only keys listed with the {@link Role#OPERATOR} role, with a valid signature over
 * the challenge, may send admin commands.
 */
public final class OperatorKeys
{
    private OperatorKeys()
    {
    }

    public static AdminServer.OperatorCheck check(final AuthorizedKeys keys)
    {
        return (publicKey, nonce, signature) ->
        {
            final AuthorizedKeys.Grant grant = keys.grant(publicKey);
            if (grant == null)
            {
                return "unknown key";
            }
            if (grant.role() != Role.OPERATOR)
            {
                return "key has role " + grant.role().configName() + ", admin needs operator";
            }
            return LogonSignatures.verify(publicKey, nonce, signature) ? null : "bad signature";
        };
    }
}
