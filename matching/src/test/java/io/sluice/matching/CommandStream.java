package io.sluice.matching;

import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Random command streams for the property tests, and a sequencer stand-in that applies them to an engine.
 * <p>
 * Few accounts, few client order ids and prices a few ticks either side of the reference, so orders cross, collide
 * on ids, meet their own account's orders and get cancelled/replaced while live. Some values are deliberately
 * invalid and some requests are repeated, so rejects are exercised too.
 */
final class CommandStream
{
    static final int ACCOUNTS = 4;

    interface Command
    {
    }

    /** Client commands carry which of the account's two sessions sends them and whether to repeat a requestSeq. */
    interface ClientCommand extends Command
    {
        long accountId();

        int sessionVariant();

        boolean repeatRequestSeq();
    }

    record NewOrder(long accountId, int sessionVariant, boolean repeatRequestSeq, long clientOrderId,
        int instrumentId, Side side, OrderType orderType, TimeInForce timeInForce, boolean postOnly, long price,
        long quantity) implements ClientCommand
    {
    }

    record Cancel(long accountId, int sessionVariant, boolean repeatRequestSeq, long clientOrderId)
        implements ClientCommand
    {
    }

    /**
     * A replace relative to the live order it names (so that most replaces find an order and all replace rules get
     * exercised): the sequencer resolves the new price and quantity from the engine's current state, which is itself
     * deterministic. When the order is not live, the absolute fallback values are sent.
     */
    record Replace(long accountId, int sessionVariant, boolean repeatRequestSeq, long clientOrderId, int priceTicks,
        int quantityLots, long fallbackPrice, long fallbackQuantity) implements ClientCommand
    {
    }

    record MassCancel(long accountId, int sessionVariant, boolean repeatRequestSeq, int instrumentId)
        implements ClientCommand
    {
    }

    record Halt(int instrumentId) implements Command
    {
    }

    record Resume(int instrumentId) implements Command
    {
    }

    record EndOfDay() implements Command
    {
    }

    private CommandStream()
    {
    }

    static MatchingContext context(final SelfTradePrevention mode)
    {
        return TestExchange.withInstruments(new MatchingContext()
            .defaultSelfTradePrevention(mode)
            .selfTradePrevention(ACCOUNTS, SelfTradePrevention.CANCEL_OLDEST)
            .maxOpenOrdersPerAccount(12)
            .maxOrderNotional(5_000_000)
            .orderPoolCapacity(64)
            .priceLevelPoolCapacity(16));
    }

    static Arbitrary<List<Command>> commands(final int maxSize)
    {
        return Arbitraries.<Command>frequencyOf(
            Tuple.of(50, newOrders()),
            Tuple.of(18, cancels()),
            Tuple.of(18, replaces()),
            Tuple.of(3, massCancels()),
            Tuple.of(1, Arbitraries.of(TestExchange.INSTRUMENT, TestExchange.OTHER_INSTRUMENT).map(Halt::new)),
            Tuple.of(3, Arbitraries.of(TestExchange.INSTRUMENT, TestExchange.OTHER_INSTRUMENT).map(Resume::new)),
            Tuple.of(1, Arbitraries.just(new EndOfDay())))
            .list().ofMinSize(1).ofMaxSize(maxSize).withSizeDistribution(RandomDistribution.uniform());
    }

    private static Arbitrary<Long> accounts()
    {
        return Arbitraries.longs().between(1, ACCOUNTS);
    }

    private static Arbitrary<Integer> sessionVariants()
    {
        return Arbitraries.frequency(Tuple.of(9, 0), Tuple.of(1, 1));
    }

    private static Arbitrary<Boolean> repeats()
    {
        return Arbitraries.frequency(Tuple.of(19, false), Tuple.of(1, true));
    }

    private static Arbitrary<Long> clientOrderIds()
    {
        return Arbitraries.longs().between(1, 6);
    }

    /** Mostly valid prices of instrument 1 (tick 5, band 9000..11000), sometimes off tick or out of band. */
    private static Arbitrary<Long> prices()
    {
        return Arbitraries.frequencyOf(
            Tuple.of(30, Arbitraries.longs().between(-6, 6).map((ticks) -> 10_000 + 5 * ticks)),
            Tuple.of(1, Arbitraries.of(10_001L, 0L, 8_000L, 12_000L)));
    }

    private static Arbitrary<Long> quantities()
    {
        return Arbitraries.frequencyOf(
            Tuple.of(30, Arbitraries.longs().between(1, 10).map((lots) -> 10 * lots)),
            Tuple.of(1, Arbitraries.of(15L, 0L, 200_000L)));
    }

