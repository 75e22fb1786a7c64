package io.sluice.harness;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sluice bench --compare} given files that are not bench reports: exit 2 and one line saying which and why.
 */
class BenchCommandTest
{
    @TempDir
    Path dir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeEach
    void captureErr()
    {
        originalErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreErr()
    {
        System.setErr(originalErr);
    }

    private String compare(final String report) throws Exception
    {
        err.reset();
        final Path file = dir.resolve("earlier.json");
        Files.writeString(file, report, StandardCharsets.UTF_8);
        final Path png = dir.resolve("plot.png");

        assertEquals(BenchCommand.EXIT_USAGE, HarnessCommands.run("bench", "--compare", file.toString(), "--plot",
            png.toString()), report);

        final String printed = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, printed.lines().count(), printed);
        assertTrue(printed.startsWith("sluice bench: cannot plot: " + file), printed);
        assertFalse(Files.exists(png), "nothing plotted");
        return printed;
    }

    @Test
    void shouldRefuseAReportThatIsNotJsonInOneLine() throws Exception
    {
        assertTrue(compare("{\"percentiles_us\":[[0.0,10.0],\n[50.0,").contains("not JSON"), err.toString());
        assertTrue(compare("{\"sent\":1} {\"sent\":2}").contains("not JSON"), err.toString());
        assertTrue(compare("sent=1\n").contains("not JSON"), err.toString());
    }

    @Test
    void shouldRefuseJsonThatIsNotABenchReportInOneLine() throws Exception
    {
        assertTrue(compare("{\"sent\":1}").contains("no percentiles_us curve"), err.toString());
        assertTrue(compare("{\"percentiles_us\":[[0.0,10.0]]}").contains("no latency_us"), err.toString());
        assertTrue(compare("{\"percentiles_us\":[[0.0,\"10\"]],\"latency_us\":{}}").contains("percentiles_us[0]"),
            err.toString());
        assertTrue(compare("{\"percentiles_us\":[5],\"latency_us\":{}}").contains("percentiles_us[0]"),
            err.toString());
        assertTrue(compare("{\"percentiles_us\":[[0.0,1.0]],\"latency_us\":7}").contains("no latency_us"),
            err.toString());
    }
}
