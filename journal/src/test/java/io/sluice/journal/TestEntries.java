package io.sluice.journal;

import io.sluice.sbe.client.MessageHeaderEncoder;
import io.sluice.sbe.client.NewOrderEncoder;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import io.sluice.sbe.client.BooleanType;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Deterministic journal content for tests: entry {@code wireSeq} is a function of {@code wireSeq} alone, mostly
 * client NewOrders with a few admin entries mixed in.
 */
final class TestEntries
{
    static final long BASE_TIME_NS = 1_780_000_000_000_000_000L;
    static final long EPOCH = 3;

    private final UnsafeBuffer command = new UnsafeBuffer(new byte[256]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final NewOrderEncoder newOrder = new NewOrderEncoder();

    static long sessionOf(final long wireSeq)
    {
        return 1 + wireSeq % 4;
    }

    /** Offers entry {@code wireSeq}; false if the ring is full. */
    boolean offer(final JournalPublisher publisher, final long wireSeq)
    {
        final long timestampNs = BASE_TIME_NS + wireSeq * 1_000;
        if (wireSeq % 50 == 1)
        {
            return publisher.offerAddInstrument(wireSeq, timestampNs, EPOCH, (int)(wireSeq / 50) + 1,
                "SYM" + wireSeq, 5, 10, 10, 1_000_000, 10_000, 500);
        }
        if (wireSeq % 50 == 25)
        {
            return publisher.offerInstrumentStatusChange(wireSeq % 100 == 25, wireSeq, timestampNs, EPOCH, 1);
        }
        if (wireSeq % 97 == 0)
        {
            return publisher.offerEndOfDay(wireSeq, timestampNs, EPOCH, 20260101 + (int)(wireSeq % 28));
        }
        newOrder.wrapAndApplyHeader(command, 0, header)
            .requestSeq(wireSeq)
            .clientOrderId(wireSeq * 10)
            .instrumentId((int)(wireSeq % 3) + 1)
            .side(wireSeq % 2 == 0 ? Side.BUY : Side.SELL)
            .orderType(OrderType.LIMIT)
            .timeInForce(TimeInForce.GTC)
            .postOnly(BooleanType.FALSE)
            .price(10_000 + wireSeq % 50)
            .quantity(1 + wireSeq % 7);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + newOrder.encodedLength();
        return publisher.offerClientCommand(
            wireSeq, timestampNs, sessionOf(wireSeq), 10 * sessionOf(wireSeq), wireSeq, EPOCH, command, 0, length);
    }
}
