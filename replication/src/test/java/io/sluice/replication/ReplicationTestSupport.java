package io.sluice.replication;

import io.sluice.journal.Journal;
import io.sluice.journal.JournalAgent;
import io.sluice.journal.JournalEntryView;
import io.sluice.journal.JournalPublisher;
import io.sluice.journal.JournalReader;
import io.sluice.journal.RecoveryResult;
import io.sluice.journal.SnapshotInfo;
import io.sluice.journal.SnapshotInstall;
import io.sluice.journal.SnapshotStore;
import io.sluice.matching.MatchingContext;
import io.sluice.matching.MatchingEngine;
import io.sluice.matching.SilentListener;
import io.sluice.pipeline.sequencer.CommandApplier;
import io.sluice.pipeline.sequencer.ExchangeStateMachine;
import io.sluice.durability.DurabilityControl;
import io.sluice.durability.DurabilityMode;
import io.sluice.durability.ReplicationMetrics;
import io.sluice.sbe.client.BooleanType;
import io.sluice.sbe.client.CancelOrderEncoder;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.Liquidity;
import io.sluice.sbe.client.MessageHeaderEncoder;
import io.sluice.sbe.client.NewOrderEncoder;
import io.sluice.sbe.client.OrderState;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.AtomicLongPosition;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Builds the pieces of an in-process cluster for replication tests: nodes with a journal, journal agent and
 * matching state; Aeron transports with their own temporary directories; deterministic order flow.
 */
final class ReplicationTestSupport
{
    static final long EPOCH = 1;
    static final long AWAIT_TIMEOUT_MS = 60_000;

    /** Errors any agent runner started here reported; tests assert there were none. */
    static final Queue<Throwable> AGENT_ERRORS = new ConcurrentLinkedQueue<>();

    private ReplicationTestSupport()
    {
    }

    static MatchingContext engineContext()
    {
        return new MatchingContext()
            .orderPoolCapacity(64 * 1024)
            .instrument(1, "SLC", 1, 1, 1, 1_000_000, 10_000, 5_000)
            .instrument(2, "DAM", 5, 10, 10, 1_000_000, 2_000, 5_000);
    }

    /** Same instruments, a different risk limit: a different config digest. */
    static MatchingContext otherEngineContext()
    {
        return engineContext().maxOpenOrdersPerAccount(7);
    }

