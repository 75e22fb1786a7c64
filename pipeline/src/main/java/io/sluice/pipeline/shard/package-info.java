/**
 * Reader shards: which shard a new connection goes to, the shard lifecycle (provisioning, active, draining,
 * stopped), and dynamic scaling of the number of shards.
 * <p>
 * {@link io.sluice.pipeline.shard.ShardManager} is the entry point; {@link io.sluice.pipeline.shard.Shard} is what a
 * reader holds; {@link io.sluice.pipeline.shard.ShardScalingAgent} runs the scaling policy.
 */
package io.sluice.pipeline.shard;
