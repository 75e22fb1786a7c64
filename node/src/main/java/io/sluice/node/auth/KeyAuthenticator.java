package io.sluice.node.auth;

import io.sluice.pipeline.net.Authenticator;
import io.sluice.wire.LogonSignatures;

/**
 * Checks a client logon against the authorized keys: the signature over the challenge must verify, the key must be
 * listed, its role must be allowed on the order-entry port, and a trader may only log on for its own account.
 * Runs on the reader shard's thread once per logon.
 */
public final class KeyAuthenticator implements Authenticator
{
    private final AuthorizedKeys keys;

    public KeyAuthenticator(final AuthorizedKeys keys)
    {
        this.keys = keys;
    }

    @Override
    public AuthResult authenticate(
        final byte[] nonce, final long sessionId, final long accountId, final byte[] publicKey, final byte[] signature)
    {
        final AuthorizedKeys.Grant grant = keys.grant(publicKey);
        if (grant == null)
        {
            return AuthResult.UNKNOWN_KEY;
        }
        if (!LogonSignatures.verify(publicKey, nonce, signature))
        {
            return AuthResult.BAD_SIGNATURE;
        }
        switch (grant.role())
        {
            case TRADER:
                return grant.account() == accountId ? AuthResult.ACCEPTED : AuthResult.WRONG_ACCOUNT;
            case READ_ONLY:
                return grant.account() == AuthorizedKeys.NO_ACCOUNT || grant.account() == accountId ?
                    AuthResult.ACCEPTED_READ_ONLY : AuthResult.WRONG_ACCOUNT;
            default:
                return AuthResult.WRONG_ROLE;
        }
    }
}
