package io.sluice.pipeline.sequencer;

import io.sluice.sbe.client.BookSnapshotQueryDecoder;
import io.sluice.sbe.client.CancelOrderDecoder;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.ExecutionReportEncoder;
import io.sluice.sbe.client.Liquidity;
import io.sluice.sbe.client.MassCancelDecoder;
import io.sluice.sbe.client.MessageHeaderEncoder;
import io.sluice.sbe.client.NewOrderDecoder;
import io.sluice.sbe.client.OrderStatusQueryDecoder;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.ReplaceOrderDecoder;
import io.sluice.sbe.client.Side;
import io.sluice.wire.ClientProtocol;
import io.sluice.wire.MessageValidator;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Encodes a matching engine report as the client protocol's ExecutionReport, header included: one place for the
 * field mapping, used by the sequencer and by anything else that hosts the engine (perf's Aeron Cluster service).
 * Holds its encoders, so it allocates nothing; one per thread.
 */
public final class ExecutionReportWriter
{
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ExecutionReportEncoder reportEncoder = new ExecutionReportEncoder();

    /**
     * Writes the report at {@code offset}; the arguments are those of
     * {@link io.sluice.matching.MatchingListener#onExecutionReport}, less the session.
     *
     * @return bytes written, header included.
     */
    public int write(
        final MutableDirectBuffer buffer,
        final int offset,
        final long accountId,
        final long requestSeq,
        final long wireSeq,
        final long timestampNs,
        final long clientOrderId,
        final long orderId,
        final int instrumentId,
        final Side side,
        final ExecType execType,
        final RejectReason rejectReason,
        final Liquidity liquidity,
        final long price,
        final long quantity,
        final long leavesQuantity,
        final long cumQuantity,
        final long lastPrice,
        final long lastQuantity,
        final long tradeId)
    {
        reportEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .requestSeq(requestSeq)
            .wireSeq(wireSeq)
            .timestampNs(timestampNs)
            .accountId(accountId)
            .clientOrderId(clientOrderId)
            .orderId(orderId)
            .instrumentId(instrumentId)
            .side(side)
            .execType(execType)
            .rejectReason(rejectReason)
            .liquidity(liquidity)
            .price(price)
            .quantity(quantity)
            .leavesQuantity(leavesQuantity)
            .cumQuantity(cumQuantity)
            .lastPrice(lastPrice)
            .lastQuantity(lastQuantity)
            .tradeId(tradeId);
        return MessageHeaderEncoder.ENCODED_LENGTH + reportEncoder.encodedLength();
    }

    /**
     * Writes a REJECTED report for a validated client request refused before sequencing: no wireSeq, no timestamp,
     * the request's requestSeq and the order fields it carries echoed as the engine's rejects echo them.
     *
     * @param buffer        to write into.
     * @param offset        where the report goes.
     * @param accountId     of the session, 0 before logon.
     * @param request       holding the validated request, SBE header first.
     * @param requestOffset of its header.
     * @param reason        why it is refused.
     * @return bytes written, header included.
     */
    public int rejection(
        final MutableDirectBuffer buffer,
        final int offset,
        final long accountId,
        final DirectBuffer request,
        final int requestOffset,
        final RejectReason reason)
    {
        // Fields are read where the schema puts them; a validated request's block holds at least these.
        final int body = requestOffset + MessageValidator.HEADER_LENGTH;
        long clientOrderId = 0;
        int instrumentId = 0;
        Side side = Side.NULL_VAL;
        long price = 0;
        long quantity = 0;
        switch (MessageValidator.templateId(request, requestOffset))
        {
            case NewOrderDecoder.TEMPLATE_ID:
                clientOrderId = request.getLong(body + NewOrderDecoder.clientOrderIdEncodingOffset(), ORDER);
                instrumentId = request.getInt(body + NewOrderDecoder.instrumentIdEncodingOffset(), ORDER);
                side = Side.get((short)(request.getByte(body + NewOrderDecoder.sideEncodingOffset()) & 0xFF));
                price = request.getLong(body + NewOrderDecoder.priceEncodingOffset(), ORDER);
                quantity = request.getLong(body + NewOrderDecoder.quantityEncodingOffset(), ORDER);
                break;
            case CancelOrderDecoder.TEMPLATE_ID:
            case OrderStatusQueryDecoder.TEMPLATE_ID:
                // Both carry the clientOrderId right after the requestSeq.
                clientOrderId = request.getLong(body + CancelOrderDecoder.clientOrderIdEncodingOffset(), ORDER);
                break;
            case ReplaceOrderDecoder.TEMPLATE_ID:
                clientOrderId = request.getLong(body + ReplaceOrderDecoder.clientOrderIdEncodingOffset(), ORDER);
                price = request.getLong(body + ReplaceOrderDecoder.newPriceEncodingOffset(), ORDER);
                quantity = request.getLong(body + ReplaceOrderDecoder.newQuantityEncodingOffset(), ORDER);
                break;
            case MassCancelDecoder.TEMPLATE_ID:
                instrumentId = request.getInt(body + MassCancelDecoder.instrumentIdEncodingOffset(), ORDER);
                break;
            case BookSnapshotQueryDecoder.TEMPLATE_ID:
                instrumentId = request.getInt(body + BookSnapshotQueryDecoder.instrumentIdEncodingOffset(), ORDER);
                break;
            default:
                break;
        }
        return write(buffer, offset, accountId, ClientProtocol.requestSeq(request, requestOffset), 0, 0, clientOrderId,
            0, instrumentId, side, ExecType.REJECTED, reason, Liquidity.NONE, price, quantity, 0, 0, 0, 0, 0);
    }
}
