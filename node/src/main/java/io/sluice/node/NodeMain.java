package io.sluice.node;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * A node process and nothing else: {@code primary --config FILE} or {@code replica --config FILE}. The full
 * {@code sluice} command ({@code io.sluice.cli.SluiceMain}) offers the same two subcommands beside the tools;
 * {@link NodeProcess} starts this class so that a node can be run from any class path that holds this module.
 */
@Command(
    name = "sluice-node",
    mixinStandardHelpOptions = true,
    // --help and --version on every subcommand too: `sluice demo --help` is what a newcomer types first
    scope = CommandLine.ScopeType.INHERIT,
    description = "Run one Sluice node.",
    subcommands = { PrimaryCommand.class, ReplicaCommand.class })
public final class NodeMain implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new NodeMain()).execute(args));
    }

    @Override
    public void run()
    {
        spec.commandLine().usage(System.out);
    }
}
