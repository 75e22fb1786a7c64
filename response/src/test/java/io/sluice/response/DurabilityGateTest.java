package io.sluice.response;

import io.sluice.durability.Clause;
import io.sluice.durability.DurabilityMode;
import io.sluice.durability.Level;
import io.sluice.durability.Policy;
import io.sluice.sbe.client.BatchEndDecoder;
import io.sluice.sbe.client.ExecutionReportDecoder;
import io.sluice.sbe.client.HaltedDecoder;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives the response stage with a fake journal cursor and fake replica metrics and checks, at the moment each byte
 * leaves for a client, that no reply escapes for a {@code wireSeq} the policy in force has not covered: under every
 * named mode, a custom expression, and swaps in the middle of a wait.
 */
class DurabilityGateTest
{
    private static final int CONNECTIONS = 3;
    private static final int SLOTS = 2;
    private static final String[] POLICIES = {
        "local", "hybrid", "durably-replicated", "replicated", "persisted>=2 && in_memory>=3" };

    /**
     * The stage plus an independent oracle. The oracle keeps, for each policy, the highest position it has covered
     * while in force. A reply may leave only if, at some duty cycle while the stage held it, that position for the
     * policy then in force reached its wireSeq.
     */
    static final class Scenario
    {
        final StageHarness h = new StageHarness(SLOTS, DurabilityMode.LOCAL.policy());
        final FakeChannel[] clients = new FakeChannel[CONNECTIONS];
        final int[] framesChecked = new int[CONNECTIONS];
        final long[] lastRequestSeqSent = new long[CONNECTIONS];
        final long[] nextRequestSeq = new long[CONNECTIONS];
        final Set<Long> sequencedSent = new HashSet<>();
        /** For a query reply, by connection and requestSeq: the highest wireSeq published before it. */
        final Map<Long, Long> queryPrerequisite = new HashMap<>();
        final List<String> violations = new ArrayList<>();
        final List<long[]> queriesToCheck = new ArrayList<>();
        long lastWireSeq;
        /**
         * By policy instance: the highest position it has covered at any moment it was in force. What a policy has
         * covered stays covered (a replica that persisted a wireSeq still has it after it disconnects), including
         * across a swap away and back, which the stage need not even notice.
         */
        final Map<Policy, Long> coveredByPolicy = new IdentityHashMap<>();
        /**
         * By wireSeq: the highest position the policy then in force covered at any duty cycle that ended with the
         * slot taken from the ring. The stage may release a reply only at such a cycle.
         */
        final long[] bestCover = new long[20_000];
        /** By wireSeq: the ring's producer position just after the slot was published. */
        final long[] ringPositionAfter = new long[20_000];
        long firstUnsentWireSeq = 1;
        int published;

        Scenario(final String initialPolicy)
        {
            this(initialPolicy, ResponseContext.DEFAULT_MAX_BATCH_SLOTS);
        }

        Scenario(final String initialPolicy, final int maxBatchSlots)
        {
            h.context.maxBatchSlots(maxBatchSlots);
            h.control.swap(initialPolicy);
            for (int c = 0; c < CONNECTIONS; c++)
            {
                clients[c] = h.connections.open(c);
            }
            observe();
        }

        long covered()
        {
            return coveredByPolicy.getOrDefault(h.control.policy(), 0L);
        }

        long oracle()
        {
            final List<long[]> nodes = new ArrayList<>();
            nodes.add(new long[]{ Long.MAX_VALUE, h.journalPersistedWireSeq.get() });
            for (int slot = 0; slot < SLOTS; slot++)
            {
                if (h.metrics.isActive(slot))
                {
                    nodes.add(new long[]{ h.metrics.inMemoryWireSeq(slot), h.metrics.persistedWireSeq(slot) });
                }
            }

            long covered = Long.MAX_VALUE;
            for (final Clause clause : h.control.policy().clauses())
            {
                if (clause.count() > nodes.size())
                {
                    return 0;
                }
                final long[] values = nodes.stream()
                    .mapToLong(n -> Level.PERSISTED == clause.level() ? n[1] : Math.max(n[0], n[1]))
                    .sorted()
                    .toArray();
                covered = Math.min(covered, values[values.length - clause.count()]);
            }
            return covered;
        }

        /** Call after every change of cursors, flags or policy. */
        void observe()
        {
            coveredByPolicy.merge(h.control.policy(), oracle(), Math::max);
        }

        void swap(final String policy)
        {
            assertTrue(h.control.swap(policy).ok());
            observe();
        }

