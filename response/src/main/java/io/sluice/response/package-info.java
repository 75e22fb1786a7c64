/**
 * The response stage and the durability gate: nothing is sent to a client for a {@code wireSeq} the durability
 * policy in force has not covered.
 * <p>
 * The policy and its evaluation live in {@code io.sluice.durability}; this stage asks it, per batch, how far the
 * connected nodes cover the replies it holds.
 * <p>
 * <b>Stage.</b> The sequencer publishes each reply as an {@link io.sluice.response.OutputSlot} through an
 * {@link io.sluice.response.OutputRingPublisher}. The {@link io.sluice.response.ResponseAgent} takes slots in
 * batches, releases them once the policy covers the batch's highest {@code wireSeq} (re-reading the policy while it
 * waits, so a swap unwedges it, and never blocking in {@code doWork}), frames them {@code [int32 LE length][SBE]}
 * into per-connection buffers with a {@code BatchEnd} after each request's last reply, writes dirty connections when
 * the ring is drained, heartbeats idle ones, and drops a slow consumer (unsent output over its limit, or none taken by its socket for the stall timeout). Bypass
 * replies (HALTED, ServerBusy) skip the gate but never overtake an earlier reply on their connection. Sockets are
 * reached through {@link io.sluice.response.ClientConnections}.
 */
package io.sluice.response;
