package io.sluice.node.config;

/**
 * One instrument configured at start-up ({@code instrument.<id>.*} keys). Prices are in ticks, quantities in lots.
 *
 * @param instrumentId   positive id clients use.
 * @param symbol         up to 16 ASCII characters.
 * @param tickSize       price increment, in price units.
 * @param lotSize        quantity increment.
 * @param minQuantity    smallest order quantity.
 * @param maxQuantity    largest order quantity.
 * @param referencePrice centre of the price band.
 * @param priceBandBps   allowed distance from the reference price, basis points.
 */
public record InstrumentConfig(
    int instrumentId,
    String symbol,
    long tickSize,
    long lotSize,
    long minQuantity,
    long maxQuantity,
    long referencePrice,
    int priceBandBps)
{
}
