package io.sluice.harness.floor;

import io.sluice.node.config.NodeConfig;
import io.sluice.node.primary.PrimaryNode;
import io.sluice.node.replica.ReplicaNode;
import io.sluice.replication.ReplicationTransport;
import org.agrona.concurrent.IdleStrategy;

/**
 * Where the Aeron floor takes a node's settings from, so it measures what a node runs: the embedded media driver
 * and client exactly as a node launches its replication transport, and the idle strategies of the threads that poll
 * the streams (a primary's replication senders, a replica's replica agent). Each comes from the node's own code
 * path through one method here, so a change there is one line here.
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
        return ReplicationTransport.launch(ReplicaNode.transportContext(config));
    }

    /**
     * @param primaryConfig of the primary.
     * @return how a primary's replication sender waits when idle.
     */
    static IdleStrategy senderIdleStrategy(final NodeConfig primaryConfig)
    {
        return PrimaryNode.idleStrategy(primaryConfig);
    }

    /**
     * @return how a replica's replica agent waits when idle.
     */
    static IdleStrategy replicaIdleStrategy()
    {
        return ReplicaNode.agentIdleStrategy();
    }
}
