package io.sluice.node.auth;

import java.util.Locale;

/**
 * What a key may do. Each listener accepts only its roles: the order-entry port takes {@link #TRADER} and
 * {@link #READ_ONLY}, the admin port {@link #OPERATOR}, the replication link {@link #REPLICATION}.
 */
public enum Role
{
    /** Order entry and queries for its own account only. */
    TRADER,
    /** Queries only. */
    READ_ONLY,
    /** Admin commands. */
    OPERATOR,
    /** Replica connections. */
    REPLICATION;

    public String configName()
    {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Role parse(final String text)
    {
        for (final Role role : values())
        {
            if (role.configName().equals(text))
            {
                return role;
            }
        }
        throw new IllegalArgumentException("unknown role '" + text + "' (trader, read-only, operator, replication)");
    }
}
