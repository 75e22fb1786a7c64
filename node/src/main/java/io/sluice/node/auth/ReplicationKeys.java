package io.sluice.node.auth;

import io.sluice.replication.ReplicationAuth;

/**
 * The replication link's key check: only keys listed with the {@link Role#REPLICATION} role may follow this primary.
 */
public final class ReplicationKeys
{
    private ReplicationKeys()
    {
    }

    public static ReplicationAuth.KeyCheck check(final AuthorizedKeys keys)
    {
        return publicKey ->
        {
            final AuthorizedKeys.Grant grant = keys.grant(publicKey);
            if (grant == null)
            {
                return "unknown key";
            }
            return grant.role() == Role.REPLICATION ? null :
                "key has role " + grant.role().configName() + ", the replication link needs replication";
        };
    }
}
