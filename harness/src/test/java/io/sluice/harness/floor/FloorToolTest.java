package io.sluice.harness.floor;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FloorToolTest
{
    private static String refused(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exitCode;
        try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
            PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8))
        {
            exitCode = FloorTool.run("perf/run floor", args, outStream, errStream);
        }
        assertEquals(2, exitCode);
        assertEquals("", out.toString(StandardCharsets.UTF_8), "nothing ran");
        final String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, message.lines().count(), "one line: " + message);
        assertTrue(message.startsWith("perf/run floor: "), message);
        assertTrue(message.contains("usage: perf/run floor [--quick]"), message);
        return message;
    }

    @Test
    void shouldRefuseBadOptionsInOneLine()
    {
        assertTrue(refused("--fast").contains("unknown option --fast"));
        assertTrue(refused("--seconds").contains("--seconds needs a value"));
        assertTrue(refused("--seconds", "ten").contains("--seconds takes a number, not 'ten'"));
        assertTrue(refused("--seconds", "0").contains("--seconds must be in (0, 3600]"));
        assertTrue(refused("--interval-us", "0").contains("--interval-us must be in [1, 1000000]"));
        assertTrue(refused("--quick", "--json").contains("--json needs a value"));
    }

    @Test
    void shouldValidateEveryOption()
    {
        FloorContext.full().conclude();
        FloorContext.quickRun().conclude();
        FloorContext.demo().conclude();
        assertThrows(IllegalArgumentException.class, () -> FloorContext.full().seconds(Double.NaN).conclude());
        assertThrows(IllegalArgumentException.class, () -> FloorContext.full().warmupSeconds(-1).conclude());
        assertThrows(IllegalArgumentException.class, () -> FloorContext.full().idleSeconds(0).conclude());
        assertThrows(IllegalArgumentException.class, () -> FloorContext.full().draws(0).conclude());
    }
}
