package io.sluice.node;

import io.sluice.node.config.Endpoints;
import io.sluice.node.config.ConfigException;
import io.sluice.node.config.NodeConfig;
import io.sluice.node.replica.ReplicaNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code sluice replica --config FILE}: follow a primary until SIGTERM.
 */
@Command(name = "replica", description = "Run a replica node from a config file.")
public final class ReplicaCommand implements Callable<Integer>
{
    @Option(names = "--config", required = true, description = "Node configuration file (see docs/configuration.md).")
    Path configFile;

    @Option(names = "--set", description = "Override a config key: --set key=value (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--resync", description = "Set this replica's journal aside (renamed to journal.diverged-TIME, " +
        "never deleted) and copy the primary's from the start: for a replica refused as diverged or ahead.")
    boolean resync;

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
        if (!config.isReplicaConfig())
        {
            System.err.println("sluice: " + configFile + " is not a replica config: it needs " +
                NodeConfig.REPLICATION_DATA_BIND.name() + " and " + NodeConfig.REPLICATION_PRIMARY_CONTROL.name());
            return 2;
        }
        NodeRuntime.keepScratchFilesIn(config.dataDir());
        final ReplicaNode node;
        try
        {
            node = resync ? ReplicaNode.startResync(config) : ReplicaNode.start(config);
        }
        catch (final DataDirLock.InUseException ex)
        {
            System.err.println("sluice: cannot start: " + ex.getMessage());
            return 2;
        }
        System.out.println("sluice replica following primary=" +
            Endpoints.hostPorts(config.get(NodeConfig.REPLICATION_PRIMARY_CONTROL)) +
            " admin=" + Endpoints.hostPort(node.adminAddress()) + " http=" + Endpoints.hostPort(node.httpAddress()));
        System.out.flush();

        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            node.close();
            stopped.countDown();
            Runtime.getRuntime().halt(0);
        }, "sluice-shutdown"));
        stopped.await();
        return 0;
    }
}
