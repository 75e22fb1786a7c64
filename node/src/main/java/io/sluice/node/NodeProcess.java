package io.sluice.node;

import io.sluice.node.config.Endpoints;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A node in a child process: the same java binary, JVM flags and class path as this process, running
 * {@code primary|replica --config FILE} through {@link NodeMain}. Its stdout and stderr go to files; it is ready once it prints its
 * {@code sluice primary listening ...} line, which also says where it listens (so the config can bind port 0).
 */
public final class NodeProcess implements AutoCloseable
{
    static final String PRIMARY_READY_PREFIX = "sluice primary listening ";
    static final String REPLICA_READY_PREFIX = "sluice replica following ";
    private static final String MAIN_CLASS = NodeMain.class.getName();

    private final Process process;
    private final String role;
    private final String readyPrefix;
    private final Path stdoutFile;
    private final Path stderrFile;
    private InetSocketAddress clientAddress;
    private InetSocketAddress adminAddress;
    private InetSocketAddress httpAddress;

    private NodeProcess(
        final Process process, final String role, final Path stdoutFile, final Path stderrFile)
    {
        this.process = process;
        this.role = role;
        this.readyPrefix = "primary".equals(role) ? PRIMARY_READY_PREFIX : REPLICA_READY_PREFIX;
        this.stdoutFile = stdoutFile;
        this.stderrFile = stderrFile;
    }

    /**
     * Start the child and wait until it listens.
     *
     * @param configFile node configuration.
     * @param logDir     where its {@code primary.out} and {@code primary.log} (stderr) go.
     * @param timeoutMs  how long to wait for it to listen.
     * @return the running child.
     * @throws IOException if it cannot be started, exits, or does not listen in time (the child is then killed).
     */
    public static NodeProcess start(final Path configFile, final Path logDir, final long timeoutMs)
        throws IOException
    {
        return start("primary", "primary", configFile, logDir, timeoutMs);
    }

    /**
     * Start {@code sluice ROLE --config FILE} as a child and wait until it reports it runs.
     *
     * @param role       {@code primary} or {@code replica}.
     * @param name       for its log files, {@code NAME.out} and {@code NAME.log}.
     * @param configFile node configuration.
     * @param logDir     where its logs go.
     * @param timeoutMs  how long to wait.
     * @return the running child.
     * @throws IOException if it cannot be started, exits, or does not come up in time (it is then killed).
     */
    public static NodeProcess start(
        final String role, final String name, final Path configFile, final Path logDir, final long timeoutMs)
        throws IOException
    {
        return start(role, name, configFile, logDir, timeoutMs, List.of());
    }

    /**
     * Start {@code sluice ROLE --config FILE ARGS...} as a child and wait until it reports it runs.
     *
     * @param role       {@code primary} or {@code replica}.
     * @param name       for its log files, {@code NAME.out} and {@code NAME.log}.
     * @param configFile node configuration.
     * @param logDir     where its logs go.
     * @param timeoutMs  how long to wait.
     * @param extraArgs  further options of the role's command, e.g. {@code --resync} for a replica.
     * @return the running child.
     * @throws IOException if it cannot be started, exits, or does not come up in time (it is then killed).
     */
    public static NodeProcess start(
        final String role,
        final String name,
        final Path configFile,
        final Path logDir,
        final long timeoutMs,
        final List<String> extraArgs)
        throws IOException
    {
        final Path stdout = logDir.resolve(name + ".out");
        final Path stderr = logDir.resolve(name + ".log");
        final List<String> command = command(role, configFile);
        command.addAll(extraArgs);
        final Process process = new ProcessBuilder(command)
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
        final NodeProcess primary = new NodeProcess(process, role, stdout, stderr);
        try
        {
            primary.awaitListening(timeoutMs);
        }
        catch (final IOException | RuntimeException ex)
        {
            process.destroyForcibly();
            throw ex;
        }
        return primary;
    }

