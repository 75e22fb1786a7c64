package io.sluice.node;

import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * Subcommands that the design promises but that are not built yet. Each says so plainly and exits with
 * {@link #NOT_BUILT_EXIT_CODE}, so nothing pretends to work. Each is replaced by its real command as it lands.
 */
abstract class NotBuiltCommand implements Callable<Integer>
{
    /** Exit code of a subcommand that is not built yet. */
    static final int NOT_BUILT_EXIT_CODE = 3;

    @Unmatched
    List<String> ignored;

    abstract String what();

    @Override
    public Integer call()
    {
        System.err.println("sluice: " + what() + " is not built yet in this version (" + SluiceMain.version() +
            "); see README.md for what runs today.");
        return NOT_BUILT_EXIT_CODE;
    }

    @Command(name = "check", description = "Check a client history against a node or journal. (not built yet)")
    static final class Check extends NotBuiltCommand
    {
        String what()
        {
            return "the history checker";
        }
    }
}