        private void check(final int connection)
        {
            final List<FakeChannel.Frame> frames = clients[connection].frames();
            for (int i = framesChecked[connection]; i < frames.size(); i++)
            {
                final FakeChannel.Frame frame = frames.get(i);
                if (BatchEndDecoder.TEMPLATE_ID == frame.templateId())
                {
                    if (frame.requestSeq() <= lastRequestSeqSent[connection])
                    {
                        violations.add("connection " + connection + " got requestSeq " + frame.requestSeq() +
                            " after " + lastRequestSeqSent[connection]);
                    }
                    lastRequestSeqSent[connection] = frame.requestSeq();
                }
                else if (ExecutionReportDecoder.TEMPLATE_ID == frame.templateId())
                {
                    if (frame.wireSeq() > bestCover[(int)frame.wireSeq()])
                    {
                        violations.add("wireSeq " + frame.wireSeq() + " sent to " + connection +
                            " but the policy in force covered at most " + bestCover[(int)frame.wireSeq()] +
                            " while the stage held it");
                    }
                    if (frame.wireSeq() > 0)
                    {
                        sequencedSent.add(frame.wireSeq());
                    }
                    else
                    {
                        queriesToCheck.add(new long[]{ connection, frame.requestSeq() });
                    }
                }
                else if (HaltedDecoder.TEMPLATE_ID != frame.templateId())
                {
                    violations.add("unexpected frame " + frame);
                }
            }
            framesChecked[connection] = frames.size();
        }

        private static long key(final int connection, final long requestSeq)
        {
            return requestSeq * CONNECTIONS + connection;
        }

        void publishReport(final int connection)
        {
            h.publishReport(connection, ++nextRequestSeq[connection], ++lastWireSeq);
            ringPositionAfter[(int)lastWireSeq] = h.ring.producerPosition();
            published++;
        }

        void publishHalted(final int connection)
        {
            h.publishHalted(connection, ++nextRequestSeq[connection]);
            published++;
        }

        void publishQuery(final int connection)
        {
            final long requestSeq = ++nextRequestSeq[connection];
            queryPrerequisite.put(key(connection, requestSeq), lastWireSeq);
            h.publishQueryReply(connection, requestSeq);
            published++;
        }

        void advanceJournal(final long by)
        {
            h.journalPersistedWireSeq.set(Math.min(lastWireSeq, h.journalPersistedWireSeq.get() + by));
            observe();
        }

        void ack(final int slot, final long inMemoryBy, final long persistedBy)
        {
            if (h.metrics.isActive(slot))
            {
                final long inMemory = Math.min(lastWireSeq, h.metrics.inMemoryWireSeq(slot) + inMemoryBy);
                final long persisted = Math.min(inMemory, h.metrics.persistedWireSeq(slot) + persistedBy);
                h.metrics.onAck(slot, inMemory, persisted, 1_000);
                observe();
            }
        }

        void reconnect(final int slot, final long seed)
        {
            if (h.metrics.isActive(slot))
            {
                h.metrics.deactivate(slot);
            }
            else
            {
                final long persisted = Math.min(lastWireSeq, seed);
                h.metrics.activate(slot, persisted, persisted);
            }
            observe();
        }

        /**
         * Run one duty cycle, then check what it wrote. The cursors and the policy do not change during the cycle,
         * so the coverage now is what the stage could have seen for every slot it had taken by the end of it.
         */
        void doWork()
        {
            h.doWork();

            final long consumerPosition = h.ring.consumerPosition();
            for (long w = firstUnsentWireSeq; w <= lastWireSeq && ringPositionAfter[(int)w] <= consumerPosition; w++)
            {
                bestCover[(int)w] = Math.max(bestCover[(int)w], covered());
            }

            for (int c = 0; c < CONNECTIONS; c++)
            {
                check(c);
            }
            while (firstUnsentWireSeq <= lastWireSeq && sequencedSent.contains(firstUnsentWireSeq))
            {
                firstUnsentWireSeq++;
            }
            checkQueries();
        }

        /**
         * A query reply must not leave before the replies to commands applied ahead of it. Sockets of different
         * connections are written in no particular order within one duty cycle, so this is checked per cycle.
         */
        private void checkQueries()
        {
            for (final long[] query : queriesToCheck)
            {
                final long prerequisite = queryPrerequisite.get(key((int)query[0], query[1]));
                for (long w = 1; w <= prerequisite; w++)
                {
                    if (!sequencedSent.contains(w))
                    {
                        violations.add("query reply to " + query[0] + " overtook wireSeq " + w);
                        break;
                    }
                }
            }
            queriesToCheck.clear();
        }

