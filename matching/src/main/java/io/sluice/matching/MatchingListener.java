package io.sluice.matching;

import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.Liquidity;
import io.sluice.sbe.client.OrderState;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;

/**
 * Everything the {@link MatchingEngine} says, called synchronously on the engine thread while a command runs.
 * Implementations copy what they need (typically by encoding it into a ring) and must not call back into the engine.
 * <p>
 * Each command, state-changing or query, produces zero or more reports and then exactly one
 * {@link #onCommandComplete(long, long, long)}.
 */
public interface MatchingListener
{
    /**
     * An execution report about one order.
     *
     * @param sessionId      session that owns the order the report is about: a maker fill goes to the maker's
     *                       session. For a rejected command it is the session that sent the command.
     * @param accountId      account of that order.
     * @param requestSeq     requestSeq of the command that caused the report (for a maker fill, the taker's).
     * @param wireSeq        wireSeq of that command.
     * @param timestampNs    timestamp of that command, as given by the sequencer.
     * @param clientOrderId  the owner's id for the order; 0 for a rejected mass cancel.
     * @param orderId        exchange order id, 0 when the command was rejected before an order existed.
     * @param instrumentId   instrument of the order (as sent, for a rejected command).
     * @param side           side of the order, {@link Side#NULL_VAL} when not known.
     * @param execType       what happened.
     * @param rejectReason   why, for REJECTED; SELF_TRADE_PREVENTED for a CANCELED by self-trade prevention;
     *                       otherwise NONE.
     * @param liquidity      MAKER or TAKER for fills, otherwise NONE.
     * @param price          limit price of the order (0 for a market order).
     * @param quantity       total quantity of the order, including what has been filled.
     * @param leavesQuantity quantity still open after this report (0 once the order is done).
     * @param cumQuantity    quantity filled so far.
     * @param lastPrice      price of this fill, 0 if not a fill.
     * @param lastQuantity   quantity of this fill, 0 if not a fill.
     * @param tradeId        id of this fill's trade (both sides of a trade carry the same id), 0 if not a fill.
     */
    void onExecutionReport(
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
        long tradeId);

    /**
     * Answer to {@link MatchingEngine#orderStatus(long, long, long, long)}.
     *
     * @param sessionId      session that asked.
     * @param accountId      account that asked.
     * @param requestSeq     requestSeq of the query.
     * @param clientOrderId  as asked.
     * @param orderId        exchange order id, 0 if unknown.
     * @param instrumentId   instrument of the order, 0 if unknown.
     * @param side           side of the order, {@link Side#NULL_VAL} if unknown.
     * @param state          NEW or PARTIALLY_FILLED for a live order; FILLED, CANCELED, EXPIRED or REJECTED for
     *                       an order that ended today (while kept); UNKNOWN otherwise.
     * @param rejectReason   why, for REJECTED; SELF_TRADE_PREVENTED for a CANCELED by self-trade prevention;
     *                       otherwise NONE.
     * @param price          limit price.
     * @param quantity       total quantity.
     * @param leavesQuantity open quantity.
     * @param cumQuantity    filled quantity.
     */
    void onOrderStatus(
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
        long cumQuantity);

    /**
     * Start of the answer to {@link MatchingEngine#bookSnapshot(long, long, long, int, int)}; followed by
     * {@code bidLevelCount} bid levels and then {@code askLevelCount} ask levels, each best first.
     *
     * @param sessionId     session that asked.
     * @param requestSeq    requestSeq of the query.
     * @param instrumentId  instrument.
     * @param bidLevelCount number of bid levels that follow.
     * @param askLevelCount number of ask levels that follow the bids.
     */
    void onBookSnapshot(long sessionId, long requestSeq, int instrumentId, int bidLevelCount, int askLevelCount);

    /**
     * One aggregated price level of a book snapshot.
     *
     * @param sessionId    session that asked.
     * @param requestSeq   requestSeq of the query.
     * @param instrumentId instrument.
     * @param side         BUY for a bid level, SELL for an ask level.
     * @param price        price of the level.
     * @param quantity     sum of the open quantity of its orders.
     * @param orderCount   number of orders in it.
     */
    void onBookLevel(long sessionId, long requestSeq, int instrumentId, Side side, long price, long quantity,
        int orderCount);

    /**
     * The command has produced all its reports.
     *
     * @param sessionId  session that sent the command, {@link MatchingEngine#ADMIN_SESSION_ID} for admin commands.
     * @param requestSeq requestSeq of the command, 0 for admin commands.
     * @param wireSeq    wireSeq of the command as given, 0 for queries.
     */
    void onCommandComplete(long sessionId, long requestSeq, long wireSeq);
}
