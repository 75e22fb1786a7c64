package io.sluice.response;

import io.sluice.durability.DurabilityMode;
import io.sluice.sbe.client.BatchEndDecoder;
import io.sluice.sbe.client.ExecutionReportDecoder;
import io.sluice.sbe.client.HaltedDecoder;
import io.sluice.sbe.client.HeartbeatDecoder;
import io.sluice.sbe.client.MessageHeaderDecoder;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResponseAgentTest
{
    private static final int REPORT = ExecutionReportDecoder.TEMPLATE_ID;
    private static final int BATCH_END = BatchEndDecoder.TEMPLATE_ID;
    private static final int HALTED = HaltedDecoder.TEMPLATE_ID;
    private static final int HEARTBEAT = HeartbeatDecoder.TEMPLATE_ID;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private static FakeChannel.Frame frame(final int templateId, final long requestSeq, final long wireSeq)
    {
        return new FakeChannel.Frame(templateId, requestSeq, wireSeq);
    }

    @Test
    void shouldHoldReplyUntilJournalPersistsItUnderLocal()
    {
        final StageHarness h = new StageHarness(0, DurabilityMode.LOCAL.policy());
        final FakeChannel client = h.connections.open(7);
        h.publishReport(7, 1, 1);

        h.doWork();
        assertEquals(0, client.receivedLength(), "journal at 0 has not covered wireSeq 1");
        assertEquals(1, h.agent().unreleasedCount(), "the stage keeps its place without waiting in doWork");

        h.journalPersistedWireSeq.set(1);
        h.doWork();
        assertEquals(List.of(frame(REPORT, 1, 1), frame(BATCH_END, 1, 1)), client.frames());
        assertEquals(0, h.agent().unreleasedCount());
    }

    @Test
    void shouldFrameEachReplyWithLittleEndianLengthOfSbeMessage()
    {
        final StageHarness h = new StageHarness(0, DurabilityMode.LOCAL.policy());
        final FakeChannel client = h.connections.open(1);
        h.journalPersistedWireSeq.set(10);
        h.publishReport(1, 3, 9);
        h.settle();

        final ByteBuffer bytes = ByteBuffer.wrap(client.receivedBytes()).order(ByteOrder.LITTLE_ENDIAN);
        final int reportLength = bytes.getInt(0);
        assertEquals(MessageHeaderDecoder.ENCODED_LENGTH + ExecutionReportDecoder.BLOCK_LENGTH, reportLength);
        final int batchEndOffset = 4 + reportLength;
        assertEquals(MessageHeaderDecoder.ENCODED_LENGTH + BatchEndDecoder.BLOCK_LENGTH, bytes.getInt(batchEndOffset));
        assertEquals(batchEndOffset + 4 + bytes.getInt(batchEndOffset), client.receivedLength());
        assertEquals(1, h.counters().repliesSent());
        assertEquals(1, h.counters().batchEndsSent());
    }

    @Test
    void shouldAppendBatchEndOnlyAfterLastReplyOfRequest()
    {
        final StageHarness h = new StageHarness(0, DurabilityMode.LOCAL.policy());
        final FakeChannel client = h.connections.open(1);
        h.journalPersistedWireSeq.set(10);
        h.publishReport(1, 5, 4, false);
        h.publishReport(1, 5, 4, false);
        h.publishReport(1, 5, 4, true);
        h.settle();

        assertEquals(
            List.of(frame(REPORT, 5, 4), frame(REPORT, 5, 4), frame(REPORT, 5, 4), frame(BATCH_END, 5, 4)),
            client.frames());
    }

    @Test
    void shouldGateWholeBatchOnItsHighestWireSeqWhenCacheIsBehind()
    {
        final StageHarness h = new StageHarness(0, DurabilityMode.LOCAL.policy());
        final FakeChannel client = h.connections.open(1);
        h.publishReport(1, 1, 1);
        h.publishReport(1, 2, 2);
        h.publishReport(1, 3, 3);

        h.journalPersistedWireSeq.set(2);
        h.doWork();
        assertEquals(List.of(frame(REPORT, 1, 1), frame(BATCH_END, 1, 1), frame(REPORT, 2, 2), frame(BATCH_END, 2, 2)),
            client.frames(), "covered replies leave; wireSeq 3 does not");

        h.journalPersistedWireSeq.set(3);
        h.doWork();
        assertEquals(6, client.frames().size());
    }

    @Test
    void shouldSkipGateWhenEveryPendingSlotIsBypass()
    {
        final StageHarness h = new StageHarness(2, DurabilityMode.HYBRID.policy());
        final FakeChannel client = h.connections.open(3);
        h.publishHalted(3, 11);
        h.publishHalted(3, 12);
        h.doWork();

        assertTrue(h.counters().policyDegraded(), "hybrid with no replica is degraded");
        assertEquals(List.of(frame(HALTED, 11, 0), frame(BATCH_END, 11, 0), frame(HALTED, 12, 0),
            frame(BATCH_END, 12, 0)), client.frames());
    }

    @Test
    void shouldNotLetBypassReplyOvertakeHeldReplyOnSameConnection()
    {
        final StageHarness h = new StageHarness(2, DurabilityMode.HYBRID.policy());
        final FakeChannel a = h.connections.open(1);
        final FakeChannel b = h.connections.open(2);
        h.journalPersistedWireSeq.set(5);
        h.publishReport(1, 1, 5);   // applied before the halt; hybrid cannot cover it with no replica
        h.publishHalted(1, 2);      // a's next request, rejected HALTED
        h.publishHalted(2, 1);      // b had nothing in flight
        h.doWork();

        assertEquals(0, a.receivedLength(), "a's HALTED must wait behind a's held report");
        assertEquals(List.of(frame(HALTED, 1, 0), frame(BATCH_END, 1, 0)), b.frames());
        assertEquals(1, h.counters().bypassEarlyReleases());

        h.metrics.activate(0, 5, 5);
        h.doWork();
        assertEquals(List.of(frame(REPORT, 1, 5), frame(BATCH_END, 1, 5), frame(HALTED, 2, 0), frame(BATCH_END, 2, 0)),
            a.frames());
    }

    @Test
    void shouldHoldLaterQueryReplyBehindHeldSequencedReply()
    {
        // A query reply has no wireSeq but reflects every command applied before it: it waits for them.
        final StageHarness h = new StageHarness(0, DurabilityMode.LOCAL.policy());
        final FakeChannel a = h.connections.open(1);
        final FakeChannel b = h.connections.open(2);
        h.publishReport(1, 1, 1);
        h.publishQueryReply(2, 1);
        h.doWork();
        assertEquals(0, b.receivedLength());

        h.journalPersistedWireSeq.set(1);
        h.doWork();
        assertEquals(2, a.frames().size());
        assertEquals(List.of(frame(REPORT, 1, 0), frame(BATCH_END, 1, 0)), b.frames());
    }

    @Test
    void shouldUnwedgeWhenModeIsSwappedDuringWait()
    {
        final StageHarness h = new StageHarness(2, DurabilityMode.HYBRID.policy());
        final FakeChannel client = h.connections.open(1);
        h.journalPersistedWireSeq.set(1);
        h.publishReport(1, 1, 1);
        for (int i = 0; i < 5; i++)
        {
            h.doWork();
        }
        assertEquals(0, client.receivedLength(), "hybrid without replicas never covers anything");

        assertEquals("OK hybrid -> local", h.control.swap("local").message());
        h.doWork();
        assertEquals(List.of(frame(REPORT, 1, 1), frame(BATCH_END, 1, 1)), client.frames());
        assertFalse(h.counters().policyDegraded());
        assertEquals(1, h.counters().policySwapsObserved());
    }

    @Test
    void shouldNotReleaseOnStaleCacheAfterSwapToStricterPolicy()
    {
        // The journal runs ahead of the output ring: the cache covers a slot the stage has not taken yet.
        final StageHarness h = new StageHarness(2, DurabilityMode.LOCAL.policy());
        h.context.maxBatchSlots(1);
        final FakeChannel client = h.connections.open(1);
        h.metrics.activate(0, 5, 5);
        h.metrics.activate(1, 5, 5);
        h.journalPersistedWireSeq.set(10);
        h.publishReport(1, 1, 9);
        h.publishReport(1, 2, 10);
        h.doWork();
        assertEquals(10, h.agent().cachedDurablePos());
        assertEquals(1, h.agent().counters().slotsConsumed(), "wireSeq 10 is still in the ring");

        h.control.swap(DurabilityMode.DURABLY_REPLICATED);
        h.doWork();
        h.doWork();
        assertEquals(List.of(frame(REPORT, 1, 9), frame(BATCH_END, 1, 9)), client.frames(),
            "under persisted>=2 only 5 is covered, whatever was cached");

        h.metrics.onAck(0, 10, 10, 0);
        h.doWork();
        assertEquals(4, client.frames().size());
    }

    @Test
    void shouldStillReleaseWhatThePolicyCoveredAfterItsReplicasDisconnect()
    {
        final StageHarness h = new StageHarness(2, DurabilityMode.HYBRID.policy());
        final FakeChannel client = h.connections.open(1);
        h.metrics.activate(0, 0, 0);
        h.metrics.activate(1, 0, 0);
        h.journalPersistedWireSeq.set(6);
        h.metrics.onAck(0, 5, 5, 0);
        h.metrics.onAck(1, 5, 5, 0);
        h.publishReport(1, 1, 5);
        h.settle();
        assertEquals(List.of(frame(REPORT, 1, 5), frame(BATCH_END, 1, 5)), client.frames());

        h.metrics.deactivate(0);
        h.metrics.deactivate(1);
        h.publishDuplicateAnswer(1, 1, 5);
        h.publishReport(1, 2, 6);
        h.settle();
        assertTrue(h.counters().policyDegraded(), "hybrid without replicas");
        assertEquals(List.of(frame(REPORT, 1, 5), frame(BATCH_END, 1, 5), frame(REPORT, 1, 0), frame(BATCH_END, 1, 0)),
            client.frames(), "wireSeq 5 reached both replicas before they left, so its later answer goes; 6 never did");
        assertEquals(5, h.agent().cachedDurablePos());

        assertEquals("OK hybrid -> durably-replicated", h.control.swap("durably-replicated").message());
        h.settle();
        assertEquals(0, h.agent().cachedDurablePos(), "a new policy starts from what it covers itself");
    }

    @Test
    void shouldAttributeWaitToJournalUnderLocalAndToReplicationUnderReplicated()
    {
        final StageHarness h = new StageHarness(2, DurabilityMode.LOCAL.policy());
        h.connections.open(1);
        h.metrics.activate(0, 0, 0);
        h.metrics.activate(1, 0, 0);

        h.publishReport(1, 1, 1);
        h.doWork();
        h.journalPersistedWireSeq.set(1);
        h.doWork();
        assertEquals(1, h.counters().gateWaitsJournal(), "replicas lag but local does not wait for them");
        assertEquals(0, h.counters().gateWaitsReplication());

        h.control.swap("replicated");
        h.publishReport(1, 2, 2);
        h.doWork();
        h.journalPersistedWireSeq.set(2);
        h.doWork();
        h.metrics.onAck(0, 2, 0, 0);
        h.doWork();
        assertEquals(1, h.counters().gateWaitsJournal());
        assertEquals(1, h.counters().gateWaitsReplication(), "in_memory>=2 waited for a replica's apply");
    }

    @Test
    void shouldAttributeHybridWaitToWhicheverCursorCameLast()
    {
        final StageHarness h = new StageHarness(2, DurabilityMode.HYBRID.policy());
        h.connections.open(1);
        h.metrics.activate(0, 0, 0);

        h.publishReport(1, 1, 1);
        h.doWork();
        h.metrics.onAck(0, 1, 0, 0);
        h.doWork();
        h.journalPersistedWireSeq.set(1);
        h.doWork();
        assertEquals(1, h.counters().gateWaitsJournal());

        h.publishReport(1, 2, 2);
        h.doWork();
        h.journalPersistedWireSeq.set(2);
        h.doWork();
        h.metrics.onAck(0, 2, 0, 0);
        h.doWork();
        assertEquals(1, h.counters().gateWaitsReplication());
    }

    @Test
    void shouldNotCountWaitWhenFreshEvaluationAlreadyCovers()
    {
        final StageHarness h = new StageHarness(0, DurabilityMode.LOCAL.policy());
        h.connections.open(1);
        h.journalPersistedWireSeq.set(1);
        h.publishReport(1, 1, 1);
        h.doWork();
        assertEquals(0, h.counters().gateWaitsJournal() + h.counters().gateWaitsReplication());
        assertEquals(2, h.connections.get(1).frames().size());
    }

    @Test
    void shouldRecordJournalWaitOnlyWhenJournalWasBehind()
    {
        final StageHarness h = new StageHarness(1, DurabilityMode.HYBRID.policy());
        final ResponseTrace trace = new ResponseTrace();
        h.context.trace(trace);
        h.connections.open(1);
        h.metrics.activate(0, 1, 0);   // applied, not yet synced: persisted>=1 needs the journal

        h.publishReport(1, 1, 1);
        h.doWork();
        h.clock.advance(3_000);
        h.journalPersistedWireSeq.set(1);
        h.doWork();

        final Histogram journalWait = trace.journalWait().getIntervalHistogram();
        assertEquals(1, journalWait.getTotalCount());
        assertEquals(3_000, journalWait.getMaxValue(), 3);
        assertEquals(0, trace.replicaWait().getIntervalHistogram().getTotalCount(), "replication never caught up");
        assertEquals(1, trace.serverEndToEnd().getIntervalHistogram().getTotalCount());
        assertEquals(1, h.counters().gateWaitsJournal());
    }

    @Test
    void shouldFlushOnlyOnceRingIsDrained()
    {
        final StageHarness h = new StageHarness(0, DurabilityMode.LOCAL.policy());
        h.context.maxBatchSlots(2);
        final FakeChannel client = h.connections.open(1);
        h.journalPersistedWireSeq.set(100);
        for (int i = 1; i <= 5; i++)
        {
            h.publishReport(1, i, i);
        }

        h.doWork();
        assertEquals(0, client.writeCalls, "two of five taken: more are waiting, so no flush yet");
        h.doWork();
        assertEquals(0, client.writeCalls);
        h.doWork();
        assertEquals(10, client.frames().size());
    }

    @Test
    void shouldKeepOrderAcrossPartialWrites()
    {
        final StageHarness h = new StageHarness(0, DurabilityMode.LOCAL.policy());
        final FakeChannel client = h.connections.open(1);
        client.maxBytesPerWrite = 7;
        h.journalPersistedWireSeq.set(100);
        for (int i = 1; i <= 20; i++)
        {
            h.publishReport(1, i, i);
        }
        for (int i = 0; i < 1_000 && client.frames().size() < 40; i++)
        {
            h.doWork();
        }

        final List<FakeChannel.Frame> frames = client.frames();
        assertEquals(40, frames.size());
        for (int i = 0; i < 20; i++)
        {
            assertEquals(frame(REPORT, i + 1, i + 1), frames.get(2 * i));
            assertEquals(frame(BATCH_END, i + 1, i + 1), frames.get(2 * i + 1));
        }
    }

    @Test
    void shouldDropSlowConsumerAndNeverWriteToItAgain()
    {
        final StageHarness h = new StageHarness(0, DurabilityMode.LOCAL.policy());
        h.context.maxSendBufferBytes(64 * 1024);
        final FakeChannel slow = h.connections.open(1);
        final FakeChannel fast = h.connections.open(2);
        slow.maxBytesPerWrite = 0;
        h.journalPersistedWireSeq.set(1_000_000);

        long requestSeq = 0;
        while (h.connections.drops.isEmpty() && requestSeq < 5_000)
        {
            requestSeq++;
            h.publishReport(1, requestSeq, requestSeq);
            h.publishReport(2, requestSeq, requestSeq);
            h.doWork();
        }

        assertEquals(List.of(new FakeConnections.Drop(1, DropReason.SEND_BUFFER_OVERFLOW)), h.connections.drops);
        assertEquals(1, h.counters().slowConsumerDrops());
        final int requestBytes = 4 + MessageHeaderDecoder.ENCODED_LENGTH + ExecutionReportDecoder.BLOCK_LENGTH +
            4 + MessageHeaderDecoder.ENCODED_LENGTH + BatchEndDecoder.BLOCK_LENGTH;
        assertEquals((64 * 1024) / requestBytes + 1, requestSeq, "dropped when the next frame would pass 64 KiB");

        final int writesAtDrop = slow.writeCalls;
        h.publishReport(1, requestSeq + 1, requestSeq + 1);
        h.publishReport(2, requestSeq + 1, requestSeq + 1);
        h.settle();
        assertEquals(writesAtDrop, slow.writeCalls, "nothing more is written to a dropped client");
        assertEquals(2 * (requestSeq + 1), fast.frames().size(), "other clients carry on");
        assertTrue(h.counters().repliesDiscarded() >= 1);
    }

    @Test
    void shouldDropClientWhoseSocketTakesNothingForTheStallTimeout()
    {
        final StageHarness h = new StageHarness(0, DurabilityMode.LOCAL.policy());
        h.context.sendStallTimeoutNs(TimeUnit.SECONDS.toNanos(5));
        final FakeChannel stalled = h.connections.open(1);
        final FakeChannel reading = h.connections.open(2);
        stalled.maxBytesPerWrite = 0;
        h.journalPersistedWireSeq.set(1_000_000);
        h.publishReport(1, 1, 1);
        h.publishReport(2, 1, 1);
        h.settle();

        h.clock.advance(TimeUnit.SECONDS.toNanos(5));
        h.settle();
        assertTrue(h.connections.drops.isEmpty(), "not before the timeout has passed");

        h.clock.advance(1);
        h.publishReport(2, 2, 2);
        h.settle();
        assertEquals(List.of(new FakeConnections.Drop(1, DropReason.SEND_STALLED)), h.connections.drops);
        assertEquals(1, h.counters().slowConsumerDrops());
        assertEquals(4, reading.frames().size());
    }

    @Test
    void shouldNotDropClientThatTakesSomeOutputWithinEachStallTimeout()
    {
        final StageHarness h = new StageHarness(0, DurabilityMode.LOCAL.policy());
        h.context.sendStallTimeoutNs(TimeUnit.SECONDS.toNanos(5));
        final FakeChannel trickle = h.connections.open(1);
        trickle.maxBytesPerWrite = 0;
        h.journalPersistedWireSeq.set(1_000_000);
        for (int i = 1; i <= 20; i++)
        {
            h.publishReport(1, i, i);
        }
        h.settle();

        for (int i = 0; i < 10; i++)
        {
            h.clock.advance(TimeUnit.SECONDS.toNanos(4));
            trickle.maxBytesPerWrite = 16;
            h.doWork();
            trickle.maxBytesPerWrite = 0;
            h.settle();
        }

        assertTrue(h.connections.drops.isEmpty());
    }

    @Test
    void shouldCloseAfterTheLastMessageIsWrittenAndDiscardLaterReplies()
    {
        final StageHarness h = new StageHarness(0, DurabilityMode.LOCAL.policy());
        h.context.heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(100));
        final FakeChannel client = h.connections.open(1);
        client.maxBytesPerWrite = 10;
        h.journalPersistedWireSeq.set(1_000_000);
        h.publishReport(1, 1, 1);
        h.publishFarewell(1, 7);
        h.publishReport(1, 2, 2);

        h.doWork();
        assertTrue(h.connections.farewells.isEmpty(), "not before everything is written");
        client.maxBytesPerWrite = Integer.MAX_VALUE;
        h.clock.advance(TimeUnit.SECONDS.toNanos(1));
        h.settle();

        assertEquals(List.of(new FakeConnections.Farewell(1, 7)), h.connections.farewells);
        assertEquals(List.of(ExecutionReportDecoder.TEMPLATE_ID, BatchEndDecoder.TEMPLATE_ID,
            HaltedDecoder.TEMPLATE_ID),
            client.frames().stream().map(FakeChannel.Frame::templateId).toList(), "no heartbeat, no later reply");
        assertEquals(1, h.counters().farewellsWritten());
        assertTrue(h.counters().repliesDiscarded() >= 1);
        assertTrue(h.connections.drops.isEmpty());
    }

    @Test
    void shouldGateTheAnswerToAnAppliedRequestYetEndItWithWireSeqZero()
    {
        final StageHarness h = new StageHarness(0, DurabilityMode.LOCAL.policy());
        final FakeChannel client = h.connections.open(1);
        h.publishDuplicateAnswer(1, 5, 9);
        h.settle();
        assertEquals(0, client.frames().size(), "held until the original is durable");

        h.journalPersistedWireSeq.set(9);
        h.clock.advance(TimeUnit.SECONDS.toNanos(2));
        h.settle();

        assertEquals(List.of(new FakeChannel.Frame(ExecutionReportDecoder.TEMPLATE_ID, 5, 0),
            new FakeChannel.Frame(BatchEndDecoder.TEMPLATE_ID, 5, 0)), client.frames());
    }

    @Test
    void shouldNotDropClientThatKeepsUpThroughLargeBurst()
    {
        final StageHarness h = new StageHarness(0, DurabilityMode.LOCAL.policy());
        h.context.maxSendBufferBytes(64 * 1024);
        final FakeChannel client = h.connections.open(1);
        h.journalPersistedWireSeq.set(1_000_000);
        final int replies = 1_000;   // ~100 KiB released in one cycle, more than the unsent limit
        for (int i = 1; i <= replies; i++)
        {
            h.publishReport(1, 1, i, i == replies);
        }
        h.settle();

        assertTrue(h.connections.drops.isEmpty());
        assertEquals(replies + 1, client.frames().size());
    }

    @Test
    void shouldDropConnectionWhoseWriteFails()
    {
        final StageHarness h = new StageHarness(0, DurabilityMode.LOCAL.policy());
        final FakeChannel client = h.connections.open(1);
        client.failure = new IOException("connection reset");
        h.journalPersistedWireSeq.set(10);
        h.publishReport(1, 1, 1);
        h.settle();

        assertEquals(List.of(new FakeConnections.Drop(1, DropReason.WRITE_FAILED)), h.connections.drops);
        assertEquals(1, h.counters().writeFailureDrops());
    }

    @Test
    void shouldDiscardRepliesForUnknownConnection()
    {
        final StageHarness h = new StageHarness(0, DurabilityMode.LOCAL.policy());
        h.journalPersistedWireSeq.set(10);
        h.publishReport(99, 1, 1);
        h.publishReport(99, 2, 2);
        h.settle();
        assertEquals(2, h.counters().repliesDiscarded());
        assertEquals(0, h.counters().repliesSent());
    }

    @Test
    void shouldHeartbeatIdleConnectionAfterInterval()
    {
        final StageHarness h = new StageHarness(0, DurabilityMode.LOCAL.policy());
        h.context.heartbeatIntervalNs(SECOND);
        final FakeChannel client = h.connections.open(1);
        h.journalPersistedWireSeq.set(10);
        h.publishReport(1, 1, 1);
        h.doWork();
        assertEquals(2, client.frames().size());

        h.clock.advance(SECOND / 2);
        h.doWork();
        assertEquals(2, client.frames().size(), "not idle long enough");

        h.clock.advance(SECOND / 2);
        h.doWork();
        assertEquals(frame(HEARTBEAT, 0, 42), client.frames().get(2));
        assertEquals(1, h.counters().heartbeatsSent());

        h.clock.advance(SECOND / 2);
        h.doWork();
        assertEquals(3, client.frames().size(), "the heartbeat reset the idle time");
    }

    @Test
    void shouldForgetConnectionClosedByPeer()
    {
        final StageHarness h = new StageHarness(0, DurabilityMode.LOCAL.policy());
        h.context.heartbeatIntervalNs(SECOND);
        final FakeChannel client = h.connections.open(1);
        h.journalPersistedWireSeq.set(10);
        h.publishReport(1, 1, 1);
        h.doWork();
        client.close();

        h.clock.advance(2 * SECOND);
        h.doWork();
        assertEquals(0, h.counters().heartbeatsSent());
        assertTrue(h.connections.drops.isEmpty(), "a connection closed elsewhere is forgotten, not dropped");
    }

    @Test
    void shouldShowDegradedGaugeFromStartForHybridStandalone()
    {
        final StageHarness h = new StageHarness(0, DurabilityMode.HYBRID.policy());
        h.doWork();
        assertTrue(h.counters().policyDegraded());
        assertEquals(List.of("starting-degraded hybrid"), h.degradationEvents.events);

        h.clock.advance(6 * SECOND);
        h.doWork();
        assertEquals(1, h.degradationEvents.count("still-degraded"));
        assertTrue(h.counters().degradedNsTotal() >= 6 * SECOND);
    }

    @Test
    void shouldHoldRepliesWithoutLosingThemWhenPendingStoreFills()
    {
        final StageHarness h = new StageHarness(0, DurabilityMode.LOCAL.policy());
        h.context.maxBatchSlots(4).maxPendingSlots(8);
        final FakeChannel client = h.connections.open(1);
        for (int i = 1; i <= 30; i++)
        {
            h.publishReport(1, i, i);
        }
        for (int i = 0; i < 10; i++)
        {
            h.doWork();
        }
        assertEquals(8, h.agent().unreleasedCount(), "the stage holds what it can and leaves the rest in the ring");
        assertEquals(0, client.receivedLength());

        for (long journal = 1; journal <= 30; journal++)
        {
            h.journalPersistedWireSeq.set(journal);
            h.doWork();
        }
        h.settle();
        final List<FakeChannel.Frame> frames = client.frames();
        assertEquals(60, frames.size());
        for (int i = 0; i < 30; i++)
        {
            assertEquals(frame(REPORT, i + 1, i + 1), frames.get(2 * i));
        }
    }

    @Test
    void shouldKeepBypassRepliesFlowingPastHeldReplyWithSmallPendingStore()
    {
        // Released bypass slots leave holes around the held one; the store compacts them away and keeps taking.
        final StageHarness h = new StageHarness(0, DurabilityMode.LOCAL.policy());
        h.context.maxBatchSlots(4).maxPendingSlots(8);
        final FakeChannel held = h.connections.open(1);
        final FakeChannel other = h.connections.open(2);
        h.publishReport(1, 1, 1);
        for (int i = 1; i <= 30; i++)
        {
            h.publishHalted(2, i);
        }
        for (int i = 0; i < 20; i++)
        {
            h.doWork();
        }

        assertEquals(60, other.frames().size());
        assertEquals(0, held.receivedLength());
        assertEquals(1, h.agent().unreleasedCount());

        h.journalPersistedWireSeq.set(1);
        h.doWork();
        assertEquals(List.of(frame(REPORT, 1, 1), frame(BATCH_END, 1, 1)), held.frames());
    }

    @Test
    void shouldRejectInvalidConfigurationNamingTheKey()
    {
        final StageHarness h = new StageHarness(0, DurabilityMode.LOCAL.policy());
        h.context.maxSendBufferBytes(10);
        final IllegalStateException ex = assertThrows(IllegalStateException.class, h.context::conclude);
        assertTrue(ex.getMessage().startsWith("response.maxSendBufferBytes"), ex.getMessage());

        final StageHarness h2 = new StageHarness(0, DurabilityMode.LOCAL.policy());
        h2.context.replicationMetrics(null);
        assertTrue(assertThrows(IllegalStateException.class, h2.context::conclude).getMessage()
            .contains("response.replicationMetrics"));
    }
}