        /** Make everything durable under local and check every request got its reply and exactly one BatchEnd. */
        void finish()
        {
            swap("local");
            h.journalPersistedWireSeq.set(lastWireSeq);
            observe();
            for (int i = 0; i < 1_000 && h.agent().unreleasedCount() + h.ring.size() > 0; i++)
            {
                doWork();
            }
            doWork();

            assertEquals(List.of(), violations);
            int batchEnds = 0;
            for (int c = 0; c < CONNECTIONS; c++)
            {
                final long count = clients[c].frames().stream()
                    .filter(f -> BatchEndDecoder.TEMPLATE_ID == f.templateId()).count();
                assertEquals(nextRequestSeq[c], count, "connection " + c + " BatchEnds");
                batchEnds += (int)count;
            }
            assertEquals(published, batchEnds);
            assertEquals(0, h.agent().unreleasedCount());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "local", "hybrid", "durably-replicated", "replicated", "persisted>=2 && in_memory>=3" })
    void shouldNeverReleaseReplyBeforePolicyCoversItsWireSeq(final String policy)
    {
        final Scenario s = new Scenario(policy);
        s.h.metrics.activate(0, 0, 0);
        s.h.metrics.activate(1, 0, 0);
        s.observe();
        final Random random = new Random(policy.hashCode());

        for (int step = 0; step < 3_000; step++)
        {
            switch (random.nextInt(8))
            {
                case 0, 1 -> s.publishReport(random.nextInt(CONNECTIONS));
                case 2 -> s.publishQuery(random.nextInt(CONNECTIONS));
                case 3 -> s.advanceJournal(random.nextInt(5));
                case 4, 5 -> s.ack(random.nextInt(SLOTS), random.nextInt(5), random.nextInt(5));
                default -> s.doWork();
            }
        }
        s.doWork();
        assertEquals(List.of(), s.violations);
        assertTrue(s.h.counters().repliesSent() > 100, "the gate opened along the way: " + s.h.counters());
        assertTrue(s.h.counters().gateWaitsJournal() + s.h.counters().gateWaitsReplication() > 10,
            "and it held replies along the way: " + s.h.counters());
        s.finish();
    }

    @Test
    void shouldReleaseHeldReplyWhenSwappedToSatisfiablePolicyMidWait()
    {
        final Scenario s = new Scenario("hybrid");
        s.publishReport(0);
        s.advanceJournal(1);
        for (int i = 0; i < 10; i++)
        {
            s.doWork();
        }
        assertEquals(0, s.clients[0].receivedLength(), "hybrid with no replica connected is stuck");

        s.swap("local");
        s.doWork();
        assertEquals(2, s.clients[0].frames().size());
        s.finish();
    }

    @Test
    void shouldKeepHoldingWhenSwappedToStricterPolicyMidWait()
    {
        final Scenario s = new Scenario("local");
        s.h.metrics.activate(0, 0, 0);
        s.h.metrics.activate(1, 0, 0);
        s.publishReport(0);
        s.doWork();

        s.swap("durably-replicated");
        s.advanceJournal(1);
        s.doWork();
        assertEquals(0, s.clients[0].receivedLength(), "journal alone no longer covers it");

        s.ack(1, 1, 0);
        s.doWork();
        assertEquals(0, s.clients[0].receivedLength(), "in memory on the replica is not persisted");

        s.ack(1, 0, 1);
        s.doWork();
        assertEquals(2, s.clients[0].frames().size());
        assertEquals(List.of(), s.violations);
        assertEquals(1, s.h.counters().gateWaitsReplication());
    }

    @Property(tries = 150)
    void shouldNeverReleaseUncoveredReplyUnderAnySequenceOfEvents(
        @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) final long seed,
        @ForAll @IntRange(min = 0, max = 4) final int initialPolicy,
        @ForAll @IntRange(min = 50, max = 400) final int steps,
        @ForAll @IntRange(min = 1, max = 4) final int maxBatchSlots,
        @ForAll @IntRange(min = 0, max = 1) final int smallPendingStore)
    {
        final Scenario s = new Scenario(POLICIES[initialPolicy], maxBatchSlots);
        if (1 == smallPendingStore)
        {
            s.h.context.maxPendingSlots(2 * maxBatchSlots);
        }
        final Random random = new Random(seed);
        for (int step = 0; step < steps; step++)
        {
            switch (random.nextInt(13))
            {
                case 0 -> s.publishReport(random.nextInt(CONNECTIONS));
                case 1, 12 ->
                {
                    for (int burst = random.nextInt(8); burst >= 0; burst--)
                    {
                        s.publishReport(random.nextInt(CONNECTIONS));
                    }
                }
                case 2 -> s.publishHalted(random.nextInt(CONNECTIONS));
                case 3 -> s.publishQuery(random.nextInt(CONNECTIONS));
                case 4 -> s.advanceJournal(random.nextInt(8));
                case 5, 6 -> s.ack(random.nextInt(SLOTS), random.nextInt(8), random.nextInt(8));
                case 7 -> s.reconnect(random.nextInt(SLOTS), random.nextInt((int)Math.min(100, s.lastWireSeq + 1)));
                case 8 -> s.swap(POLICIES[random.nextInt(POLICIES.length)]);
                default -> s.doWork();
            }
        }
        s.doWork();
        assertEquals(List.of(), s.violations, () -> "counters " + s.h.counters() + " " +
            Arrays.toString(s.lastRequestSeqSent));
        s.finish();
    }
}
