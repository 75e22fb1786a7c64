package io.sluice.matching;

import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.Liquidity;
import io.sluice.sbe.client.OrderState;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Once pools and maps have grown to the working set, commands allocate nothing.
 */
class SteadyStateAllocationTest
{
    private static final int ACCOUNTS = 20;
    private static final int COMMANDS_PER_PASS = 20_000;

    private final CountingListener listener = new CountingListener();
    private MatchingEngine engine;
    /** Each pass ends the trading day (which forgets the day's ended orders), or the day never ends. */
    private boolean endOfDayEachPass;
    /** Each pass kills an account and a session for its first half and cancels a session's DAY orders midway. */
    private boolean killSwitchEachPass;
    private long wireSeq;
    private final long[] requestSeqByAccount = new long[ACCOUNTS + 1];

    private static MatchingContext context()
    {
        return TestExchange.withInstruments(new MatchingContext()
            .selfTradePrevention(3, SelfTradePrevention.CANCEL_OLDEST)
            .selfTradePrevention(4, SelfTradePrevention.CANCEL_BOTH));
    }

    @Test
    void shouldNotAllocateInSteadyState()
    {
        engine = new MatchingEngine(context(), listener);
        endOfDayEachPass = true;
        assertNoAllocationOnceWarm();
    }

    @Test
    void shouldNotAllocateOnceTheEndedOrdersOfTheDayFillTheirCapacity()
    {
        engine = new MatchingEngine(context().terminalOrderCapacity(5_000), listener);
        endOfDayEachPass = false;
        assertNoAllocationOnceWarm();
        assertEquals(5_000, engine.terminalOrders.used(), "the store is full and forgetting its oldest records");
    }

    @Test
    void shouldNotAllocateWithTheKillSwitchAndCancelOnDisconnectInUse()
    {
        engine = new MatchingEngine(context(), listener);
        endOfDayEachPass = true;
        killSwitchEachPass = true;
        assertNoAllocationOnceWarm();
    }

    private void assertNoAllocationOnceWarm()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().getId();

        // Warm-up: pools and maps grow to the working set, and the JIT settles (a deoptimisation can allocate).
        for (int pass = 0; pass < 8; pass++)
        {
            runPass();
        }
        final long reportsBefore = listener.reports;
        final long fillsBefore = listener.fills;

        // A deoptimisation (the two tests share a JVM and shape the JIT's profile differently) allocates once; an
        // allocation per command shows in every measurement, so a few are taken and the last must be clean.
        long allocatedBytes = -1;
        for (int attempt = 0; attempt < 3 && allocatedBytes != 0; attempt++)
        {
            final long before = threads.getThreadAllocatedBytes(threadId);
            runPass();
            runPass();
            allocatedBytes = threads.getThreadAllocatedBytes(threadId) - before;
        }

