package io.sluice.cli;

import io.sluice.journal.JournalInspector;
import io.sluice.journal.JournalVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code sluice journal inspect|verify DIR}: read a stopped node's journal (or a copy). DIR is the node's data
 * directory or its {@code journal} directory.
 */
@Command(name = "journal", description = "Inspect or verify a journal directory.",
    subcommands = { JournalCommand.Inspect.class, JournalCommand.Verify.class })
final class JournalCommand implements Runnable
{
    @Override
    public void run()
    {
        System.err.println("sluice journal: give a subcommand: inspect DIR | verify DIR");
    }

    static Path journalDir(final Path dir)
    {
        final Path nested = dir.resolve("journal");
        return Files.isDirectory(nested) ? nested : dir;
    }

    @Command(name = "inspect", description = "Print journal entries in readable form.")
    static final class Inspect implements Callable<Integer>
    {
        @Parameters(index = "0", description = "Node data directory or journal directory.")
        Path dir;

        @Option(names = "--from", defaultValue = "1", description = "First wireSeq (default ${DEFAULT-VALUE}).")
        long fromWireSeq;

        @Option(names = "--to", defaultValue = "9223372036854775807", description = "Last wireSeq.")
        long toWireSeq;

        @Option(names = "--session", description = "Only entries of this session id.")
        Long sessionId;

        @Override
        public Integer call()
        {
            return JournalInspector.inspect(journalDir(dir), fromWireSeq, toWireSeq,
                sessionId == null ? JournalInspector.ALL_SESSIONS : sessionId, System.out);
        }
    }

    @Command(name = "verify", description = "Check every entry and snapshot; exit non-zero on any problem.")
    static final class Verify implements Callable<Integer>
    {
        @Parameters(index = "0", description = "Node data directory or journal directory.")
        Path dir;

        @Override
        public Integer call()
        {
            return JournalVerifier.verify(journalDir(dir), System.out);
        }
    }
}
