package io.sluice.node.config;

import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.function.Function;

/**
 * Value parsers for configuration keys. Each throws {@link IllegalArgumentException} naming what is allowed.
 */
final class Parsers
{
    private Parsers()
    {
    }

    static Function<String, Integer> intRange(final int min, final int max)
    {
        return text ->
        {
            final long value = parseLong(text);
            if (value < min || value > max)
            {
                throw new IllegalArgumentException("must be an integer in [" + min + ", " + max + "]");
            }
            return (int)value;
        };
    }

    static Function<String, Long> longRange(final long min, final long max)
    {
        return text ->
        {
            final long value = parseLong(text);
            if (value < min || value > max)
            {
                throw new IllegalArgumentException("must be an integer in [" + min + ", " + max + "]");
            }
            return value;
        };
    }

    static Function<String, Integer> powerOfTwo(final int min, final int max)
    {
        return text ->
        {
            final int value = intRange(min, max).apply(text);
            if (Integer.bitCount(value) != 1)
            {
                throw new IllegalArgumentException("must be a power of two in [" + min + ", " + max + "]");
            }
            return value;
        };
    }

    static Function<String, Boolean> onOff()
    {
        return text ->
        {
            switch (text.toLowerCase(Locale.ROOT))
            {
                case "on":
                case "true":
                case "yes":
                    return true;
                case "off":
                case "false":
                case "no":
                    return false;
                default:
                    throw new IllegalArgumentException("must be on or off");
            }
        };
    }

    static Function<String, String> oneOf(final String... allowed)
    {
        return text ->
        {
            for (final String option : allowed)
            {
                if (option.equals(text))
                {
                    return option;
                }
            }
            throw new IllegalArgumentException("must be one of " + String.join(", ", allowed));
        };
    }

    static Function<String, String> nonEmpty()
    {
        return text ->
        {
            if (text.isEmpty())
            {
                throw new IllegalArgumentException("must not be empty");
            }
            return text;
        };
    }

    /** A file or directory name this platform accepts; kept as text, resolved against the config's directory. */
    static Function<String, String> path()
    {
        final Function<String, String> nonEmpty = nonEmpty();
        return text ->
        {
            try
            {
                java.nio.file.Path.of(nonEmpty.apply(text));
            }
            catch (final java.nio.file.InvalidPathException ex)
            {
                throw new IllegalArgumentException("is not a valid path: " + ex.getReason());
            }
            return text;
        };
    }

    static Function<String, InetSocketAddress> endpoint()
    {
        return text ->
        {
            final int colon = text.lastIndexOf(':');
            if (colon <= 0 || colon == text.length() - 1)
            {
                throw new IllegalArgumentException("must be host:port");
            }
            final int port = intRange(0, 65535).apply(text.substring(colon + 1));
            String host = text.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]"))
            {
                host = host.substring(1, host.length() - 1);
            }
            return new InetSocketAddress(host, port);
        };
    }

    static Function<String, java.util.List<InetSocketAddress>> endpointList()
    {
        final Function<String, InetSocketAddress> endpoint = endpoint();
        return text ->
        {
            final java.util.List<InetSocketAddress> endpoints = new java.util.ArrayList<>();
            for (final String part : text.split(","))
            {
                endpoints.add(endpoint.apply(part.trim()));
            }
            return java.util.List.copyOf(endpoints);
        };
    }

    private static long parseLong(final String text)
    {
        try
        {
            return Long.parseLong(text.replace("_", ""));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("must be an integer");
        }
    }
}
