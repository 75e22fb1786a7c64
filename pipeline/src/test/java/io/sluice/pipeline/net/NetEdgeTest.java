package io.sluice.pipeline.net;

import io.sluice.pipeline.ingest.IngestRecord;
import io.sluice.pipeline.shard.ShardManager;
import io.sluice.sbe.client.AuthChallengeDecoder;
import io.sluice.sbe.client.BooleanType;
import io.sluice.sbe.client.LogonEncoder;
import io.sluice.sbe.client.LogoutDecoder;
import io.sluice.sbe.client.NewOrderDecoder;
import io.sluice.sbe.client.NewOrderEncoder;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.ServerBusyDecoder;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import io.sluice.wire.ClientProtocol;
import io.sluice.wire.FrameEncoder;
import io.sluice.concurrent.SelectorIdleStrategy;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteOrder;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acceptor and reader shards over real loopback sockets; the test drains the ingest rings in place of the sequencer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NetEdgeTest
{
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final List<ReaderAgent> readerList = new ArrayList<>();
    private final List<String> records = new ArrayList<>();
    private ShardManager manager;
    private AcceptorAgent acceptor;
    private AgentRunner runner;

    private void start(final int shards, final int ringBytes, final long logonTimeoutMs) throws IOException
    {
        start(shards, ringBytes, logonTimeoutMs, null);
    }

    /**
     * @param idleSelector null for a polling network thread; else the selector it sleeps on (for an hour at most, so
     *                     only the kernel's readiness can wake it in a test's time).
     */
    private void start(final int shards, final int ringBytes, final long logonTimeoutMs, final Selector idleSelector)
        throws IOException
    {
        final ReaderShards readerShards = new ReaderShards(
            new ReaderContext()
                .idleSelector(idleSelector)
                .frameMaxBytes(1024)
                .registry(registry)
                .logonTimeoutNs(TimeUnit.MILLISECONDS.toNanos(logonTimeoutMs))
                .receiveBufferBytes(8192),
            new ShardManager.Context()
                .initialShards(shards)
                .ringCapacityBytes(ringBytes)
                .busyNoticeReserve(4),
            new ReaderHost()
            {
                public void onReaderStarted(final ReaderAgent reader)
                {
                    readerList.add(reader);
                }

                public void onReaderStopped(final ReaderAgent reader)
                {
                }
            });
        readerShards.start();
        manager = readerShards.shardManager();
        acceptor = new AcceptorAgent(new InetSocketAddress("127.0.0.1", 0), readerShards, registry,
            SystemNanoClock.INSTANCE, 8192);
        final List<org.agrona.concurrent.Agent> agents = new ArrayList<>(readerList);
        agents.add(acceptor);
        final IdleStrategy idle;
        if (idleSelector != null)
        {
            acceptor.wakeOn(idleSelector);
            idle = new SelectorIdleStrategy(idleSelector, 0, TimeUnit.HOURS.toNanos(1));
        }
        else
        {
            idle = new BackoffIdleStrategy(1, 10, 1_000, 100_000);
        }
        runner = new AgentRunner(idle, Throwable::printStackTrace, null, new CompositeAgent(agents));
        AgentRunner.startOnThread(runner);
    }

    @AfterEach
    void stop()
    {
        if (runner != null)
        {
            runner.close();
        }
    }

    private int drain()
    {
        return manager.ingestRings().poll(record -> records.add(describe(record)), 100);
    }

    private static String describe(final IngestRecord record)
    {
        if (record.isBusyNotice())
        {
            return "busy:" + record.sessionId() + ":" + record.busyNoticeRequestSeq();
        }
        if (record.templateId() == NewOrderDecoder.TEMPLATE_ID)
        {
            return "order:" + record.sessionId() + ":" + ClientProtocol.requestSeq(record.buffer(), record.messageOffset());
        }
        if (record.templateId() == LogoutDecoder.TEMPLATE_ID)
        {
            return "logout:" + record.sessionId();
        }
        return "template" + record.templateId() + ":" + record.sessionId();
    }

    private void awaitRecords(final int count)
    {
        await(() ->
        {
            drain();
            return records.size() >= count;
        });
    }

    private static void await(final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.onSpinWait();
            try
            {
                Thread.sleep(1);
            }
            catch (final InterruptedException ex)
            {
                throw new IllegalStateException(ex);
            }
        }
    }

    private final class RawClient implements AutoCloseable
    {
        final Socket socket = new Socket();
        final OutputStream out;
        final InputStream in;
        final FrameEncoder encoder = new FrameEncoder();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);

        RawClient() throws IOException
        {
            socket.connect(acceptor.localAddress());
            socket.setSoTimeout(10_000);
            out = socket.getOutputStream();
            in = socket.getInputStream();
            final byte[] challenge = in.readNBytes(4 + 8 + AuthChallengeDecoder.BLOCK_LENGTH);
            assertEquals(AuthChallengeDecoder.TEMPLATE_ID,
                new UnsafeBuffer(challenge).getShort(4 + 2, ByteOrder.LITTLE_ENDIAN));
        }

        RawClient logon(final long sessionId) throws IOException
        {
            final LogonEncoder logon = encoder.begin(buffer, 0, new LogonEncoder());
            logon.sessionId(sessionId).accountId(sessionId * 10);
            send(encoder.end(buffer, 0, logon));
            return this;
        }

        void order(final long requestSeq) throws IOException
        {
            final NewOrderEncoder order = encoder.begin(buffer, 0, new NewOrderEncoder());
            order.requestSeq(requestSeq).clientOrderId(requestSeq).instrumentId(1).side(Side.BUY)
                .orderType(OrderType.LIMIT).timeInForce(TimeInForce.GTC).postOnly(BooleanType.FALSE).price(1)
                .quantity(1);
            send(encoder.end(buffer, 0, order));
        }

        void send(final int length) throws IOException
        {
            out.write(buffer.byteArray(), 0, length);
            out.flush();
        }

        void sendRaw(final byte[] bytes) throws IOException
        {
            out.write(bytes);
            out.flush();
        }

        boolean closedByServer() throws IOException
        {
            try
            {
                return in.read() == -1;
            }
            catch (final java.net.SocketException ex)
            {
                return true;
            }
        }

        public void close() throws IOException
        {
            socket.close();
        }
    }

    private long closed(final CloseReason reason)
    {
        long total = 0;
        for (final ReaderAgent reader : readerList)
        {
            total += reader.counters().closed(reason);
        }
        return total;
    }

    @Test
    void shouldPublishLogonAndOrdersOfManyConnectionsInPerConnectionOrder() throws Exception
    {
        start(2, 64 * 1024, 10_000);
        final List<RawClient> clients = new ArrayList<>();
        for (int session = 1; session <= 6; session++)
        {
            clients.add(new RawClient().logon(session));
        }
        for (int seq = 1; seq <= 20; seq++)
        {
            for (final RawClient client : clients)
            {
                client.order(seq);
            }
        }

        awaitRecords(6 + 6 * 20);
        for (int session = 1; session <= 6; session++)
        {
            final String prefix = "order:" + session + ":";
            final List<String> mine = records.stream().filter(r -> r.startsWith(prefix)).toList();
            assertEquals(20, mine.size());
            for (int seq = 1; seq <= 20; seq++)
            {
                assertEquals(prefix + seq, mine.get(seq - 1));
            }
        }
        assertEquals(2, manager.ingestRings().ringCount());
        assertTrue(readerList.stream().allMatch(r -> r.counters().logons() > 0), "connections spread over shards");
        for (final RawClient client : clients)
        {
            client.close();
        }
    }

    @Test
    void shouldWakeASleepingNetworkThreadForEveryConnectionAndRequest() throws Exception
    {
        try (Selector idleSelector = Selector.open())
        {
            start(2, 64 * 1024, 10_000, idleSelector);
            final List<RawClient> clients = new ArrayList<>();
            for (int session = 1; session <= 4; session++)
            {
                clients.add(new RawClient().logon(session));
                awaitRecords(session);
            }
            for (int seq = 1; seq <= 5; seq++)
            {
                for (final RawClient client : clients)
                {
                    client.order(seq);
                    awaitRecords(records.size() + 1);
                }
            }

            assertEquals(4 + 4 * 5, records.size(), "each request was read while the thread slept between them");
            for (final RawClient client : clients)
            {
                client.close();
            }
            runner.close();
            runner = null;
        }
    }

    @Test
    void shouldCloseOnlyTheConnectionThatSendsGarbage() throws Exception
    {
        start(1, 64 * 1024, 10_000);
        try (RawClient good = new RawClient().logon(1); RawClient bad = new RawClient().logon(2))
        {
            awaitRecords(2);
            bad.sendRaw(new byte[]{ (byte)0xFF, (byte)0xFF, (byte)0xFF, 0x7F, 1, 2, 3 });
            assertTrue(bad.closedByServer());
            good.order(1);

            awaitRecords(4);
            await(() -> closed(CloseReason.UNFRAMEABLE) == 1);
            assertTrue(records.contains("order:1:1"));
            assertTrue(records.contains("logout:2"), records.toString());
            assertEquals(1, closed(CloseReason.UNFRAMEABLE));
        }
    }

    @Test
    void shouldCloseConnectionSendingUnknownTemplate() throws Exception
    {
        start(1, 64 * 1024, 10_000);
        try (RawClient bad = new RawClient().logon(3))
        {
            final NewOrderEncoder order = bad.encoder.begin(bad.buffer, 0, new NewOrderEncoder());
            order.requestSeq(1);
            final int length = bad.encoder.end(bad.buffer, 0, order);
            bad.buffer.putShort(4 + 2, (short)999, ByteOrder.LITTLE_ENDIAN);
            bad.send(length);

            assertTrue(bad.closedByServer());
            await(() -> closed(CloseReason.MALFORMED) == 1);
        }
    }

    @Test
    void shouldCloseConnectionSendingOrderBeforeLogon() throws Exception
    {
        start(1, 64 * 1024, 10_000);
        try (RawClient early = new RawClient(); RawClient good = new RawClient().logon(5))
        {
            early.order(1);

            assertTrue(early.closedByServer());
            good.order(1);
            awaitRecords(2);
            assertEquals(List.of("template2:5", "order:5:1"), records);
            await(() -> closed(CloseReason.NOT_LOGGED_ON) == 1);
        }
    }

    @Test
    void shouldCloseConnectionThatNeverLogsOn() throws Exception
    {
        start(1, 64 * 1024, 200);
        try (RawClient silent = new RawClient())
        {
            assertTrue(silent.closedByServer());
            await(() -> closed(CloseReason.LOGON_TIMEOUT) == 1);
        }
    }

    @Test
    void shouldAnswerServerBusyInOrderWhenRingFull() throws Exception
    {
        start(1, 4096, 10_000);
        try (RawClient client = new RawClient().logon(9))
        {
            awaitRecords(1);
            records.clear();
            for (int seq = 1; seq <= 200; seq++)
            {
                client.order(seq);
            }
            await(() -> readerList.get(0).counters().serverBusyReplies() > 0);

            awaitRecords(200);
            assertEquals(200, records.size());
            for (int seq = 1; seq <= 200; seq++)
            {
                final String record = records.get(seq - 1);
                assertTrue(record.equals("order:9:" + seq) || record.equals("busy:9:" + seq),
                    "request " + seq + " answered in order: " + record);
            }
            final long busy = records.stream().filter(r -> r.startsWith("busy:")).count();
            assertTrue(busy > 0);
            assertEquals(busy, readerList.get(0).counters().serverBusyReplies());
        }
    }
}
