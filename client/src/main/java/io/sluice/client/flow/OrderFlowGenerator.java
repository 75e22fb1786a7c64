package io.sluice.client.flow;

import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;

import java.util.SplittableRandom;

/**
 * A seeded, realistic order flow over many instruments and accounts. The same configuration and seed give the same
 * commands on any JVM (it uses {@link SplittableRandom}, whose sequence is specified, and no hash iteration order).
 *
 * <h2>Mix</h2>
 * Each command is drawn as follows (percentages of commands, the defaults):
 * <ul>
 *     <li><b>35% cancels</b> of a live order picked uniformly at random;</li>
 *     <li><b>10% replaces</b> of a live order: half the time a quantity reduction at the same price (keeps time
 *     priority), otherwise a move of 1..3 ticks that does not cross (loses priority);</li>
 *     <li><b>5% aggressive</b> immediate-or-cancel orders: 80% IOC limits priced 0..2 ticks through the opposite
 *     touch, 20% market orders, for 1..30 lots, sent by an account with no order in the way (no self-trade);</li>
 *     <li><b>50% passive</b> GTC limit placements near the touch: 10% improve their side's best price by a tick
 *     when that does not cross, the rest join the best price or rest behind it, on average 2.5 ticks deep
 *     (exponential); 1..10 lots, one in ten 10..50 lots; prices stay within ±40% of the reference price.</li>
 * </ul>
 * Instrument, side and account are uniform. A cancel or replace drawn while nothing rests, or an aggressive order
 * drawn against an empty side, becomes a placement. Client order ids are a global sequence.
 * <p>
 * No generated order ever meets an order of its own account, and replaces never cross, so self-trade prevention
 * never triggers: engines without it (exchange-core) process the same flow to the same book.
 * <p>
 * The generator tracks the flow's effect in a {@link ReferenceBook}, which is how it knows the touch and the live
 * orders, and which benchmarks use as the expected final state. Not thread safe.
 */
public final class OrderFlowGenerator
{
    /**
     * Settings of a flow, with defaults matching the benchmark: 100 instruments, 10,000 accounts.
     */
    public static final class Config
    {
        private long seed = 42;
        private int instruments = 100;
        private int firstInstrumentId = 1;
        private int accounts = 10_000;
        private long firstAccountId = 1;
        private long firstClientOrderId = 1;
        private long referencePrice = 10_000;
        private long tickSize = 1;
        private long lotSize = 1;
        private int cancelPercent = 35;
        private int replacePercent = 10;
        private int aggressivePercent = 5;

        public Config seed(final long seed)
        {
            this.seed = seed;
            return this;
        }

        public long seed()
        {
            return seed;
        }

        public Config instruments(final int instruments)
        {
            this.instruments = instruments;
            return this;
        }

        public int instruments()
        {
            return instruments;
        }

        public Config firstInstrumentId(final int firstInstrumentId)
        {
            this.firstInstrumentId = firstInstrumentId;
            return this;
        }

        public int firstInstrumentId()
        {
            return firstInstrumentId;
        }

        public Config accounts(final int accounts)
        {
            this.accounts = accounts;
            return this;
        }

        public int accounts()
        {
            return accounts;
        }

        public Config firstAccountId(final long firstAccountId)
        {
            this.firstAccountId = firstAccountId;
            return this;
        }

        public long firstAccountId()
        {
            return firstAccountId;
        }

        public Config firstClientOrderId(final long firstClientOrderId)
        {
            this.firstClientOrderId = firstClientOrderId;
            return this;
        }

        public long firstClientOrderId()
        {
            return firstClientOrderId;
        }

        /**
         * @param referencePrice centre of every instrument's prices, a multiple of the tick size.
         * @return this.
         */
        public Config referencePrice(final long referencePrice)
        {
            this.referencePrice = referencePrice;
            return this;
        }

        public long referencePrice()
        {
            return referencePrice;
        }

        public Config tickSize(final long tickSize)
        {
            this.tickSize = tickSize;
            return this;
        }

        public long tickSize()
        {
            return tickSize;
        }

        public Config lotSize(final long lotSize)
        {
            this.lotSize = lotSize;
            return this;
        }

        public long lotSize()
        {
            return lotSize;
        }

        public Config mix(final int cancelPercent, final int replacePercent, final int aggressivePercent)
        {
            this.cancelPercent = cancelPercent;
            this.replacePercent = replacePercent;
            this.aggressivePercent = aggressivePercent;
            return this;
        }

        public int cancelPercent()
        {
            return cancelPercent;
        }

        public int replacePercent()
        {
            return replacePercent;
        }

        public int aggressivePercent()
        {
            return aggressivePercent;
        }

