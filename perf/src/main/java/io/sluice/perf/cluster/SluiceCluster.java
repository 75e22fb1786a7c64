package io.sluice.perf.cluster;

import io.sluice.harness.bench.BenchContext;
import io.sluice.harness.bench.BenchResult;
import io.sluice.harness.bench.DemoClusterConfig;
import io.sluice.harness.bench.DemoKeys;
import io.sluice.harness.bench.LoadGenerator;
import io.sluice.harness.bench.NodeProbe;
import io.sluice.node.NodeProcess;
import io.sluice.harness.bench.StandaloneConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Sluice primary and two replicas, each its own process on loopback, configured as {@code ./sluice demo} configures
 * them (node configuration from {@link StandaloneConfig}, keys for this run from {@link DemoKeys}, auth on, each
 * node's Aeron directory in its data directory), with the durability policy under test and the stage trace off.
 * The bench drives the primary through the Sluice client, {@link LoadGenerator#run(BenchContext)}.
 */
final class SluiceCluster implements BenchTarget
{
    static final int REPLICAS = 2;
    private static final long HEALTHY_TIMEOUT_MS = 30_000;

    private final String durability;
    private final NodeProcess primary;
    private final List<NodeProcess> replicas;
    private final DemoKeys keys;

    private SluiceCluster(
        final String durability, final NodeProcess primary, final List<NodeProcess> replicas, final DemoKeys keys)
    {
        this.durability = durability;
        this.primary = primary;
        this.replicas = replicas;
        this.keys = keys;
    }

    /**
     * Start the three nodes and wait until the primary trades with both replicas connected.
     *
     * @param dir            an empty directory for the nodes' data, configuration and logs.
     * @param durability     the policy, a mode or a clause expression.
     * @param instruments    instruments 1..N.
     * @param firstSessionId first session (= account) of the bench's connections.
     * @param connections    most connections a run will open.
     * @param startTimeoutMs how long each node may take to come up.
     * @return the running cluster.
     * @throws IOException if a node does not come up in time (everything started is stopped).
     */
    static SluiceCluster start(
        final Path dir,
        final String durability,
        final int instruments,
        final long firstSessionId,
        final int connections,
        final long startTimeoutMs) throws IOException
    {
        final DemoClusterConfig config = DemoClusterConfig.write(dir, durability, instruments, REPLICAS,
            firstSessionId, connections, false);
        final DemoKeys keys = config.keys();
        final List<Path> replicaConfigs = config.replicaConfigs();
        final Path primaryConfig = config.primaryConfig();

        final NodeProcess primary = NodeProcess.start(primaryConfig, dir, startTimeoutMs);
        final List<NodeProcess> replicas = new ArrayList<>();
        final SluiceCluster cluster = new SluiceCluster(durability, primary, replicas, keys);
        try
        {
            for (int slot = 0; slot < REPLICAS; slot++)
            {
                replicas.add(NodeProcess.start("replica", "replica-" + slot, replicaConfigs.get(slot), dir,
                    startTimeoutMs));
            }
            if (!NodeProbe.awaitTrading(primary.httpAddress(), HEALTHY_TIMEOUT_MS))
            {
                throw new IOException("the primary did not report trading within " + HEALTHY_TIMEOUT_MS + " ms:\n" +
                    primary.logTail());
            }
            if (!NodeProbe.awaitReplicas(primary.httpAddress(), REPLICAS, HEALTHY_TIMEOUT_MS))
            {
                throw new IOException("not all " + REPLICAS + " replicas connected within " + HEALTHY_TIMEOUT_MS +
                    " ms:\n" + primary.logTail());
            }
            return cluster;
        }
        catch (final IOException | RuntimeException ex)
        {
            cluster.close();
            throw ex;
        }
    }

    @Override
    public String label()
    {
        return "sluice " + durability;
    }

    @Override
    public BenchResult run(final BenchContext context) throws IOException
    {
        context.endpoint(primary.clientAddress())
            .adminEndpoint(primary.adminAddress())
            .traderKeys(keys::trader)
            .operatorKey(keys.operator());
        return LoadGenerator.run(context);
    }

    @Override
    public void close()
    {
        primary.close();
        replicas.forEach(NodeProcess::close);
    }
}
