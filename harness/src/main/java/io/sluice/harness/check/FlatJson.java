package io.sluice.harness.check;

import java.util.HashMap;
import java.util.Map;

/**
 * Parses one history line: a flat JSON object whose values are strings, numbers, booleans or null (no nesting).
 * Values come back as text: strings unescaped, the rest as written.
 */
final class FlatJson
{
    private final String text;
    private int position;

    private FlatJson(final String text)
    {
        this.text = text;
    }

    /**
     * @param line one JSON object.
     * @return its keys and values.
     * @throws IllegalArgumentException saying what is wrong, if it is not a flat JSON object.
     */
    static Map<String, String> parse(final String line)
    {
        final FlatJson parser = new FlatJson(line);
        final Map<String, String> values = new HashMap<>();
        parser.skipSpace();
        parser.expect('{');
        parser.skipSpace();
        if (parser.peek() == '}')
        {
            parser.position++;
        }
        else
        {
            while (true)
            {
                parser.skipSpace();
                final String key = parser.string();
                parser.skipSpace();
                parser.expect(':');
                parser.skipSpace();
                values.put(key, parser.value());
                parser.skipSpace();
                final char next = parser.next();
                if (next == '}')
                {
                    break;
                }
                if (next != ',')
                {
                    throw parser.error("expected ',' or '}'");
                }
            }
        }
        parser.skipSpace();
        if (parser.position != line.length())
        {
            throw parser.error("text after the object");
        }
        return values;
    }

    private String value()
    {
        final char c = peek();
        if (c == '"')
        {
            return string();
        }
        if (c == '{' || c == '[')
        {
            throw error("nested values are not part of the history format");
        }
        final int start = position;
        while (position < text.length() && ",} \t".indexOf(text.charAt(position)) < 0)
        {
            position++;
        }
        if (start == position)
        {
            throw error("expected a value");
        }
        return text.substring(start, position);
    }

    private String string()
    {
        expect('"');
        final StringBuilder value = new StringBuilder();
        while (true)
        {
            final char c = next();
            if (c == '"')
            {
                return value.toString();
            }
            if (c != '\\')
            {
                value.append(c);
                continue;
            }
            final char escaped = next();
            switch (escaped)
            {
                case '"', '\\', '/' -> value.append(escaped);
                case 'n' -> value.append('\n');
                case 't' -> value.append('\t');
                case 'r' -> value.append('\r');
                case 'b' -> value.append('\b');
                case 'f' -> value.append('\f');
                case 'u' ->
                {
                    if (position + 4 > text.length())
                    {
                        throw error("short \\u escape");
                    }
                    try
                    {
                        value.append((char)Integer.parseInt(text.substring(position, position + 4), 16));
                    }
                    catch (final NumberFormatException ex)
                    {
                        throw error("bad \\u escape");
                    }
                    position += 4;
                }
                default -> throw error("bad escape \\" + escaped);
            }
        }
    }

    private void skipSpace()
    {
        while (position < text.length() && Character.isWhitespace(text.charAt(position)))
        {
            position++;
        }
    }

    private char peek()
    {
        if (position >= text.length())
        {
            throw error("unexpected end of line");
        }
        return text.charAt(position);
    }

    private char next()
    {
        final char c = peek();
        position++;
        return c;
    }

    private void expect(final char c)
    {
        if (next() != c)
        {
            position--;
            throw error("expected '" + c + "'");
        }
    }

    private IllegalArgumentException error(final String problem)
    {
        return new IllegalArgumentException(problem + " at column " + (position + 1));
    }
}
