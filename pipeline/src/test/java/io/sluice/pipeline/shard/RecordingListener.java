package io.sluice.pipeline.shard;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Fake reader starter: records lifecycle calls; can report readers as starting asynchronously, or fail to start one.
 */
class RecordingListener implements ShardLifecycleListener
{
    final List<Shard> provisioned = new CopyOnWriteArrayList<>();
    final List<Shard> stopped = new CopyOnWriteArrayList<>();
    volatile boolean readersRunAtOnce = true;
    volatile RuntimeException failNextStart;

    public boolean onShardProvisioned(final Shard shard)
    {
        provisioned.add(shard);
        final RuntimeException failure = failNextStart;
        if (null != failure)
        {
            failNextStart = null;
            throw failure;
        }

        return readersRunAtOnce;
    }

    public void onShardStopped(final Shard shard)
    {
        stopped.add(shard);
    }

    int[] stoppedIds()
    {
        return stopped.stream().mapToInt(Shard::id).toArray();
    }
}
