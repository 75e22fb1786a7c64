package io.sluice.pipeline.shard;

import io.sluice.pipeline.ingest.IngestCounters;
import io.sluice.pipeline.ingest.IngestResult;
import io.sluice.sbe.client.MessageHeaderEncoder;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Readers, an acceptor, the sequencer and a scaler run on their own threads against one manager while shards are
 * added and drained at random. Afterwards every offer must be accounted for exactly, per shard, and every ingested
 * record must have reached the consumer, in order per connection.
 */
class ShardConcurrencyTest
{
    private static final int CONNECTIONS = 48;
    private static final int MESSAGES_PER_CONNECTION = 250;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private final Map<Integer, FakeReader> readers = new ConcurrentHashMap<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    @ParameterizedTest
    @ValueSource(longs = { 1L, 7L, 42L })
    void shouldAccountEveryOfferAndStrandNothingWhileShardsComeAndGo(final long seed) throws Exception
    {
        final ShardLifecycleListener listener = new ShardLifecycleListener()
        {
            public boolean onShardProvisioned(final Shard shard)
            {
                final FakeReader reader = new FakeReader(shard, seed * 31 + shard.id());
                readers.put(shard.id(), reader);
                reader.thread.start();
                return true;
            }

            public void onShardStopped(final Shard shard)
            {
                readers.get(shard.id()).stopRequested = true;
            }
        };
        final ShardManager manager = new ShardManager(TestShards.context(
            new RecordingListener(), new CachedNanoClock(), 3, TestShards.policy(1, 5, 0)).listener(listener));
        manager.start();

        final Consumer consumer = new Consumer(manager);
        final Thread acceptor = thread("acceptor", () -> accept(manager));
        final Thread scaler = thread("scaler", () -> scale(manager, new Random(seed)));
        consumer.thread.start();
        acceptor.start();
        scaler.start();

        acceptor.join(TimeUnit.NANOSECONDS.toMillis(TIMEOUT_NS));
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (readers.values().stream().anyMatch(FakeReader::hasOpenConnections) && null == failure.get())
        {
            assertTrue(System.nanoTime() < deadlineNs, "connections still open, seed " + seed);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        scaler.interrupt();
        scaler.join();

        manager.beginShutdown();
        while (!manager.isShutdownComplete() && null == failure.get())
        {
            assertTrue(System.nanoTime() < deadlineNs, "shutdown did not complete, seed " + seed);
            manager.finalizeDraining();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        consumer.stop = true;
        consumer.thread.join();
        for (final FakeReader reader : readers.values())
        {
            reader.thread.join();
        }

        assertNull(failure.get(), () -> "seed " + seed + ": " + failure.get());
        assertTrue(readers.size() >= 3);
        long totalIngested = 0;
        for (final FakeReader reader : readers.values())
        {
            final IngestCounters counters = reader.shard.counters();
            final String where = "seed " + seed + " shard " + reader.shard.id();
            assertEquals(ShardState.STOPPED, reader.shard.state(), where);
            assertEquals(reader.offered, counters.offered(), where);
            assertEquals(counters.offered(), counters.ingested() + counters.rejected() + counters.unrouted(), where);
            assertEquals(0, counters.unrouted(), where + ": a reader published for a connection it did not hold");
            assertEquals(counters.ingested(), consumer.consumedByShard.getOrDefault(reader.shard.id(), 0L), where);
            totalIngested += counters.ingested();
            for (final Connection connection : reader.closed)
            {
                assertEquals(connection.ingestedSeqs, consumer.consumedByConnection.get(connection.id),
                    "seed " + seed + " connection " + connection.id);
                assertEquals(MESSAGES_PER_CONNECTION, connection.nextSeq);
            }
        }
        final long closedConnections = readers.values().stream().mapToLong((reader) -> reader.closed.size()).sum();
        assertEquals(CONNECTIONS, closedConnections);
        assertTrue(totalIngested > 0);
        assertEquals(0, manager.ingestRings().ringCount());
    }

    private void accept(final ShardManager manager)
    {
        for (long connectionId = 1; connectionId <= CONNECTIONS && null == failure.get(); connectionId++)
        {
            final Shard shard = manager.assignConnection(connectionId);
            if (null == shard)
            {
                failure.compareAndSet(null, new AssertionError("no routable shard for " + connectionId));
                return;
            }
            readers.get(shard.id()).handoff.add(new Connection(connectionId));
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
        }
    }

    private void scale(final ShardManager manager, final Random random)
    {
        while (!Thread.currentThread().isInterrupted())
        {
            try
            {
                final List<Shard> shards = manager.shards();
                switch (random.nextInt(3))
                {
                    case 0:
                        manager.addShardForced();
                        break;

                    case 1:
                        manager.drainShard(shards.get(random.nextInt(shards.size())).id());
                        break;

                    default:
                        manager.finalizeDraining();
                        break;
                }
            }
            catch (final ScalingException ex)
            {
                // at the maximum or minimum, or picked a shard not active: the next round picks again
            }
            catch (final Throwable t)
            {
                failure.compareAndSet(null, t);
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    private Thread thread(final String name, final Runnable body)
    {
        final Thread thread = new Thread(() ->
        {
            try
            {
                body.run();
            }
            catch (final Throwable t)
            {
                failure.compareAndSet(null, t);
            }
        }, name);
        thread.setDaemon(true);
        return thread;
    }

    static final class Connection
    {
        final long id;
        final List<Long> ingestedSeqs = new ArrayList<>();
        long nextSeq;

        Connection(final long id)
        {
            this.id = id;
        }
    }

    /**
     * Stands in for a reader shard: the only producer of its shard's ring, publishing for the connections it holds
     * and releasing each after its last message.
     */
    final class FakeReader
    {
        final Shard shard;
        final Random random;
        final Queue<Connection> handoff = new ConcurrentLinkedQueue<>();
        final List<Connection> open = new ArrayList<>();
        final List<Connection> closed = new ArrayList<>();
        final UnsafeBuffer message = new UnsafeBuffer(new byte[512]);
        final Thread thread;
        volatile boolean stopRequested;
        volatile int openCount;
        long offered;

        FakeReader(final Shard shard, final long seed)
        {
            this.shard = shard;
            this.random = new Random(seed);
            this.thread = thread("reader-" + shard.id(), this::run);
        }

        boolean hasOpenConnections()
        {
            return openCount > 0 || !handoff.isEmpty();
        }

        private void run()
        {
            while (!stopRequested)
            {
                Connection handed;
                while (null != (handed = handoff.poll()))
                {
                    open.add(handed);
                }
                openCount = open.size();

                int work = 0;
                boolean ringFull = false;
                for (int i = open.size() - 1; i >= 0; i--)
                {
                    final Connection connection = open.get(i);
                    final int burst = 1 + random.nextInt(4);
                    for (int b = 0; b < burst && connection.nextSeq < MESSAGES_PER_CONNECTION; b++)
                    {
                        ringFull |= !publish(connection);
                        work++;
                    }
                    if (connection.nextSeq == MESSAGES_PER_CONNECTION)
                    {
                        open.remove(i);
                        closed.add(connection);
                        shard.releaseConnection();
                    }
                }
                openCount = open.size();

                if (0 == work || ringFull || random.nextInt(8) == 0)
                {
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
                }
            }

            assertFalse(hasOpenConnections(), "shard " + shard.id() + " stopped with connections");
        }

        /**
         * @return false if the ring was full.
         */
        private boolean publish(final Connection connection)
        {
            final long seq = connection.nextSeq++;
            final int length = 16 + random.nextInt(200);
            new MessageHeaderEncoder().wrap(message, 0).blockLength(length - 8).templateId(10).schemaId(1).version(1);
            message.putLong(MessageHeaderEncoder.ENCODED_LENGTH, seq, ByteOrder.LITTLE_ENDIAN);
            offered++;
            final IngestResult result = shard.publisher().publish(connection.id, 0, 0, seq, message, 0, length);
            if (IngestResult.INGESTED == result)
            {
                connection.ingestedSeqs.add(seq);
            }

            return IngestResult.RING_FULL != result;
        }
    }

    /**
     * Stands in for the sequencer: the single consumer of every ring.
     */
    final class Consumer
    {
        final ShardManager manager;
        final Map<Long, List<Long>> consumedByConnection = new HashMap<>();
        final Map<Integer, Long> consumedByShard = new HashMap<>();
        final Thread thread;
        volatile boolean stop;

        Consumer(final ShardManager manager)
        {
            this.manager = manager;
            this.thread = thread("consumer", this::run);
        }

        private void run()
        {
            while (!stop || !manager.ingestRings().isEmpty())
            {
                final int records = manager.ingestRings().poll(
                    (record) ->
                    {
                        consumedByConnection.computeIfAbsent(record.connectionId(), (id) -> new ArrayList<>())
                            .add(record.recvTsNs());
                        consumedByShard.merge(record.shardId(), 1L, Long::sum);
                    },
                    4);
                if (0 == records)
                {
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
                }
            }
        }
    }
}
