package io.sluice.perf.cluster;

import io.sluice.matching.MatchingEngine;
import io.sluice.matching.MatchingListener;
import io.sluice.harness.bench.OrderEntry;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.ExecutionReportDecoder;
import io.sluice.sbe.client.Liquidity;
import io.sluice.sbe.client.OrderState;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AeronClusterBaselineTest
{
    private static final long SESSION_A = 1_000_001;
    private static final long SESSION_B = 1_000_002;
    private static final int INSTRUMENTS = 4;
    private static final long ANSWER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(15);

    @TempDir
    Path dir;

    /**
     * Three member processes, two sessions, a handful of orders that rest, trade, are replaced, and are refused:
     * every execution report each session receives through the cluster is the one the engine produces for it when
     * applied directly, in the same order, and every request is answered with its BatchEnd.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldAnswerEachSessionWithTheReportsTheEngineProduces() throws IOException
    {
        final List<String> expectedA = new ArrayList<>();
        final List<String> expectedB = new ArrayList<>();
        final MatchingEngine engine = new MatchingEngine(
            AeronClusterMember.engineContext(INSTRUMENTS, dir.resolve("engine")),
            new RecordingListener(expectedA, expectedB));

        final List<String> receivedA = new ArrayList<>();
        final List<String> receivedB = new ArrayList<>();
        final Answers answersA = new Answers();
        final Answers answersB = new Answers();
        try (AeronClusterNodes nodes = AeronClusterNodes.start(dir.resolve("cluster"), 0, INSTRUMENTS, 60_000);
            AeronClusterOrderEntry a = nodes.open(SESSION_A, 16, (report) -> receivedA.add(describe(report)));
            AeronClusterOrderEntry b = nodes.open(SESSION_B, 16, (report) -> receivedB.add(describe(report))))
        {
            a.connect(answersA);
            b.connect(answersB);

            long wireSeq = 0;
            // A rests a bid; B sells into part of it; A reprices the rest; B cancels an order it never had; B sends a
            // market order that takes what is left and expires the remainder; A cancels its filled order.
            long requestSeq = a.placeOrder(1, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, 10_000, 10);
            engine.newOrder(++wireSeq, 0, SESSION_A, SESSION_A, requestSeq, 1, 1, Side.BUY, OrderType.LIMIT,
                TimeInForce.GTC, false, 10_000, 10);
            awaitAnswer(nodes, a, b, answersA, requestSeq);

            requestSeq = b.placeOrder(1, 1, Side.SELL, OrderType.LIMIT, TimeInForce.GTC, 10_000, 4);
            engine.newOrder(++wireSeq, 0, SESSION_B, SESSION_B, requestSeq, 1, 1, Side.SELL, OrderType.LIMIT,
                TimeInForce.GTC, false, 10_000, 4);
            awaitAnswer(nodes, a, b, answersB, requestSeq);

            requestSeq = a.replaceOrder(1, 10_001, 8);
            engine.replaceOrder(++wireSeq, 0, SESSION_A, SESSION_A, requestSeq, 1, 10_001, 8);
            awaitAnswer(nodes, a, b, answersA, requestSeq);

            requestSeq = b.cancelOrder(99);
            engine.cancelOrder(++wireSeq, 0, SESSION_B, SESSION_B, requestSeq, 99);
            awaitAnswer(nodes, a, b, answersB, requestSeq);

            requestSeq = b.placeOrder(2, 1, Side.SELL, OrderType.MARKET, TimeInForce.IOC, 0, 20);
            engine.newOrder(++wireSeq, 0, SESSION_B, SESSION_B, requestSeq, 2, 1, Side.SELL, OrderType.MARKET,
                TimeInForce.IOC, false, 0, 20);
            awaitAnswer(nodes, a, b, answersB, requestSeq);

            requestSeq = a.cancelOrder(1);
            engine.cancelOrder(++wireSeq, 0, SESSION_A, SESSION_A, requestSeq, 1);
            awaitAnswer(nodes, a, b, answersA, requestSeq);

            // A maker's reports travel on its own egress: wait until both sessions have all theirs.
            final long deadlineNs = System.nanoTime() + ANSWER_TIMEOUT_NS;
            while ((receivedA.size() < expectedA.size() || receivedB.size() < expectedB.size()) &&
                System.nanoTime() - deadlineNs < 0)
            {
                a.poll();
                b.poll();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }

        assertTrue(expectedA.stream().anyMatch((report) -> report.contains(" MAKER ")),
            "the script has A's bid filled as a maker: " + expectedA);
        assertEquals(expectedA, receivedA);
        assertEquals(expectedB, receivedB);
        assertEquals(3, answersA.answered.size());
        assertEquals(3, answersB.answered.size());
        assertEquals(List.of((long)RejectReason.UNKNOWN_ORDER.value()), answersB.rejectReasons);
        assertFalse(answersA.rejectReasons.isEmpty(), "A's cancel of its filled order is refused");
        assertTrue(answersA.errors.isEmpty() && answersB.errors.isEmpty(),
            "errors: " + answersA.errors + " " + answersB.errors);
    }

    private static void awaitAnswer(
        final AeronClusterNodes nodes,
        final OrderEntry a, final OrderEntry b, final Answers answers, final long requestSeq) throws IOException
    {
        assertTrue(requestSeq > 0, "request not sent: " + requestSeq);
        final long deadlineNs = System.nanoTime() + ANSWER_TIMEOUT_NS;
        while (!answers.answered.contains(requestSeq))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("request " + requestSeq + " not answered in time; members' logs:\n" +
                    nodes.logTails());
            }
            a.poll();
            b.poll();
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
    }

    private static String describe(
        final long requestSeq,
        final long wireSeq,
        final long accountId,
        final long clientOrderId,
        final long orderId,
        final Side side,
        final ExecType execType,
        final RejectReason rejectReason,
        final Liquidity liquidity,
        final long price,
        final long quantity,
        final long leavesQuantity,
        final long cumQuantity,
        final long lastPrice,
        final long lastQuantity,
        final long tradeId)
    {
        return "req " + requestSeq + " wire " + wireSeq + " account " + accountId + " coid " + clientOrderId +
            " order " + orderId + " " + side + " " + execType + " " + rejectReason + " " + liquidity + " " + price +
            " x " + quantity + " leaves " + leavesQuantity + " cum " + cumQuantity + " last " + lastQuantity +
            " @ " + lastPrice + " trade " + tradeId;
    }

    private static String describe(final ExecutionReportDecoder report)
    {
        return describe(report.requestSeq(), report.wireSeq(), report.accountId(), report.clientOrderId(),
            report.orderId(), report.side(), report.execType(), report.rejectReason(), report.liquidity(),
            report.price(), report.quantity(), report.leavesQuantity(), report.cumQuantity(), report.lastPrice(),
            report.lastQuantity(), report.tradeId());
    }

    private static final class Answers implements OrderEntry.ReplyListener
    {
        final List<Long> answered = new ArrayList<>();
        final List<Long> rejectReasons = new ArrayList<>();
        final List<String> errors = new ArrayList<>();

        public void onRejected(final long requestSeq, final short reason)
        {
            rejectReasons.add((long)reason);
        }

        public void onAnswered(final long requestSeq)
        {
            answered.add(requestSeq);
        }

        public void onError(final String description)
        {
            errors.add(description);
        }
    }

    /**
     * The reports of the directly applied engine, split by the session they are for.
     */
    private static final class RecordingListener implements MatchingListener
    {
        private final List<String> forA;
        private final List<String> forB;

        RecordingListener(final List<String> forA, final List<String> forB)
        {
            this.forA = forA;
            this.forB = forB;
        }

        public void onExecutionReport(
            final long sessionId,
            final long accountId,
            final long requestSeq,
            final long wireSeq,
            final long timestampNs,
            final long clientOrderId,
            final long orderId,
            final int instrumentId,
            final Side side,
            final ExecType execType,
            final RejectReason rejectReason,
            final Liquidity liquidity,
            final long price,
            final long quantity,
            final long leavesQuantity,
            final long cumQuantity,
            final long lastPrice,
            final long lastQuantity,
            final long tradeId)
        {
            final String report = describe(requestSeq, wireSeq, accountId, clientOrderId, orderId, side, execType,
                rejectReason, liquidity, price, quantity, leavesQuantity, cumQuantity, lastPrice, lastQuantity,
                tradeId);
            (sessionId == SESSION_A ? forA : forB).add(report);
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
