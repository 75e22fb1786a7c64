package io.sluice.pipeline.net;

import io.sluice.pipeline.ingest.IngestRecord;
import io.sluice.pipeline.shard.ShardManager;
import io.sluice.response.DropReason;
import io.sluice.sbe.client.AuthChallengeDecoder;
import io.sluice.sbe.client.EngineErrorDecoder;
import io.sluice.sbe.client.ExecutionReportDecoder;
import io.sluice.sbe.client.LogoutEncoder;
import io.sluice.sbe.client.RejectReason;
import io.sluice.wire.DecodeResult;
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
import org.agrona.concurrent.NanoClock;
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
import java.util.concurrent.atomic.AtomicLong;
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
    /** What every reader is built from; a test may set more options before {@link #start}. */
    private final ReaderContext readerContext = new ReaderContext();
    private final List<ReaderAgent> readerList = new ArrayList<>();
    private final List<String> records = new ArrayList<>();
    /** The last farewell drained, framed as the response stage would write it. */
    private byte[] lastFarewellFrame;
    private ShardManager manager;
    private AcceptorAgent acceptor;
    private AgentRunner runner;

    private void start(final int shards, final int ringBytes, final long logonTimeoutMs) throws IOException
    {
        start(shards, ringBytes, logonTimeoutMs, 0, null);
    }

    /**
     * @param idleTimeoutMs 0 for no idle timeout
     * @param idleSelector  null for a polling network thread; else the selector it sleeps on (for an hour at most, so
     *                      only the kernel's readiness can wake it in a test's time).
     */
    private void start(
        final int shards,
        final int ringBytes,
        final long logonTimeoutMs,
        final long idleTimeoutMs,
        final Selector idleSelector)
        throws IOException
    {
        final ReaderShards readerShards = new ReaderShards(
            readerContext
                .idleSelector(idleSelector)
                .frameMaxBytes(1024)
                .registry(registry)
                .logonTimeoutNs(TimeUnit.MILLISECONDS.toNanos(logonTimeoutMs))
                .idleTimeoutNs(TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs))
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
            SystemNanoClock.INSTANCE, 8192, 0);
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

    private String describe(final IngestRecord record)
    {
        if (record.isBusyNotice())
        {
            return "busy:" + record.sessionId() + ":" + record.busyNoticeRequestSeq();
        }
        if (record.isReply() || record.isFarewell())
        {
            if (record.isFarewell())
            {
                final byte[] frame = new byte[4 + record.messageLength()];
                new UnsafeBuffer(frame).putInt(0, record.messageLength(), ByteOrder.LITTLE_ENDIAN);
                record.buffer().getBytes(record.messageOffset(), frame, 4, record.messageLength());
                lastFarewellFrame = frame;
            }
            return (record.isReply() ? "reply:" : "farewell:") + describeAnswer(record);
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

    private static String describeAnswer(final IngestRecord record)
    {
        final int body = record.messageOffset() + 8;
        final int blockLength = record.buffer().getShort(record.messageOffset(), ByteOrder.LITTLE_ENDIAN);
        switch (record.templateId())
        {
            case EngineErrorDecoder.TEMPLATE_ID:
                final EngineErrorDecoder error = new EngineErrorDecoder().wrap(
                    record.buffer(), body, blockLength, ClientProtocol.SCHEMA_VERSION);
                // A reply answers a request (its requestSeq shows); a last message answers none.
                return "EngineError:" + (record.isReply() ? error.requestSeq() + ":" : "") + error.code() + ":" +
                    error.detail();
            case ExecutionReportDecoder.TEMPLATE_ID:
                final ExecutionReportDecoder report = new ExecutionReportDecoder().wrap(
                    record.buffer(), body, blockLength, ClientProtocol.SCHEMA_VERSION);
                return "ExecutionReport:" + report.requestSeq() + ":" + report.execType() + ":" + report.rejectReason();
            case LogoutDecoder.TEMPLATE_ID:
                return "Logout:" + new LogoutDecoder().wrap(
                    record.buffer(), body, blockLength, ClientProtocol.SCHEMA_VERSION).sessionId();
            default:
                return "template" + record.templateId();
        }
    }

    /**
     * Play the response stage for a connection's last message: write the farewell drained last for it to its
     * socket, then hand the connection back.
     */
    private void writeFarewell(final long connectionId, final CloseReason reason) throws IOException
    {
        registry.drain();
        final java.nio.channels.WritableByteChannel channel = registry.channel(connectionId);
        final byte[] frame = lastFarewellFrame;
        channel.write(java.nio.ByteBuffer.wrap(frame));
        registry.onFarewellWritten(connectionId, reason.ordinal());
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

    /**
     * A clock the test moves by hand, for a reader whose decisions depend on time; counts its reads so the test can
     * wait until the reader has seen a move before it sends what should be stamped with the new time.
     */
    private static final class HandClock implements NanoClock
    {
        private final AtomicLong nowNs = new AtomicLong(System.nanoTime());
        private final AtomicLong reads = new AtomicLong();

        public long nanoTime()
        {
            reads.incrementAndGet();
            return nowNs.get();
        }

        void advanceMs(final long ms)
        {
            nowNs.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
            final long seen = reads.get();
            await(() -> reads.get() > seen);
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
            logon.sessionId(sessionId).accountId(sessionId * 10)
                .cancelOnDisconnect(io.sluice.sbe.client.CancelOnDisconnect.NULL_VAL);
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

        void logout(final long sessionId) throws IOException
        {
            final LogoutEncoder logout = encoder.begin(buffer, 0, new LogoutEncoder());
            logout.sessionId(sessionId);
            send(encoder.end(buffer, 0, logout));
        }

        /**
         * @return the template of every frame the server sent (after the challenge) before it closed the stream.
         */
        List<Integer> readUntilClosed() throws IOException
        {
            final List<Integer> templates = new ArrayList<>();
            while (true)
            {
                final byte[] prefix = in.readNBytes(4);
                if (prefix.length < 4)
                {
                    return templates;
                }
                final int length = new UnsafeBuffer(prefix).getInt(0, ByteOrder.LITTLE_ENDIAN);
                final byte[] message = in.readNBytes(length);
                templates.add((int)new UnsafeBuffer(message).getShort(2, ByteOrder.LITTLE_ENDIAN));
            }
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

    private long closedTotal()
    {
        long total = 0;
        for (final CloseReason reason : CloseReason.values())
        {
            total += closed(reason);
        }
        return total;
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
            start(2, 64 * 1024, 10_000, 0, idleSelector);
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
    void shouldSayWhyThenCloseOnlyTheConnectionThatSendsGarbage() throws Exception
    {
        start(1, 64 * 1024, 10_000);
        try (RawClient good = new RawClient().logon(1); RawClient bad = new RawClient().logon(2))
        {
            awaitRecords(2);
            bad.sendRaw(new byte[]{ (byte)0xFF, (byte)0xFF, (byte)0xFF, 0x7F, 1, 2, 3 });
            awaitRecords(3);
            assertEquals("farewell:EngineError:UNFRAMEABLE:frame length 2147483647 is outside 1..1024",
                records.get(2));
            good.order(1);
            awaitRecords(4);
            assertEquals("order:1:1", records.get(3));

            writeFarewell(2, CloseReason.UNFRAMEABLE);
            assertEquals(List.of(EngineErrorDecoder.TEMPLATE_ID), bad.readUntilClosed());
            awaitRecords(5);
            assertTrue(records.contains("logout:2"), records.toString());
            await(() -> closed(CloseReason.UNFRAMEABLE) == 1);
            assertEquals(1, readerList.get(0).connectionCount());
        }
    }

    @Test
    void shouldAnswerFramesItCannotTakeAndCarryOn() throws Exception
    {
        start(1, 64 * 1024, 10_000);
        try (RawClient client = new RawClient().logon(3))
        {
            final NewOrderEncoder order = client.encoder.begin(client.buffer, 0, new NewOrderEncoder());
            order.requestSeq(1);
            final int length = client.encoder.end(client.buffer, 0, order);
            client.buffer.putShort(4 + 2, (short)999, ByteOrder.LITTLE_ENDIAN);
            client.send(length);
            client.order(2);
            client.encoder.begin(client.buffer, 0, new NewOrderEncoder()).requestSeq(3);
            client.buffer.putByte(4 + 8 + NewOrderDecoder.sideEncodingOffset(), (byte)7);
            client.send(length);
            client.order(4);

            awaitRecords(5);
            assertEquals(List.of("template2:3", "reply:EngineError:0:UNSUPPORTED_MESSAGE:UNKNOWN_TEMPLATE",
                "order:3:2", "reply:EngineError:3:MALFORMED_MESSAGE:ENUM_OUT_OF_RANGE", "order:3:4"), records);
            assertEquals(1, readerList.get(0).counters().malformed(DecodeResult.UNKNOWN_TEMPLATE));
            assertEquals(1, readerList.get(0).counters().malformed(DecodeResult.ENUM_OUT_OF_RANGE));
            assertEquals(0, closedTotal());
        }
    }

    @Test
    void shouldRejectRequestsBeforeLogonAndCarryOn() throws Exception
    {
        start(1, 64 * 1024, 10_000);
        try (RawClient early = new RawClient())
        {
            early.order(1);
            awaitRecords(1);
            early.logon(5);
            early.order(2);

            awaitRecords(3);
            assertEquals(List.of("reply:ExecutionReport:1:REJECTED:NOT_LOGGED_ON", "template2:5", "order:5:2"),
                records);
            assertEquals(1, readerList.get(0).counters().rejected(RejectReason.NOT_LOGGED_ON));
            assertEquals(0, closedTotal());
        }
    }

    @Test
    void shouldSayWhyThenCloseConnectionThatNeverLogsOn() throws Exception
    {
        start(1, 64 * 1024, 200);
        try (RawClient silent = new RawClient())
        {
            awaitRecords(1);
            assertEquals("farewell:EngineError:LOGON_TIMEOUT:no logon within 200 ms", records.get(0));
            writeFarewell(1, CloseReason.LOGON_TIMEOUT);
            assertEquals(List.of(EngineErrorDecoder.TEMPLATE_ID), silent.readUntilClosed());
            await(() -> closed(CloseReason.LOGON_TIMEOUT) == 1);
        }
    }

    @Test
    void shouldSayWhyThenCloseLoggedOnConnectionThatSendsNothing() throws Exception
    {
        start(1, 64 * 1024, 10_000, 200, null);
        try (RawClient silent = new RawClient().logon(6))
        {
            awaitRecords(2);
            assertEquals("farewell:EngineError:IDLE_TIMEOUT:nothing received for 200 ms", records.get(1));
            writeFarewell(1, CloseReason.IDLE_TIMEOUT);
            assertEquals(List.of(EngineErrorDecoder.TEMPLATE_ID), silent.readUntilClosed());
            await(() -> closed(CloseReason.IDLE_TIMEOUT) == 1);
            awaitRecords(3);
            assertEquals("logout:6", records.get(2));
        }
    }

    @Test
    void shouldAnswerLogoutWithLogoutThenClose() throws Exception
    {
        start(1, 64 * 1024, 10_000);
        try (RawClient client = new RawClient().logon(7))
        {
            client.logout(7);
            awaitRecords(2);
            assertEquals("farewell:Logout:7", records.get(1));
            writeFarewell(1, CloseReason.LOGGED_OUT);
            assertEquals(List.of(LogoutDecoder.TEMPLATE_ID), client.readUntilClosed());
            await(() -> closed(CloseReason.LOGGED_OUT) == 1);
        }
    }

    @Test
    void shouldCloseAtOnceAndCountAConnectionTheResponseStageDropped() throws Exception
    {
        start(1, 64 * 1024, 10_000);
        try (RawClient slow = new RawClient().logon(8))
        {
            awaitRecords(1);
            registry.drain();
            registry.onDropped(1, DropReason.SEND_STALLED);

            assertTrue(slow.closedByServer());
            await(() -> closed(CloseReason.SLOW_CONSUMER) == 1);
            await(() -> readerList.get(0).connectionCount() == 0 && manager.shards().get(0).connectionCount() == 0);
            awaitRecords(2);
            assertEquals("logout:8", records.get(1));
        }
    }

    @Test
    void shouldStallRatherThanLoseAnAnswerWhenTheRingIsFull() throws Exception
    {
        start(1, 4096, 10_000);
        try (RawClient client = new RawClient().logon(9))
        {
            awaitRecords(1);
            records.clear();
            for (int seq = 1; seq <= 100; seq++)
            {
                client.order(seq);
            }
            final NewOrderEncoder order = client.encoder.begin(client.buffer, 0, new NewOrderEncoder());
            order.requestSeq(101);
            final int length = client.encoder.end(client.buffer, 0, order);
            client.buffer.putShort(4 + 2, (short)999, ByteOrder.LITTLE_ENDIAN);
            client.send(length);
            client.order(102);
            await(() -> readerList.get(0).counters().serverBusyReplies() > 0);

            awaitRecords(102);
            assertEquals("reply:EngineError:0:UNSUPPORTED_MESSAGE:UNKNOWN_TEMPLATE", records.get(100));
            assertTrue(records.get(101).equals("order:9:102") || records.get(101).equals("busy:9:102"),
                records.get(101));
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

    @Test
    void shouldRefuseRequestsAboveTheSessionRateThenCloseASessionThatKeepsExceedingIt() throws Exception
    {
        final HandClock clock = new HandClock();
        readerContext.clock(clock).throttleRatePerSecond(10).throttleBurst(5)
            .throttleCloseAfterNs(TimeUnit.MILLISECONDS.toNanos(2_000));
        start(1, 64 * 1024, 10_000);
        try (RawClient heavy = new RawClient().logon(1); RawClient calm = new RawClient().logon(2))
        {
            awaitRecords(2);
            records.clear();
            final List<String> expected = new ArrayList<>();

            // The burst passes; what follows at once is refused, and the connection carries on.
            long seq = 0;
            for (int i = 0; i < 8; i++)
            {
                heavy.order(++seq);
                expected.add(seq <= 5 ? "order:1:" + seq : "reply:ExecutionReport:" + seq + ":REJECTED:THROTTLED");
            }
            awaitRecords(expected.size());
            calm.order(1);
            expected.add("order:2:1");
            awaitRecords(expected.size());
            clock.advanceMs(100);
            heavy.order(++seq);
            expected.add("order:1:" + seq);
            heavy.order(++seq);
            expected.add("reply:ExecutionReport:" + seq + ":REJECTED:THROTTLED");
            awaitRecords(expected.size());
            assertEquals(expected, records);
            final ReaderAgent reader = readerList.get(0);
            assertEquals(List.of("1=4"), throttledSessions(reader));

            // Six requests every 500 ms against five tokens: the excess goes on, and at 2 s it ends the connection.
            for (int step = 1; step <= 4; step++)
            {
                clock.advanceMs(500);
                for (int i = 0; i < 6; i++)
                {
                    heavy.order(++seq);
                    expected.add(i < 5 ? "order:1:" + seq : step < 4 ?
                        "reply:ExecutionReport:" + seq + ":REJECTED:THROTTLED" :
                        "farewell:EngineError:THROTTLED:over 10 requests a second for 2000 ms");
                }
                awaitRecords(expected.size());
            }
            assertEquals(expected, records);
            assertEquals(List.of("1=7"), throttledSessions(reader));

            writeFarewell(1, CloseReason.THROTTLED);
            assertEquals(List.of(EngineErrorDecoder.TEMPLATE_ID), heavy.readUntilClosed());
            heavy.socket.shutdownOutput();
            await(() -> closed(CloseReason.THROTTLED) == 1);
            awaitRecords(expected.size() + 1);
            assertEquals("logout:1", records.get(expected.size()));
            assertEquals(7, reader.counters().rejected(RejectReason.THROTTLED));
            assertEquals(1, reader.counters().sessionsThrottled());
            assertEquals(List.of(), throttledSessions(reader), "a closed session is no longer listed");

            calm.order(2);
            awaitRecords(expected.size() + 2);
            assertEquals("order:2:2", records.get(expected.size() + 1));
            assertEquals(1, closedTotal(), "only the session in excess was closed");
        }
    }

    private static List<String> throttledSessions(final ReaderAgent reader)
    {
        final List<String> sessions = new ArrayList<>();
        reader.throttledSessions().forEach((sessionId, requests) -> sessions.add(sessionId + "=" + requests));
        return sessions;
    }
}
