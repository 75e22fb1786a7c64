package io.sluice.pipeline.shard;

import io.sluice.pipeline.ingest.IngestCounters;
import io.sluice.pipeline.ingest.IngestResult;
import io.sluice.pipeline.ingest.IngestRing;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.sluice.pipeline.shard.TestShards.SECOND_NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives one manager through random sequences of lifecycle, routing, publishing and consuming operations and checks
 * the invariants after every step: ids monotonic and never reused, only active shards routable, the bounds held, no
 * shard stopped while it has connections or unconsumed records, exact accounting per ring, and every ingested record
 * consumed in order per connection once shut down.
 */
class ShardLifecyclePropertyTest
{
    private static final int MIN_SHARDS = 1;
    private static final int MAX_SHARDS = 5;

    private static final int ADD = 0;
    private static final int ADD_FORCED = 1;
    private static final int DRAIN = 2;
    private static final int ASSIGN = 3;
    private static final int RELEASE = 4;
    private static final int PUBLISH = 5;
    private static final int POLL = 6;
    private static final int FINALIZE = 7;
    private static final int ADVANCE_CLOCK = 8;
    private static final int SCALE_DOWN = 9;
    private static final int ACTIVATE = 10;
    private static final int COLLECT_AND_EVALUATE = 11;

    record Op(int kind, int a, int b)
    {
    }

    @Provide
    Arbitrary<List<Op>> operations()
    {
        final Arbitrary<Integer> kinds = Arbitraries.frequency(
            Tuple.of(4, ADD),
            Tuple.of(3, ADD_FORCED),
            Tuple.of(6, DRAIN),
            Tuple.of(12, ASSIGN),
            Tuple.of(8, RELEASE),
            Tuple.of(35, PUBLISH),
            Tuple.of(8, POLL),
            Tuple.of(8, FINALIZE),
            Tuple.of(6, ADVANCE_CLOCK),
            Tuple.of(3, SCALE_DOWN),
            Tuple.of(3, ACTIVATE),
            Tuple.of(4, COLLECT_AND_EVALUATE));
        return Combinators.combine(
                kinds,
                Arbitraries.integers().between(0, 1_000),
                Arbitraries.integers().between(0, 1_000))
            .as(Op::new)
            .list()
            .ofMinSize(40)
            .ofMaxSize(150);
    }

    @Property(tries = 200)
    void shouldKeepLifecycleInvariantsForAnySequenceOfOperations(@ForAll("operations") final List<Op> ops)
    {
        new Model().run(ops);
    }

    static final class Model
    {
        final CachedNanoClock clock = new CachedNanoClock();
        final RecordingListener listener = new RecordingListener();
        final ShardManager manager = TestShards.started(listener, clock, 2,
            TestShards.policy(MIN_SHARDS, MAX_SHARDS, SECOND_NS / 5).drainGraceNs(SECOND_NS / 10));
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[1024]);
        final Map<Integer, List<Long>> heldByShard = new HashMap<>();
        final Map<Integer, Long> offeredByShard = new HashMap<>();
        final Map<Long, List<Long>> ingestedByConnection = new HashMap<>();
        final Map<Long, List<Long>> consumedByConnection = new HashMap<>();
        long nextConnectionId = 1;
        long nextSeq = 1;

        void run(final List<Op> ops)
        {
            for (final Op op : ops)
            {
                apply(op);
                checkInvariants(op);
            }
            shutDown();
        }

        private void apply(final Op op)
        {
            final List<Shard> shards = manager.shards();
            try
            {
                switch (op.kind())
                {
                    case ADD:
                        listener.readersRunAtOnce = op.b() % 4 != 0;
                        manager.addShard();
                        break;

                    case ADD_FORCED:
                        listener.readersRunAtOnce = op.b() % 4 != 0;
                        manager.addShardForced();
                        break;

                    case DRAIN:
                        manager.drainShard(shards.get(op.a() % shards.size()).id());
                        break;

                    case ASSIGN:
                        assign();
                        break;

                    case RELEASE:
                        release(op.a());
                        break;

                    case PUBLISH:
                        publish(op.a(), op.b());
                        break;

                    case POLL:
                        poll(1 + op.b() % 5);
                        break;

                    case FINALIZE:
                        manager.finalizeDraining();
                        break;

                    case ADVANCE_CLOCK:
                        clock.advance(op.a() * 1_000_000L);
                        break;

                    case SCALE_DOWN:
                        manager.scaleDown(1 + op.b() % 3);
                        break;

                    case ACTIVATE:
                        for (final Shard shard : shards)
                        {
                            if (ShardState.PROVISIONING == shard.state())
                            {
                                assertTrue(manager.activate(shard.id()));
                                break;
                            }
                        }
                        break;

                    default:
                        manager.collectMetrics();
                        manager.evaluateScaling();
                        break;
                }
            }
            catch (final ScalingException ex)
            {
                assertTrue(ex.reason() != ScalingException.Reason.READER_START_FAILED, ex.toString());
            }
        }

