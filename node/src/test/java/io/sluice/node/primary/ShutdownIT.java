package io.sluice.node.primary;

import io.sluice.client.ClientContext;
import io.sluice.client.ClientListener;
import io.sluice.client.SluiceClient;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.ExecutionReportDecoder;
import io.sluice.sbe.client.HaltedDecoder;
import io.sluice.sbe.client.OrderState;
import io.sluice.sbe.client.OrderStatusDecoder;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongHashSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.sluice.node.primary.TestNodes.IDLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM in the middle of a burst: the primary stops taking requests, journals and answers everything it took, and
 * exits 0. Every request is accounted for: answered, or never applied (and so safe to send elsewhere).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShutdownIT
{
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

    @Test
    void shouldAnswerEverythingItTookAndApplyNothingElse() throws Exception
    {
        final int port = TestNodes.freePort();
        final Map<String, String> raw = TestNodes.standaloneConfig(dir.resolve("data"));
        raw.put("client.bind", "127.0.0.1:" + port);
        final Path config = TestNodes.writeConfig(dir.resolve("primary.conf"), raw);
        process = TestNodes.startPrimaryProcess(config, dir.resolve("primary-1.err"));

        final Long2LongHashMap orderByRequest = new Long2LongHashMap(-1);
        final LongHashSet answered = new LongHashSet();
        final LongHashSet accepted = new LongHashSet();
        final long[] halted = { 0 };
        final SluiceClient client = new SluiceClient(new ClientContext()
            .endpoint(new InetSocketAddress("127.0.0.1", port)).sessionId(1).accountId(100).autoReconnect(false),
            new ClientListener()
            {
                public void onExecutionReport(final ExecutionReportDecoder report)
                {
                    if (report.execType() == ExecType.NEW)
                    {
                        accepted.add(report.clientOrderId());
                    }
                }

                public void onHalted(final HaltedDecoder halt)
                {
                    halted[0]++;
                }

                public void onBatchEnd(final long requestSeq, final long wireSeq)
                {
                    answered.add(orderByRequest.get(requestSeq));
                }
            });
        client.connect();

        final int burst = 20_000;
        boolean signalled = false;
        int sent = 0;
        for (int i = 0; i < burst && client.isConnected(); i++)
        {
            long requestSeq;
            while ((requestSeq = client.placeOrder(i, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false,
                5_000 + i % 100, 1)) == SluiceClient.BACK_PRESSURED && client.isConnected())
            {
                IDLE.idle(poll(client));
            }
            if (requestSeq == SluiceClient.BACK_PRESSURED)
            {
                break;
            }
            orderByRequest.put(requestSeq, i);
            sent++;
            poll(client);
            if (!signalled && answered.size() >= 1_000)
            {
                process.destroy();
                signalled = true;
            }
        }
        assertTrue(signalled, "SIGTERM sent mid-burst");
        TestNodes.await(() -> poll(client) >= 0 && !client.isConnected(), 30_000, "node closed the connection");
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), "primary exits 0 after a drained shutdown");
        assertTrue(answered.size() < sent, "the burst outlived the node: " + answered.size() + " of " + sent);
        assertEquals(answered.size(), accepted.size() + halted[0], "each answered request was accepted or halted");

        process = TestNodes.startPrimaryProcess(config, dir.resolve("primary-2.err"));
        final LongHashSet resting = new LongHashSet();
        try (SluiceClient auditor = TestNodes.client(new InetSocketAddress("127.0.0.1", port), 2, 100,
            new ClientListener()
            {
                public void onOrderStatus(final OrderStatusDecoder status)
                {
                    if (status.state() == OrderState.NEW)
                    {
                        resting.add(status.clientOrderId());
                    }
                }
            }))
        {
            for (int i = 0; i < sent; i++)
            {
                auditor.queryOrder(i);
                if (i % 1_000 == 999)
                {
                    assertTrue(auditor.awaitAllAnswered(20, TimeUnit.SECONDS, IDLE));
                }
            }
            assertTrue(auditor.awaitAllAnswered(20, TimeUnit.SECONDS, IDLE));
        }
        assertEquals(accepted, resting, "exactly the orders answered NEW were applied; nothing unanswered was");
    }

    @Test
    void shouldShutDownLosslesslyOnAdminCommand() throws Exception
    {
        final int port = TestNodes.freePort();
        final int adminPort = TestNodes.freePort();
        final Map<String, String> raw = TestNodes.standaloneConfig(dir.resolve("data"));
        raw.put("client.bind", "127.0.0.1:" + port);
        raw.put("admin.bind", "127.0.0.1:" + adminPort);
        final Path config = TestNodes.writeConfig(dir.resolve("primary.conf"), raw);
        process = TestNodes.startPrimaryProcess(config, dir.resolve("primary-admin.err"));

        try (SluiceClient client = TestNodes.client(new InetSocketAddress("127.0.0.1", port), 1, new ClientListener()
        {
        }))
        {
            for (int i = 0; i < 500; i++)
            {
                client.placeOrder(i, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false, 5_000 + i % 100, 1);
            }
            assertTrue(client.awaitAllAnswered(20, TimeUnit.SECONDS, IDLE));
        }
        try (io.sluice.node.admin.AdminClient admin =
            new io.sluice.node.admin.AdminClient(new InetSocketAddress("127.0.0.1", adminPort), 10_000))
        {
            assertTrue(admin.execute("SHUTDOWN").get(0).startsWith("OK shutting down"));
        }

        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the primary exits");
        assertEquals(0, process.exitValue(), "drained shutdown exits 0");
    }

    private static int poll(final SluiceClient client)
    {
        try
        {
            return client.poll();
        }
        catch (final IOException ex)
        {
            return 0;
        }
    }
}
