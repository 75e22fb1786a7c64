package io.sluice.matching;

import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.Liquidity;
import io.sluice.sbe.client.OrderState;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;

import java.util.ArrayList;
import java.util.List;

/**
 * Keeps every callback as a value, in order, so tests can compare whole streams.
 */
final class RecordingListener implements MatchingListener
{
    record Report(
        long sessionId,
        long accountId,
        long requestSeq,
        long wireSeq,
        long timestampNs,
        long clientOrderId,
        long orderId,
        int instrumentId,
        Side side,
        ExecType execType,
        RejectReason rejectReason,
        Liquidity liquidity,
        long price,
        long quantity,
        long leavesQuantity,
        long cumQuantity,
        long lastPrice,
        long lastQuantity,
        long tradeId)
    {
    }

    record Status(
        long sessionId,
        long accountId,
        long requestSeq,
        long clientOrderId,
        long orderId,
        int instrumentId,
        Side side,
        OrderState state,
        RejectReason rejectReason,
        long price,
        long quantity,
        long leavesQuantity,
        long cumQuantity)
    {
    }

    record Snapshot(long sessionId, long requestSeq, int instrumentId, int bidLevelCount, int askLevelCount)
    {
    }

    record Level(
        long sessionId, long requestSeq, int instrumentId, Side side, long price, long quantity, int orderCount)
    {
    }

    record Complete(long sessionId, long requestSeq, long wireSeq)
    {
    }

    final List<Object> events = new ArrayList<>();

    public void onExecutionReport(
        final long sessionId,
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
        events.add(new Report(sessionId, accountId, requestSeq, wireSeq, timestampNs, clientOrderId, orderId,
            instrumentId, side, execType, rejectReason, liquidity, price, quantity, leavesQuantity, cumQuantity,
            lastPrice, lastQuantity, tradeId));
    }

    public void onOrderStatus(
        final long sessionId,
        final long accountId,
        final long requestSeq,
        final long clientOrderId,
        final long orderId,
        final int instrumentId,
        final Side side,
        final OrderState state,
        final RejectReason rejectReason,
        final long price,
        final long quantity,
        final long leavesQuantity,
        final long cumQuantity)
    {
        events.add(new Status(sessionId, accountId, requestSeq, clientOrderId, orderId, instrumentId, side, state,
            rejectReason, price, quantity, leavesQuantity, cumQuantity));
    }

    public void onBookSnapshot(
        final long sessionId, final long requestSeq, final int instrumentId, final int bidLevelCount,
        final int askLevelCount)
    {
        events.add(new Snapshot(sessionId, requestSeq, instrumentId, bidLevelCount, askLevelCount));
    }

    public void onBookLevel(
        final long sessionId, final long requestSeq, final int instrumentId, final Side side, final long price,
        final long quantity, final int orderCount)
    {
        events.add(new Level(sessionId, requestSeq, instrumentId, side, price, quantity, orderCount));
    }

    public void onCommandComplete(final long sessionId, final long requestSeq, final long wireSeq)
    {
        events.add(new Complete(sessionId, requestSeq, wireSeq));
    }

    List<Report> reports()
    {
        final List<Report> reports = new ArrayList<>();
        for (final Object event : events)
        {
            if (event instanceof Report report)
            {
                reports.add(report);
            }
        }
        return reports;
    }

    List<Level> levels()
    {
        final List<Level> levels = new ArrayList<>();
        for (final Object event : events)
        {
            if (event instanceof Level level)
            {
                levels.add(level);
            }
        }
        return levels;
    }

    void clear()
    {
        events.clear();
    }
}
