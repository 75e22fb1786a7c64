package io.sluice.node.config;

import java.util.function.Function;

/**
 * One documented configuration key: its name, default (null when required or derived), a description, and how to
 * parse and check a value. Parsers throw {@link IllegalArgumentException} with the allowed range; the caller adds
 * the key's name.
 *
 * @param name         as written in the file, e.g. {@code client.bind}.
 * @param defaultValue text form of the default, or null.
 * @param description  one line for docs/configuration.md.
 * @param parser       text to typed value.
 * @param <T>          value type.
 */
public record ConfigKey<T>(String name, String defaultValue, String description, Function<String, T> parser)
{
    T parse(final String text)
    {
        try
        {
            return parser.apply(text.trim());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException(name + "='" + text + "': " + ex.getMessage());
        }
    }
}
