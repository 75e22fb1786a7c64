package io.sluice.matching;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Options of a {@link MatchingEngine}, each with its default; validated by {@link #conclude()}.
 * Everything except the pool capacities enters {@link MatchingEngine#configDigest()}.
 */
public final class MatchingContext
{
    /** Default of {@link #maxOrderNotional(long)}: no limit. */
    public static final long MAX_ORDER_NOTIONAL_DEFAULT = Long.MAX_VALUE;
    /** Default of {@link #maxOpenOrdersPerAccount(int)}. */
    public static final int MAX_OPEN_ORDERS_PER_ACCOUNT_DEFAULT = 10_000;
    /** Default of {@link #orderPoolCapacity(int)}. */
    public static final int ORDER_POOL_CAPACITY_DEFAULT = 16_384;
    /** Default of {@link #priceLevelPoolCapacity(int)}. */
    public static final int PRICE_LEVEL_POOL_CAPACITY_DEFAULT = 4_096;
    /** Largest pool capacity accepted at start-up. */
    public static final int MAX_POOL_CAPACITY = 1 << 26;
    /** Default of {@link #terminalOrderCapacity(int)}. */
    public static final int TERMINAL_ORDER_CAPACITY_DEFAULT = 1 << 20;

    private long maxOrderNotional = MAX_ORDER_NOTIONAL_DEFAULT;
    private int maxOpenOrdersPerAccount = MAX_OPEN_ORDERS_PER_ACCOUNT_DEFAULT;
    private SelfTradePrevention defaultSelfTradePrevention = SelfTradePrevention.CANCEL_NEWEST;
    private int orderPoolCapacity = ORDER_POOL_CAPACITY_DEFAULT;
    private int priceLevelPoolCapacity = PRICE_LEVEL_POOL_CAPACITY_DEFAULT;
    private int terminalOrderCapacity = TERMINAL_ORDER_CAPACITY_DEFAULT;
    // Sorted maps: the digest walks them in key order.
    /** Read by the engine it configures. */
    final TreeMap<Long, SelfTradePrevention> selfTradePreventionByAccount = new TreeMap<>();
    final TreeMap<Integer, InstrumentSpec> instruments = new TreeMap<>();
    private final List<String> errors = new ArrayList<>();

    /**
     * Largest price × quantity of one order (for a market order, the top of the band times the quantity).
     *
     * @param maxOrderNotional &gt; 0.
     * @return this.
     */
    public MatchingContext maxOrderNotional(final long maxOrderNotional)
    {
        this.maxOrderNotional = maxOrderNotional;
        return this;
    }

    public long maxOrderNotional()
    {
        return maxOrderNotional;
    }

    /**
     * Most live orders an account may have; an order that could rest beyond it is REJECTED MAX_OPEN_ORDERS.
     *
     * @param maxOpenOrdersPerAccount &gt; 0.
     * @return this.
     */
    public MatchingContext maxOpenOrdersPerAccount(final int maxOpenOrdersPerAccount)
    {
        this.maxOpenOrdersPerAccount = maxOpenOrdersPerAccount;
        return this;
    }

    public int maxOpenOrdersPerAccount()
    {
        return maxOpenOrdersPerAccount;
    }

    /**
     * Self-trade prevention for accounts without an override.
     *
     * @param mode not null.
     * @return this.
     */
    public MatchingContext defaultSelfTradePrevention(final SelfTradePrevention mode)
    {
        this.defaultSelfTradePrevention = mode;
        return this;
    }

    public SelfTradePrevention defaultSelfTradePrevention()
    {
        return defaultSelfTradePrevention;
    }

    /**
     * Self-trade prevention for one account, overriding the default.
     *
     * @param accountId account.
     * @param mode      not null.
     * @return this.
     */
    public MatchingContext selfTradePrevention(final long accountId, final SelfTradePrevention mode)
    {
        if (null == mode)
        {
            errors.add("selfTradePrevention for account " + accountId + " must not be null");
        }
        else
        {
            selfTradePreventionByAccount.put(accountId, mode);
        }
        return this;
    }

    /**
     * Orders allocated up front (the pool grows beyond it by allocating); also sizes the order index.
     *
     * @param capacity 0..{@link #MAX_POOL_CAPACITY}.
     * @return this.
     */
    public MatchingContext orderPoolCapacity(final int capacity)
    {
        this.orderPoolCapacity = capacity;
        return this;
    }

    public int orderPoolCapacity()
    {
        return orderPoolCapacity;
    }

    /**
     * Price levels allocated up front (the pool grows beyond it by allocating).
     *
     * @param capacity 0..{@link #MAX_POOL_CAPACITY}.
     * @return this.
     */
    public MatchingContext priceLevelPoolCapacity(final int capacity)
    {
        this.priceLevelPoolCapacity = capacity;
        return this;
    }

    public int priceLevelPoolCapacity()
    {
        return priceLevelPoolCapacity;
    }

    /**
     * Most ended orders of the trading day kept for status queries (about 60 bytes each, allocated as they are
     * used); when full the oldest is forgotten. It changes answers, so engines that must agree need the same.
     *
     * @param capacity 1..{@link #MAX_POOL_CAPACITY}.
     * @return this.
     */
    public MatchingContext terminalOrderCapacity(final int capacity)
    {
        this.terminalOrderCapacity = capacity;
        return this;
    }

    public int terminalOrderCapacity()
    {
        return terminalOrderCapacity;
    }

    /**
     * An instrument present from start-up; the parameters are those of
     * {@link MatchingEngine#addInstrument(long, long, int, String, long, long, long, long, long, int)}.
     *
     * @return this.
     */
    public MatchingContext instrument(
        final int instrumentId,
        final String symbol,
        final long tickSize,
        final long lotSize,
        final long minQuantity,
        final long maxQuantity,
        final long referencePrice,
        final int priceBandBps)
    {
        final String error = Instrument.validate(
            instrumentId, symbol, tickSize, lotSize, minQuantity, maxQuantity, referencePrice, priceBandBps);
        if (null != error)
        {
            errors.add("instrument: " + error);
        }
        else if (instruments.containsKey(instrumentId))
        {
            errors.add("instrument: instrumentId " + instrumentId + " configured twice");
        }
        else
        {
            instruments.put(instrumentId, new InstrumentSpec(
                instrumentId, symbol, tickSize, lotSize, minQuantity, maxQuantity, referencePrice, priceBandBps));
        }
        return this;
    }

    /**
     * Validate every option.
     *
     * @return this.
     * @throws IllegalArgumentException listing each invalid option with its allowed range.
     */
    public MatchingContext conclude()
    {
        final List<String> problems = new ArrayList<>(errors);
        if (maxOrderNotional <= 0)
        {
            problems.add("maxOrderNotional must be > 0: " + maxOrderNotional);
        }
        if (maxOpenOrdersPerAccount <= 0)
        {
            problems.add("maxOpenOrdersPerAccount must be > 0: " + maxOpenOrdersPerAccount);
        }
        if (null == defaultSelfTradePrevention)
        {
            problems.add("defaultSelfTradePrevention must not be null");
        }
        if (orderPoolCapacity < 0 || orderPoolCapacity > MAX_POOL_CAPACITY)
        {
            problems.add("orderPoolCapacity must be in 0.." + MAX_POOL_CAPACITY + ": " + orderPoolCapacity);
        }
        if (priceLevelPoolCapacity < 0 || priceLevelPoolCapacity > MAX_POOL_CAPACITY)
        {
            problems.add(
                "priceLevelPoolCapacity must be in 0.." + MAX_POOL_CAPACITY + ": " + priceLevelPoolCapacity);
        }
        if (terminalOrderCapacity < 1 || terminalOrderCapacity > MAX_POOL_CAPACITY)
        {
            problems.add(
                "terminalOrderCapacity must be in 1.." + MAX_POOL_CAPACITY + ": " + terminalOrderCapacity);
        }
        if (!problems.isEmpty())
        {
            throw new IllegalArgumentException("invalid matching engine configuration: " + problems);
        }

        return this;
    }

    long digest()
    {
        long h = Digest.update(Digest.SEED, 1);
        h = Digest.update(h, maxOrderNotional);
        h = Digest.update(h, maxOpenOrdersPerAccount);
        h = Digest.update(h, defaultSelfTradePrevention.code());
        h = Digest.update(h, selfTradePreventionByAccount.size());
        for (final Map.Entry<Long, SelfTradePrevention> entry : selfTradePreventionByAccount.entrySet())
        {
            h = Digest.update(h, entry.getKey());
            h = Digest.update(h, entry.getValue().code());
        }
        h = Digest.update(h, instruments.size());
        for (final InstrumentSpec spec : instruments.values())
        {
            h = Digest.update(h, spec.instrumentId());
            h = Digest.update(h, spec.symbol());
            h = Digest.update(h, spec.tickSize());
            h = Digest.update(h, spec.lotSize());
            h = Digest.update(h, spec.minQuantity());
            h = Digest.update(h, spec.maxQuantity());
            h = Digest.update(h, spec.referencePrice());
            h = Digest.update(h, spec.priceBandBps());
        }
        // Only a capacity other than the default enters, so engines configured before the option existed keep
        // their digest (and their snapshots and replication handshakes stay valid).
        if (TERMINAL_ORDER_CAPACITY_DEFAULT != terminalOrderCapacity)
        {
            h = Digest.update(h, terminalOrderCapacity);
        }

        return h;
    }

    record InstrumentSpec(
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
}
