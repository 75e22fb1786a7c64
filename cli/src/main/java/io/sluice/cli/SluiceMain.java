package io.sluice.cli;

import io.sluice.harness.BenchCommand;
import io.sluice.harness.CheckCommand;
import io.sluice.harness.DemoCommand;
import io.sluice.harness.SoakCommand;
import io.sluice.node.PrimaryCommand;
import io.sluice.node.ReplicaCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The {@code sluice} command line: one entry point for every role and tool. The {@code ./sluice} launcher at the
 * repository root builds this jar when needed and runs it with the JVM flags Agrona and Chronicle need.
 */
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    // --help and --version on every subcommand too: `sluice demo --help` is what a newcomer types first
    scope = CommandLine.ScopeType.INHERIT,
    versionProvider = SluiceMain.VersionProvider.class,
    description = "Replicated, exchange-style matching pipeline.",
    subcommands = {
        DemoCommand.class,
        PrimaryCommand.class,
        ReplicaCommand.class,
        AdminCommand.class,
        ClientCommand.class,
        BenchCommand.class,
        JournalCommand.class,
        CheckCommand.class,
        SoakCommand.class,
        KeygenCommand.class,
        CommandLine.HelpCommand.class
    })
public final class SluiceMain implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(final String[] args)
    {
        System.exit(run(args));
    }

    /**
     * Run the command line without exiting, for tests.
     *
     * @param args command-line arguments.
     * @return the process exit code the command chose.
     */
    public static int run(final String... args)
    {
        return new CommandLine(new SluiceMain()).execute(args);
    }

    @Override
    public void run()
    {
        spec.commandLine().usage(System.out);
    }

    static String version()
    {
        try (InputStream in = SluiceMain.class.getResourceAsStream("/sluice-version.properties"))
        {
            final Properties properties = new Properties();
            if (in != null)
            {
                properties.load(in);
            }
            return properties.getProperty("version", "unknown");
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
    }

    static final class VersionProvider implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            return new String[]{
                "sluice " + version(),
                "JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version") };
        }
    }
}