    private static Arbitrary<NewOrder> newOrders()
    {
        final Arbitrary<int[]> shape = Arbitraries.frequencyOf(
            Tuple.of(50, Arbitraries.just(new int[]{ 0, 0 })),   // LIMIT GTC
            Tuple.of(10, Arbitraries.just(new int[]{ 0, 3 })),   // LIMIT DAY
            Tuple.of(10, Arbitraries.just(new int[]{ 0, 1 })),   // LIMIT IOC
            Tuple.of(8, Arbitraries.just(new int[]{ 0, 2 })),    // LIMIT FOK
            Tuple.of(6, Arbitraries.just(new int[]{ 1, 1 })),    // MARKET IOC
            Tuple.of(3, Arbitraries.just(new int[]{ 1, 2 })),    // MARKET FOK
            Tuple.of(1, Arbitraries.just(new int[]{ 2, 0 })));   // invalid order type
        return Combinators.combine(
            Combinators.combine(accounts(), sessionVariants(), repeats(), clientOrderIds()).as(Tuple::of),
            Arbitraries.frequency(Tuple.of(12, TestExchange.INSTRUMENT), Tuple.of(3, TestExchange.OTHER_INSTRUMENT),
                Tuple.of(1, 99)),
            Arbitraries.of(Side.BUY, Side.SELL),
            shape,
            Arbitraries.frequency(Tuple.of(9, false), Tuple.of(1, true)),
            prices(),
            quantities())
            .as((who, instrument, side, typeAndTif, postOnly, price, quantity) ->
            {
                final boolean other = instrument == TestExchange.OTHER_INSTRUMENT;
                return new NewOrder(who.get1(), who.get2(), who.get3(), who.get4(), instrument, side,
                    typeAndTif[0] == 2 ? OrderType.NULL_VAL : OrderType.values()[typeAndTif[0]],
                    TimeInForce.get((short)typeAndTif[1]), postOnly,
                    other ? 500 + (price - 10_000) / 5 : price, other ? quantity / 10 : quantity);
            });
    }

    private static Arbitrary<Cancel> cancels()
    {
        return Combinators.combine(accounts(), sessionVariants(), repeats(), clientOrderIds()).as(Cancel::new);
    }

    private static Arbitrary<Replace> replaces()
    {
        return Combinators.combine(accounts(), sessionVariants(), repeats(), clientOrderIds(),
            Arbitraries.frequency(Tuple.of(3, 0), Tuple.of(1, -2), Tuple.of(1, -1), Tuple.of(1, 1), Tuple.of(1, 2),
                Tuple.of(1, 5)),
            Arbitraries.integers().between(-8, 3), prices(), quantities()).as(Replace::new);
    }

    private static Arbitrary<MassCancel> massCancels()
    {
        return Combinators.combine(accounts(), sessionVariants(), repeats(),
            Arbitraries.of(0, TestExchange.INSTRUMENT, TestExchange.OTHER_INSTRUMENT, 99)).as(MassCancel::new);
    }

    /**
     * Applies commands with wireSeq = position + 1 (over the whole stream, so a stream applied in two parts gets
     * the same numbers) and per-session requestSeqs derived from the stream alone.
     */
    static final class Sequencer
    {
        private final List<Command> commands;
        private final long[] requestSeqs;

        Sequencer(final List<Command> commands)
        {
            this.commands = commands;
            this.requestSeqs = new long[commands.size()];
            final Map<Long, Long> last = new HashMap<>();
            for (int i = 0; i < commands.size(); i++)
            {
                if (commands.get(i) instanceof ClientCommand client)
                {
                    final long sessionId = sessionId(client);
                    final long previous = last.getOrDefault(sessionId, 0L);
                    requestSeqs[i] = client.repeatRequestSeq() ? previous : previous + 1;
                    last.put(sessionId, requestSeqs[i]);
                }
            }
        }

        static long sessionId(final ClientCommand command)
        {
            return 100 * (command.sessionVariant() + 1) + command.accountId();
        }

        int size()
        {
            return commands.size();
        }

        static long wireSeqOf(final int index)
        {
            return index + 1;
        }

        void apply(final MatchingEngine engine, final int index)
        {
            final long wireSeq = wireSeqOf(index);
            final long timestampNs = 1_000L * wireSeq;
            final long requestSeq = requestSeqs[index];
            final Command command = commands.get(index);
            if (command instanceof NewOrder c)
            {
                engine.newOrder(wireSeq, timestampNs, sessionId(c), c.accountId(), requestSeq, c.clientOrderId(),
                    c.instrumentId(), c.side(), c.orderType(), c.timeInForce(), c.postOnly(), c.price(),
                    c.quantity());
            }
            else if (command instanceof Cancel c)
            {
                engine.cancelOrder(wireSeq, timestampNs, sessionId(c), c.accountId(), requestSeq, c.clientOrderId());
            }
            else if (command instanceof Replace c)
            {
                final Order live = engine.orderIndex.get(c.accountId(), c.clientOrderId());
                final long price = null == live ? c.fallbackPrice() :
                    live.price + c.priceTicks() * live.instrument.tickSize;
                final long quantity = null == live ? c.fallbackQuantity() :
                    live.quantity + c.quantityLots() * live.instrument.lotSize;
                engine.replaceOrder(wireSeq, timestampNs, sessionId(c), c.accountId(), requestSeq, c.clientOrderId(),
                    price, quantity);
            }
            else if (command instanceof MassCancel c)
            {
                engine.massCancel(wireSeq, timestampNs, sessionId(c), c.accountId(), requestSeq, c.instrumentId());
            }
            else if (command instanceof Halt c)
            {
                engine.haltInstrument(wireSeq, timestampNs, c.instrumentId());
            }
            else if (command instanceof Resume c)
            {
                engine.resumeInstrument(wireSeq, timestampNs, c.instrumentId());
            }
            else
            {
                engine.endOfDay(wireSeq, timestampNs);
            }
        }

        void apply(final MatchingEngine engine, final int fromIndex, final int toIndex)
        {
            for (int i = fromIndex; i < toIndex; i++)
            {
                apply(engine, i);
            }
        }
    }

    static List<Object> copy(final List<Object> events)
    {
        return new ArrayList<>(events);
    }
}
