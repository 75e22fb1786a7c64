/**
 * Replication of the journal from a primary to its replicas over Aeron.
 * <p>
 * A primary runs one {@link io.sluice.replication.ReplicationSenderAgent} per replica slot: it answers the replica's
 * handshake, streams the journal from the replica's last durable {@code wireSeq} (catch-up and live streaming are one
 * loop over a {@link io.sluice.journal.JournalReader}) and turns the replica's acks into the slot's cursors in
 * {@link io.sluice.durability.ReplicationMetrics}. A replica runs one {@link io.sluice.replication.ReplicaAgent}: it
 * handshakes, checks every entry it receives, journals it (group fsync by its own
 * {@link io.sluice.journal.JournalAgent}) and applies it to its own state machine, a hot standby. Both ends share a
 * {@link io.sluice.replication.ReplicationTransport} (Aeron client and, by default, an embedded media driver) per
 * node. Epochs fence a stale primary through {@link io.sluice.replication.PrimaryFence}.
 * <p>
 * Per replica slot there are two unicast UDP streams: data (primary to replica: StreamStart, JournalBatch, Heartbeat,
 * Reject) and control (replica to primary: Handshake, Ack, Heartbeat). Messages are the replication SBE schema,
 * {@code io.sluice.sbe.replication}.
 */
package io.sluice.replication;