    static String freeEndpoint()
    {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            return "127.0.0.1:" + socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Network fault injection for the drivers of nodes created while it is set: every driver asks it about each
     * frame it receives. Tests that set it clear it afterwards.
     */
    static volatile io.aeron.driver.ext.LossGenerator networkLoss;

    static ReplicationTransport transport(final Path dir)
    {
        return ReplicationTransport.launch(new ReplicationTransport.Context()
            .aeronDirectoryName(dir.toAbsolutePath().toString())
            .termBufferLengthBytes(128 * 1024)
            .receiveLossGenerator(networkLoss)
            .driverIdleStrategy(idle()));
    }

    static BackoffIdleStrategy idle()
    {
        return new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
    }

    static AgentRunner start(final Agent agent)
    {
        final AgentRunner runner = new AgentRunner(idle(), AGENT_ERRORS::add, null, agent);
        AgentRunner.startOnThread(runner);
        return runner;
    }

    static void await(final BooleanSupplier condition, final Supplier<String> what)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(AWAIT_TIMEOUT_MS);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadlineNs)
            {
                fail("timed out waiting for " + what.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    static void assertNoAgentErrors()
    {
        final List<Throwable> errors = new ArrayList<>(AGENT_ERRORS);
        AGENT_ERRORS.clear();
        if (!errors.isEmpty())
        {
            final AssertionError failure = new AssertionError("agents reported " + errors.size() + " errors");
            errors.forEach(failure::addSuppressed);
            throw failure;
        }
    }

    /** Every entry of both journals, byte for byte, and both end at {@code lastWireSeq}. */
    static void assertSameJournal(final Journal expected, final Journal actual, final long lastWireSeq)
    {
        try (JournalReader left = expected.newReader(); JournalReader right = actual.newReader())
        {
            for (long wireSeq = 1; wireSeq <= lastWireSeq; wireSeq++)
            {
                assertTrue(left.next(), "expected journal ends before wireSeq " + wireSeq);
                assertTrue(right.next(), "replica journal ends before wireSeq " + wireSeq);
                final JournalEntryView a = left.entry();
                final JournalEntryView b = right.entry();
                assertEquals(wireSeq, a.wireSeq());
                assertEquals(wireSeq, b.wireSeq());
                assertEquals(a.crc32c(), b.crc32c(), "CRC of wireSeq " + wireSeq);
                assertArrayEquals(bytes(a), bytes(b), "entry wireSeq " + wireSeq);
            }
            assertFalse(right.next(), "replica journal holds more than " + lastWireSeq + " entries");
        }
    }

    static byte[] bytes(final JournalEntryView entry)
    {
        final byte[] bytes = new byte[entry.length()];
        entry.buffer().getBytes(entry.offset(), bytes);
        return bytes;
    }

    /** Encoded entries {@code from..to} of a journal, in order. */
    static List<byte[]> entries(final Journal journal, final long from, final long to)
    {
        final List<byte[]> result = new ArrayList<>();
        try (JournalReader reader = journal.newReader())
        {
            assertTrue(reader.seek(from), "journal lacks wireSeq " + from);
            for (long wireSeq = from; wireSeq <= to; wireSeq++)
            {
                assertTrue(reader.next(), "journal lacks wireSeq " + wireSeq);
                result.add(bytes(reader.entry()));
            }
        }
        return result;
    }

    /**
     * One node's storage and state: a recovered journal, its ring and journal agent (running), and the matching
     * state rebuilt from it.
     */
    static final class Node implements AutoCloseable
    {
        final Path dir;
        final Journal.Context journalContext;
        // Replaced by installSnapshot (the snapshot install thread); read by tests after awaiting a volatile the agent
        // wrote once it saw the install end.
        volatile Journal journal;
        volatile RecoveryResult recovery;
        final MatchingEngine engine;
        final CommandApplier applier;
        final ExchangeStateMachine stateMachine;
        final OneToOneRingBuffer ring;
        final AtomicLongPosition persisted = new AtomicLongPosition();
        volatile JournalAgent journalAgent;
        private volatile AgentRunner journalRunner;
        /** Where installSnapshot set the previous journal aside, or null. */
        volatile Path setAside;

        private Node(
            final Path dir,
            final int nodeId,
            final MatchingContext engineContext,
            final int ringBytes,
            final Consumer<Journal.Context> journalOptions)
            throws IOException
        {
            this.dir = dir;
            journalContext = new Journal.Context().directory(dir.resolve("journal")).nodeId(nodeId);
            journalOptions.accept(journalContext);
            journal = Journal.open(journalContext);
            engine = new MatchingEngine(engineContext, SilentListener.INSTANCE);
            applier = new CommandApplier(engine);
            stateMachine = new ExchangeStateMachine(applier);
            recovery = journal.recover(new SnapshotStore(journal.snapshotDirectory()), stateMachine);
            ring = new OneToOneRingBuffer(new UnsafeBuffer(
                ByteBuffer.allocateDirect(ringBytes + RingBufferDescriptor.TRAILER_LENGTH)));
            journalAgent = new JournalAgent(journal, ring, persisted);
            persisted.setRelease(recovery.lastWireSeq());
        }

        static Node open(final Path dir, final int nodeId, final MatchingContext engineContext)
        {
            return open(dir, nodeId, engineContext, (context) -> {});
        }

        static Node open(
            final Path dir,
            final int nodeId,
            final MatchingContext engineContext,
            final Consumer<Journal.Context> journalOptions)
        {
            try
            {
                final Node node = new Node(dir, nodeId, engineContext, 1024 * 1024, journalOptions);
                node.startJournalAgent();
                return node;
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }

        /**
         * A {@link SnapshotInstaller}, as a replica node does it: stop the journal agent, close the journal, swap
         * it for one seeded from the snapshot, recover that into the same state machine, start a new agent.
         */
        void installSnapshot(final SnapshotInfo snapshot, final long entryCrc32c) throws IOException
        {
            stopJournalAgent();
            journal.close();
            setAside = SnapshotInstall.install(journalContext, snapshot, entryCrc32c);
            journal = Journal.open(journalContext);
            recovery = journal.recover(new SnapshotStore(journal.snapshotDirectory()), stateMachine);
            journalAgent = new JournalAgent(journal, ring, persisted);
            persisted.setRelease(recovery.lastWireSeq());
            startJournalAgent();
        }

        /** A node whose journal agent is not running yet: entries pile up in its ring. */
        static Node openStopped(
            final Path dir, final int nodeId, final MatchingContext engineContext, final int ringBytes)
        {
            try
            {
                return new Node(dir, nodeId, engineContext, ringBytes, (context) -> {});
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }

        long persistedWireSeq()
        {
            return persisted.getAcquire();
        }

        void startJournalAgent()
        {
            journalRunner = start(journalAgent);
        }

        /** Stops the journal agent; the journal stays open for reading. */
        void stopJournalAgent()
        {
            CloseHelper.close(journalRunner);
            journalRunner = null;
        }

        public void close()
        {
            CloseHelper.close(journalRunner);
            journal.close();
        }
    }

    /**
     * Deterministic order flow from a seed: limit orders around a reference price on two instruments that cross and
     * rest, and cancels of earlier orders. Each command is journaled through the node's ring and applied to its
     * engine, as the sequencer does.
     */
    static final class OrderFlow
    {
        private static final int SESSIONS = 6;
        private final Random random;
        private final long[] requestSeq = new long[SESSIONS + 1];
        private final UnsafeBuffer command = new UnsafeBuffer(new byte[256]);
        private final MessageHeaderEncoder header = new MessageHeaderEncoder();
        private final NewOrderEncoder newOrder = new NewOrderEncoder();
        private final CancelOrderEncoder cancel = new CancelOrderEncoder();
        private JournalPublisher publisher;
        private OneToOneRingBuffer publisherRing;

        OrderFlow(final long seed)
        {
            random = new Random(seed);
        }

        /** Appends {@code count} commands after the node's last wireSeq; returns the last wireSeq written. */
        long append(final Node node, final long lastWireSeq, final int count)
        {
            if (publisherRing != node.ring)
            {
                publisherRing = node.ring;
                publisher = new JournalPublisher(node.ring);
            }
            long wireSeq = lastWireSeq;
            for (int i = 0; i < count; i++)
            {
                wireSeq++;
                final int session = 1 + random.nextInt(SESSIONS);
                final long seq = ++requestSeq[session];
                final int length;
                if (seq > 3 && random.nextInt(5) == 0)
                {
                    cancel.wrapAndApplyHeader(command, 0, header)
                        .requestSeq(seq)
                        .clientOrderId(1 + random.nextInt((int)seq - 1));
                    length = MessageHeaderEncoder.ENCODED_LENGTH + CancelOrderEncoder.BLOCK_LENGTH;
                }
                else
                {
                    final boolean second = random.nextInt(4) == 0;
                    final boolean buy = random.nextBoolean();
                    final long price = second ? 2_000 + 5L * (random.nextInt(21) - 10) :
                        10_000 + random.nextInt(41) - 20;
                    newOrder.wrapAndApplyHeader(command, 0, header)
                        .requestSeq(seq)
                        .clientOrderId(seq)
                        .instrumentId(second ? 2 : 1)
                        .side(buy ? Side.BUY : Side.SELL)
                        .orderType(OrderType.LIMIT)
                        .timeInForce(TimeInForce.GTC)
                        .postOnly(BooleanType.FALSE)
                        .price(price)
                        .quantity(second ? 10L * (1 + random.nextInt(5)) : 1 + random.nextInt(50));
                    length = MessageHeaderEncoder.ENCODED_LENGTH + NewOrderEncoder.BLOCK_LENGTH;
                }
                final long timestampNs = 1_700_000_000_000_000_000L + wireSeq * 1_000;
                while (!publisher.offerClientCommand(
                    wireSeq, timestampNs, session, session, seq, EPOCH, command, 0, length))
                {
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
                }
                node.applier.applyClientCommand(wireSeq, timestampNs, session, session, command, 0);
            }
            return wireSeq;
        }
    }

    /**
     * A primary: its node, a transport and one running sender per slot, each slot with its own pair of endpoints.
     */
    static final class Primary implements AutoCloseable
    {
        final Node node;
        final ReplicationTransport transport;
        final ReplicationMetrics metrics;
        final DurabilityControl durabilityControl = new DurabilityControl(DurabilityMode.HYBRID.policy());
        final AtomicLong epoch = new AtomicLong(EPOCH);
        final PrimaryFence fence = new PrimaryFence();
        final String[] dataEndpoints;
        final String[] controlEndpoints;
        final ReplicationSenderAgent[] senders;
        private final AgentRunner[] runners;
        private final OrderFlow flow = new OrderFlow(42);
        long lastWireSeq;

        Primary(final Path dir, final int slots, final Consumer<ReplicationSenderContext> options)
        {
            this(dir, slots, options, (context) -> {});
        }

        Primary(
            final Path dir,
            final int slots,
            final Consumer<ReplicationSenderContext> options,
            final Consumer<Journal.Context> journalOptions)
        {
            node = Node.open(dir.resolve("node"), 1, engineContext(), journalOptions);
            transport = transport(dir.resolve("aeron"));
            metrics = new ReplicationMetrics(slots);
            dataEndpoints = new String[slots];
            controlEndpoints = new String[slots];
            senders = new ReplicationSenderAgent[slots];
            runners = new AgentRunner[slots];
            for (int slot = 0; slot < slots; slot++)
            {
                dataEndpoints[slot] = freeEndpoint();
                controlEndpoints[slot] = freeEndpoint();
                final ReplicationSenderContext context = new ReplicationSenderContext()
                    .transport(transport)
                    .slot(slot)
                    .nodeId(1)
                    .dataEndpoint(dataEndpoints[slot])
                    .controlEndpoint(controlEndpoints[slot])
                    .journal(node.journal)
                    .replicationMetrics(metrics)
                    .durabilityControl(durabilityControl)
                    .epoch(epoch::get)
                    .configDigest(node.engine.configDigest())
                    .lastWireSeq(node.journalAgent::appendedWireSeq)
                    .fence(fence);
                options.accept(context);
                senders[slot] = new ReplicationSenderAgent(context);
                runners[slot] = start(senders[slot]);
            }
        }

        long append(final int count)
        {
            lastWireSeq = flow.append(node, lastWireSeq, count);
            return lastWireSeq;
        }

        public void close()
        {
            for (final AgentRunner runner : runners)
            {
                CloseHelper.close(runner);
            }
            CloseHelper.closeAll(transport, node);
        }
    }

    /**
     * A replica: its node (journal, journal agent, hot-standby state), a transport of its own and a running
     * follower.
     */
    static final class Replica implements AutoCloseable
    {
        final Node node;
        final ReplicationTransport transport;
        final ReplicaAgent agent;
        private AgentRunner runner;

        Replica(
            final Path dir,
            final int nodeId,
            final String dataEndpoint,
            final String primaryControlEndpoint,
            final MatchingContext engineContext,
            final Consumer<ReplicaAgentContext> options)
        {
            this(Node.open(dir.resolve("node"), nodeId, engineContext), dir, nodeId, dataEndpoint,
                primaryControlEndpoint, options);
        }

        Replica(
            final Node node,
            final Path dir,
            final int nodeId,
            final String dataEndpoint,
            final String primaryControlEndpoint,
            final Consumer<ReplicaAgentContext> options)
        {
            this.node = node;
            transport = transport(dir.resolve("aeron-" + System.nanoTime()));
            final ReplicaAgentContext context = new ReplicaAgentContext()
                .transport(transport)
                .nodeId(nodeId)
                .dataEndpoint(dataEndpoint)
                .primaryControlEndpoint(primaryControlEndpoint)
                .configDigest(node.engine.configDigest())
                .journal(node.journal)
                .journalRing(node.ring)
                .journalPersistedWireSeq(node.persisted::getAcquire)
                .stateMachine(node.stateMachine)
                .epoch(Math.max(EPOCH, node.recovery.lastEpoch()));
            options.accept(context);
            agent = new ReplicaAgent(context);
            runner = start(agent);
        }

        Replica(final Path dir, final int nodeId, final Primary primary, final int slot)
        {
            this(dir, nodeId, primary.dataEndpoints[slot], primary.controlEndpoints[slot], engineContext(),
                (context) -> {});
        }

        /** Stops the follower (its Aeron resources close with it); journal and transport stay up. */
        void stopAgent()
        {
            CloseHelper.close(runner);
            runner = null;
        }

        /** Stops everything and waits for the journal to sync what it holds; the node can then be inspected. */
        void quiesce()
        {
            stopAgent();
            await(() -> node.persistedWireSeq() >= agent.appliedWireSeq(), () -> "replica journal sync");
            node.stopJournalAgent();
        }

        public void close()
        {
            CloseHelper.close(runner);
            CloseHelper.closeAll(node, transport);
        }
    }

    /** Matching reports go nowhere: nodes in these tests have no clients. */

}
