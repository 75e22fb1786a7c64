package io.sluice.pipeline.shard;

import io.sluice.pipeline.ingest.IngestResult;
import io.sluice.sbe.client.MessageHeaderEncoder;
import io.sluice.sbe.client.NewOrderEncoder;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;

/**
 * Builders and helpers shared by the shard tests.
 */
final class TestShards
{
    static final long SECOND_NS = 1_000_000_000L;

    private TestShards()
    {
    }

    static ShardManager.Context context(
        final RecordingListener listener, final NanoClock clock, final int initialShards, final ScalingPolicy policy)
    {
        return new ShardManager.Context()
            .initialShards(initialShards)
            .dynamicScaling(null != policy)
            .scalingPolicy(null != policy ? policy : new ScalingPolicy())
            .ringCapacityBytes(8 * 1024)
            .busyNoticeReserve(4)
            .latencySampleInterval(1)
            .nanoClock(clock)
            .listener(listener);
    }

    static ShardManager started(
        final RecordingListener listener, final NanoClock clock, final int initialShards, final ScalingPolicy policy)
    {
        final ShardManager manager = new ShardManager(context(listener, clock, initialShards, policy));
        manager.start();
        return manager;
    }

    static ScalingPolicy policy(final int minShards, final int maxShards, final long cooldownNs)
    {
        return new ScalingPolicy().minShards(minShards).maxShards(maxShards).cooldownNs(cooldownNs).drainGraceNs(0);
    }

    /**
     * Publishes a message of {@code length} bytes carrying {@code seq} as its first body field.
     */
    static IngestResult publish(
        final Shard shard, final UnsafeBuffer scratch, final long connectionId, final long seq, final int length)
    {
        new MessageHeaderEncoder().wrap(scratch, 0)
            .blockLength(length - MessageHeaderEncoder.ENCODED_LENGTH)
            .templateId(NewOrderEncoder.TEMPLATE_ID)
            .schemaId(NewOrderEncoder.SCHEMA_ID)
            .version(NewOrderEncoder.SCHEMA_VERSION);
        scratch.putLong(MessageHeaderEncoder.ENCODED_LENGTH, seq, ByteOrder.LITTLE_ENDIAN);
        return shard.publisher().publish(connectionId, 1, 1, seq, scratch, 0, length);
    }

    static Set<Integer> selectedIds(final ShardManager manager, final int keys)
    {
        final Set<Integer> ids = new HashSet<>();
        for (long key = 0; key < keys; key++)
        {
            final Shard shard = manager.selectShard(key);
            ids.add(null == shard ? -1 : shard.id());
        }
        return ids;
    }
}
