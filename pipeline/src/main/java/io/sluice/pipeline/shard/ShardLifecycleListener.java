package io.sluice.pipeline.shard;

/**
 * The node's hook into shard lifecycle: starts and stops the reader of each shard. Called by the
 * {@link ShardManager} outside its lock, on the thread that made the change (start-up, the scaling monitor, an admin
 * command), so an implementation may call back into the manager.
 */
public interface ShardLifecycleListener
{
    /**
     * A shard has been provisioned: its ring exists and the sequencer already polls it. Start its reader, which must
     * use {@link Shard#publisher()} as the ring's only producer.
     *
     * @param shard the new shard, in {@link ShardState#PROVISIONING}.
     * @return true if the reader is running now, and the manager makes the shard routable at once; false if the
     * reader starts asynchronously and will call {@link ShardManager#activate(int)} itself once running.
     * @throws RuntimeException if the reader cannot be started; the manager then stops and forgets the shard (its
     * id is not reused) and reports the failure.
     */
    boolean onShardProvisioned(Shard shard);

    /**
     * A shard has stopped: no connections, ring consumed and closed. Stop and close its reader.
     *
     * @param shard the stopped shard.
     */
    void onShardStopped(Shard shard);
}
