package io.sluice.wire;

import io.sluice.fuzz.ByteMutator;
import io.sluice.sbe.client.*;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.sbe.MessageDecoderFlyweight;
import org.agrona.sbe.MessageEncoderFlyweight;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Feeds a million random and mutated frames through the decoder. Each frame sits in a buffer exactly its own size
 * with Agrona bounds checks on, so a read outside the frame throws and fails the test; every frame the validator
 * passes is then decoded field by field with the generated decoder, which must not throw either.
 */
class FrameDecoderFuzzTest
{
    private static final int FRAMES = 1_000_000;
    private static final int MAX_MESSAGE_LENGTH = 4096;
    private static final long SEED = 0x5EED_F00DL;

    private final FrameEncoder encoder = new FrameEncoder();
    private final FrameDecoder decoder = new FrameDecoder(ClientProtocol.validator(), MAX_MESSAGE_LENGTH);
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[MAX_MESSAGE_LENGTH * 2]);
    private final MessageDecoderFlyweight[] decodersByTemplate = new MessageDecoderFlyweight[64];
    private final CountingHandler handler = new CountingHandler();

    FrameDecoderFuzzTest()
    {
        final MessageDecoderFlyweight[] decoders = {
            new AuthChallengeDecoder(), new LogonDecoder(), new LogonAckDecoder(), new LogoutDecoder(),
            new NewOrderDecoder(), new CancelOrderDecoder(), new ReplaceOrderDecoder(), new MassCancelDecoder(),
            new OrderStatusQueryDecoder(), new BookSnapshotQueryDecoder(), new ExecutionReportDecoder(),
            new BookSnapshotDecoder(), new OrderStatusDecoder(), new HeartbeatDecoder(), new BatchEndDecoder(),
            new EngineErrorDecoder(), new ServerBusyDecoder(), new HaltedDecoder() };
        for (final MessageDecoderFlyweight decoder : decoders)
        {
            decodersByTemplate[decoder.sbeTemplateId()] = decoder;
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void shouldSurviveMillionRandomAndMutatedFrames()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < FRAMES; i++)
        {
            int length = writeValidFrame(random, random.nextInt(18));
            length = mutate(random, length);

            final byte[] exact = new byte[length];
            scratch.getBytes(0, exact, 0, length);
            final UnsafeBuffer frame = new UnsafeBuffer(exact);

            final long framingErrorsBefore = handler.framingErrors;
            final int consumed = decoder.decode(frame, 0, length, handler);
            assertTrue(consumed >= 0 && consumed <= length, "consumed " + consumed + " of " + length);
            if (handler.framingErrors == framingErrorsBefore)
            {
                final int remaining = length - consumed;
                assertTrue(remaining < FrameDecoder.LENGTH_FIELD_LENGTH ||
                    frame.getInt(consumed, ByteOrder.LITTLE_ENDIAN) > remaining - FrameDecoder.LENGTH_FIELD_LENGTH,
                    "decoder stops early only at a framing error or a frame still waiting for bytes");
            }
        }

        assertTrue(handler.messages > FRAMES / 20, "mutations leave enough valid frames: " + handler.messages);
        assertTrue(handler.malformed > FRAMES / 5, "mutations produce malformed frames: " + handler.malformed);
        assertTrue(handler.framingErrors > FRAMES / 50, "mutations produce framing errors: " + handler.framingErrors);
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void shouldFrameRandomlyChunkedStreamExactlyAsWhole()
    {
        final SplittableRandom random = new SplittableRandom(SEED + 1);
        long decodedMessages = 0;
        for (int round = 0; round < 2_000; round++)
        {
            final UnsafeBuffer stream = new UnsafeBuffer(new byte[64 * 1024]);
            int streamLength = 0;
            final int frames = 1 + random.nextInt(30);
            for (int f = 0; f < frames; f++)
            {
                int length = writeValidFrame(random, random.nextInt(18));
                if (random.nextInt(4) == 0)
                {
                    length = mutate(random, length);
                }
                stream.putBytes(streamLength, scratch, 0, length);
                streamLength += length;
            }

            final CountingHandler whole = new CountingHandler();
            final int wholeConsumed = decoder.decode(new UnsafeBuffer(stream, 0, streamLength), 0, streamLength, whole);

            final CountingHandler chunked = new CountingHandler();
            final int chunkedConsumed = decodeInChunks(random, stream, streamLength, chunked);

            assertEquals(wholeConsumed, chunkedConsumed);
            assertEquals(whole.messages, chunked.messages);
            assertEquals(whole.malformed, chunked.malformed);
            assertEquals(whole.framingErrors, chunked.framingErrors);
            assertEquals(whole.templateSum, chunked.templateSum);
            decodedMessages += chunked.messages;
        }
        assertTrue(decodedMessages > 10_000, "streams carried messages: " + decodedMessages);
    }

    /**
     * Simulates socket reads into a receive buffer that is compacted after every decode, the way a reader uses it.
     */
    private int decodeInChunks(
        final SplittableRandom random, final UnsafeBuffer stream, final int streamLength, final CountingHandler handler)
    {
        final UnsafeBuffer receive = new UnsafeBuffer(new byte[MAX_MESSAGE_LENGTH + FrameDecoder.LENGTH_FIELD_LENGTH]);
        int received = 0;
        int held = 0;
        int consumedTotal = 0;
        while (received < streamLength && handler.framingErrors == 0)
        {
            final int chunk = Math.min(Math.min(1 + random.nextInt(200), streamLength - received),
                receive.capacity() - held);
            receive.putBytes(held, stream, received, chunk);
            received += chunk;
            held += chunk;

            final int consumed = decoder.decode(new UnsafeBuffer(receive, 0, held), 0, held, handler);
            consumedTotal += consumed;
            receive.putBytes(0, receive, consumed, held - consumed);
            held -= consumed;
        }
        return consumedTotal;
    }

    private int mutate(final SplittableRandom random, final int length)
    {
        final int headerOffset = FrameDecoder.LENGTH_FIELD_LENGTH;
        switch (random.nextInt(10))
        {
            case 0:
                return length;
            case 1:
            {
                final int bits = 1 + random.nextInt(4);
                for (int b = 0; b < bits; b++)
                {
                    final int index = random.nextInt(length);
                    scratch.putByte(index, (byte)(scratch.getByte(index) ^ (1 << random.nextInt(8))));
                }
                return length;
            }
            case 2:
            {
                final int index = random.nextInt(length);
                scratch.putByte(index, (byte)random.nextInt(256));
                return length;
            }
            case 3:
            {
                final int fieldOffset = headerOffset + 2 * random.nextInt(4);
                scratch.putShort(fieldOffset, (short)interesting(random), ByteOrder.LITTLE_ENDIAN);
                return length;
            }
            case 4:
            {
                scratch.putInt(0, interesting(random), ByteOrder.LITTLE_ENDIAN);
                return length;
            }
            case 5:
            {
                final int cut = random.nextInt(length);
                scratch.putInt(0, Math.max(0, cut - headerOffset), ByteOrder.LITTLE_ENDIAN);
                return Math.max(cut, headerOffset);
            }
            case 6:
            {
                final int extra = 1 + random.nextInt(64);
                for (int i = 0; i < extra; i++)
                {
                    scratch.putByte(length + i, (byte)random.nextInt(256));
                }
                scratch.putInt(0, length - headerOffset + extra, ByteOrder.LITTLE_ENDIAN);
                return length + extra;
            }
            case 7:
            {
                final int messageLength = 1 + random.nextInt(256);
                scratch.putInt(0, messageLength, ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < messageLength; i++)
                {
                    scratch.putByte(headerOffset + i, (byte)random.nextInt(256));
                }
                return headerOffset + messageLength;
            }
            case 8:
            {
                final int bodyLength = length - headerOffset - MessageValidator.HEADER_LENGTH;
                if (bodyLength >= 4)
                {
                    final int index = headerOffset + MessageValidator.HEADER_LENGTH + random.nextInt(bodyLength - 3);
                    scratch.putInt(index, interesting(random), ByteOrder.LITTLE_ENDIAN);
                }
                return length;
            }
            default:
            {
                final int messageLength = length - headerOffset;
                final int shift = random.nextInt(-8, 9);
                scratch.putInt(0, messageLength + shift, ByteOrder.LITTLE_ENDIAN);
                return length;
            }
        }
    }

    private static int interesting(final SplittableRandom random)
    {
        return random.nextInt(8) == 0 ? MAX_MESSAGE_LENGTH + 1 : ByteMutator.interestingInt(random);
    }

    private int writeValidFrame(final SplittableRandom random, final int kind)
    {
        final MessageEncoderFlyweight encoded;
        switch (kind)
        {
            case 0:
            {
                final AuthChallengeEncoder m = encoder.begin(scratch, 0, new AuthChallengeEncoder());
                for (int i = 0; i < 32; i++)
                {
                    m.nonce(i, (short)random.nextInt(256));
                }
                encoded = m.protocolVersion(1);
                break;
            }
            case 1:
                encoded = encoder.begin(scratch, 0, new LogonEncoder()).sessionId(random.nextLong())
                    .accountId(random.nextLong());
                break;
            case 2:
                encoded = encoder.begin(scratch, 0, new LogonAckEncoder()).sessionId(random.nextLong())
                    .status(LogonStatus.ACCEPTED).rejectReason(RejectReason.NONE).lastRequestSeq(random.nextLong());
                break;
            case 3:
                encoded = encoder.begin(scratch, 0, new LogoutEncoder()).sessionId(random.nextLong());
                break;
            case 4:
                encoded = encoder.begin(scratch, 0, new NewOrderEncoder()).requestSeq(random.nextLong())
                    .clientOrderId(random.nextLong()).instrumentId(random.nextInt()).side(Side.SELL)
                    .orderType(OrderType.MARKET).timeInForce(TimeInForce.IOC).postOnly(BooleanType.TRUE)
                    .price(random.nextLong()).quantity(random.nextLong());
                break;
            case 5:
                encoded = encoder.begin(scratch, 0, new CancelOrderEncoder()).requestSeq(random.nextLong())
                    .clientOrderId(random.nextLong());
                break;
            case 6:
                encoded = encoder.begin(scratch, 0, new ReplaceOrderEncoder()).requestSeq(random.nextLong())
                    .clientOrderId(random.nextLong()).newPrice(random.nextLong()).newQuantity(random.nextLong());
                break;
            case 7:
                encoded = encoder.begin(scratch, 0, new MassCancelEncoder()).requestSeq(random.nextLong())
                    .accountId(random.nextLong()).instrumentId(random.nextInt());
                break;
            case 8:
                encoded = encoder.begin(scratch, 0, new OrderStatusQueryEncoder()).requestSeq(random.nextLong())
                    .clientOrderId(random.nextLong());
                break;
            case 9:
                encoded = encoder.begin(scratch, 0, new BookSnapshotQueryEncoder()).requestSeq(random.nextLong())
                    .instrumentId(random.nextInt()).depth(random.nextInt(65536));
                break;
            case 10:
                encoded = encoder.begin(scratch, 0, new ExecutionReportEncoder()).requestSeq(random.nextLong())
                    .wireSeq(random.nextLong()).side(Side.BUY).execType(ExecType.PARTIAL_FILL)
                    .rejectReason(RejectReason.NONE).liquidity(Liquidity.MAKER).price(random.nextLong());
                break;
            case 11:
            {
                final BookSnapshotEncoder m = encoder.begin(scratch, 0, new BookSnapshotEncoder());
                m.requestSeq(random.nextLong()).instrumentId(random.nextInt());
                final int bids = random.nextInt(6);
                final BookSnapshotEncoder.BidsEncoder b = m.bidsCount(bids);
                for (int i = 0; i < bids; i++)
                {
                    b.next().price(random.nextLong()).quantity(random.nextLong()).orderCount(random.nextInt());
                }
                final int asks = random.nextInt(6);
                final BookSnapshotEncoder.AsksEncoder a = m.asksCount(asks);
                for (int i = 0; i < asks; i++)
                {
                    a.next().price(random.nextLong()).quantity(random.nextLong()).orderCount(random.nextInt());
                }
                encoded = m;
                break;
            }
            case 12:
                encoded = encoder.begin(scratch, 0, new OrderStatusEncoder()).requestSeq(random.nextLong())
                    .side(Side.BUY).state(OrderState.PARTIALLY_FILLED).price(random.nextLong());
                break;
            case 13:
                encoded = encoder.begin(scratch, 0, new HeartbeatEncoder()).timestampNs(random.nextLong());
                break;
            case 14:
                encoded = encoder.begin(scratch, 0, new BatchEndEncoder()).requestSeq(random.nextLong())
                    .wireSeq(random.nextLong());
                break;
            case 15:
                encoded = encoder.begin(scratch, 0, new EngineErrorEncoder()).requestSeq(random.nextLong())
                    .code(EngineErrorCode.MALFORMED_MESSAGE).detail("detail-" + random.nextInt(1000));
                break;
            case 16:
                encoded = encoder.begin(scratch, 0, new ServerBusyEncoder()).requestSeq(random.nextLong());
                break;
            default:
                encoded = encoder.begin(scratch, 0, new HaltedEncoder()).requestSeq(random.nextLong())
                    .reason("halted-" + random.nextInt(1000));
                break;
        }
        return encoder.end(scratch, 0, encoded);
    }

    private final class CountingHandler implements FrameHandler
    {
        long messages;
        long malformed;
        long framingErrors;
        long templateSum;

        @Override
        public boolean onMessage(final DirectBuffer buffer, final int offset, final int length, final int templateId)
        {
            messages++;
            templateSum += templateId;

            final byte[] exact = new byte[length];
            buffer.getBytes(offset, exact);
            final UnsafeBuffer message = new UnsafeBuffer(exact);
            assertEquals(DecodeResult.OK, ClientProtocol.validator().validate(message, 0, length));
            final MessageDecoderFlyweight flyweight = decodersByTemplate[templateId];
            flyweight.wrap(message, MessageValidator.HEADER_LENGTH,
                MessageValidator.blockLength(message, 0), MessageValidator.version(message, 0));
            assertTrue(flyweight.toString().length() > 0);
            return true;
        }

        @Override
        public boolean onMalformed(
            final DecodeResult reason, final DirectBuffer buffer, final int offset, final int length)
        {
            malformed++;
            return true;
        }

        @Override
        public void onFramingError(final DecodeResult reason, final int frameLength)
        {
            framingErrors++;
        }
    }
}
