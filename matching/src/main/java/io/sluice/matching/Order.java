package io.sluice.matching;

import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;

/**
 * A live order, pooled and reused. All fields are written only by the thread that runs the {@link MatchingEngine}.
 * <p>
 * Invariant while the order is live: {@code leavesQuantity == quantity - cumQuantity > 0}. A live order is always
 * in the {@link OrderIndex} and its {@link Account}'s list; between commands it is also always in a price level.
 */
final class Order
{
    long orderId;
    long accountId;
    /** The session that placed, or last cancelled/replaced, the order: where its reports go. */
    long sessionId;
    long clientOrderId;
    int instrumentId;
    Instrument instrument;
    Side side;
    TimeInForce timeInForce;
    boolean postOnly;
    long price;
    /** Total quantity, including what has been filled (replaces change it). */
    long quantity;
    long leavesQuantity;
    long cumQuantity;

    Account account;

    /** Level the order rests in, null while it is not resting. */
    PriceLevel level;
    Order prevInLevel;
    /** Next order in time priority within the level; also the free-list link while pooled. */
    Order nextInLevel;

    Order prevInAccount;
    Order nextInAccount;

    /** True while the order is in the {@link OrderIndex} and its account's list. */
    boolean indexed;

    void reset()
    {
        orderId = 0;
        accountId = 0;
        sessionId = 0;
        clientOrderId = 0;
        instrumentId = 0;
        instrument = null;
        side = null;
        timeInForce = null;
        postOnly = false;
        price = 0;
        quantity = 0;
        leavesQuantity = 0;
        cumQuantity = 0;
        account = null;
        level = null;
        prevInLevel = null;
        nextInLevel = null;
        prevInAccount = null;
        nextInAccount = null;
        indexed = false;
    }
}
