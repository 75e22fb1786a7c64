package io.sluice.client.flow;

import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;

/**
 * Receives the commands an {@link OrderFlowGenerator} produces, in order. Implementations record them, send them to
 * a Sluice node, or drive an engine directly; sessions and request sequences are theirs to assign.
 * <p>
 * Client order ids are unique across the whole flow (not only per account). The instrument of a cancel or replace
 * is passed for sinks that route by instrument; the Sluice protocol itself does not need it.
 */
public interface OrderFlowSink
{
    /**
     * A new order.
     *
     * @param accountId     account placing it.
     * @param clientOrderId unique id of the order.
     * @param instrumentId  instrument.
     * @param side          BUY or SELL.
     * @param orderType     LIMIT or MARKET.
     * @param timeInForce   GTC for resting orders, IOC for aggressive ones.
     * @param price         limit price in ticks of the flow's tick size; 0 for MARKET.
     * @param quantity      quantity, a multiple of the flow's lot size.
     */
    void newOrder(
        long accountId,
        long clientOrderId,
        int instrumentId,
        Side side,
        OrderType orderType,
        TimeInForce timeInForce,
        long price,
        long quantity);

    /**
     * Cancel a live order.
     *
     * @param accountId     owner of the order.
     * @param clientOrderId id of the order.
     * @param instrumentId  instrument of the order.
     */
    void cancelOrder(long accountId, long clientOrderId, int instrumentId);

    /**
     * Replace a live order: either a new price with the quantity unchanged, or a lower total quantity at the same
     * price (the order keeps its time priority), never both.
     *
     * @param accountId     owner of the order.
     * @param clientOrderId id of the order.
     * @param instrumentId  instrument of the order.
     * @param newPrice      new limit price.
     * @param newQuantity   new total quantity, filled part included.
     */
    void replaceOrder(long accountId, long clientOrderId, int instrumentId, long newPrice, long newQuantity);
}
