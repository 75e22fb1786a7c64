/**
 * Replication of the journal from a primary to its replicas over Aeron.
 * <p>
 * A primary runs one {@link io.sluice.replication.ReplicationSenderAgent} per replica slot: it answers the replica's
 * handshake, streams the journal from the replica's last durable {@code wireSeq} (catch-up and live streaming are one
 * loop over a {@link io.sluice.journal.JournalReader}), or first a snapshot when the journal no longer holds that
 * position, and turns the replica's acks into the slot's cursors in {@link io.sluice.durability.ReplicationMetrics}.
 * A replica runs one {@link io.sluice.replication.ReplicaAgent}: it handshakes, checks every entry it receives,
 * journals it (group fsync by its own {@link io.sluice.journal.JournalAgent}) and applies it to its own state machine,
 * a hot standby; a snapshot it is sent is installed by the node's {@link io.sluice.replication.SnapshotInstaller} on a
 * thread of its own. Both ends share a {@link io.sluice.replication.ReplicationTransport} (Aeron client and, by
 * default, an embedded media driver) per node, and are configured by a
 * {@link io.sluice.replication.ReplicaAgentContext} or {@link io.sluice.replication.ReplicationSenderContext}.
 * Epochs fence a stale primary through {@link io.sluice.replication.PrimaryFence}.
 * <p>
 * Per replica slot there are two streams, with ids {@link io.sluice.replication.ReplicationProtocol#DATA_STREAM_ID}
 * and {@link io.sluice.replication.ReplicationProtocol#CONTROL_STREAM_ID}:
 * <ul>
 *     <li>data, primary to replica (unicast UDP to the endpoint the replica binds): {@code StreamStart},
 *     {@code JournalBatch}, {@code Heartbeat}, {@code Reject}, and for a snapshot transfer {@code SnapshotOffer},
 *     {@code SnapshotChunk}s and {@code SnapshotEnd} (then {@code StreamStart} from the snapshot's next entry);</li>
 *     <li>control, replica to primary: {@code Handshake}, {@code Ack}, {@code Heartbeat}; sent to every node that may
 *     be primary (one Aeron multi-destination publication, plain unicast when there is only one) and received by the
 *     primary's sender for the slot on the endpoint it binds.</li>
 * </ul>
 * With {@code auth = on} on every node the link is authenticated both ways ({@link
 * io.sluice.replication.ReplicationAuth}): an {@code AuthChallenge} answers the replica's unsigned handshake, the
 * signed handshake agrees a key per direction, every message of both streams is sealed ({@code StreamMac}), and a
 * replica's {@code EpochProof} carries its epoch, signed, to a stale primary.
 * <p>
 * Messages are the replication SBE schema, {@code io.sluice.sbe.replication}. Each end's agent is a duty cycle over
 * parts: an adapter polls and checks its incoming stream ({@code ReplicaDataAdapter}, {@code SenderControlAdapter}),
 * a publisher encodes and offers its outgoing one ({@code ReplicaControlPublisher}, {@code SenderDataPublisher}), and
 * a snapshot transfer is a session stepped from the duty cycle ({@code SnapshotSendSession},
 * {@code SnapshotReceiveSession}).
 */
package io.sluice.replication;
