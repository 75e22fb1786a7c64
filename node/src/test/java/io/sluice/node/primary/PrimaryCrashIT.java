package io.sluice.node.primary;

import io.sluice.client.ClientListener;
import io.sluice.client.SluiceClient;
import io.sluice.sbe.client.BookSnapshotDecoder;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.ExecutionReportDecoder;
import io.sluice.sbe.client.OrderState;
import io.sluice.sbe.client.OrderStatusDecoder;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongHashSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.sluice.node.primary.TestNodes.IDLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The primary as a separate process, SIGKILLed mid-stream and restarted on the same journal: every order whose reply
 * the client received is in the recovered state, the client resends what was not answered, and nothing is applied
 * twice.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PrimaryCrashIT
{
    private static final int PRICE_LEVELS = 100;

    @TempDir
    Path dir;

    private Process process;

    @AfterEach
    void kill()
    {
        if (process != null)
        {
            process.destroyForcibly();
        }
    }

    private Process startPrimary(final Path config) throws IOException
    {
        return TestNodes.startPrimaryProcess(config, dir.resolve("primary-" + System.nanoTime() + ".err"));
    }

    @Test
    void shouldKeepEveryAcknowledgedOrderExactlyOnceAcrossKillAndRestart() throws Exception
    {
        final int port = TestNodes.freePort();
        final Map<String, String> raw = TestNodes.standaloneConfig(dir.resolve("data"));
        raw.put("client.bind", "127.0.0.1:" + port);
        final Path config = TestNodes.writeConfig(dir.resolve("primary.conf"), raw);

        process = startPrimary(config);

        final Long2LongHashMap clientOrderIdByRequest = new Long2LongHashMap(-1);
        final LongHashSet acknowledged = new LongHashSet();
        final LongHashSet newReported = new LongHashSet();
        final List<String> unexpected = new ArrayList<>();
        final ClientListener listener = new ClientListener()
        {
            public void onExecutionReport(final ExecutionReportDecoder report)
            {
                if (report.execType() == ExecType.NEW)
                {
                    newReported.add(report.clientOrderId());
                }
                else if (!(report.execType() == ExecType.REJECTED &&
                    report.rejectReason() == RejectReason.DUPLICATE_REQUEST))
                {
                    unexpected.add(report.execType() + " " + report.rejectReason());
                }
            }

            public void onBatchEnd(final long requestSeq, final long wireSeq)
            {
                acknowledged.add(clientOrderIdByRequest.get(requestSeq));
            }
        };
        final SluiceClient client = TestNodes.client(new InetSocketAddress("127.0.0.1", port), 1, listener);

        final int total = 6_000;
        final int killAfterAcks = 2_500;
        boolean killed = false;
        for (int i = 0; i < total; i++)
        {
            while (client.inFlight() >= 256)
            {
                IDLE.idle(client.poll());
            }
            long requestSeq;
            while ((requestSeq = client.placeOrder(i, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false,
                5_000 + i % PRICE_LEVELS, 1)) == SluiceClient.BACK_PRESSURED)
            {
                IDLE.idle(client.poll());
            }
            clientOrderIdByRequest.put(requestSeq, i);
            client.poll();
            if (!killed && acknowledged.size() >= killAfterAcks)
            {
                process.destroyForcibly().waitFor();
                killed = true;
                process = startPrimary(config);
            }
        }
        assertTrue(killed, "the primary was killed mid-stream");
        assertTrue(client.awaitAllAnswered(60, TimeUnit.SECONDS, IDLE), "every request answered after restart");
        assertTrue(client.reconnects() >= 1);
        assertEquals(List.of(), unexpected);
        assertEquals(total, acknowledged.size());

        final long[] restingQuantity = { 0 };
        final LongHashSet resting = new LongHashSet();
        client.close();
        final SluiceClient auditor = TestNodes.client(new InetSocketAddress("127.0.0.1", port), 2, 100,
            new ClientListener()
        {
            public void onOrderStatus(final OrderStatusDecoder status)
            {
                if (status.state() == OrderState.NEW)
                {
                    resting.add(status.clientOrderId());
                }
            }

            public void onBookSnapshot(final BookSnapshotDecoder book)
            {
                for (final BookSnapshotDecoder.BidsDecoder bid : book.bids())
                {
                    restingQuantity[0] += bid.quantity();
                }
            }
        });
        assertTrue(auditor.awaitAnswer(auditor.queryBook(1, PRICE_LEVELS), 10, TimeUnit.SECONDS, IDLE));
        for (int i = 0; i < total; i++)
        {
            auditor.queryOrder(i);
            if (i % 500 == 499)
            {
                assertTrue(auditor.awaitAllAnswered(20, TimeUnit.SECONDS, IDLE));
            }
        }
        assertTrue(auditor.awaitAllAnswered(20, TimeUnit.SECONDS, IDLE));
        auditor.close();

        assertEquals(total, resting.size(), "every acknowledged order is in the recovered state");
        assertEquals(total, restingQuantity[0], "no order applied twice");
    }
}