        /**
         * @return lowest price the flow uses: 60% of the reference price, rounded up to a tick.
         */
        public long lowestPrice()
        {
            return roundUp(referencePrice * (100 - PRICE_RANGE_PERCENT) / 100, tickSize);
        }

        /**
         * @return highest price the flow uses: 140% of the reference price, rounded down to a tick.
         */
        public long highestPrice()
        {
            return referencePrice * (100 + PRICE_RANGE_PERCENT) / 100 / tickSize * tickSize;
        }

        void validate()
        {
            if (instruments <= 0 || accounts <= 0 || tickSize <= 0 || lotSize <= 0 || referencePrice <= 0 ||
                referencePrice % tickSize != 0 || referencePrice > Long.MAX_VALUE / 200)
            {
                throw new IllegalArgumentException("instruments, accounts, tickSize, lotSize and referencePrice must " +
                    "be > 0 and referencePrice a multiple of tickSize");
            }
            if (cancelPercent < 0 || replacePercent < 0 || aggressivePercent < 0 ||
                cancelPercent + replacePercent + aggressivePercent > 100)
            {
                throw new IllegalArgumentException("mix percentages must be >= 0 and add up to at most 100: " +
                    cancelPercent + "/" + replacePercent + "/" + aggressivePercent);
            }
        }

        private static long roundUp(final long value, final long tick)
        {
            return (value + tick - 1) / tick * tick;
        }
    }

    /** Prices stay within this many percent of the reference price; engines must accept that band. */
    public static final int PRICE_RANGE_PERCENT = 40;
    private static final int ACCOUNT_TRIES = 8;

    private final Config config;
    private final SplittableRandom random;
    private final ReferenceBook book;
    private final long lowestPrice;
    private final long highestPrice;
    private long nextClientOrderId;
    private long placements;
    private long cancels;
    private long replaces;
    private long aggressiveOrders;

    public OrderFlowGenerator(final Config config)
    {
        config.validate();
        this.config = config;
        this.random = new SplittableRandom(config.seed());
        this.book = new ReferenceBook(config.firstInstrumentId(), config.instruments());
        this.lowestPrice = config.lowestPrice();
        this.highestPrice = config.highestPrice();
        this.nextClientOrderId = config.firstClientOrderId();
    }

    public Config config()
    {
        return config;
    }

    /**
     * The book as the flow so far leaves it, if every command is applied as generated.
     *
     * @return the reference book; do not modify.
     */
    public ReferenceBook referenceBook()
    {
        return book;
    }

    public long placements()
    {
        return placements;
    }

    public long cancels()
    {
        return cancels;
    }

    public long replaces()
    {
        return replaces;
    }

    public long aggressiveOrders()
    {
        return aggressiveOrders;
    }

    public long commands()
    {
        return placements + cancels + replaces + aggressiveOrders;
    }

    /**
     * Generate commands into a sink.
     *
     * @param count how many.
     * @param sink  receives them.
     */
    public void generate(final long count, final OrderFlowSink sink)
    {
        for (long i = 0; i < count; i++)
        {
            next(sink);
        }
    }

    /**
     * Generate one command.
     *
     * @param sink receives it.
     */
    public void next(final OrderFlowSink sink)
    {
        final int draw = random.nextInt(100);
        final int cancelUpTo = config.cancelPercent();
        final int replaceUpTo = cancelUpTo + config.replacePercent();
        final int aggressiveUpTo = replaceUpTo + config.aggressivePercent();

        if (draw < cancelUpTo && book.liveOrderCount() > 0)
        {
            cancel(sink);
        }
        else if (draw >= cancelUpTo && draw < replaceUpTo && book.liveOrderCount() > 0)
        {
            replace(sink);
        }
        else if (draw < replaceUpTo || draw >= aggressiveUpTo || !aggressive(sink))
        {
            place(sink);
        }
    }

    private int randomInstrument()
    {
        return config.firstInstrumentId() + random.nextInt(config.instruments());
    }

    private long randomAccount()
    {
        return config.firstAccountId() + random.nextInt(config.accounts());
    }

    private Side randomSide()
    {
        return random.nextBoolean() ? Side.BUY : Side.SELL;
    }

    private void cancel(final OrderFlowSink sink)
    {
        final ReferenceBook.Order order = book.liveOrder(random.nextInt(book.liveOrderCount()));
        sink.cancelOrder(order.accountId(), order.clientOrderId(), order.instrumentId());
        book.cancel(order.clientOrderId());
        cancels++;
    }

