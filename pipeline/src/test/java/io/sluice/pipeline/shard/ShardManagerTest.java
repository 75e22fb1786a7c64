package io.sluice.pipeline.shard;

import io.sluice.pipeline.ingest.IngestResult;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.sluice.pipeline.shard.TestShards.SECOND_NS;
import static io.sluice.pipeline.shard.TestShards.policy;
import static io.sluice.pipeline.shard.TestShards.publish;
import static io.sluice.pipeline.shard.TestShards.selectedIds;
import static io.sluice.pipeline.shard.TestShards.started;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardManagerTest
{
    private final CachedNanoClock clock = new CachedNanoClock();
    private final RecordingListener listener = new RecordingListener();
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[1024]);

    private static ScalingException.Reason reasonOf(final Runnable action)
    {
        return assertThrows(ScalingException.class, action::run).reason();
    }

    @Test
    void shouldStartInitialShardsWithIdsFromZeroAndRouteToAll()
    {
        final ShardManager manager = started(listener, clock, 3, null);

        assertEquals(3, manager.activeShardCount());
        assertEquals(List.of(0, 1, 2), manager.shards().stream().map(Shard::id).toList());
        assertEquals(3, listener.provisioned.size());
        assertEquals(3, manager.ingestRings().ringCount());
        assertEquals(Set.of(0, 1, 2), selectedIds(manager, 500));
        assertTrue(manager.shards().stream().allMatch(Shard::isBootShard));
    }

    @Test
    void shouldRefuseToStartTwice()
    {
        final ShardManager manager = started(listener, clock, 1, null);
        assertThrows(IllegalStateException.class, manager::start);
    }

    @Test
    void shouldNotRouteToShardUntilItsReaderRuns()
    {
        final ShardManager manager = started(listener, clock, 2, policy(1, 8, 0));
        listener.readersRunAtOnce = false;

        final int id = manager.addShard();

        assertEquals(2, id);
        assertEquals(ShardState.PROVISIONING, manager.shard(id).state());
        assertEquals(3, manager.ingestRings().ringCount(), "the ring is polled before the shard is routable");
        assertEquals(2, manager.activeShardCount());
        assertEquals(Set.of(0, 1), selectedIds(manager, 2_000));
        assertFalse(manager.shard(id).tryAcquireConnection());

        assertTrue(manager.activate(id));

        assertEquals(ShardState.ACTIVE, manager.shard(id).state());
        assertTrue(selectedIds(manager, 2_000).contains(id));
        assertTrue(manager.shard(id).tryAcquireConnection());
    }

    @Test
    void shouldReportWhetherActivationChangedState()
    {
        final ShardManager manager = started(listener, clock, 2, policy(1, 8, 0));
        listener.readersRunAtOnce = false;
        final int id = manager.addShard();

        assertTrue(manager.activate(id));
        assertFalse(manager.activate(id));
        assertEquals(3, manager.activeShardCount());
        assertEquals(ScalingException.Reason.UNKNOWN_SHARD, reasonOf(() -> manager.activate(99)));

        manager.drainShard(id);
        assertEquals(ScalingException.Reason.INVALID_STATE, reasonOf(() -> manager.activate(id)));
    }

    @Test
    void shouldNeverReuseShardIdAfterStop()
    {
        final ShardManager manager = started(listener, clock, 2, policy(1, 16, 0));
        assertEquals(2, manager.addShard());
        assertEquals(3, manager.addShard());

        assertTrue(manager.drainShard(3));
        assertEquals(1, manager.finalizeDraining());
        assertNull(manager.shard(3));

        assertEquals(4, manager.addShard(), "id 3 belonged to a stopped shard");
        assertArrayEquals(new int[]{ 3 }, listener.stoppedIds());
    }

    @Test
    void shouldRollBackShardWhoseReaderFailsToStartWithoutReusingItsId()
    {
        final ShardManager manager = started(listener, clock, 2, policy(1, 8, 0));
        listener.failNextStart = new IllegalStateException("no thread");

        final ScalingException ex = assertThrows(ScalingException.class, manager::addShard);

        assertEquals(ScalingException.Reason.READER_START_FAILED, ex.reason());
        assertEquals("no thread", ex.getCause().getMessage());
        assertNull(manager.shard(2));
        assertEquals(2, manager.ingestRings().ringCount());
        assertTrue(listener.provisioned.get(2).ring().isClosed());
        assertEquals(3, manager.addShard());
    }

    @Test
    void shouldCountProvisioningShardsAgainstMaximum()
    {
        final ShardManager manager = started(listener, clock, 3, policy(1, 4, 0));
        listener.readersRunAtOnce = false;
        final int first = manager.addShard();

        assertEquals(ScalingException.Reason.AT_MAX_SHARDS, reasonOf(manager::addShard));
        assertEquals(ScalingException.Reason.AT_MAX_SHARDS, reasonOf(manager::addShardForced));

        manager.activate(first);
        assertEquals(4, manager.activeShardCount());
    }

    @Test
    void shouldNeverExceedMaximumUnderConcurrentAdds() throws Exception
    {
        final ShardManager manager = started(listener, clock, 2, policy(1, 6, 0));
        final ExecutorService executor = Executors.newFixedThreadPool(4);
        try
        {
            final CountDownLatch start = new CountDownLatch(1);
            final List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 12; i++)
            {
                results.add(executor.submit(() ->
                {
                    start.await();
                    try
                    {
                        manager.addShardForced();
                        return 1;
                    }
                    catch (final ScalingException ex)
                    {
                        assertEquals(ScalingException.Reason.AT_MAX_SHARDS, ex.reason());
                        return 0;
                    }
                }));
            }
            start.countDown();

            int added = 0;
            for (final Future<Integer> result : results)
            {
                added += result.get(10, TimeUnit.SECONDS);
            }

            assertEquals(4, added);
            assertEquals(6, manager.activeShardCount());
            assertEquals(List.of(0, 1, 2, 3, 4, 5), manager.shards().stream().map(Shard::id).toList());
        }
        finally
        {
            executor.shutdownNow();
        }
    }

    @Test
    void shouldRefuseAddInCooldownUnlessForced()
    {
        final ShardManager manager = started(listener, clock, 1, policy(1, 8, 10 * SECOND_NS));
        manager.addShard();

        assertEquals(ScalingException.Reason.IN_COOLDOWN, reasonOf(manager::addShard));

        manager.addShardForced();
        clock.advance(10 * SECOND_NS - 1);
        assertEquals(ScalingException.Reason.IN_COOLDOWN, reasonOf(manager::addShard),
            "a forced add restarts the cooldown");

        clock.advance(1);
        assertEquals(3, manager.addShard());
    }

    @Test
    void shouldNotTouchCooldownWhenProvisioningNothing()
    {
        final ShardManager manager = started(listener, clock, 1, policy(1, 8, 10 * SECOND_NS));

        assertTrue(manager.mapper().provision(0, false, false, (id) -> null).isEmpty());

        assertFalse(manager.mapper().inCooldown());
        assertEquals(1, manager.addShard());
    }

    @Test
    void shouldStartCooldownWhenDrainingSoScaleUpWaits()
    {
        final ShardManager manager = started(listener, clock, 3, policy(1, 8, 10 * SECOND_NS));

        assertTrue(manager.drainShard(0));

        assertEquals(ScalingException.Reason.IN_COOLDOWN, reasonOf(manager::addShard));
        assertEquals(ScalingException.Reason.IN_COOLDOWN, reasonOf(() -> manager.scaleDown(1)));
        assertFalse(manager.drainShard(0), "draining twice is not a transition");
    }

    @Test
    void shouldRefuseDrainBelowMinimum()
    {
        final ShardManager manager = started(listener, clock, 2, policy(2, 8, 0));

        assertEquals(ScalingException.Reason.AT_MIN_SHARDS, reasonOf(() -> manager.drainShard(0)));
        assertEquals(ScalingException.Reason.AT_MIN_SHARDS, reasonOf(() -> manager.scaleDown(1)));
        assertEquals(2, manager.activeShardCount());
    }

    @Test
    void shouldScaleDownLeastLoadedShardsDownToMinimum()
    {
        final ShardManager manager = started(listener, clock, 4, policy(2, 8, 0));
        final List<Shard> shards = manager.shards();
        shards.get(0).weight = 5.0;
        shards.get(1).weight = 0.5;
        shards.get(2).weight = 5.05;
        shards.get(3).weight = 0.2;

        final int[] drained = manager.scaleDown(3);

        assertArrayEquals(new int[]{ 3, 1 }, drained);
        assertEquals(2, manager.activeShardCount());
        assertEquals(Set.of(0, 2), selectedIds(manager, 1_000));
    }

    @Test
    void shouldRefuseScalingInStaticMode()
    {
        final ShardManager manager = started(listener, clock, 3, null);

        assertFalse(manager.isDynamicScaling());
        assertEquals(ScalingException.Reason.STATIC_MODE, reasonOf(manager::addShard));
        assertEquals(ScalingException.Reason.STATIC_MODE, reasonOf(() -> manager.drainShard(1)));
        assertEquals(ScalingException.Reason.STATIC_MODE, reasonOf(() -> manager.scaleDown(1)));
        assertEquals(ScalingDecision.NONE, manager.evaluateScaling());
        assertEquals(3, manager.scalingPolicy().maxShards());
    }

    @Test
    void shouldRouteStaticShardsEvenlyWhateverTheirLoad()
    {
        final ShardManager manager = started(listener, clock, 3, null);
        for (int i = 0; i < 50; i++)
        {
            publish(manager.shard(0), scratch, 1, i, 100);
        }
        manager.collectMetrics();

        final int[] counts = new int[3];
        for (long key = 0; key < 30_000; key++)
        {
            counts[manager.selectShard(key).id()]++;
        }
        for (final int count : counts)
        {
            assertTrue(Math.abs(count - 10_000) < 500, Arrays.toString(counts));
        }
    }

    @Test
    void shouldRouteNewConnectionsToLeastLoadedShardsInDynamicMode()
    {
        final ShardManager manager = started(listener, clock, 3, policy(1, 8, 0));
        for (int i = 0; i < 50; i++)
        {
            publish(manager.shard(0), scratch, 1, i, 100);
        }

        manager.collectMetrics();

        assertEquals(Set.of(1, 2), selectedIds(manager, 2_000));
        assertTrue(manager.shard(0).lastFillRatio() > 0.5);
        assertEquals(50, manager.shard(0).lastEventsInWindow());
    }

    @Test
    void shouldStopRoutingToDrainedShard()
    {
        final ShardManager manager = started(listener, clock, 3, policy(1, 8, 0));

        manager.drainShard(1);

        assertEquals(Set.of(0, 2), selectedIds(manager, 2_000));
        for (long key = 0; key < 2_000; key++)
        {
            assertRoutedAwayFromShardOne(manager.assignConnection(key));
        }
        manager.drainShard(2);
        assertEquals(Set.of(0), selectedIds(manager, 2_000));
    }

    private static void assertRoutedAwayFromShardOne(final Shard shard)
    {
        assertNotNull(shard);
        assertTrue(shard.id() != 1);
        shard.releaseConnection();
    }

    @Test
    void shouldRefuseConnectionToShardThatLeftActive()
    {
        final ShardManager manager = started(listener, clock, 2, policy(1, 8, 0));
        final Shard shard = manager.shard(0);

        assertTrue(shard.tryAcquireConnection());
        manager.drainShard(0);

        assertFalse(shard.tryAcquireConnection());
        assertEquals(1, shard.connectionCount());
        shard.releaseConnection();
        assertThrows(IllegalStateException.class, shard::releaseConnection);
    }

    @Test
    void shouldRouteNothingOnceShuttingDown()
    {
        final ShardManager manager = started(listener, clock, 2, policy(1, 8, 0));

        manager.beginShutdown();

        assertNull(manager.selectShard(1));
        assertNull(manager.assignConnection(1));
        assertNull(manager.assignConnection(2));
        assertEquals(2, manager.connectionsUnrouted());
        assertEquals(ScalingException.Reason.SHUTTING_DOWN, reasonOf(manager::addShard));
        assertEquals(ScalingDecision.NONE, manager.evaluateScaling());
    }

    @Test
    void shouldKeepDrainingShardUntilConnectionsAreGoneAndRingIsConsumed()
    {
        final ShardManager manager = started(listener, clock, 2, policy(1, 8, 0).drainGraceNs(SECOND_NS));
        final Shard shard = manager.assignConnection(7);
        assertNotNull(shard);
        manager.drainShard(shard.id());

        assertEquals(IngestResult.INGESTED, publish(shard, scratch, 7, 1, 64));
        clock.advance(2 * SECOND_NS);
        assertEquals(0, manager.finalizeDraining(), "a connection is still assigned");

        shard.releaseConnection();
        assertEquals(0, manager.finalizeDraining(), "the sequencer has not consumed the ring");
        assertEquals(ShardState.DRAINING, shard.state());

        final List<Long> consumed = new ArrayList<>();
        manager.ingestRings().poll((record) -> consumed.add(record.connectionId()), 10);
        assertEquals(List.of(7L), consumed);

        assertEquals(1, manager.finalizeDraining());
        assertEquals(ShardState.STOPPED, shard.state());
        assertSame(shard, listener.stopped.get(0));
        assertEquals(1, manager.ingestRings().ringCount());
        assertEquals(IngestResult.UNROUTED, publish(shard, scratch, 7, 2, 64));
        assertEquals(shard.counters().offered(),
            shard.counters().ingested() + shard.counters().rejected() + shard.counters().unrouted());
    }

    @Test
    void shouldHoldDrainingShardForGracePeriod()
    {
        final ShardManager manager = started(listener, clock, 2, policy(1, 8, 0).drainGraceNs(SECOND_NS));
        manager.drainShard(1);

        clock.advance(SECOND_NS - 1);
        assertEquals(0, manager.finalizeDraining());

        clock.advance(1);
        assertEquals(1, manager.finalizeDraining());
    }

    @Test
    void shouldCallStopListenerOutsideLockSoItMayUseManagerFromAnotherThread() throws Exception
    {
        final ExecutorService executor = Executors.newSingleThreadExecutor();
        try
        {
            final AtomicReference<ShardManager> managerRef = new AtomicReference<>();
            final AtomicReference<Object> observed = new AtomicReference<>();
            final RecordingListener reentrant = new RecordingListener()
            {
                public void onShardStopped(final Shard shard)
                {
                    super.onShardStopped(shard);
                    try
                    {
                        observed.set(executor.submit(() -> managerRef.get().shards().size()).get(5, TimeUnit.SECONDS));
                    }
                    catch (final Exception ex)
                    {
                        observed.set(ex);
                    }
                }
            };
            final ShardManager manager = started(reentrant, clock, 2, policy(1, 8, 0));
            managerRef.set(manager);
            manager.drainShard(0);

            assertEquals(1, manager.finalizeDraining());

            assertEquals(1, observed.get());
        }
        finally
        {
            executor.shutdownNow();
        }
    }

    @Test
    void shouldCompleteShutdownOnlyAfterEveryRecordIsConsumed()
    {
        final ShardManager manager = started(listener, clock, 3, policy(1, 8, 0).drainGraceNs(SECOND_NS));
        final Shard a = manager.assignConnection(1);
        final Shard b = manager.assignConnection(2);
        assertEquals(IngestResult.INGESTED, publish(a, scratch, 1, 1, 64));
        assertEquals(IngestResult.INGESTED, publish(b, scratch, 2, 1, 64));

        manager.beginShutdown();
        assertTrue(manager.isShuttingDown());
        assertEquals(IngestResult.INGESTED, publish(a, scratch, 1, 2, 64), "held connections are still served");
        a.releaseConnection();
        b.releaseConnection();
        manager.finalizeDraining();
        assertFalse(manager.isShutdownComplete());

        final List<String> consumed = new ArrayList<>();
        while (!manager.ingestRings().isEmpty())
        {
            manager.ingestRings().poll((record) -> consumed.add(record.connectionId() + "/" + record.recvTsNs()), 1);
        }
        manager.finalizeDraining();

        assertTrue(manager.isShutdownComplete(), "no grace period holds back a shutdown");
        assertEquals(3, consumed.size());
        assertTrue(consumed.containsAll(List.of("1/1", "1/2", "2/1")));
        assertEquals(3, listener.stopped.size());
        assertEquals(0, manager.ingestRings().ringCount());
    }

    @Test
    void shouldNotAllocateWhenAssigningConnections()
    {
        final ShardManager manager = started(listener, clock, 4, policy(1, 8, 0));
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long key = 0; key < 50_000; key++)
        {
            final Shard shard = manager.assignConnection(key);
            sum += shard.id();
            shard.releaseConnection();
        }

        final long threadId = Thread.currentThread().getId();
        final long baselineStart = threads.getThreadAllocatedBytes(threadId);
        final long measurementOverhead = threads.getThreadAllocatedBytes(threadId) - baselineStart;
        final long before = threads.getThreadAllocatedBytes(threadId);
        for (long key = 0; key < 20_000; key++)
        {
            final Shard shard = manager.assignConnection(key);
            sum += shard.id() + manager.selectShard(key).id();
            shard.releaseConnection();
        }
        final long allocatedBytes = threads.getThreadAllocatedBytes(threadId) - before - measurementOverhead;

        // One object per call would be at least 16 bytes x 20,000; JIT activity can allocate a little once.
        assertTrue(allocatedBytes < 20_000, "bytes allocated by 20,000 selections and assignments: " + allocatedBytes);
        assertTrue(sum > 0);
    }
}
