/**
 * The response stage and the durability gate: nothing is sent to a client for a {@code wireSeq} the durability
 * policy in force has not covered.
 * <p>
 * <b>Policy.</b> A {@link io.sluice.response.Policy} is a conjunction of {@link io.sluice.response.Clause}s
 * {@code level>=count} ({@link io.sluice.response.Level} {@code in_memory} or {@code persisted}, count 1..3). It is
 * evaluated over a {@link io.sluice.response.CursorView}: the primary ({@code in_memory} = {@code Long.MAX_VALUE},
 * {@code persisted} = the journal's persisted cursor) plus every <em>active</em> replica slot of
 * {@link io.sluice.response.ReplicationMetrics}; inactive slots are left out, never counted as zeros. A node's
 * in-memory cursor counts as the larger of its two. A clause's durable position is the count-th largest cursor at
 * its level; the policy's is the minimum over its clauses; a clause that needs more nodes than the view holds makes
 * the result 0 and degraded ({@link io.sluice.response.EvalStatus}).
 * <p>
 * <b>Modes.</b> {@link io.sluice.response.DurabilityMode} names the usual policies with one-byte codes that are
 * never renumbered: {@code local} (1), {@code hybrid} (2, the default), {@code durably-replicated} (3),
 * {@code replicated} (4); 0 means a custom expression. {@link io.sluice.response.DurabilityControl} holds the policy
 * in force as one atomically swapped reference: the admin {@code DURABILITY} command writes it, the response stage
 * and the sequencer (through a {@link io.sluice.response.DurabilityEvaluator} each) read it. An invalid argument
 * changes nothing.
 * <p>
 * <b>Replica slots.</b> The ack listener seeds a slot's cursors before marking it active, and zeroes them before
 * marking it inactive, so a reader can stall briefly but never count cursors that are not the slot's.
 * <p>
 * <b>Stage.</b> The sequencer publishes each reply as an {@link io.sluice.response.OutputSlot} through an
 * {@link io.sluice.response.OutputRingPublisher}. The {@link io.sluice.response.ResponseAgent} takes slots in
 * batches, releases them once the policy covers the batch's highest {@code wireSeq} (re-reading the policy while it
 * waits, so a swap unwedges it, and never blocking in {@code doWork}), frames them {@code [int32 LE length][SBE]}
 * into per-connection buffers with a {@code BatchEnd} after each request's last reply, writes dirty connections when
 * the ring is drained, heartbeats idle ones, and drops a client whose unsent output would exceed 64 KiB. Bypass
 * replies (HALTED, ServerBusy) skip the gate but never overtake an earlier reply on their connection. Sockets are
 * reached through {@link io.sluice.response.ClientConnections}.
 */
package io.sluice.response;
