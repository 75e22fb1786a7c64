package io.sluice.node;

import io.sluice.node.config.ConfigException;
import io.sluice.node.config.Endpoints;
import io.sluice.node.config.NodeConfig;
import io.sluice.node.primary.PrimaryNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code sluice primary --config FILE}: run a primary node until SIGTERM (or Ctrl-C), then shut down losslessly.
 */
@Command(name = "primary", description = "Run a primary node from a config file.")
public final class PrimaryCommand implements java.util.concurrent.Callable<Integer>
{
    static final long SHUTDOWN_DRAIN_TIMEOUT_MS = 10_000;

    @Option(names = "--config", required = true, description = "Node configuration file (see docs/configuration.md).")
    Path configFile;

    @Option(names = "--set", description = "Override a config key: --set key=value (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception
    {
        final NodeConfig config;
        try
        {
            config = NodeConfig.load(configFile, overrides);
        }
        catch (final ConfigException ex)
        {
            System.err.println("sluice: invalid configuration: " + ex.getMessage());
            return 2;
        }
        NodeRuntime.keepScratchFilesIn(config.dataDir());

        final PrimaryNode node;
        try
        {
            node = PrimaryNode.start(config);
        }
        catch (final ConfigException | IllegalArgumentException | DataDirLock.InUseException ex)
        {
            System.err.println("sluice: cannot start: " + ex.getMessage());
            return 2;
        }
        System.out.println("sluice primary listening client=" + Endpoints.hostPort(node.clientAddress()) +
            " admin=" + Endpoints.hostPort(node.adminAddress()) + " http=" + Endpoints.hostPort(node.httpAddress()));
        System.out.flush();

        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            final boolean drained = node.shutdown(SHUTDOWN_DRAIN_TIMEOUT_MS);
            stopped.countDown();
            // A JVM stopped by a signal exits 128+signal however its hooks end; halting here lets the exit code
            // say whether every request taken was journaled and answered (0) or not (1).
            Runtime.getRuntime().halt(drained ? 0 : 1);
        }, "sluice-shutdown"));
        stopped.await();
        return 0;
    }
}
