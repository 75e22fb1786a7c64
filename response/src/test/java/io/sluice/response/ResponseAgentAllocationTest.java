package io.sluice.response;

import io.sluice.durability.DurabilityMode;
import io.sluice.sbe.client.ExecutionReportEncoder;
import io.sluice.sbe.client.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The duty cycle allocates nothing in steady state: taking slots, holding them while the gate is shut, evaluating
 * the policy, attributing waits, framing replies and BatchEnds, writing, heartbeating.
 */
class ResponseAgentAllocationTest
{
    /** A socket that takes everything. */
    private static final class DiscardChannel implements WritableByteChannel
    {
        long bytes;

        public int write(final ByteBuffer src)
        {
            final int length = src.remaining();
            src.position(src.limit());
            bytes += length;
            return length;
        }

        public boolean isOpen()
        {
            return true;
        }

        public void close()
        {
        }
    }

    @Test
    void shouldNotAllocateInSteadyStateDutyCycles()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final StageHarness h = new StageHarness(2, DurabilityMode.HYBRID.policy());
        h.context.heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(5));
        final DiscardChannel[] channels = { new DiscardChannel(), new DiscardChannel(), new DiscardChannel() };
        final DiscardChannel idle = new DiscardChannel();
        final ClientConnections connections = new ClientConnections()
        {
            public WritableByteChannel channel(final long connectionId)
            {
                return connectionId < channels.length ? channels[(int)connectionId] : idle;
            }

            public void onDropped(final long connectionId, final DropReason reason)
            {
                throw new AssertionError("unexpected drop of " + connectionId);
            }

            public void onFarewellWritten(final long connectionId, final int closeCode)
            {
                throw new AssertionError("unexpected close of " + connectionId);
            }
        };
        h.context.connections(connections);
        h.metrics.activate(0, 0, 0);
        h.metrics.activate(1, 0, 0);

        final UnsafeBuffer report = new UnsafeBuffer(new byte[256]);
        final ExecutionReportEncoder encoder = new ExecutionReportEncoder();
        encoder.wrapAndApplyHeader(report, 0, new MessageHeaderEncoder()).requestSeq(1).wireSeq(1);
        final int reportLength = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        final long[] wireSeq = { 0 };

        final Runnable iteration = () ->
        {
            for (int c = 0; c < channels.length; c++)
            {
                final long w = ++wireSeq[0];
                h.publisher.offer(c, w, w, OutputSlot.LAST_IN_REQUEST_FLAG, 0, 0, report, 0, reportLength);
            }
            h.publisher.offer(0, 0, 0, OutputSlot.LAST_IN_REQUEST_FLAG | OutputSlot.DURABILITY_BYPASS_FLAG,
                0, 0, report, 0, reportLength);
            h.doWork();                                   // gate shut: held
            h.journalPersistedWireSeq.set(wireSeq[0]);
            h.doWork();                                   // journal done, replicas behind: still held
            h.metrics.onAck((int)(wireSeq[0] % 2), wireSeq[0], wireSeq[0], 1_000);
            h.clock.advance(TimeUnit.MILLISECONDS.toNanos(3));
            h.doWork();                                   // replica acked: released, written
        };

        h.publisher.offer(channels.length, 0, 0, OutputSlot.LAST_IN_REQUEST_FLAG, 0, 0, report, 0, reportLength);
        for (int i = 0; i < 20_000; i++)
        {
            iteration.run();
        }

        final long overheadStart = threads.getCurrentThreadAllocatedBytes();
        final long overhead = threads.getCurrentThreadAllocatedBytes() - overheadStart;
        final long sentBefore = h.counters().repliesSent();
        final long start = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 10_000; i++)
        {
            iteration.run();
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - start - overhead;
        assertEquals(40_000, h.counters().repliesSent() - sentBefore);
        assertTrue(h.counters().gateWaitsJournal() + h.counters().gateWaitsReplication() > 10_000);
        assertTrue(h.counters().heartbeatsSent() > 1_000, "the idle connection is heartbeated");
        assertEquals(0, h.agent().unreleasedCount());
        // A per-cycle allocation would show as hundreds of kilobytes here; the JIT may materialise an object or two
        // once when it deoptimises, hence a little slack rather than exactly zero.
        assertTrue(allocated < 1024, "10,000 steady-state iterations allocated " + allocated + " bytes");
    }
}
