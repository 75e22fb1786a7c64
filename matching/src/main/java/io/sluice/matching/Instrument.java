package io.sluice.matching;

import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;

/**
 * A tradable instrument: its static parameters, its trading status and its book. Written only by the engine thread.
 * <p>
 * Prices and quantities are integers in the instrument's own units: a price must be a positive multiple of
 * {@link #tickSize}, a quantity a positive multiple of {@link #lotSize} within [{@link #minQuantity},
 * {@link #maxQuantity}].
 */
final class Instrument
{
    static final int MAX_SYMBOL_LENGTH = 16;
    static final int MAX_PRICE_BAND_BPS = 10_000;
    private static final long BPS_PER_UNIT = 10_000;

    final int instrumentId;
    final String symbol;
    final long tickSize;
    final long lotSize;
    final long minQuantity;
    final long maxQuantity;
    final long referencePrice;
    /** Allowed distance of a limit price from the reference price in basis points; 0 disables the band. */
    final int priceBandBps;
    final long bandLowPrice;
    final long bandHighPrice;

    final BookSide bids;
    final BookSide asks;

    boolean halted;

    Instrument(
        final int instrumentId,
        final String symbol,
        final long tickSize,
        final long lotSize,
        final long minQuantity,
        final long maxQuantity,
        final long referencePrice,
        final int priceBandBps,
        final PriceLevelPool levelPool)
    {
        this.instrumentId = instrumentId;
        this.symbol = symbol;
        this.tickSize = tickSize;
        this.lotSize = lotSize;
        this.minQuantity = minQuantity;
        this.maxQuantity = maxQuantity;
        this.referencePrice = referencePrice;
        this.priceBandBps = priceBandBps;

        final long band = (referencePrice / BPS_PER_UNIT) * priceBandBps +
            ((referencePrice % BPS_PER_UNIT) * priceBandBps) / BPS_PER_UNIT;
        this.bandLowPrice = referencePrice - band;
        this.bandHighPrice = referencePrice + band;

        this.bids = new BookSide(Side.BUY, levelPool);
        this.asks = new BookSide(Side.SELL, levelPool);
    }

    BookSide sideOf(final Side side)
    {
        return side == Side.BUY ? bids : asks;
    }

    BookSide oppositeOf(final Side side)
    {
        return side == Side.BUY ? asks : bids;
    }

    RejectReason checkQuantity(final long quantity)
    {
        if (quantity <= 0 || quantity % lotSize != 0 || quantity < minQuantity || quantity > maxQuantity)
        {
            return RejectReason.INVALID_QUANTITY;
        }

        return RejectReason.NONE;
    }

    RejectReason checkPrice(final long price)
    {
        if (price <= 0 || price % tickSize != 0)
        {
            return RejectReason.INVALID_PRICE;
        }

        if (0 != priceBandBps && (price < bandLowPrice || price > bandHighPrice))
        {
            return RejectReason.PRICE_OUT_OF_BAND;
        }

        return RejectReason.NONE;
    }

    /**
     * The price used for the notional check of a market order: the worst price it could reach, the top of the band,
     * or the reference price when the instrument has no band.
     *
     * @return a positive price.
     */
    long marketNotionalPrice()
    {
        return 0 != priceBandBps ? bandHighPrice : referencePrice;
    }

    /**
     * Validate instrument parameters, whether they come from configuration or from a journaled admin command.
     *
     * @return null if valid, otherwise a message naming the offending parameter and its allowed range.
     */
    static String validate(
        final int instrumentId,
        final String symbol,
        final long tickSize,
        final long lotSize,
        final long minQuantity,
        final long maxQuantity,
        final long referencePrice,
        final int priceBandBps)
    {
        if (instrumentId <= 0)
        {
            return "instrumentId must be > 0 (0 means every instrument in a mass cancel): " + instrumentId;
        }
        if (null == symbol || symbol.isEmpty() || symbol.length() > MAX_SYMBOL_LENGTH)
        {
            return "symbol must be 1.." + MAX_SYMBOL_LENGTH + " characters: " + symbol;
        }
        for (int i = 0; i < symbol.length(); i++)
        {
            final char c = symbol.charAt(i);
            if (c <= ' ' || c > '~')
            {
                return "symbol must be printable US-ASCII without spaces: " + symbol;
            }
        }
        if (tickSize <= 0)
        {
            return "tickSize must be > 0: " + tickSize;
        }
        if (lotSize <= 0)
        {
            return "lotSize must be > 0: " + lotSize;
        }
        if (minQuantity < lotSize || minQuantity % lotSize != 0)
        {
            return "minQuantity must be a positive multiple of lotSize " + lotSize + ": " + minQuantity;
        }
        if (maxQuantity < minQuantity)
        {
            return "maxQuantity must be >= minQuantity " + minQuantity + ": " + maxQuantity;
        }
        if (referencePrice <= 0 || referencePrice % tickSize != 0 || referencePrice > Long.MAX_VALUE / 4)
        {
            return "referencePrice must be a positive multiple of tickSize " + tickSize + ": " + referencePrice;
        }
        if (priceBandBps < 0 || priceBandBps > MAX_PRICE_BAND_BPS)
        {
            return "priceBandBps must be in 0.." + MAX_PRICE_BAND_BPS + " (0 disables the band): " + priceBandBps;
        }

        return null;
    }
}
