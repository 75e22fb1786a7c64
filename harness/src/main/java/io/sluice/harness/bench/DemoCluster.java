package io.sluice.harness.bench;

import io.sluice.node.NodeProcess;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The nodes of a {@link DemoClusterConfig}, each its own process on loopback: the primary and its replicas, running
 * and trading with every replica connected.
 */
public final class DemoCluster implements AutoCloseable
{
    private static final long HEALTHY_TIMEOUT_MS = 30_000;

    private final NodeProcess primary;
    private final List<NodeProcess> replicas;
    private final DemoKeys keys;

    private DemoCluster(final NodeProcess primary, final List<NodeProcess> replicas, final DemoKeys keys)
    {
        this.primary = primary;
        this.replicas = replicas;
        this.keys = keys;
    }

    /**
     * Start the primary, then each replica, and wait until the primary trades with every replica connected.
     *
     * @param config         the cluster's configuration files.
     * @param logDir         where the nodes' logs go.
     * @param startTimeoutMs how long each node may take to come up.
     * @return the running cluster.
     * @throws IOException if a node does not come up in time (everything started is stopped).
     */
    public static DemoCluster start(final DemoClusterConfig config, final Path logDir, final long startTimeoutMs)
        throws IOException
    {
        final NodeProcess primary = NodeProcess.start(config.primaryConfig(), logDir, startTimeoutMs);
        final List<NodeProcess> replicas = new ArrayList<>();
        final DemoCluster cluster = new DemoCluster(primary, replicas, config.keys());
        try
        {
            for (int slot = 0; slot < config.replicaConfigs().size(); slot++)
            {
                replicas.add(NodeProcess.start("replica", "replica-" + slot, config.replicaConfigs().get(slot), logDir,
                    startTimeoutMs));
            }
            if (!NodeProbe.awaitTrading(primary.httpAddress(), HEALTHY_TIMEOUT_MS))
            {
                throw new IOException("the primary did not report trading within " + HEALTHY_TIMEOUT_MS + " ms:\n" +
                    primary.logTail());
            }
            if (!replicas.isEmpty() && !NodeProbe.awaitReplicas(primary.httpAddress(), replicas.size(),
                HEALTHY_TIMEOUT_MS))
            {
                throw new IOException("not all " + replicas.size() + " replicas connected within " +
                    HEALTHY_TIMEOUT_MS + " ms:\n" + primary.logTail());
            }
            return cluster;
        }
        catch (final IOException | RuntimeException ex)
        {
            cluster.close();
            throw ex;
        }
    }

    public NodeProcess primary()
    {
        return primary;
    }

    public List<NodeProcess> replicas()
    {
        return List.copyOf(replicas);
    }

    public DemoKeys keys()
    {
        return keys;
    }

    /**
     * Stop every node (SIGTERM, killed if it does not exit in time).
     */
    @Override
    public void close()
    {
        primary.close();
        replicas.forEach(NodeProcess::close);
    }
}
