package io.sluice.matching;

import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.Liquidity;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties of the engine over random command streams (see {@link CommandStream}).
 */
class MatchingEnginePropertyTest
{
    private static final int TRIES = 150;

    @Provide
    Arbitrary<List<CommandStream.Command>> streams()
    {
        return CommandStream.commands(150);
    }

    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void shouldNeverLeaveTheBookCrossedOrInconsistent(
        @ForAll("streams") final List<CommandStream.Command> commands, @ForAll final SelfTradePrevention mode)
    {
        final MatchingEngine engine = new MatchingEngine(CommandStream.context(mode), new RecordingListener());
        final CommandStream.Sequencer sequencer = new CommandStream.Sequencer(commands);

        for (int i = 0; i < sequencer.size(); i++)
        {
            sequencer.apply(engine, i);
            EngineInvariants.check(engine);
        }
    }

    /**
     * Per order, what was submitted (NEW quantity plus the change in leaves of each REPLACED) equals what was filled
     * plus what rests plus what was cancelled plus what expired; and both sides of every trade fill the same amount.
     * Reports are checked one against the next: each fill takes exactly its lastQuantity off the order's leaves.
     */
    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void shouldConserveQuantity(
        @ForAll("streams") final List<CommandStream.Command> commands, @ForAll final SelfTradePrevention mode)
    {
        final RecordingListener listener = new RecordingListener();
        final MatchingEngine engine = new MatchingEngine(CommandStream.context(mode), listener);
        new CommandStream.Sequencer(commands).apply(engine, 0, commands.size());

        final Map<Long, Long> leavesByOrderId = new HashMap<>();
        long submitted = 0;
        long filled = 0;
        long cancelled = 0;
        long expired = 0;
        long takerFilled = 0;
        long makerFilled = 0;
        boolean selfTradePrevented = false;
        boolean replaced = false;
        for (final RecordingListener.Report report : listener.reports())
        {
            selfTradePrevented |= report.rejectReason() == RejectReason.SELF_TRADE_PREVENTED;
            final long orderId = report.orderId();
            switch (report.execType())
            {
                case NEW ->
                {
                    assertEquals(report.quantity(), report.leavesQuantity());
                    submitted += report.quantity();
                    leavesByOrderId.put(orderId, report.leavesQuantity());
                }
                case REPLACED ->
                {
                    replaced = true;
                    submitted += report.leavesQuantity() - leavesByOrderId.get(orderId);
                    leavesByOrderId.put(orderId, report.leavesQuantity());
                }
                case PARTIAL_FILL, FILL ->
                {
                    final long before = leavesByOrderId.get(orderId);
                    assertEquals(before - report.lastQuantity(), report.leavesQuantity());
                    assertEquals(report.leavesQuantity() == 0, report.execType() == ExecType.FILL);
                    filled += report.lastQuantity();
                    if (report.liquidity() == Liquidity.TAKER)
                    {
                        takerFilled += report.lastQuantity();
                    }
                    else
                    {
                        makerFilled += report.lastQuantity();
                    }
                    leavesByOrderId.put(orderId, report.leavesQuantity());
                }
                case CANCELED ->
                {
                    cancelled += leavesByOrderId.get(orderId);
                    leavesByOrderId.put(orderId, 0L);
                }
                case EXPIRED ->
                {
                    expired += leavesByOrderId.get(orderId);
                    leavesByOrderId.put(orderId, 0L);
                }
                default ->
                {
                }
            }
        }

        long resting = 0;
        for (final int instrumentId : new int[]{ TestExchange.INSTRUMENT, TestExchange.OTHER_INSTRUMENT })
        {
            listener.clear();
            engine.bookSnapshot(1, 1, 1, instrumentId, MatchingEngine.MAX_BOOK_DEPTH);
            for (final RecordingListener.Level level : listener.levels())
            {
                resting += level.quantity();
            }
        }

        Statistics.label("filled").collect(filled > 0);
        Statistics.label("cancelled").collect(cancelled > 0);
        Statistics.label("expired").collect(expired > 0);
        Statistics.label("self-trade prevented").collect(selfTradePrevented);
        Statistics.label("commands").collect(commands.size() / 50 * 50);
        Statistics.label("replaced").collect(replaced);
        assertEquals(submitted, filled + resting + cancelled + expired);
        assertEquals(takerFilled, makerFilled);
        assertEquals(resting, leavesByOrderId.values().stream().mapToLong(Long::longValue).sum());
    }

