package io.sluice.harness;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The harness's subcommands under one root, as {@code sluice} offers them, so tests run
 * {@code demo}/{@code bench}/{@code check}/{@code soak} exactly as the command line parses them.
 */
public final class HarnessCommands
{
    private HarnessCommands()
    {
    }

    @Command(name = "sluice", subcommands = { DemoCommand.class, BenchCommand.class, CheckCommand.class,
        SoakCommand.class })
    static final class Root implements Runnable
    {
        @Override
        public void run()
        {
        }
    }

    /**
     * @param args a subcommand and its options.
     * @return the exit code the command chose.
     */
    public static int run(final String... args)
    {
        return new CommandLine(new Root()).execute(args);
    }
}
