package io.sluice.pipeline.sequencer;

import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.ExecutionReportEncoder;
import io.sluice.sbe.client.Liquidity;
import io.sluice.sbe.client.MessageHeaderEncoder;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;
import org.agrona.MutableDirectBuffer;

/**
 * Encodes a matching engine report as the client protocol's ExecutionReport, header included: one place for the
 * field mapping, used by the sequencer and by anything else that hosts the engine (perf's Aeron Cluster service).
 * Holds its encoders, so it allocates nothing; one per thread.
 */
public final class ExecutionReportWriter
{
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
}
