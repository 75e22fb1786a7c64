package io.sluice.harness.check;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.json.JsonWriteFeature;

/**
 * How the harness writes its JSON files (the history here, the bench report), so that they stay byte for byte what
 * scripts and earlier runs have: compact, nothing written between root values, and in strings a quote or backslash
 * escaped with a backslash, the chosen control characters in their short form ({@code \n}), every other control
 * character as a lower-case <code>&#92;u00xx</code>, and nothing else escaped. Left alone, Jackson writes
 * {@code \b} and {@code \f} short and its hex digits upper-case.
 */
public final class CompactJson
{
    private CompactJson()
    {
    }

    /**
     * @param shortEscapes the control characters written in their short form, e.g. {@code "\n\r\t"}; may be empty.
     * @return a factory for such generators; thread safe, meant to be kept.
     */
    public static JsonFactory factory(final String shortEscapes)
    {
        final int[] escapes = CharacterEscapes.standardAsciiEscapesForJSON();
        for (int c = 0; c < 0x20; c++)
        {
            if (shortEscapes.indexOf(c) < 0)
            {
                escapes[c] = CharacterEscapes.ESCAPE_STANDARD;
            }
        }
        return new JsonFactoryBuilder()
            .rootValueSeparator((String)null)
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
            .characterEscapes(new Escapes(escapes))
            .build();
    }

    private static final class Escapes extends CharacterEscapes
    {
        private final int[] escapes;

        Escapes(final int[] escapes)
        {
            this.escapes = escapes;
        }

        @Override
        public int[] getEscapeCodesForAscii()
        {
            return escapes;
        }

        @Override
        public SerializableString getEscapeSequence(final int ch)
        {
            return null;
        }
    }
}
