package io.sluice.node;

import io.sluice.node.config.Endpoints;
import io.sluice.node.config.ConfigException;
import io.sluice.node.config.NodeConfig;
import io.sluice.node.replica.ReplicaNode;
import io.sluice.replication.ReplicaAgent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice replica --config FILE}: follow a primary until SIGTERM. With {@code --rejoin} (an old primary coming
 * back after a promotion), it follows from its own journal if the primary takes it, and if the primary refuses it as
 * diverged or ahead, starts again with {@code --resync} in the same process.
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

    @Option(names = "--rejoin", description = "Come back as a replica of the current primary (a fenced or stopped " +
        "old primary, after a PROMOTE): follow from this node's journal if the primary takes it; if it is refused " +
        "as diverged or ahead, set the journal aside as --resync does and start again from the primary's.")
    boolean rejoin;

    private static final long REJOIN_POLL_MS = 50;

    /** The node running now: replaced once by a rejoin's resync; the shutdown hook closes whichever runs. */
    private ReplicaNode running;
    private boolean stopping;

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
        if (resync && rejoin)
        {
            System.err.println("sluice: --resync and --rejoin do not go together: --rejoin resyncs only if it must");
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
        running = node;
        System.out.println("sluice replica following primary=" +
            Endpoints.hostPorts(config.get(NodeConfig.REPLICATION_PRIMARY_CONTROL)) +
            " admin=" + Endpoints.hostPort(node.adminAddress()) + " http=" + Endpoints.hostPort(node.httpAddress()));
        System.out.flush();

        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            synchronized (this)
            {
                stopping = true;
                running.close();
            }
            stopped.countDown();
            Runtime.getRuntime().halt(0);
        }, "sluice-shutdown"));
        if (rejoin)
        {
            rejoin(config, node);
        }
        stopped.await();
        return 0;
    }

    /**
     * Watches the first start until the primary takes this node (it follows) or refuses it; refused as diverged or
     * ahead, the node is closed and started again with its journal set aside. Any other refusal, or a failure, is
     * left for the operator to see in STATUS.
     */
    private void rejoin(final NodeConfig config, final ReplicaNode node) throws Exception
    {
        while (!node.divergedFromPrimary())
        {
            final ReplicaAgent.State state = node.replicaAgent().state();
            if (state == ReplicaAgent.State.FOLLOWING || state == ReplicaAgent.State.REJECTED ||
                state == ReplicaAgent.State.FAILED || node.promoted() != null)
            {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(REJOIN_POLL_MS);
        }
        System.out.println("sluice replica rejoin: refused " + node.replicaAgent().rejectCode() + " (" +
            node.replicaAgent().rejectReason() + "): setting this journal aside and starting from the primary's");
        System.out.flush();
        synchronized (this)
        {
            if (stopping)
            {
                return;
            }
            node.close();
            running = ReplicaNode.startResync(config);
        }
    }
}
