/**
 * The durability policy and its evaluation: what the response stage's gate and the sequencer's trading gate ask
 * before a reply is released or an order taken, and what replication writes as replicas acknowledge.
 * <p>
 * <b>Policy.</b> A {@link io.sluice.durability.Policy} is a conjunction of {@link io.sluice.durability.Clause}s
 * {@code level>=count} ({@link io.sluice.durability.Level} {@code in_memory} or {@code persisted}, count 1..3). It is
 * evaluated over a {@link io.sluice.durability.CursorView}: the primary ({@code in_memory} = {@code Long.MAX_VALUE},
 * {@code persisted} = the journal's persisted cursor) plus every <em>active</em> replica slot of
 * {@link io.sluice.durability.ReplicationMetrics}; inactive slots are left out, never counted as zeros. A node's
 * in-memory cursor counts as the larger of its two. A clause's durable position is the count-th largest cursor at
 * its level; the policy's is the minimum over its clauses; a clause that needs more nodes than the view holds makes
 * the result 0 and degraded ({@link io.sluice.durability.EvalStatus}).
 * <p>
 * <b>Modes.</b> {@link io.sluice.durability.DurabilityMode} names the usual policies with one-byte codes that are
 * never renumbered: {@code local} (1), {@code hybrid} (2, the default), {@code durably-replicated} (3),
 * {@code replicated} (4); 0 means a custom expression. {@link io.sluice.durability.DurabilityControl} holds the
 * policy in force as one atomically swapped reference: the admin {@code DURABILITY} command writes it, the response
 * stage and the sequencer (through a {@link io.sluice.durability.DurabilityEvaluator} each) read it. An invalid
 * argument changes nothing.
 * <p>
 * <b>Replica slots.</b> Replication seeds a slot's cursors before marking it active, and zeroes them before marking
 * it inactive, so a reader can stall briefly but never count cursors that are not the slot's.
 */
package io.sluice.durability;
