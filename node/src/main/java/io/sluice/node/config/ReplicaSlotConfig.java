package io.sluice.node.config;

import java.net.InetSocketAddress;

/**
 * One replica a primary streams its journal to ({@code replication.replica.<slot>.*} keys).
 *
 * @param slot    index in the primary's replication metrics, from 0.
 * @param data    UDP address the replica receives the journal stream on.
 * @param control UDP address the primary binds to receive this replica's handshakes and acks.
 */
public record ReplicaSlotConfig(int slot, InetSocketAddress data, InetSocketAddress control)
{
}
