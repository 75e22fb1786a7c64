package io.sluice.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SluiceMainTest
{
    private String captureStdout(final Runnable action)
    {
        final PrintStream original = System.out;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try
        {
            action.run();
        }
        finally
        {
            System.setOut(original);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldListSubcommandsInHelp()
    {
        final String help = captureStdout(() -> assertEquals(0, SluiceMain.run("--help")));

        for (final String subcommand : new String[]{ "demo", "primary", "replica", "admin", "client", "bench",
            "journal", "check", "keygen" })
        {
            assertTrue(help.contains(subcommand), () -> "help lists " + subcommand + ":\n" + help);
        }
    }

    @Test
    void shouldPrintEachSubcommandsOwnHelp()
    {
        final String demo = captureStdout(() -> assertEquals(0, SluiceMain.run("demo", "--help")));
        assertTrue(demo.contains("--replicas") && demo.contains("--durability"), demo);

        final String verify = captureStdout(() -> assertEquals(0, SluiceMain.run("journal", "verify", "--help")));
        assertTrue(verify.contains("Usage: sluice journal verify"), verify);
    }

    @Test
    void shouldPrintVersionFromBuild()
    {
        final String version = captureStdout(() -> assertEquals(0, SluiceMain.run("--version")));

        assertTrue(version.startsWith("sluice 0."), version);
    }

    @Test
    void shouldRefuseDemoWithMoreReplicasThanTwo()
    {
        assertEquals(2, SluiceMain.run("demo", "--seconds", "3", "--replicas", "3"));
    }
}
