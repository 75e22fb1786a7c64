package io.sluice.wire;

import io.sluice.sbe.client.BatchEndEncoder;
import io.sluice.sbe.client.BookSnapshotEncoder;
import io.sluice.sbe.client.CancelOrderEncoder;
import io.sluice.sbe.client.EngineErrorCode;
import io.sluice.sbe.client.EngineErrorEncoder;
import io.sluice.sbe.client.NewOrderDecoder;
import io.sluice.sbe.client.NewOrderEncoder;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import io.sluice.sbe.client.BooleanType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameDecoderTest
{
    private static final int HEADER = MessageValidator.HEADER_LENGTH;
    private static final int PREFIX = FrameDecoder.LENGTH_FIELD_LENGTH;

    private final FrameEncoder encoder = new FrameEncoder();
    private final FrameDecoder decoder = new FrameDecoder(ClientProtocol.validator(), 4096);
    private final CapturingHandler handler = new CapturingHandler();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8192]);

    private int writeNewOrder(final int frameOffset, final long requestSeq)
    {
        final NewOrderEncoder order = encoder.begin(buffer, frameOffset, new NewOrderEncoder());
        order.requestSeq(requestSeq).clientOrderId(7).instrumentId(1).side(Side.BUY).orderType(OrderType.LIMIT)
            .timeInForce(TimeInForce.GTC).postOnly(BooleanType.FALSE).price(10050).quantity(3);
        return encoder.end(buffer, frameOffset, order);
    }

    private DecodeResult decodeOne(final int frameLength)
    {
        final int consumed = decoder.decode(buffer, 0, frameLength, handler);
        if (handler.framingError != null)
        {
            return handler.framingError;
        }
        assertEquals(frameLength, consumed);
        return handler.malformed.isEmpty() ? DecodeResult.OK : handler.malformed.get(0);
    }

    @Test
    void shouldDecodeCompleteFrame()
    {
        final int length = writeNewOrder(0, 42);

        assertEquals(DecodeResult.OK, decodeOne(length));
        assertEquals(NewOrderDecoder.TEMPLATE_ID, handler.templateIds.get(0));
        assertEquals(42, ClientProtocol.requestSeq(handler.messages.get(0), 0));
    }

    @Test
    void shouldDecodeManyFramesInOneRead()
    {
        int position = 0;
        for (int i = 1; i <= 5; i++)
        {
            position += writeNewOrder(position, i);
        }

        assertEquals(position, decoder.decode(buffer, 0, position, handler));
        assertEquals(5, handler.messages.size());
        for (int i = 0; i < 5; i++)
        {
            assertEquals(i + 1, ClientProtocol.requestSeq(handler.messages.get(i), 0));
        }
    }

    @Test
    void shouldWaitForRestOfFrameSplitAcrossReads()
    {
        final int first = writeNewOrder(0, 1);
        final int total = first + writeNewOrder(first, 2);
        final int split = first + 11;

        assertEquals(first, decoder.decode(buffer, 0, split, handler));
        assertEquals(1, handler.messages.size());
        assertEquals(total - first, decoder.decode(buffer, first, total - first, handler));
        assertEquals(2, handler.messages.size());
        assertEquals(2, ClientProtocol.requestSeq(handler.messages.get(1), 0));
    }

    @Test
    void shouldConsumeNothingUntilLengthPrefixComplete()
    {
        writeNewOrder(0, 1);

        for (int available = 0; available < PREFIX; available++)
        {
            assertEquals(0, decoder.decode(buffer, 0, available, handler));
        }
        assertTrue(handler.messages.isEmpty());
        assertNull(handler.framingError);
    }

    @Test
    void shouldRefuseZeroLength()
    {
        buffer.putInt(0, 0, ByteOrder.LITTLE_ENDIAN);

        assertEquals(DecodeResult.BAD_LENGTH, decodeOne(PREFIX + 16));
        assertEquals(0, handler.refusedLength);
    }

    @Test
    void shouldRefuseNegativeLength()
    {
        buffer.putInt(0, -5, ByteOrder.LITTLE_ENDIAN);

        assertEquals(DecodeResult.BAD_LENGTH, decodeOne(PREFIX + 16));
        assertEquals(-5, handler.refusedLength);
    }

    @Test
    void shouldRefuseLengthOverMaximumWithoutWaitingForTheBytes()
    {
        buffer.putInt(0, 4097, ByteOrder.LITTLE_ENDIAN);

        assertEquals(0, decoder.decode(buffer, 0, PREFIX, handler));
        assertEquals(DecodeResult.BAD_LENGTH, handler.framingError);
        assertTrue(DecodeResult.BAD_LENGTH.isFramingError());
    }

    @Test
    void shouldStopAtFramingErrorAfterEarlierGoodFrames()
    {
        final int good = writeNewOrder(0, 1);
        buffer.putInt(good, Integer.MAX_VALUE, ByteOrder.LITTLE_ENDIAN);

        assertEquals(good, decoder.decode(buffer, 0, good + PREFIX, handler));
        assertEquals(1, handler.messages.size());
        assertEquals(DecodeResult.BAD_LENGTH, handler.framingError);
    }

    @Test
    void shouldRejectTruncatedHeader()
    {
        buffer.putInt(0, HEADER - 1, ByteOrder.LITTLE_ENDIAN);

        assertEquals(DecodeResult.TRUNCATED_HEADER, decodeOne(PREFIX + HEADER - 1));
    }

    @Test
    void shouldRejectUnknownTemplate()
    {
        final int length = writeNewOrder(0, 1);
        buffer.putShort(PREFIX + MessageValidator.TEMPLATE_ID_OFFSET, (short)999, ByteOrder.LITTLE_ENDIAN);

        assertEquals(DecodeResult.UNKNOWN_TEMPLATE, decodeOne(length));
    }

    @Test
    void shouldRejectUnusedTemplateIdInsideRange()
    {
        final int length = writeNewOrder(0, 1);
        buffer.putShort(PREFIX + MessageValidator.TEMPLATE_ID_OFFSET, (short)5, ByteOrder.LITTLE_ENDIAN);

        assertEquals(DecodeResult.UNKNOWN_TEMPLATE, decodeOne(length));
    }

    @Test
    void shouldRejectWrongSchemaId()
    {
        final int length = writeNewOrder(0, 1);
        buffer.putShort(PREFIX + MessageValidator.SCHEMA_ID_OFFSET, (short)2, ByteOrder.LITTLE_ENDIAN);

        assertEquals(DecodeResult.WRONG_SCHEMA, decodeOne(length));
    }

    @Test
    void shouldRejectNewerVersion()
    {
        final int length = writeNewOrder(0, 1);
        buffer.putShort(
            PREFIX + MessageValidator.VERSION_OFFSET, (short)(ClientProtocol.SCHEMA_VERSION + 1), ByteOrder.LITTLE_ENDIAN);

        assertEquals(DecodeResult.WRONG_VERSION, decodeOne(length));
    }

    @Test
    void shouldRejectVersionZero()
    {
        final int length = writeNewOrder(0, 1);
        buffer.putShort(PREFIX + MessageValidator.VERSION_OFFSET, (short)0, ByteOrder.LITTLE_ENDIAN);

        assertEquals(DecodeResult.WRONG_VERSION, decodeOne(length));
    }

    @Test
    void shouldRejectBlockLengthSmallerThanSchema()
    {
        final int length = writeNewOrder(0, 1);
        buffer.putShort(PREFIX + MessageValidator.BLOCK_LENGTH_OFFSET,
            (short)(NewOrderDecoder.BLOCK_LENGTH - 1), ByteOrder.LITTLE_ENDIAN);

        assertEquals(DecodeResult.BLOCK_LENGTH_TOO_SHORT, decodeOne(length));
    }

    @Test
    void shouldRejectBlockRunningPastFrame()
    {
        final CancelOrderEncoder cancel = encoder.begin(buffer, 0, new CancelOrderEncoder());
        cancel.requestSeq(1).clientOrderId(2);
        final int length = encoder.end(buffer, 0, cancel);
        buffer.putInt(0, length - PREFIX - 1, ByteOrder.LITTLE_ENDIAN);

        assertEquals(DecodeResult.BLOCK_LENGTH_TOO_SHORT, decodeOne(length - 1));
    }

    @Test
    void shouldAcceptLongerBlockFromSameVersionWhenFrameHoldsIt()
    {
        final BatchEndEncoder batchEnd = encoder.begin(buffer, 0, new BatchEndEncoder());
        batchEnd.requestSeq(1).wireSeq(2);
        final int length = encoder.end(buffer, 0, batchEnd);
        buffer.putShort(PREFIX + MessageValidator.BLOCK_LENGTH_OFFSET,
            (short)(BatchEndEncoder.BLOCK_LENGTH + 8), ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(0, length - PREFIX + 8, ByteOrder.LITTLE_ENDIAN);

        assertEquals(DecodeResult.OK, decodeOne(length + 8));
    }

    @Test
    void shouldRejectVarFieldRunningPastFrame()
    {
        final EngineErrorEncoder error = encoder.begin(buffer, 0, new EngineErrorEncoder());
        error.requestSeq(1).code(EngineErrorCode.INTERNAL).detail("bad things");
        final int length = encoder.end(buffer, 0, error);
        final int varLengthOffset = PREFIX + HEADER + EngineErrorEncoder.BLOCK_LENGTH;
        buffer.putInt(varLengthOffset, 11, ByteOrder.LITTLE_ENDIAN);

        assertEquals(DecodeResult.VAR_FIELD_OVERRUN, decodeOne(length));
    }

    @Test
    void shouldRejectVarFieldLengthPrefixMissing()
    {
        final EngineErrorEncoder error = encoder.begin(buffer, 0, new EngineErrorEncoder());
        error.requestSeq(1).code(EngineErrorCode.INTERNAL);
        final int messageLength = HEADER + EngineErrorEncoder.BLOCK_LENGTH + 2;
        buffer.putInt(0, messageLength, ByteOrder.LITTLE_ENDIAN);

        assertEquals(DecodeResult.VAR_FIELD_OVERRUN, decodeOne(PREFIX + messageLength));
    }

    @Test
    void shouldRejectVarFieldLongerThanSchemaMaximum()
    {
        final EngineErrorEncoder error = encoder.begin(buffer, 0, new EngineErrorEncoder());
        error.requestSeq(1).code(EngineErrorCode.INTERNAL);
        final int tooLong = ClientProtocol.MAX_TEXT_LENGTH + 1;
        final int varLengthOffset = PREFIX + HEADER + EngineErrorEncoder.BLOCK_LENGTH;
        buffer.putInt(varLengthOffset, tooLong, ByteOrder.LITTLE_ENDIAN);
        final int messageLength = HEADER + EngineErrorEncoder.BLOCK_LENGTH + 4 + tooLong;
        buffer.putInt(0, messageLength, ByteOrder.LITTLE_ENDIAN);
        final int length = PREFIX + messageLength;

        assertEquals(DecodeResult.VAR_FIELD_OVERRUN, decodeOne(length));
    }

    @Test
    void shouldRejectGroupRunningPastFrame()
    {
        final BookSnapshotEncoder book = encoder.begin(buffer, 0, new BookSnapshotEncoder());
        book.requestSeq(1).instrumentId(2);
        book.bidsCount(2).next().price(1).quantity(1).orderCount(1).next().price(2).quantity(2).orderCount(2);
        book.asksCount(0);
        final int length = encoder.end(buffer, 0, book);
        final int bidsCountOffset = PREFIX + HEADER + BookSnapshotEncoder.BLOCK_LENGTH + 2;
        buffer.putShort(bidsCountOffset, (short)3, ByteOrder.LITTLE_ENDIAN);

        assertEquals(DecodeResult.GROUP_OVERRUN, decodeOne(length));
    }

    @Test
    void shouldRejectEnumOutOfRange()
    {
        final int length = writeNewOrder(0, 1);
        buffer.putByte(PREFIX + HEADER + NewOrderDecoder.sideEncodingOffset(), (byte)7);

        assertEquals(DecodeResult.ENUM_OUT_OF_RANGE, decodeOne(length));
    }

    @Test
    void shouldRejectEnumNullValueInRequiredField()
    {
        final int length = writeNewOrder(0, 1);
        buffer.putByte(PREFIX + HEADER + NewOrderDecoder.timeInForceEncodingOffset(), (byte)0xFF);

        assertEquals(DecodeResult.ENUM_OUT_OF_RANGE, decodeOne(length));
    }

    @Test
    void shouldAcceptNullSideInStatusOfUnknownOrder()
    {
        final io.sluice.sbe.client.OrderStatusEncoder status =
            encoder.begin(buffer, 0, new io.sluice.sbe.client.OrderStatusEncoder());
        status.requestSeq(1).clientOrderId(5).side(Side.NULL_VAL).state(io.sluice.sbe.client.OrderState.UNKNOWN);

        assertEquals(DecodeResult.OK, decodeOne(encoder.end(buffer, 0, status)));
    }

    @Test
    void shouldRejectTrailingBytes()
    {
        final int length = writeNewOrder(0, 1);
        buffer.putInt(0, length - PREFIX + 3, ByteOrder.LITTLE_ENDIAN);

        assertEquals(DecodeResult.TRAILING_BYTES, decodeOne(length + 3));
    }

    @Test
    void shouldKeepDecodingAfterMalformedFrame()
    {
        final int first = writeNewOrder(0, 1);
        buffer.putByte(PREFIX + HEADER + NewOrderDecoder.sideEncodingOffset(), (byte)9);
        final int total = first + writeNewOrder(first, 2);

        assertEquals(total, decoder.decode(buffer, 0, total, handler));
        assertEquals(1, handler.malformed.size());
        assertEquals(1, handler.messages.size());
        assertEquals(2, ClientProtocol.requestSeq(handler.messages.get(0), 0));
    }

    @Test
    void shouldStopWithoutConsumingMessageHandlerDeclines()
    {
        final int first = writeNewOrder(0, 1);
        final int total = first + writeNewOrder(first, 2);
        final java.util.List<Long> taken = new java.util.ArrayList<>();
        final boolean[] accept = { true };
        final FrameHandler declineSecond = new FrameHandler()
        {
            public boolean onMessage(
                final org.agrona.DirectBuffer buffer, final int offset, final int length, final int templateId)
            {
                if (!accept[0])
                {
                    return false;
                }
                taken.add(ClientProtocol.requestSeq(buffer, offset));
                accept[0] = taken.size() < 1;
                return true;
            }

            public boolean onMalformed(
                final DecodeResult reason, final org.agrona.DirectBuffer buffer, final int offset, final int length)
            {
                return true;
            }

            public void onFramingError(final DecodeResult reason, final int frameLength)
            {
            }
        };

        assertEquals(first, decoder.decode(buffer, 0, total, declineSecond));
        assertEquals(java.util.List.of(1L), taken);

        accept[0] = true;
        assertEquals(total - first, decoder.decode(buffer, first, total - first, declineSecond));
        assertEquals(java.util.List.of(1L, 2L), taken);
    }

    @Test
    void shouldStopWithoutConsumingMalformedFrameHandlerDeclines()
    {
        final int first = writeNewOrder(0, 1);
        buffer.putByte(PREFIX + HEADER + NewOrderDecoder.sideEncodingOffset(), (byte)9);
        final int total = first + writeNewOrder(first, 2);
        final int[] offered = new int[1];
        final boolean[] accept = { false };
        final FrameHandler declineMalformed = new FrameHandler()
        {
            public boolean onMessage(
                final org.agrona.DirectBuffer buffer, final int offset, final int length, final int templateId)
            {
                return true;
            }

            public boolean onMalformed(
                final DecodeResult reason, final org.agrona.DirectBuffer buffer, final int offset, final int length)
            {
                offered[0]++;
                return accept[0];
            }

            public void onFramingError(final DecodeResult reason, final int frameLength)
            {
            }
        };

        assertEquals(0, decoder.decode(buffer, 0, total, declineMalformed));
        accept[0] = true;
        assertEquals(total, decoder.decode(buffer, 0, total, declineMalformed));
        assertEquals(2, offered[0]);
    }

    @Test
    void shouldAcceptOrderStatusOfVersionOneWithoutTheFieldVersionTwoAppended()
    {
        final io.sluice.sbe.client.OrderStatusEncoder status =
            encoder.begin(buffer, 0, new io.sluice.sbe.client.OrderStatusEncoder());
        status.requestSeq(1).clientOrderId(2).orderId(3).instrumentId(1).side(Side.BUY)
            .state(io.sluice.sbe.client.OrderState.NEW).price(1).quantity(1).leavesQuantity(1).cumQuantity(0)
            .rejectReason(io.sluice.sbe.client.RejectReason.NONE);
        final int v1Block = io.sluice.sbe.client.OrderStatusDecoder.rejectReasonEncodingOffset();
        buffer.putShort(PREFIX + MessageValidator.BLOCK_LENGTH_OFFSET, (short)v1Block, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(PREFIX + MessageValidator.VERSION_OFFSET, (short)1, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(0, HEADER + v1Block, ByteOrder.LITTLE_ENDIAN);

        assertEquals(DecodeResult.OK, decodeOne(PREFIX + HEADER + v1Block));
    }

    @Test
    void shouldRefuseOrderStatusOfVersionTwoWithTheShorterBlockOfVersionOne()
    {
        final io.sluice.sbe.client.OrderStatusEncoder status =
            encoder.begin(buffer, 0, new io.sluice.sbe.client.OrderStatusEncoder());
        status.requestSeq(1).state(io.sluice.sbe.client.OrderState.UNKNOWN).side(Side.NULL_VAL)
            .rejectReason(io.sluice.sbe.client.RejectReason.NONE);
        final int v1Block = io.sluice.sbe.client.OrderStatusDecoder.rejectReasonEncodingOffset();
        buffer.putShort(PREFIX + MessageValidator.BLOCK_LENGTH_OFFSET, (short)v1Block, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(0, HEADER + v1Block, ByteOrder.LITTLE_ENDIAN);

        assertEquals(DecodeResult.BLOCK_LENGTH_TOO_SHORT, decodeOne(PREFIX + HEADER + v1Block));
    }

    @Test
    void shouldAcceptALogonOfVersionTwoWithoutCancelOnDisconnectAndReadItAsNull()
    {
        encoder.begin(buffer, 0, new io.sluice.sbe.client.LogonEncoder()).sessionId(1).accountId(1);
        final int v2Block = io.sluice.sbe.client.LogonDecoder.cancelOnDisconnectEncodingOffset();
        buffer.putShort(PREFIX + MessageValidator.BLOCK_LENGTH_OFFSET, (short)v2Block, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(PREFIX + MessageValidator.VERSION_OFFSET, (short)2, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(0, HEADER + v2Block, ByteOrder.LITTLE_ENDIAN);

        assertEquals(DecodeResult.OK, decodeOne(PREFIX + HEADER + v2Block));
        final io.sluice.sbe.client.LogonDecoder logon = new io.sluice.sbe.client.LogonDecoder()
            .wrap(buffer, PREFIX + HEADER, v2Block, 2);
        assertEquals(io.sluice.sbe.client.CancelOnDisconnect.NULL_VAL, logon.cancelOnDisconnect());
    }

    @Test
    void shouldAcceptAVersionThreeLogonWithCancelOnDisconnectNull()
    {
        assertEquals(DecodeResult.OK, decodeOne(writeLogon(io.sluice.sbe.client.CancelOnDisconnect.NULL_VAL)));
    }

    @Test
    void shouldRefuseAVersionThreeLogonWithCancelOnDisconnectOutOfRange()
    {
        final int length = writeLogon(io.sluice.sbe.client.CancelOnDisconnect.ON);
        buffer.putByte(PREFIX + HEADER + io.sluice.sbe.client.LogonDecoder.cancelOnDisconnectEncodingOffset(), (byte)7);

        assertEquals(DecodeResult.ENUM_OUT_OF_RANGE, decodeOne(length));
    }

    @Test
    void shouldRefuseAVersionThreeLogonWithoutCancelOnDisconnect()
    {
        final int v2Block = io.sluice.sbe.client.LogonDecoder.cancelOnDisconnectEncodingOffset();
        writeLogon(io.sluice.sbe.client.CancelOnDisconnect.ON);
        buffer.putShort(PREFIX + MessageValidator.BLOCK_LENGTH_OFFSET, (short)v2Block, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(0, HEADER + v2Block, ByteOrder.LITTLE_ENDIAN);

        assertEquals(DecodeResult.BLOCK_LENGTH_TOO_SHORT, decodeOne(PREFIX + HEADER + v2Block));
    }

    private int writeLogon(final io.sluice.sbe.client.CancelOnDisconnect cancelOnDisconnect)
    {
        return encoder.end(buffer, 0, encoder.begin(buffer, 0, new io.sluice.sbe.client.LogonEncoder())
            .sessionId(1).accountId(1).cancelOnDisconnect(cancelOnDisconnect));
    }

    @Test
    void shouldClassifyRequests()
    {
        assertTrue(ClientProtocol.isStateChanging(NewOrderDecoder.TEMPLATE_ID));
        assertTrue(ClientProtocol.isQuery(io.sluice.sbe.client.BookSnapshotQueryDecoder.TEMPLATE_ID));
        assertTrue(!ClientProtocol.isRequest(io.sluice.sbe.client.ExecutionReportDecoder.TEMPLATE_ID));
        assertTrue(!ClientProtocol.isStateChanging(io.sluice.sbe.client.OrderStatusQueryDecoder.TEMPLATE_ID));
    }

    @Test
    void shouldFindRequestSeqAtStartOfEveryRequestBody()
    {
        assertEquals(0, NewOrderDecoder.requestSeqEncodingOffset());
        assertEquals(0, io.sluice.sbe.client.CancelOrderDecoder.requestSeqEncodingOffset());
        assertEquals(0, io.sluice.sbe.client.ReplaceOrderDecoder.requestSeqEncodingOffset());
        assertEquals(0, io.sluice.sbe.client.MassCancelDecoder.requestSeqEncodingOffset());
        assertEquals(0, io.sluice.sbe.client.OrderStatusQueryDecoder.requestSeqEncodingOffset());
        assertEquals(0, io.sluice.sbe.client.BookSnapshotQueryDecoder.requestSeqEncodingOffset());
    }
}
