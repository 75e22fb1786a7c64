package io.sluice.pipeline.net;

import io.sluice.pipeline.sequencer.ExecutionReportWriter;
import io.sluice.sbe.client.BookSnapshotQueryDecoder;
import io.sluice.sbe.client.CancelOrderDecoder;
import io.sluice.sbe.client.EngineErrorCode;
import io.sluice.sbe.client.EngineErrorEncoder;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.Liquidity;
import io.sluice.sbe.client.LogonAckEncoder;
import io.sluice.sbe.client.LogonStatus;
import io.sluice.sbe.client.LogoutEncoder;
import io.sluice.sbe.client.MassCancelDecoder;
import io.sluice.sbe.client.MessageHeaderEncoder;
import io.sluice.sbe.client.NewOrderDecoder;
import io.sluice.sbe.client.OrderStatusQueryDecoder;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.ReplaceOrderDecoder;
import io.sluice.sbe.client.Side;
import io.sluice.wire.ClientProtocol;
import io.sluice.wire.DecodeResult;
import io.sluice.wire.MessageValidator;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Encodes what a reader shard answers itself, before a request reaches the sequencer: a REJECTED report for a
 * well-formed request it refuses (echoing the request's fields as the engine's rejects do), an EngineError for a
 * frame it cannot take, and the last message of a connection it closes. One per reader; allocation free; each
 * encode overwrites the previous one in {@link #buffer()}.
 */
final class ReaderReplies
{
    private static final int BUFFER_BYTES = 512;
    private static final int DETAIL_OFFSET = 256;
    private static final byte[][] DETAIL_BY_RESULT = new byte[DecodeResult.values().length][];

    static
    {
        for (final DecodeResult result : DecodeResult.values())
        {
            DETAIL_BY_RESULT[result.ordinal()] = result.name().getBytes(StandardCharsets.US_ASCII);
        }
    }

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[BUFFER_BYTES]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final EngineErrorEncoder engineError = new EngineErrorEncoder();
    private final LogonAckEncoder logonAck = new LogonAckEncoder();
    private final LogoutEncoder logout = new LogoutEncoder();
    private final ExecutionReportWriter reportWriter = new ExecutionReportWriter();
    private final NewOrderDecoder newOrder = new NewOrderDecoder();
    private final CancelOrderDecoder cancel = new CancelOrderDecoder();
    private final ReplaceOrderDecoder replace = new ReplaceOrderDecoder();
    private final MassCancelDecoder massCancel = new MassCancelDecoder();
    private final OrderStatusQueryDecoder orderStatusQuery = new OrderStatusQueryDecoder();
    private final BookSnapshotQueryDecoder bookQuery = new BookSnapshotQueryDecoder();

    /**
     * @return the buffer the last answer was encoded into, from offset 0.
     */
    DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * A REJECTED ExecutionReport for a validated request, echoing its requestSeq and order fields.
     *
     * @return length of the message.
     */
    int rejection(
        final long accountId, final DirectBuffer request, final int offset, final RejectReason reason)
    {
        final int templateId = MessageValidator.templateId(request, offset);
        final int blockLength = MessageValidator.blockLength(request, offset);
        final int version = MessageValidator.version(request, offset);
        final int body = offset + MessageValidator.HEADER_LENGTH;
        long clientOrderId = 0;
        int instrumentId = 0;
        Side side = Side.NULL_VAL;
        long price = 0;
        long quantity = 0;
        switch (templateId)
        {
            case NewOrderDecoder.TEMPLATE_ID:
                newOrder.wrap(request, body, blockLength, version);
                clientOrderId = newOrder.clientOrderId();
                instrumentId = newOrder.instrumentId();
                side = newOrder.side();
                price = newOrder.price();
                quantity = newOrder.quantity();
                break;
            case CancelOrderDecoder.TEMPLATE_ID:
                clientOrderId = cancel.wrap(request, body, blockLength, version).clientOrderId();
                break;
            case ReplaceOrderDecoder.TEMPLATE_ID:
                replace.wrap(request, body, blockLength, version);
                clientOrderId = replace.clientOrderId();
                price = replace.newPrice();
                quantity = replace.newQuantity();
                break;
            case MassCancelDecoder.TEMPLATE_ID:
                instrumentId = massCancel.wrap(request, body, blockLength, version).instrumentId();
                break;
            case OrderStatusQueryDecoder.TEMPLATE_ID:
                clientOrderId = orderStatusQuery.wrap(request, body, blockLength, version).clientOrderId();
                break;
            case BookSnapshotQueryDecoder.TEMPLATE_ID:
                instrumentId = bookQuery.wrap(request, body, blockLength, version).instrumentId();
                break;
            default:
                break;
        }
        return reportWriter.write(buffer, 0, accountId, ClientProtocol.requestSeq(request, offset), 0, 0,
            clientOrderId, 0, instrumentId, side, ExecType.REJECTED, reason, Liquidity.NONE, price, quantity, 0, 0, 0,
            0, 0);
    }

    /**
     * An EngineError for a frame that failed validation; its detail names the check that failed.
     *
     * @return length of the message.
     */
    int malformed(final DecodeResult result, final DirectBuffer frame, final int offset, final int length)
    {
        final EngineErrorCode code = result == DecodeResult.WRONG_SCHEMA || result == DecodeResult.WRONG_VERSION ||
            result == DecodeResult.UNKNOWN_TEMPLATE ? EngineErrorCode.UNSUPPORTED_MESSAGE :
            EngineErrorCode.MALFORMED_MESSAGE;
        final byte[] detail = DETAIL_BY_RESULT[result.ordinal()];
        engineError.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .requestSeq(readableRequestSeq(frame, offset, length))
            .code(code)
            .putDetail(detail, 0, detail.length);
        return MessageHeaderEncoder.ENCODED_LENGTH + engineError.encodedLength();
    }

    /**
     * An EngineError with a fixed detail.
     *
     * @return length of the message.
     */
    int engineError(final long requestSeq, final EngineErrorCode code, final byte[] detail)
    {
        engineError.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .requestSeq(requestSeq)
            .code(code)
            .putDetail(detail, 0, detail.length);
        return MessageHeaderEncoder.ENCODED_LENGTH + engineError.encodedLength();
    }

    /**
     * An EngineError whose detail is {@code text} followed by a number, written without allocating.
     *
     * @return length of the message.
     */
    int engineError(final EngineErrorCode code, final byte[] text, final long number, final byte[] suffix)
    {
        int detailLength = 0;
        buffer.putBytes(DETAIL_OFFSET, text);
        detailLength += text.length;
        detailLength += buffer.putLongAscii(DETAIL_OFFSET + detailLength, number);
        buffer.putBytes(DETAIL_OFFSET + detailLength, suffix);
        detailLength += suffix.length;
        engineError.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .requestSeq(0)
            .code(code)
            .putDetail(buffer, DETAIL_OFFSET, detailLength);
        return MessageHeaderEncoder.ENCODED_LENGTH + engineError.encodedLength();
    }

    /**
     * @return length of a LogonAck REJECTED with the reason.
     */
    int logonRejected(final long sessionId, final RejectReason reason)
    {
        logonAck.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(sessionId)
            .status(LogonStatus.REJECTED)
            .rejectReason(reason)
            .lastRequestSeq(0);
        return MessageHeaderEncoder.ENCODED_LENGTH + logonAck.encodedLength();
    }

    /**
     * @return length of a Logout, the answer to the client's.
     */
    int logout(final long sessionId)
    {
        logout.wrapAndApplyHeader(buffer, 0, headerEncoder).sessionId(sessionId);
        return MessageHeaderEncoder.ENCODED_LENGTH + logout.encodedLength();
    }

    /**
     * The requestSeq of a frame that failed validation, when it can be read: a client-protocol request template
     * with at least the 8 bytes of its requestSeq after the header; otherwise 0.
     */
    static long readableRequestSeq(final DirectBuffer frame, final int offset, final int length)
    {
        if (length < MessageValidator.HEADER_LENGTH + Long.BYTES ||
            MessageValidator.schemaId(frame, offset) != ClientProtocol.SCHEMA_ID ||
            !ClientProtocol.isRequest(MessageValidator.templateId(frame, offset)))
        {
            return 0;
        }
        return ClientProtocol.requestSeq(frame, offset);
    }
}
