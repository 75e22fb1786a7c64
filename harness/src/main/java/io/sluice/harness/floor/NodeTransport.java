package io.sluice.harness.floor;

import io.sluice.concurrent.SelectorIdleStrategy;
import io.sluice.node.config.NodeConfig;
import io.sluice.node.wiring.AgentThreads;
import io.sluice.node.wiring.StageContexts;
import io.sluice.replication.ReplicationTransport;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.IdleStrategy;

import java.nio.channels.Selector;

/**
 * Where the Aeron floor takes a node's settings from, so it measures what a node runs: the embedded media driver
 * and client exactly as a node launches its replication transport, the driver run on the polling thread when the
 * node does that, and the idle strategy of that thread (with {@code idle.strategy=block}, a select on the driver's
 * receive sockets). Each comes from the node's own code path through one method here, so a change there is one
 * line here.
 */
final class NodeTransport
{
    private NodeTransport()
    {
    }

    /**
     * @param config of the node.
     * @return the node's replication transport, launched: embedded driver (if the node embeds one) and client.
     */
    static ReplicationTransport launch(final NodeConfig config)
    {
        return ReplicationTransport.launch(new StageContexts(config).transport());
    }

    /**
     * @param config    of the node.
     * @param transport the node's transport, launched.
     * @return how the node's replication thread (a primary's senders, a replica's agent) waits when idle.
     */
    static IdleStrategy idleStrategy(final NodeConfig config, final ReplicationTransport transport)
    {
        final AgentThreads threads = AgentThreads.of(config, error -> { });
        final Selector selector = threads.blocking() ? transport.receiveSelector() : null;
        return selector != null ? new SelectorIdleStrategy(selector) : threads.pollingIdleStrategy();
    }

    /**
     * One duty cycle of the embedded driver and the client conductor when the node runs them on its replication
     * thread; nothing when they have threads of their own.
     *
     * @param transport the node's transport.
     * @return work done.
     */
    static int invoke(final ReplicationTransport transport)
    {
        final Agent invoker = transport.invokerAgent();
        if (invoker == null)
        {
            return 0;
        }
        try
        {
            return invoker.doWork();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("the Aeron driver failed", ex);
        }
    }
}
