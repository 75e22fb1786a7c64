package io.sluice.node.config;

/**
 * A configuration a node cannot start with. The message names the key and what is allowed.
 */
public final class ConfigException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public ConfigException(final String message)
    {
        super(message);
    }
}
