package io.sluice.perf.cluster;

import io.sluice.harness.bench.BenchContext;
import io.sluice.harness.bench.BenchResult;
import io.sluice.harness.bench.DemoCluster;
import io.sluice.harness.bench.DemoClusterConfig;
import io.sluice.harness.bench.DemoKeys;
import io.sluice.harness.bench.LoadGenerator;
import io.sluice.harness.bench.StandaloneConfig;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A Sluice primary and two replicas, each its own process on loopback, configured as {@code ./sluice demo} configures
 * them (node configuration from {@link StandaloneConfig}, keys for this run from {@link DemoKeys}, auth on, each
 * node's Aeron directory in its data directory), with the durability policy under test and the stage trace off.
 * The bench drives the primary through the Sluice client, {@link LoadGenerator#run(BenchContext)}.
 */
final class SluiceCluster implements BenchTarget
{
    static final int REPLICAS = 2;

    private final String durability;
    private final DemoCluster nodes;

    private SluiceCluster(final String durability, final DemoCluster nodes)
    {
        this.durability = durability;
        this.nodes = nodes;
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
        return new SluiceCluster(durability, DemoCluster.start(config, dir, startTimeoutMs));
    }

    @Override
    public String label()
    {
        return "sluice " + durability;
    }

    @Override
    public BenchResult run(final BenchContext context) throws IOException
    {
        final DemoKeys keys = nodes.keys();
        context.endpoint(nodes.primary().clientAddress())
            .adminEndpoint(nodes.primary().adminAddress())
            .traderKeys(keys::trader)
            .operatorKey(keys.operator());
        return LoadGenerator.run(context);
    }

    @Override
    public void close()
    {
        nodes.close();
    }
}