        private void assign()
        {
            final long connectionId = nextConnectionId++;
            final Shard shard = manager.assignConnection(connectionId);
            if (null == shard)
            {
                assertEquals(0, manager.activeShardCount());
                return;
            }
            assertEquals(ShardState.ACTIVE, shard.state());
            heldByShard.computeIfAbsent(shard.id(), (id) -> new ArrayList<>()).add(connectionId);
        }

        private void release(final int pick)
        {
            final List<Integer> holding = holdingShards();
            if (holding.isEmpty())
            {
                return;
            }
            final int shardId = holding.get(pick % holding.size());
            final List<Long> held = heldByShard.get(shardId);
            held.remove(pick % held.size());
            manager.shard(shardId).releaseConnection();
        }

        private void publish(final int pick, final int size)
        {
            final List<Integer> holding = holdingShards();
            if (holding.isEmpty())
            {
                return;
            }
            final int shardId = holding.get(pick % holding.size());
            final List<Long> held = heldByShard.get(shardId);
            final long connectionId = held.get(pick % held.size());
            final Shard shard = manager.shard(shardId);
            for (int i = 0, burst = 1 + size % 6; i < burst; i++)
            {
                final long seq = nextSeq++;
                offeredByShard.merge(shardId, 1L, Long::sum);
                final IngestResult result = TestShards.publish(shard, scratch, connectionId, seq, 16 + size % 900);
                assertTrue(IngestResult.UNROUTED != result, "a shard with a connection must still take records");
                if (IngestResult.INGESTED == result)
                {
                    ingestedByConnection.computeIfAbsent(connectionId, (id) -> new ArrayList<>()).add(seq);
                }
            }
        }

        private int poll(final int maxPerRing)
        {
            return manager.ingestRings().poll(
                (record) -> consumedByConnection.computeIfAbsent(record.connectionId(), (id) -> new ArrayList<>())
                    .add(record.recvTsNs()),
                maxPerRing);
        }

        private List<Integer> holdingShards()
        {
            final List<Integer> holding = new ArrayList<>();
            heldByShard.forEach((id, held) ->
            {
                if (!held.isEmpty())
                {
                    holding.add(id);
                }
            });
            holding.sort(Integer::compare);
            return holding;
        }

        private void checkInvariants(final Op op)
        {
            final String where = "after " + op;
            final List<Shard> shards = manager.shards();
            int active = 0;
            int provisioning = 0;
            for (final Shard shard : shards)
            {
                assertTrue(shard.state() != ShardState.STOPPED, where);
                active += ShardState.ACTIVE == shard.state() ? 1 : 0;
                provisioning += ShardState.PROVISIONING == shard.state() ? 1 : 0;
                assertEquals(heldByShard.getOrDefault(shard.id(), List.of()).size(), shard.connectionCount(), where);
            }
            assertTrue(active >= MIN_SHARDS, where);
            assertTrue(active + provisioning <= MAX_SHARDS, where);

            for (final Shard routable : manager.mapper().selectionTable())
            {
                assertEquals(ShardState.ACTIVE, routable.state(), where);
            }

            for (final Shard shard : listener.provisioned)
            {
                final IngestCounters counters = shard.counters();
                assertEquals(offeredByShard.getOrDefault(shard.id(), 0L), counters.offered(), where);
                assertEquals(
                    counters.offered(), counters.ingested() + counters.rejected() + counters.unrouted(), where);
            }
            final int[] ids = listener.provisioned.stream().mapToInt(Shard::id).toArray();
            final int[] sorted = ids.clone();
            Arrays.sort(sorted);
            assertEquals(Arrays.toString(sorted), Arrays.toString(ids), where + ": ids allocated in increasing order");
            assertEquals(ids.length, Arrays.stream(ids).distinct().count(), where + ": an id was reused");

            for (final Shard stopped : listener.stopped)
            {
                assertEquals(ShardState.STOPPED, stopped.state(), where);
                assertTrue(heldByShard.getOrDefault(stopped.id(), List.of()).isEmpty(), where);
                assertTrue(stopped.ring().isEmpty(), where);
                assertFalse(Arrays.asList(manager.ingestRings().rings()).contains(stopped.ring()), where);
            }

            for (final IngestRing ring : manager.ingestRings().rings())
            {
                assertTrue(shards.stream().anyMatch((shard) -> shard.ring() == ring), where + ": ring of no shard");
            }

            consumedByConnection.forEach((connectionId, consumed) ->
                assertEquals(ingestedByConnection.get(connectionId).subList(0, consumed.size()), consumed, where));
        }

        private void shutDown()
        {
            manager.beginShutdown();
            heldByShard.forEach((id, held) ->
            {
                for (int i = 0; i < held.size(); i++)
                {
                    manager.shard(id).releaseConnection();
                }
                held.clear();
            });

            int rounds = 0;
            while (!manager.isShutdownComplete())
            {
                poll(3);
                manager.finalizeDraining();
                assertTrue(++rounds < 10_000, "shutdown does not complete");
            }

            assertEquals(ingestedByConnection, consumedByConnection);
            assertEquals(listener.provisioned.size(), listener.stopped.size());
            assertEquals(0, manager.ingestRings().ringCount());
        }
    }
}
