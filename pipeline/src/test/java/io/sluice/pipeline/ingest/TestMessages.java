package io.sluice.pipeline.ingest;

import io.sluice.sbe.client.MessageHeaderEncoder;
import io.sluice.sbe.client.NewOrderEncoder;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import io.sluice.sbe.client.BooleanType;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Builds client-protocol messages for ring tests.
 */
final class TestMessages
{
    private static final MessageHeaderEncoder HEADER = new MessageHeaderEncoder();
    private static final NewOrderEncoder NEW_ORDER = new NewOrderEncoder();

    private TestMessages()
    {
    }

    /**
     * @return length of a NewOrder written at {@code offset}.
     */
    static int newOrder(final MutableDirectBuffer buffer, final int offset, final long requestSeq)
    {
        NEW_ORDER.wrapAndApplyHeader(buffer, offset, HEADER)
            .requestSeq(requestSeq)
            .clientOrderId(requestSeq * 10)
            .instrumentId(1)
            .side(Side.BUY)
            .orderType(OrderType.LIMIT)
            .timeInForce(TimeInForce.GTC)
            .postOnly(BooleanType.FALSE)
            .price(10_050)
            .quantity(3);
        return MessageHeaderEncoder.ENCODED_LENGTH + NewOrderEncoder.BLOCK_LENGTH;
    }

    /**
     * Writes a message of exactly {@code length} bytes (at least 16): a NewOrder header, {@code seq} as the first
     * body field, then filler bytes derived from {@code seq}.
     */
    static void sized(final MutableDirectBuffer buffer, final int offset, final int length, final long seq)
    {
        HEADER.wrap(buffer, offset)
            .blockLength(length - MessageHeaderEncoder.ENCODED_LENGTH)
            .templateId(NewOrderEncoder.TEMPLATE_ID)
            .schemaId(NewOrderEncoder.SCHEMA_ID)
            .version(NewOrderEncoder.SCHEMA_VERSION);
        buffer.putLong(offset + MessageHeaderEncoder.ENCODED_LENGTH, seq, ByteOrder.LITTLE_ENDIAN);
        for (int i = MessageHeaderEncoder.ENCODED_LENGTH + 8; i < length; i++)
        {
            buffer.putByte(offset + i, (byte)(seq + i));
        }
    }

    /**
     * @return the seq written by {@link #sized} or {@link #newOrder}.
     */
    static long seqOf(final IngestRecord record)
    {
        return record.buffer().getLong(
            record.messageOffset() + MessageHeaderEncoder.ENCODED_LENGTH, ByteOrder.LITTLE_ENDIAN);
    }
}