    /**
     * @return the command line that runs {@code sluice primary} in a JVM like this one.
     */
    static List<String> command(final String role, final Path configFile)
    {
        return javaCommand(MAIN_CLASS, List.of(role, "--config", configFile.toString()));
    }

    /**
     * The command line that runs {@code mainClass} in a JVM like this one: the same java binary, JVM flags (less a
     * debugger agent, which would try to listen on this JVM's port) and class path.
     *
     * @param mainClass class with the {@code main} to run.
     * @param args      its arguments.
     * @return the command.
     */
    public static List<String> javaCommand(final String mainClass, final List<String> args)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (!argument.startsWith("-agentlib:jdwp") && !argument.startsWith("-Xrunjdwp") &&
                !argument.equals("-Xdebug"))
            {
                command.add(argument);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /**
     * Ask a child process to shut down (SIGTERM) and wait for it; kill it if it has not exited in time.
     *
     * @param process   the child.
     * @param timeoutMs how long to wait before killing it.
     * @return true if it exited on its own in time.
     */
    public static boolean stop(final Process process, final long timeoutMs)
    {
        process.destroy();
        try
        {
            if (process.waitFor(timeoutMs, TimeUnit.MILLISECONDS))
            {
                return true;
            }
            process.destroyForcibly().waitFor(timeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        return false;
    }

    private void awaitListening(final long timeoutMs) throws IOException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            for (final String line : Files.readAllLines(stdoutFile, StandardCharsets.UTF_8))
            {
                if (line.startsWith(readyPrefix))
                {
                    parseAddresses(line);
                    return;
                }
            }
            if (!process.isAlive())
            {
                throw new IOException("the " + role + " exited with status " + process.exitValue() +
                    " before listening:\n" + tail(stderrFile));
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IOException("the " + role + " did not start within " + timeoutMs + " ms:\n" +
                    tail(stderrFile));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private void parseAddresses(final String line) throws IOException
    {
        for (final String field : line.substring(readyPrefix.length()).trim().split(" "))
        {
            final int equals = field.indexOf('=');
            if (equals < 0)
            {
                continue;
            }
            final InetSocketAddress address = hostPort(field.substring(equals + 1));
            switch (field.substring(0, equals))
            {
                case "client":
                    clientAddress = address;
                    break;
                case "admin":
                    adminAddress = address;
                    break;
                case "http":
                    httpAddress = address;
                    break;
                default:
                    break;
            }
        }
        if ((clientAddress == null && "primary".equals(role)) || adminAddress == null || httpAddress == null)
        {
            throw new IOException("cannot read the " + role + "'s addresses from: " + line);
        }
    }

    static InetSocketAddress hostPort(final String hostPort) throws IOException
    {
        try
        {
            return Endpoints.parse(hostPort);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IOException(ex.getMessage(), ex);
        }
    }

    /**
     * @param file a child process's log.
     * @return the last lines of the file, for an error message.
     */
    public static String tail(final Path file)
    {
        try
        {
            final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        }
        catch (final IOException ex)
        {
            return "(no log: " + ex.getMessage() + ")";
        }
    }

    public InetSocketAddress clientAddress()
    {
        return clientAddress;
    }

    public InetSocketAddress adminAddress()
    {
        return adminAddress;
    }

    public InetSocketAddress httpAddress()
    {
        return httpAddress;
    }

    /**
     * @return the child's stderr, where it logs.
     */
    public Path logFile()
    {
        return stderrFile;
    }

    /**
     * @return the last lines the child logged, for an error message.
     */
    public String logTail()
    {
        return tail(stderrFile);
    }

    /**
     * @return the child process, for callers that signal it themselves (a test's SIGKILL, an exit code).
     */
    public Process process()
    {
        return process;
    }

    public boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * Ask the child to shut down (SIGTERM: it drains in-flight work, then stops) and wait for it; kill it if it has
     * not exited in time.
     *
     * @param timeoutMs how long to wait before killing it.
     * @return true if it exited on its own in time.
     */
    public boolean stop(final long timeoutMs)
    {
        return stop(process, timeoutMs);
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            stop(15_000);
        }
    }
}
