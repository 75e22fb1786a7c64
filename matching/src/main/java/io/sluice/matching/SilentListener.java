package io.sluice.matching;

import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.Liquidity;
import io.sluice.sbe.client.OrderState;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;

/**
 * Discards everything a matching engine reports: for engines that only follow the journal (a snapshot shadow, a
 * replica's hot standby, replay in tools and tests), whose replies the live engine already sent.
 */
public final class SilentListener implements MatchingListener
{
    public static final SilentListener INSTANCE = new SilentListener();

    private SilentListener()
    {
    }

    @Override
    public void onExecutionReport(
        final long sessionId, final long accountId, final long requestSeq, final long wireSeq, final long timestampNs,
        final long clientOrderId, final long orderId, final int instrumentId, final Side side, final ExecType execType,
        final RejectReason rejectReason, final Liquidity liquidity, final long price, final long quantity,
        final long leavesQuantity, final long cumQuantity, final long lastPrice, final long lastQuantity,
        final long tradeId)
    {
    }

    @Override
    public void onOrderStatus(
        final long sessionId, final long accountId, final long requestSeq, final long clientOrderId, final long orderId,
        final int instrumentId, final Side side, final OrderState state, final RejectReason rejectReason,
        final long price, final long quantity, final long leavesQuantity, final long cumQuantity)
    {
    }

    @Override
    public void onBookSnapshot(
        final long sessionId, final long requestSeq, final int instrumentId, final int bidLevelCount,
        final int askLevelCount)
    {
    }

    @Override
    public void onBookLevel(
        final long sessionId, final long requestSeq, final int instrumentId, final Side side, final long price,
        final long quantity, final int orderCount)
    {
    }

    @Override
    public void onCommandComplete(final long sessionId, final long requestSeq, final long wireSeq)
    {
    }
}