        assertTrue(listener.reports - reportsBefore > COMMANDS_PER_PASS, "pass produced reports");
        assertTrue(listener.fills - fillsBefore > 1_000, "pass produced fills");
        assertEquals(0, allocatedBytes,
            "bytes allocated by two steady-state passes of " + COMMANDS_PER_PASS + " commands");
    }

    /**
     * The same pseudo-random mix every pass (placements near the touch, cancels, replaces, IOC, market, FOK,
     * post-only, self-crossing), ending with mass cancels so every pass starts from an empty book.
     */
    private void runPass()
    {
        long seed = 42;
        if (killSwitchEachPass)
        {
            engine.killAccount(++wireSeq, wireSeq, 7);
            engine.killSession(++wireSeq, wireSeq, 100 + 9);
        }
        for (int i = 0; i < COMMANDS_PER_PASS; i++)
        {
            if (killSwitchEachPass && i == COMMANDS_PER_PASS / 2)
            {
                engine.unkillAccount(++wireSeq, wireSeq, 7);
                engine.unkillSession(++wireSeq, wireSeq, 100 + 9);
                engine.cancelSessionDayOrders(++wireSeq, wireSeq, 100 + 3);
            }
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            final int r = (int)(seed >>> 33);
            final long accountId = 1 + (r & 0xFFFF) % ACCOUNTS;
            final long clientOrderId = 1 + (r >>> 16) % 40;
            final int kind = (r >>> 8) % 100;
            final Side side = (r & 1) == 0 ? Side.BUY : Side.SELL;
            final long price = 10_000 + 5 * ((r >>> 4) % 9 - 4) + (side == Side.BUY ? -10 : 10);
            final long quantity = 10 * (1 + (r >>> 12) % 8);
            final long sessionId = 100 + accountId;
            final long requestSeq = ++requestSeqByAccount[(int)accountId];
            if (kind < 50)
            {
                engine.newOrder(++wireSeq, wireSeq, sessionId, accountId, requestSeq, clientOrderId,
                    TestExchange.INSTRUMENT, side, OrderType.LIMIT, kind < 45 ? TimeInForce.GTC : TimeInForce.DAY,
                    kind < 5, price, quantity);
            }
            else if (kind < 80)
            {
                engine.cancelOrder(++wireSeq, wireSeq, sessionId, accountId, requestSeq, clientOrderId);
            }
            else if (kind < 90)
            {
                engine.replaceOrder(++wireSeq, wireSeq, sessionId, accountId, requestSeq, clientOrderId,
                    price, quantity);
            }
            else
            {
                final boolean market = kind >= 97;
                engine.newOrder(++wireSeq, wireSeq, sessionId, accountId, requestSeq, clientOrderId,
                    TestExchange.INSTRUMENT, side, market ? OrderType.MARKET : OrderType.LIMIT,
                    kind < 94 ? TimeInForce.IOC : TimeInForce.FOK, false,
                    price + (side == Side.BUY ? 40 : -40), quantity);
            }

            if (i % 1_000 == 0)
            {
                engine.orderStatus(sessionId, accountId, 0, clientOrderId);
                engine.bookSnapshot(sessionId, accountId, 0, TestExchange.INSTRUMENT, 5);
            }
        }

        for (long accountId = 1; accountId <= ACCOUNTS; accountId++)
        {
            engine.massCancel(++wireSeq, wireSeq, 100 + accountId, accountId, ++requestSeqByAccount[(int)accountId],
                0);
        }
        if (endOfDayEachPass)
        {
            engine.endOfDay(++wireSeq, wireSeq);
        }
    }

    private static final class CountingListener implements MatchingListener
    {
        long reports;
        long fills;

        public void onExecutionReport(
            final long sessionId, final long accountId, final long requestSeq, final long wireSeq,
            final long timestampNs, final long clientOrderId, final long orderId, final int instrumentId,
            final Side side, final ExecType execType, final RejectReason rejectReason, final Liquidity liquidity,
            final long price, final long quantity, final long leavesQuantity, final long cumQuantity,
            final long lastPrice, final long lastQuantity, final long tradeId)
        {
            reports++;
            if (0 != lastQuantity)
            {
                fills++;
            }
        }

        public void onOrderStatus(
            final long sessionId, final long accountId, final long requestSeq, final long clientOrderId,
            final long orderId, final int instrumentId, final Side side, final OrderState state,
            final RejectReason rejectReason, final long price, final long quantity, final long leavesQuantity,
            final long cumQuantity)
        {
        }

        public void onBookSnapshot(
            final long sessionId, final long requestSeq, final int instrumentId, final int bidLevelCount,
            final int askLevelCount)
        {
        }

        public void onBookLevel(
            final long sessionId, final long requestSeq, final int instrumentId, final Side side, final long price,
            final long quantity, final int orderCount)
        {
        }

        public void onCommandComplete(final long sessionId, final long requestSeq, final long wireSeq)
        {
        }
    }
}