    /**
     * Time priority, observed two ways: the orders of every level are in the order they gained priority (NEW, or a
     * REPLACED that changed the price or raised the quantity), and every maker fill takes, among the live orders
     * known from the reports, the best-priced and, at that price, the oldest order of its side.
     */
    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void shouldFillInPriceThenTimePriority(
        @ForAll("streams") final List<CommandStream.Command> commands, @ForAll final SelfTradePrevention mode)
    {
        final RecordingListener listener = new RecordingListener();
        final MatchingEngine engine = new MatchingEngine(CommandStream.context(mode), listener);
        final CommandStream.Sequencer sequencer = new CommandStream.Sequencer(commands);
        final Map<Long, LiveOrder> live = new HashMap<>();

        for (int i = 0; i < sequencer.size(); i++)
        {
            listener.clear();
            sequencer.apply(engine, i);
            final long wireSeq = CommandStream.Sequencer.wireSeqOf(i);
            for (final RecordingListener.Report report : listener.reports())
            {
                final long orderId = report.orderId();
                switch (report.execType())
                {
                    case NEW -> live.put(orderId, new LiveOrder(
                        report.instrumentId(), report.side(), report.price(), report.quantity(), wireSeq));
                    case REPLACED ->
                    {
                        final LiveOrder before = live.get(orderId);
                        final boolean losesPriority =
                            before.price != report.price() || report.quantity() > before.quantity;
                        live.put(orderId, new LiveOrder(report.instrumentId(), report.side(), report.price(),
                            report.quantity(), losesPriority ? wireSeq : before.priority));
                    }
                    case PARTIAL_FILL, FILL ->
                    {
                        if (report.liquidity() == Liquidity.MAKER)
                        {
                            final LiveOrder maker = live.get(orderId);
                            for (final Map.Entry<Long, LiveOrder> entry : live.entrySet())
                            {
                                final LiveOrder other = entry.getValue();
                                if (entry.getKey() == orderId || other.instrumentId != maker.instrumentId ||
                                    other.side != maker.side || other.priority == wireSeq)
                                {
                                    continue;
                                }
                                final boolean better = maker.side == Side.BUY ?
                                    other.price > maker.price : other.price < maker.price;
                                final boolean olderAtSamePrice =
                                    other.price == maker.price && other.priority < maker.priority;
                                assertTrue(!better && !olderAtSamePrice,
                                    "maker " + orderId + " filled ahead of order " + entry.getKey());
                            }
                        }
                        if (0 == report.leavesQuantity())
                        {
                            live.remove(orderId);
                        }
                    }
                    case CANCELED, EXPIRED -> live.remove(orderId);
                    default ->
                    {
                    }
                }
            }

            for (int k = 0; k < engine.instrumentCount; k++)
            {
                final Instrument instrument = engine.instruments[k];
                for (final BookSide side : new BookSide[]{ instrument.bids, instrument.asks })
                {
                    for (PriceLevel level = side.best(); null != level; level = level.worse)
                    {
                        long previousPriority = 0;
                        for (Order order = level.head; null != order; order = order.nextInLevel)
                        {
                            final LiveOrder tracked = live.get(order.orderId);
                            assertNotNull(tracked, "resting order " + order.orderId + " not live in the reports");
                            assertTrue(tracked.priority > previousPriority, "level out of time priority");
                            previousPriority = tracked.priority;
                        }
                    }
                }
            }
        }
    }

    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void shouldReplayToIdenticalReportsAndHash(
        @ForAll("streams") final List<CommandStream.Command> commands, @ForAll final SelfTradePrevention mode)
    {
        final Run first = Run.of(mode, commands, 0, commands.size());
        final Run second = Run.of(mode, commands, 0, commands.size());

        assertEquals(first.events, second.events);
        assertEquals(first.engine.stateHash(), second.engine.stateHash());
        assertArrayEquals(first.snapshotBytes(), second.snapshotBytes());
    }

    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void shouldContinueIdenticallyAfterSnapshotAndRestore(
        @ForAll("streams") final List<CommandStream.Command> commands,
        @ForAll final SelfTradePrevention mode,
        @ForAll @IntRange(min = 0, max = 1000) final int splitPermille)
    {
        final int split = commands.size() * splitPermille / 1000;
        final Run reference = Run.of(mode, commands, 0, split);
        final int referenceSplitEvents = reference.events.size();
        reference.continueWith(commands, split, commands.size());

        final Run before = Run.of(mode, commands, 0, split);
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64);
        final int length = before.engine.snapshot(buffer, 16);
        assertEquals(before.engine.snapshotLength(), length);

        final Run after = Run.of(mode, List.of(), 0, 0);
        if (split % 2 == 1)
        {
            // Restore over a dirty engine too: it must forget what it held.
            after.continueWith(commands, 0, commands.size());
            after.events.clear();
        }
        after.engine.restore(buffer, 16, length);
        assertEquals(before.engine.stateHash(), after.engine.stateHash());
        after.continueWith(commands, split, commands.size());

        assertEquals(reference.events.subList(referenceSplitEvents, reference.events.size()), after.events);
        assertEquals(reference.engine.stateHash(), after.engine.stateHash());
        assertArrayEquals(reference.snapshotBytes(), after.snapshotBytes());
        EngineInvariants.check(after.engine);
    }

    private record LiveOrder(int instrumentId, Side side, long price, long quantity, long priority)
    {
    }

    private static final class Run
    {
        final RecordingListener listener = new RecordingListener();
        final MatchingEngine engine;
        final List<Object> events = new ArrayList<>();

        private Run(final SelfTradePrevention mode)
        {
            engine = new MatchingEngine(CommandStream.context(mode), listener);
        }

        static Run of(
            final SelfTradePrevention mode, final List<CommandStream.Command> commands, final int from, final int to)
        {
            final Run run = new Run(mode);
            run.continueWith(commands, from, to);
            return run;
        }

        void continueWith(final List<CommandStream.Command> commands, final int from, final int to)
        {
            listener.clear();
            new CommandStream.Sequencer(commands).apply(engine, from, to);
            events.addAll(listener.events);
            listener.clear();
        }

        byte[] snapshotBytes()
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[engine.snapshotLength()]);
            engine.snapshot(buffer, 0);
            return buffer.byteArray();
        }
    }
}
