package io.sluice.node.wiring;

import io.sluice.durability.DurabilityMode;
import io.sluice.node.config.NodeConfig;
import io.sluice.pipeline.net.ConnectionRegistry;
import io.sluice.pipeline.net.ReaderContext;
import io.sluice.pipeline.net.Authenticator;
import io.sluice.pipeline.shard.ShardManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StageContextsTest
{
    @TempDir
    Path dir;

    private StageContexts stages(final Map<String, String> raw)
    {
        raw.putIfAbsent("data.dir", "data");
        return new StageContexts(NodeConfig.parse(raw, dir));
    }

    @Test
    void shouldGiveEveryReaderTheConfiguredFrameLimitAndABufferOfFourFrames()
    {
        final Map<String, String> raw = new HashMap<>();
        raw.put("frame.max.bytes", "32768");
        final ReaderContext reader = stages(raw).reader(Authenticator.NONE, new ConnectionRegistry()).conclude();

        assertEquals(32768, reader.frameMaxBytes());
        assertEquals(4 * (32768 + 4), reader.receiveBufferBytes());
    }

    @Test
    void shouldMapTheSequencerBatchAndTheJournalOptions()
    {
        final Map<String, String> raw = new HashMap<>();
        raw.put("sequencer.batch.per.ring", "7");
        raw.put("journal.group.max.entries", "99");
        final StageContexts stages = stages(raw);

        assertEquals(7, stages.sequencer().batchPerRing());
        assertEquals(99, stages.journal().maxGroupEntries());
        assertEquals(dir.resolve("data").resolve("journal"), stages.journal().directory());
    }

    @Test
    void shouldRunStaticShardsFromReaderShardsAndDynamicOnesFromTheMinimum()
    {
        final Map<String, String> fixed = new HashMap<>();
        fixed.put("reader.shards", "3");
        final ShardManager.Context fixedShards = stages(fixed).shards();
        assertEquals(3, fixedShards.initialShards());
        assertFalse(fixedShards.dynamicScaling());

        final Map<String, String> dynamic = new HashMap<>();
        dynamic.put("shards.mode", "dynamic");
        dynamic.put("shards.min", "2");
        final ShardManager.Context dynamicShards = stages(dynamic).shards();
        assertEquals(2, dynamicShards.initialShards());
        assertTrue(dynamicShards.dynamicScaling());
    }

    @Test
    void shouldStartLocalWithoutReplicasHybridWithThemAndTakeAConfiguredPolicy()
    {
        assertEquals(DurabilityMode.LOCAL.policy(), stages(new HashMap<>()).initialPolicy());

        final Map<String, String> withReplicas = new HashMap<>();
        withReplicas.put("replication.replica.0.data", "127.0.0.1:7211");
        withReplicas.put("replication.replica.0.control", "127.0.0.1:7212");
        assertEquals(DurabilityMode.HYBRID.policy(), stages(new HashMap<>(withReplicas)).initialPolicy());

        withReplicas.put("durability", "durably-replicated");
        assertEquals(DurabilityMode.DURABLY_REPLICATED.policy(), stages(withReplicas).initialPolicy());
    }

    @Test
    void shouldMapTheClientHeartbeatAndSnapshotInterval()
    {
        final Map<String, String> raw = new HashMap<>();
        raw.put("client.heartbeat.interval.ms", "250");
        raw.put("journal.retention", "keep-all");
        final StageContexts stages = stages(raw);

        assertEquals(TimeUnit.MILLISECONDS.toNanos(250), stages.response().heartbeatIntervalNs());
        assertFalse(stages.snapshot(null, () -> 0).retention());
    }
}
