package io.sluice.harness.bench;

import io.sluice.node.NodeProcess;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * A Java process started from this one with the same java binary, JVM flags and class path (so an Aeron Cluster
 * member or a floor echo runs under exactly the flags and heap a Sluice node gets from
 * {@code io.sluice.node.NodeProcess}). Its stdout and stderr go to files; it is ready once its stdout has a line
 * starting with a given prefix.
 */
public final class ChildJvm implements AutoCloseable
{
    private static final long STOP_TIMEOUT_MS = 15_000;

    private final String name;
    private final Process process;
    private final Path stdoutFile;
    private final Path stderrFile;

    private ChildJvm(final String name, final Process process, final Path stdoutFile, final Path stderrFile)
    {
        this.name = name;
        this.process = process;
        this.stdoutFile = stdoutFile;
        this.stderrFile = stderrFile;
    }

    /**
     * Stop every child process of this JVM still alive, whoever started it: SIGTERM to all, then SIGKILL to each that
     * has not exited within the grace period. For shutdown hooks, which cannot know a child still starting.
     *
     * @param graceMs how long each child may take to exit.
     */
    public static void stopAllChildren(final long graceMs)
    {
        final List<ProcessHandle> children = ProcessHandle.current().children().toList();
        children.forEach(ProcessHandle::destroy);
        for (final ProcessHandle child : children)
        {
            try
            {
                child.onExit().get(graceMs, TimeUnit.MILLISECONDS);
            }
            catch (final ExecutionException | TimeoutException ex)
            {
                child.destroyForcibly();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                child.destroyForcibly();
            }
        }
    }

    /**
     * Start {@code mainClass} with {@code args} in a child JVM; does not wait for it.
     *
     * @param name      for its log files, {@code NAME.out} and {@code NAME.log} in {@code logDir}.
     * @param mainClass class with the {@code main} to run.
     * @param args      its arguments.
     * @param logDir    where its output goes.
     * @return the running child.
     * @throws IOException if it cannot be started.
     */
    public static ChildJvm start(
        final String name, final Class<?> mainClass, final List<String> args, final Path logDir) throws IOException
    {
        final List<String> command = NodeProcess.javaCommand(mainClass.getName(), args);
        final Path stdout = logDir.resolve(name + ".out");
        final Path stderr = logDir.resolve(name + ".log");
        final Process process = new ProcessBuilder(command)
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
        return new ChildJvm(name, process, stdout, stderr);
    }

    /**
     * Wait until the child prints a line starting with {@code readyPrefix}.
     *
     * @param readyPrefix start of the line that says it is ready.
     * @param timeoutMs   how long to wait.
     * @return that line, which may say where the child listens.
     * @throws IOException if it exits or is not ready in time (it is then killed).
     */
    public String awaitReady(final String readyPrefix, final long timeoutMs) throws IOException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            for (final String line : Files.readAllLines(stdoutFile, StandardCharsets.UTF_8))
            {
                if (line.startsWith(readyPrefix))
                {
                    return line;
                }
            }
            if (!process.isAlive())
            {
                throw new IOException(name + " exited with status " + process.exitValue() + " before it was " +
                    "ready:\n" + logTail());
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                process.destroyForcibly();
                throw new IOException(name + " was not ready within " + timeoutMs + " ms:\n" + logTail());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    public String name()
    {
        return name;
    }

    public boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * @return the last lines of the child's stderr, for an error message.
     */
    public String logTail()
    {
        return NodeProcess.tail(stderrFile);
    }

    /**
     * Ask the child to stop (SIGTERM) without waiting; {@link #close()} waits.
     */
    public void signalStop()
    {
        process.destroy();
    }

    /**
     * Stop the child (SIGTERM) and wait for it; kill it if it has not exited in time.
     *
     * @return true if it exited on its own in time.
     */
    public boolean stop()
    {
        return NodeProcess.stop(process, STOP_TIMEOUT_MS);
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            stop();
        }
    }
}
