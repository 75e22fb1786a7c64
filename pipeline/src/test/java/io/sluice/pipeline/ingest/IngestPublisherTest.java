package io.sluice.pipeline.ingest;

import io.sluice.sbe.client.MessageHeaderDecoder;
import io.sluice.sbe.client.NewOrderDecoder;
import io.sluice.sbe.client.ServerBusyDecoder;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IngestPublisherTest
{
    private static final int CAPACITY_BYTES = 4096;

    private final UnsafeBuffer message = new UnsafeBuffer(new byte[4096]);
    private final CachedNanoClock clock = new CachedNanoClock();

    private IngestRing ring(final int busyNoticeReserve)
    {
        return new IngestRing(7, CAPACITY_BYTES, busyNoticeReserve, 1, clock);
    }

    private static List<Snapshot> drain(final IngestRing ring)
    {
        final IngestRings rings = new IngestRings();
        rings.add(ring);
        final List<Snapshot> records = new ArrayList<>();
        while (rings.poll((record) -> records.add(new Snapshot(record)), 1000) > 0)
        {
            // keep polling until the ring is empty
        }
        return records;
    }

    @Test
    void shouldPublishHeaderFieldsAndMessageBytesExactly()
    {
        final IngestRing ring = ring(4);
        final int length = TestMessages.newOrder(message, 16, 42);

        final IngestResult result = ring.publisher().publish(11, 22, 33, 44, message, 16, length);

        assertEquals(IngestResult.INGESTED, result);
        final List<Snapshot> records = drain(ring);
        assertEquals(1, records.size());
        final Snapshot record = records.get(0);
        assertEquals(7, record.shardId);
        assertEquals(IngestRecord.MSG_TYPE_CLIENT_MESSAGE, record.msgTypeId);
        assertEquals(11, record.connectionId);
        assertEquals(22, record.sessionId);
        assertEquals(33, record.accountId);
        assertEquals(44, record.recvTsNs);
        assertEquals(NewOrderDecoder.TEMPLATE_ID, record.templateId);
        final byte[] expected = new byte[length];
        message.getBytes(16, expected);
        assertArrayEquals(expected, record.message);

        final NewOrderDecoder decoder = new NewOrderDecoder()
            .wrapAndApplyHeader(new UnsafeBuffer(record.message), 0, new MessageHeaderDecoder());
        assertEquals(42, decoder.requestSeq());
        assertEquals(10_050, decoder.price());
    }

    @Test
    void shouldRefuseWithRingFullWithoutWritingAndAcceptAgainOnceConsumed()
    {
        final IngestRing ring = ring(4);
        TestMessages.sized(message, 0, 200, 1);

        int ingested = 0;
        while (ring.publisher().publish(1, 2, 3, 4, message, 0, 200) == IngestResult.INGESTED)
        {
            ingested++;
        }

        assertTrue(ingested > 10);
        assertEquals(ingested, ring.counters().ingested());
        assertEquals(1, ring.counters().rejectedRingFull());
        assertEquals(ingested + 1, ring.counters().offered());
        assertEquals(ingested, drain(ring).size());

        assertEquals(IngestResult.INGESTED, ring.publisher().publish(1, 2, 3, 4, message, 0, 200));
        assertEquals(ingested + 1, ring.counters().ingested());
    }

    @Test
    void shouldKeepHeadroomForBusyNoticesBehindEarlierRecords()
    {
        final int reserve = 8;
        final IngestRing ring = ring(reserve);
        long seq = 0;
        IngestResult result;
        do
        {
            TestMessages.sized(message, 0, 120, ++seq);
            result = ring.publisher().publish(5, 6, 7, seq, message, 0, 120);
        }
        while (result == IngestResult.INGESTED);
        assertEquals(IngestResult.RING_FULL, result);
        final long refusedSeq = seq;

        for (int i = 0; i < reserve; i++)
        {
            assertEquals(IngestResult.INGESTED,
                ring.publisher().publishBusyNotice(5, 6, 7, 99, refusedSeq + i), "notice " + i);
        }
        assertEquals(reserve, ring.counters().busyNoticesPublished());
        assertEquals(refusedSeq, ring.counters().offered(), "notices are not offers");

        final List<Snapshot> records = drain(ring);
        assertEquals(refusedSeq - 1 + reserve, records.size());
        for (int i = 0; i < refusedSeq - 1; i++)
        {
            assertFalse(records.get(i).busyNotice);
            assertEquals(i + 1, records.get(i).seq);
        }
        for (int i = 0; i < reserve; i++)
        {
            final Snapshot notice = records.get((int)refusedSeq - 1 + i);
            assertTrue(notice.busyNotice);
            assertEquals(IngestRecord.MSG_TYPE_BUSY_NOTICE, notice.msgTypeId);
            assertEquals(ServerBusyDecoder.TEMPLATE_ID, notice.templateId);
            assertEquals(refusedSeq + i, notice.busyRequestSeq);
            assertEquals(5, notice.connectionId);
            assertEquals(6, notice.sessionId);
            assertEquals(7, notice.accountId);
            final ServerBusyDecoder decoder = new ServerBusyDecoder()
                .wrapAndApplyHeader(new UnsafeBuffer(notice.message), 0, new MessageHeaderDecoder());
            assertEquals(refusedSeq + i, decoder.requestSeq());
        }
    }

    @Test
    void shouldCountBusyNoticeRefusedWhenHeadroomIsUsedUp()
    {
        final IngestRing ring = ring(2);
        int notices = 0;
        while (ring.publisher().publishBusyNotice(1, 2, 3, 4, notices) == IngestResult.INGESTED)
        {
            notices++;
        }

        assertEquals(notices, ring.counters().busyNoticesPublished());
        assertEquals(1, ring.counters().busyNoticesRingFull());
        assertEquals(0, ring.counters().offered());
        assertEquals(notices, drain(ring).size());
    }

    @Test
    void shouldRejectMessagesShorterThanHeaderOrLongerThanMax()
    {
        final IngestRing ring = ring(4);
        final int max = ring.publisher().maxMessageLength();
        assertEquals(CAPACITY_BYTES / 8 - IngestRecord.HEADER_LENGTH, max);

        assertEquals(IngestResult.INVALID_LENGTH, ring.publisher().publish(1, 2, 3, 4, message, 0, 7));
        assertEquals(IngestResult.INVALID_LENGTH, ring.publisher().publish(1, 2, 3, 4, message, 0, max + 1));
        assertEquals(IngestResult.INGESTED, ring.publisher().publish(1, 2, 3, 4, message, 0, max));
        assertEquals(IngestResult.INGESTED, ring.publisher().publish(1, 2, 3, 4, message, 0, 8));

        assertEquals(2, ring.counters().rejectedInvalidLength());
        assertEquals(2, ring.counters().rejected());
        assertTrue(IngestResult.INVALID_LENGTH.isRejected());
        assertEquals(2, drain(ring).size());
    }

    @Test
    void shouldCountOffersAfterCloseAsUnroutedAndWriteNothing()
    {
        final IngestRing ring = ring(4);
        TestMessages.sized(message, 0, 64, 1);
        assertEquals(IngestResult.INGESTED, ring.publisher().publish(1, 2, 3, 4, message, 0, 64));

        ring.close();

        assertTrue(ring.isClosed());
        assertEquals(IngestResult.UNROUTED, ring.publisher().publish(1, 2, 3, 4, message, 0, 64));
        assertEquals(IngestResult.UNROUTED, ring.publisher().publishBusyNotice(1, 2, 3, 4, 5));
        assertEquals(2, ring.counters().offered());
        assertEquals(1, ring.counters().unrouted());
        assertEquals(1, drain(ring).size(), "records committed before close stay readable");
    }

    @Test
    void shouldTimeOnePublishPerSampleIntervalIntoPackedCounter()
    {
        final SteppingClock steppingClock = new SteppingClock(7);
        final IngestRing ring = new IngestRing(1, CAPACITY_BYTES, 0, 4, steppingClock);
        TestMessages.sized(message, 0, 32, 1);

        for (int i = 0; i < 8; i++)
        {
            assertEquals(IngestResult.INGESTED, ring.publisher().publish(1, 2, 3, 4, message, 0, 32));
        }

        final long packed = ring.counters().takePublishLatency();
        assertEquals(2, IngestCounters.sampleCount(packed));
        assertEquals(14, IngestCounters.sampleSumNs(packed));
        assertEquals(7, IngestCounters.averageNs(packed));
        assertEquals(0, ring.counters().takePublishLatency(), "taking starts a new window");
    }

    @Property(tries = 200)
    void shouldAccountEveryOfferExactly(
        @ForAll @Size(min = 1, max = 300) final List<@IntRange(min = 0, max = 700) Integer> lengths,
        @ForAll @IntRange(min = 1, max = 40) final int pollEvery,
        @ForAll @IntRange(min = 0, max = 20) final int closeAfterPercent)
    {
        final IngestRing ring = new IngestRing(3, CAPACITY_BYTES, 4, 1, clock);
        final IngestRings rings = new IngestRings();
        rings.add(ring);
        final int closeAt =
            closeAfterPercent == 0 ? Integer.MAX_VALUE : lengths.size() * (100 - closeAfterPercent) / 100;
        final List<Long> ingestedSeqs = new ArrayList<>();
        final List<Long> consumedSeqs = new ArrayList<>();
        final IngestHandler handler = (record) -> consumedSeqs.add(TestMessages.seqOf(record));
        int rejected = 0;
        int unrouted = 0;

        for (int i = 0; i < lengths.size(); i++)
        {
            if (i == closeAt)
            {
                ring.close();
            }
            final int raw = lengths.get(i);
            final int length = raw < IngestRecord.MIN_MESSAGE_LENGTH ? raw : Math.max(16, raw);
            if (length >= 16)
            {
                TestMessages.sized(message, 0, length, i);
            }
            final IngestResult result = ring.publisher().publish(i, 0, 0, 0, message, 0, length);
            switch (result)
            {
                case INGESTED:
                    ingestedSeqs.add((long)i);
                    break;
                case UNROUTED:
                    unrouted++;
                    break;
                default:
                    rejected++;
                    break;
            }
            if (i % pollEvery == 0)
            {
                rings.poll(handler, 3);
            }
        }
        while (rings.poll(handler, 3) > 0)
        {
            // drain
        }

        final IngestCounters counters = ring.counters();
        assertEquals(lengths.size(), counters.offered());
        assertEquals(counters.offered(), counters.ingested() + counters.rejected() + counters.unrouted());
        assertEquals(ingestedSeqs.size(), counters.ingested());
        assertEquals(rejected, counters.rejected());
        assertEquals(unrouted, counters.unrouted());
        assertEquals(ingestedSeqs, consumedSeqs);
    }

    static final class SteppingClock implements NanoClock
    {
        private final long stepNs;
        private long nowNs;

        SteppingClock(final long stepNs)
        {
            this.stepNs = stepNs;
        }

        public long nanoTime()
        {
            nowNs += stepNs;
            return nowNs;
        }
    }

    static final class Snapshot
    {
        final int shardId;
        final int msgTypeId;
        final boolean busyNotice;
        final long connectionId;
        final long sessionId;
        final long accountId;
        final long recvTsNs;
        final int templateId;
        final long seq;
        final long busyRequestSeq;
        final byte[] message;

        Snapshot(final IngestRecord record)
        {
            shardId = record.shardId();
            msgTypeId = record.msgTypeId();
            busyNotice = record.isBusyNotice();
            connectionId = record.connectionId();
            sessionId = record.sessionId();
            accountId = record.accountId();
            recvTsNs = record.recvTsNs();
            templateId = record.templateId();
            seq = record.messageLength() >= 16 ? TestMessages.seqOf(record) : -1;
            busyRequestSeq = busyNotice ? record.busyNoticeRequestSeq() : -1;
            message = new byte[record.messageLength()];
            record.buffer().getBytes(record.messageOffset(), message);
        }
    }
}