    private void replace(final OrderFlowSink sink)
    {
        final ReferenceBook.Order order = book.liveOrder(random.nextInt(book.liveOrderCount()));
        final long lot = config.lotSize();
        final long leavesLots = order.leavesQuantity() / lot;
        if (random.nextBoolean() && leavesLots > 1)
        {
            final long newQuantity = order.quantity() - lot * (1 + random.nextLong(leavesLots - 1));
            sink.replaceOrder(
                order.accountId(), order.clientOrderId(), order.instrumentId(), order.price(), newQuantity);
            book.reduce(order.clientOrderId(), newQuantity);
        }
        else
        {
            final long ticks = 1 + random.nextInt(3);
            final long direction = random.nextBoolean() ? 1 : -1;
            long newPrice = order.price() + direction * ticks * config.tickSize();
            if (!validPassivePrice(order.instrumentId(), order.side(), newPrice))
            {
                newPrice = order.price() - direction * ticks * config.tickSize();
            }
            if (!validPassivePrice(order.instrumentId(), order.side(), newPrice))
            {
                // Boxed in at the edge of the range: a cancel keeps the flow going without crossing.
                cancel(sink, order);
                return;
            }
            sink.replaceOrder(order.accountId(), order.clientOrderId(), order.instrumentId(), newPrice,
                order.quantity());
            book.move(order.clientOrderId(), newPrice);
        }
        replaces++;
    }

    private void cancel(final OrderFlowSink sink, final ReferenceBook.Order order)
    {
        sink.cancelOrder(order.accountId(), order.clientOrderId(), order.instrumentId());
        book.cancel(order.clientOrderId());
        cancels++;
    }

    private boolean validPassivePrice(final int instrumentId, final Side side, final long price)
    {
        return price >= lowestPrice && price <= highestPrice && !book.crosses(instrumentId, side, price);
    }

    private boolean aggressive(final OrderFlowSink sink)
    {
        final int instrumentId = randomInstrument();
        final Side side = randomSide();
        final long oppositeBest = book.bestPrice(instrumentId, side == Side.BUY ? Side.SELL : Side.BUY);
        if (Long.MIN_VALUE == oppositeBest)
        {
            return false;
        }

        final boolean market = random.nextInt(5) == 0;
        final long through = random.nextInt(3) * config.tickSize();
        final long limitPrice = market ? 0 :
            Math.max(lowestPrice, Math.min(highestPrice, side == Side.BUY ? oppositeBest + through :
                oppositeBest - through));
        final long quantity = config.lotSize() * (1 + random.nextInt(30));

        for (int i = 0; i < ACCOUNT_TRIES; i++)
        {
            final long accountId = randomAccount();
            if (!book.wouldMeetAccount(accountId, instrumentId, side, market, limitPrice, quantity))
            {
                final long clientOrderId = nextClientOrderId++;
                sink.newOrder(accountId, clientOrderId, instrumentId, side,
                    market ? OrderType.MARKET : OrderType.LIMIT, TimeInForce.IOC, limitPrice, quantity);
                book.takeLiquidity(instrumentId, side, market, limitPrice, quantity);
                aggressiveOrders++;
                return true;
            }
        }

        return false;
    }

    private void place(final OrderFlowSink sink)
    {
        final int instrumentId = randomInstrument();
        final Side side = randomSide();
        final boolean buy = side == Side.BUY;
        final long tick = config.tickSize();
        final long ownBest = book.bestPrice(instrumentId, side);
        final long oppositeBest = book.bestPrice(instrumentId, buy ? Side.SELL : Side.BUY);

        long price;
        if (Long.MIN_VALUE != ownBest)
        {
            if (random.nextInt(10) == 0)
            {
                price = buy ? ownBest + tick : ownBest - tick;
            }
            else
            {
                final long depthTicks = Math.min(50, (long)(-Math.log(1.0 - random.nextDouble()) * 2.5));
                price = buy ? ownBest - depthTicks * tick : ownBest + depthTicks * tick;
            }
        }
        else
        {
            final long anchor = Long.MIN_VALUE != oppositeBest ? oppositeBest : config.referencePrice();
            final long offsetTicks = 1 + random.nextInt(5);
            price = buy ? anchor - offsetTicks * tick : anchor + offsetTicks * tick;
        }

        price = Math.max(lowestPrice, Math.min(highestPrice, price));
        if (book.crosses(instrumentId, side, price))
        {
            price = buy ? oppositeBest - tick : oppositeBest + tick;
        }
        if (!validPassivePrice(instrumentId, side, price))
        {
            // Only at the very edge of the price range: rest at the far end of the own side instead.
            price = buy ? lowestPrice : highestPrice;
        }

        final long lots = random.nextInt(10) == 0 ? 10 + random.nextInt(41) : 1 + random.nextInt(10);
        final long quantity = lots * config.lotSize();
        final long accountId = randomAccount();
        final long clientOrderId = nextClientOrderId++;
        sink.newOrder(accountId, clientOrderId, instrumentId, side, OrderType.LIMIT, TimeInForce.GTC, price, quantity);
        book.addPassive(accountId, clientOrderId, instrumentId, side, price, quantity);
        placements++;
    }
}
