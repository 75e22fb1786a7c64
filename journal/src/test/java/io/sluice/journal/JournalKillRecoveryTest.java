package io.sluice.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Appends in a child JVM, kills it with SIGKILL while it is writing, and checks that recovery reaches at least what
 * the child had reported persisted, with the same state hash, twice in a row on the same journal.
 */
class JournalKillRecoveryTest
{
    @TempDir
    Path root;

    @Test
    void shouldRecoverEverythingPersistedAfterTheWriterIsKilled() throws Exception
    {
        final Path dir = root.resolve("journal");
        long previousLast = 0;
        for (int round = 1; round <= 2; round++)
        {
            final long target = previousLast + 8_000;
            final long[] persisted = runChildAndKill(dir, target, previousLast);

            final JournalTestSupport.Recovered recovered = JournalTestSupport.recover(dir);
            final long last = recovered.result.lastWireSeq();
            assertTrue(last >= persisted[0], "round " + round + ": recovered to " + last +
                " but the child reported " + persisted[0] + " persisted");

            final long[] hashes;
            try (Journal journal = Journal.open(JournalTestSupport.context(dir)))
            {
                hashes = JournalTestSupport.prefixHashes(journal, last);
            }
            assertEquals(persisted[1], hashes[(int)persisted[0]],
                "round " + round + ": state hash at persisted wireSeq " + persisted[0]);
            assertEquals(hashes[(int)last], recovered.state.stateHash(), "round " + round + ": recovered state");
            assertEquals(JournalVerifier.OK,
                JournalVerifier.verify(dir, new PrintStream(OutputStream.nullOutputStream())));
            previousLast = last;
        }
    }

    /** Runs the child until it reports {@code target} persisted, kills it, returns the last (wireSeq, hash) seen. */
    private long[] runChildAndKill(final Path dir, final long target, final long expectedRecovered) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (!argument.startsWith("-agentlib") && !argument.startsWith("-javaagent") && !argument.startsWith("-Xmx"))
            {
                command.add(argument);
            }
        }
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(JournalKillChild.class.getName());
        command.add(dir.toString());
        final Path stderr = root.resolve("child-stderr-" + System.nanoTime() + ".txt");
        final Process child = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final Thread pump = new Thread(() ->
        {
            try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = reader.readLine()) != null)
                {
                    lines.add(line);
                }
            }
            catch (final IOException ignored)
            {
                // the child was killed
            }
        });
        pump.setDaemon(true);
        pump.start();
        try
        {
            final long[] last = {0, 0};
            boolean recoveredLineSeen = false;
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (last[0] < target)
            {
                final String line = lines.poll(Math.max(1, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null)
                {
                    fail("child stopped reporting at wireSeq " + last[0] + "; stderr: " + readQuietly(stderr));
                }
                final String[] parts = line.split(" ");
                if ("RECOVERED".equals(parts[0]))
                {
                    assertEquals(expectedRecovered, Long.parseLong(parts[1]), line);
                    recoveredLineSeen = true;
                }
                else if ("P".equals(parts[0]))
                {
                    last[0] = Long.parseLong(parts[1]);
                    last[1] = Long.parseLong(parts[2]);
                }
                else
                {
                    fail("child: " + line + "; stderr: " + readQuietly(stderr));
                }
            }
            assertTrue(recoveredLineSeen);
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, child.exitValue(), "child should die of SIGKILL");
            pump.join(5_000);
            String line;
            while ((line = lines.poll()) != null)
            {
                final String[] parts = line.split(" ");
                if ("P".equals(parts[0]))
                {
                    last[0] = Long.parseLong(parts[1]);
                    last[1] = Long.parseLong(parts[2]);
                }
            }
            return last;
        }
        finally
        {
            if (child.isAlive())
            {
                child.destroyForcibly();
                child.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static String readQuietly(final Path file)
    {
        try
        {
            return Files.exists(file) ? Files.readString(file) : "";
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
    }
}
