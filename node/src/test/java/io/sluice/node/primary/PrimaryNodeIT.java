package io.sluice.node.primary;

import io.sluice.client.ClientListener;
import io.sluice.client.SluiceClient;
import io.sluice.node.admin.AdminClient;
import io.sluice.sbe.client.BatchEndDecoder;
import io.sluice.sbe.client.BookSnapshotDecoder;
import io.sluice.sbe.client.BooleanType;
import io.sluice.sbe.client.EngineErrorDecoder;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.ExecutionReportDecoder;
import io.sluice.sbe.client.HaltedDecoder;
import io.sluice.sbe.client.Liquidity;
import io.sluice.sbe.client.LogonAckDecoder;
import io.sluice.sbe.client.LogonEncoder;
import io.sluice.sbe.client.MessageHeaderDecoder;
import io.sluice.sbe.client.NewOrderEncoder;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import io.sluice.wire.FrameEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.sluice.node.primary.TestNodes.IDLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A standalone primary in this JVM with real sockets on loopback.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PrimaryNodeIT
{
    @TempDir
    Path dir;

    private PrimaryNode node;
    private final List<SluiceClient> clients = new ArrayList<>();

    private PrimaryNode start(final Map<String, String> overrides)
    {
        final Map<String, String> raw = TestNodes.standaloneConfig(dir.resolve("data"));
        raw.putAll(overrides);
        try
        {
            node = PrimaryNode.start(TestNodes.config(raw, dir));
        }
        catch (final java.io.IOException ex)
        {
            throw new IllegalStateException(ex);
        }
        return node;
    }

    @AfterEach
    void stop()
    {
        clients.forEach(SluiceClient::close);
        if (node != null)
        {
            node.close();
        }
    }

    private SluiceClient connect(final long sessionId, final ClientListener listener) throws Exception
    {
        final SluiceClient client = TestNodes.client(node.clientAddress(), sessionId, listener);
        clients.add(client);
        return client;
    }

    /** Records every report and BatchEnd a client sees, in order. */
    static final class Recorder implements ClientListener
    {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Long> batchEnds = new CopyOnWriteArrayList<>();

        public void onExecutionReport(final ExecutionReportDecoder r)
        {
            events.add(r.execType() + ":" + r.clientOrderId() + ":" + r.lastQuantity() + "@" + r.lastPrice() + ":" +
                r.liquidity() + ":" + r.rejectReason());
        }

        public void onHalted(final HaltedDecoder halted)
        {
            events.add("HALTED:" + halted.requestSeq());
        }

        public void onServerBusy(final long requestSeq)
        {
            events.add("BUSY:" + requestSeq);
        }

        public void onBookSnapshot(final BookSnapshotDecoder book)
        {
            long bidQuantity = 0;
            for (final BookSnapshotDecoder.BidsDecoder bid : book.bids())
            {
                bidQuantity += bid.quantity();
            }
            events.add("BOOK:" + book.instrumentId() + ":bidQty=" + bidQuantity);
        }

        public void onBatchEnd(final long requestSeq, final long wireSeq)
        {
            batchEnds.add(requestSeq);
        }
    }

    @Test
    void shouldFillCrossingOrdersFromTwoTraders() throws Exception
    {
        start(Map.of());
        final Recorder buyer = new Recorder();
        final Recorder seller = new Recorder();
        final SluiceClient buy = connect(1, buyer);
        final SluiceClient sell = connect(2, seller);

        assertTrue(buy.awaitAnswer(buy.placeOrder(11, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false, 10_050, 100),
            10, TimeUnit.SECONDS, IDLE));
        assertTrue(sell.awaitAnswer(sell.placeOrder(21, 1, Side.SELL, OrderType.LIMIT, TimeInForce.GTC, false, 10_000,
            40), 10, TimeUnit.SECONDS, IDLE));
        TestNodes.await(() ->
        {
            pollQuietly(buy);
            return buyer.events.size() >= 2;
        }, 10_000, "maker fill");

        assertEquals(List.of("NEW:11:0@0:NONE:NONE", "PARTIAL_FILL:11:40@10050:MAKER:NONE"), buyer.events);
        assertEquals(List.of("NEW:21:0@0:NONE:NONE", "FILL:21:40@10050:TAKER:NONE"), seller.events);
        assertEquals(List.of(1L), seller.batchEnds);
        assertEquals(2, node.lastWireSeq());
        assertTrue(node.journalPersistedWireSeq() >= 2);
    }

    private static void pollQuietly(final SluiceClient client)
    {
        try
        {
            client.poll();
        }
        catch (final java.io.IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Test
    void shouldAnswerEveryRequestOnceAndInOrderAcrossManyConnections() throws Exception
    {
        start(Map.of("reader.shards", "3"));
        final int connections = 8;
        final int perConnection = 300;
        final List<Recorder> recorders = new ArrayList<>();
        final List<SluiceClient> traders = new ArrayList<>();
        for (int session = 1; session <= connections; session++)
        {
            final Recorder recorder = new Recorder();
            recorders.add(recorder);
            traders.add(connect(session, recorder));
        }
        for (int i = 0; i < perConnection; i++)
        {
            for (int c = 0; c < connections; c++)
            {
                final Side side = (i + c) % 2 == 0 ? Side.BUY : Side.SELL;
                final long price = side == Side.BUY ? 9_990 + (i % 10) : 10_000 + (i % 10);
                traders.get(c).placeOrder(c * 10_000L + i, 1, side, OrderType.LIMIT, TimeInForce.GTC, false,
                    price, 1 + i % 5);
            }
        }
        for (final SluiceClient trader : traders)
        {
            assertTrue(trader.awaitAllAnswered(60, TimeUnit.SECONDS, IDLE));
        }

        for (int c = 0; c < connections; c++)
        {
            final List<Long> expected = new ArrayList<>();
            for (long seq = 1; seq <= perConnection; seq++)
            {
                expected.add(seq);
            }
            assertEquals(expected, recorders.get(c).batchEnds, "connection " + c + " BatchEnds once each, in order");
        }
        assertEquals((long)connections * perConnection, node.lastWireSeq());
        assertTrue(node.readers().stream().filter(r -> r.counters().logons() > 0).count() > 1,
            "connections spread over several shards");
    }

    @Test
    void shouldAnswerAFrameItCannotTakeAndCloseOnlyAStreamItCannotFrame() throws Exception
    {
        start(Map.of());
        final Recorder good = new Recorder();
        final SluiceClient trader = connect(1, good);

        try (Socket garbage = new Socket())
        {
            garbage.connect(node.clientAddress());
            garbage.setSoTimeout(10_000);
            final RawSession session = new RawSession(garbage);
            session.readFrame();
            final OutputStream out = garbage.getOutputStream();
            out.write(new byte[]{ 0x10, 0, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9 });
            out.flush();
            assertEquals(EngineErrorDecoder.TEMPLATE_ID, session.readFrame(), "a frame of another schema is answered");
            assertEquals(BatchEndDecoder.TEMPLATE_ID, session.readFrame());
            out.write(new byte[]{ (byte)0xFF, (byte)0xFF, (byte)0xFF, (byte)0xFF });
            out.flush();
            assertEquals(EngineErrorDecoder.TEMPLATE_ID, session.readFrame(), "the node says why it closes");
            assertEquals(-1, garbage.getInputStream().read());
        }
        for (int i = 0; i < 20; i++)
        {
            trader.placeOrder(100 + i, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false, 9_000 + i, 1);
        }

        assertTrue(trader.awaitAllAnswered(20, TimeUnit.SECONDS, IDLE));
        assertEquals(20, good.batchEnds.size());
        assertTrue(good.events.stream().allMatch(e -> e.startsWith("NEW:")), good.events.toString());
    }

    @Test
    void shouldAnswerAResentRequestDuplicateWithoutJournalingItEvenWhileHalted() throws Exception
    {
        start(Map.of());
        try (Socket socket = new Socket())
        {
            socket.connect(node.clientAddress());
            socket.setSoTimeout(10_000);
            final RawSession session = new RawSession(socket);
            session.readFrame();
            session.logon(5);
            assertEquals(LogonAckDecoder.TEMPLATE_ID, session.readFrame());

            assertEquals(List.of("NEW"), session.order(1));
            try (AdminClient admin = new AdminClient(node.adminAddress(), 10_000))
            {
                assertEquals("OK trading halted by operator", admin.execute("HALT").get(0));
            }
            assertEquals(List.of("REJECTED:DUPLICATE_REQUEST"), session.order(1),
                "a resent request is answered 'already applied', not HALTED");
            assertEquals(List.of("HALTED"), session.order(2));
        }
        assertEquals(1, node.lastWireSeq(), "neither the duplicate nor the halted request was journaled");
    }

    @Test
    void shouldRefuseRequestsFromAConnectionTheSessionReplacedWithANewLogon() throws Exception
    {
        start(Map.of());
        try (Socket first = new Socket(); Socket second = new Socket())
        {
            first.connect(node.clientAddress());
            first.setSoTimeout(10_000);
            final RawSession old = new RawSession(first);
            old.readFrame();
            old.logon(6);
            assertEquals(LogonAckDecoder.TEMPLATE_ID, old.readFrame());
            assertEquals(List.of("NEW"), old.order(1));

            second.connect(node.clientAddress());
            second.setSoTimeout(10_000);
            final RawSession current = new RawSession(second);
            current.readFrame();
            current.logon(6);
            assertEquals(LogonAckDecoder.TEMPLATE_ID, current.readFrame());

            assertEquals(EngineErrorDecoder.TEMPLATE_ID, old.readFrame(), "the replaced connection is told at once");
            assertEquals(io.sluice.sbe.client.EngineErrorCode.SESSION_REPLACED,
                new EngineErrorDecoder().wrapAndApplyHeader(old.buffer, 0, new MessageHeaderDecoder()).code());
            assertEquals(-1, first.getInputStream().read(), "and closed");
            assertEquals(List.of("NEW"), current.order(2), "the same request on the current connection is applied");
        }
        assertEquals(2, node.lastWireSeq());
    }

    /** A client session spoken frame by frame, so a test can send the same requestSeq twice. */
    private static final class RawSession
    {
        private final Socket socket;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        private final FrameEncoder frames = new FrameEncoder();
        private final MessageHeaderDecoder header = new MessageHeaderDecoder();
        private final ExecutionReportDecoder report = new ExecutionReportDecoder();

        RawSession(final Socket socket)
        {
            this.socket = socket;
        }

        void logon(final long sessionId) throws Exception
        {
            final LogonEncoder logon = frames.begin(buffer, 0, new LogonEncoder()).sessionId(sessionId)
                .accountId(sessionId).cancelOnDisconnect(io.sluice.sbe.client.CancelOnDisconnect.NULL_VAL);
            send(frames.end(buffer, 0, logon));
        }

        /** Sends a resting buy with this requestSeq; returns what answered it, up to its BatchEnd. */
        List<String> order(final long requestSeq) throws Exception
        {
            final NewOrderEncoder order = frames.begin(buffer, 0, new NewOrderEncoder()).requestSeq(requestSeq)
                .clientOrderId(requestSeq).instrumentId(1).side(Side.BUY).orderType(OrderType.LIMIT)
                .timeInForce(TimeInForce.GTC).postOnly(BooleanType.FALSE).price(9_000).quantity(1);
            send(frames.end(buffer, 0, order));
            final List<String> answers = new ArrayList<>();
            while (true)
            {
                final int templateId = readFrame();
                if (templateId == BatchEndDecoder.TEMPLATE_ID)
                {
                    return answers;
                }
                if (templateId == ExecutionReportDecoder.TEMPLATE_ID)
                {
                    report.wrapAndApplyHeader(buffer, 0, header);
                    answers.add(report.execType() == ExecType.REJECTED ? "REJECTED:" + report.rejectReason() :
                        report.execType().name());
                }
                else if (templateId == HaltedDecoder.TEMPLATE_ID)
                {
                    answers.add("HALTED");
                }
            }
        }

        private void send(final int length) throws Exception
        {
            socket.getOutputStream().write(buffer.byteArray(), 0, length);
            socket.getOutputStream().flush();
        }

        /** Reads one frame other than a Heartbeat into the buffer (SBE header at 0); returns its template id. */
        int readFrame() throws Exception
        {
            while (true)
            {
                final byte[] prefix = socket.getInputStream().readNBytes(4);
                final int length = java.nio.ByteBuffer.wrap(prefix).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
                final byte[] message = socket.getInputStream().readNBytes(length);
                buffer.putBytes(0, message);
                final int templateId = header.wrap(buffer, 0).templateId();
                if (templateId != io.sluice.sbe.client.HeartbeatDecoder.TEMPLATE_ID)
                {
                    return templateId;
                }
            }
        }
    }

    @Test
    void shouldAnswerHaltedWhileOperatorHaltsAndServeQueries() throws Exception
    {
        start(Map.of());
        final Recorder recorder = new Recorder();
        final SluiceClient trader = connect(1, recorder);
        trader.awaitAnswer(trader.placeOrder(1, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false, 9_900, 7),
            10, TimeUnit.SECONDS, IDLE);

        try (AdminClient admin = new AdminClient(node.adminAddress(), 10_000))
        {
            assertEquals("OK trading halted by operator", admin.execute("HALT").get(0));
            final long halted = trader.placeOrder(2, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false, 9_900, 1);
            assertTrue(trader.awaitAnswer(halted, 10, TimeUnit.SECONDS, IDLE));
            assertTrue(trader.awaitAnswer(trader.queryBook(1, 5), 10, TimeUnit.SECONDS, IDLE));
            assertTrue(admin.execute("RESUME").get(0).startsWith("OK operator halt lifted; trading"));
        }
        final long after = trader.placeOrder(3, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false, 9_900, 1);
        assertTrue(trader.awaitAnswer(after, 10, TimeUnit.SECONDS, IDLE));

        assertEquals(List.of("NEW:1:0@0:NONE:NONE", "HALTED:2", "BOOK:1:bidQty=7", "NEW:3:0@0:NONE:NONE"),
            recorder.events);
        assertEquals(2, node.lastWireSeq(), "the halted order took no wireSeq");
    }

    @Test
    void shouldReleaseALogonAckOnlyOnceTheSessionsLastRequestIsDurable() throws Exception
    {
        // Each sync takes a second: the order is applied long before it is durable under local.
        start(Map.of("durability", "local", "fault.journal.sync.delay.ms", "1000"));
        final SluiceClient first = connect(1, new ClientListener()
        {
        });
        first.placeOrder(1, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false, 9_900, 1);
        TestNodes.await(() ->
        {
            pollQuietly(first);
            return node.lastWireSeq() == 1;
        }, 10_000, "the order applied");

        final long[] lastRequestSeq = { -1 };
        final long[] persistedAtLogon = { -1 };
        final SluiceClient second = TestNodes.client(node.clientAddress(), 1, new ClientListener()
        {
            public void onConnected(final java.net.InetSocketAddress endpoint, final long last, final int resent)
            {
                persistedAtLogon[0] = node.journalPersistedWireSeq();
                lastRequestSeq[0] = last;
            }
        });
        clients.add(second);

        assertEquals(1, lastRequestSeq[0], "the LogonAck names the applied request");
        assertTrue(persistedAtLogon[0] >= 1, "and arrives only once it is durable: persisted " + persistedAtLogon[0]);
    }

    @Test
    void shouldGateOnJournalOnlyUnderPersistedPolicy() throws Exception
    {
        // Each sync takes 50 ms longer than it would, so replies reach the gate long before their fsync: under
        // in_memory>=1 they must overtake it, under local never. Checked reply by reply, the moment each arrives
        // (gate-wait counters alone depend on how threads happen to be scheduled on a busy machine).
        start(Map.of("durability", "in_memory>=1", "fault.journal.sync.delay.ms", "50"));
        final long[] beforeSync = new long[2];
        final long[] replies = new long[2];
        final int[] phase = new int[1];
        final SluiceClient trader = connect(1, new ClientListener()
        {
            public void onExecutionReport(final ExecutionReportDecoder report)
            {
                final int p = phase[0];
                replies[p]++;
                if (node.journalPersistedWireSeq() < report.wireSeq())
                {
                    beforeSync[p]++;
                }
            }
        });
        for (int i = 0; i < 200; i++)
        {
            trader.placeOrder(i, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false, 9_000 + i % 50, 1);
        }
        assertTrue(trader.awaitAllAnswered(20, TimeUnit.SECONDS, IDLE));
        assertEquals(0, node.responseCounters().gateWaitsJournal(), "in_memory>=1 never waits for fsync");
        assertTrue(beforeSync[0] > 0, "under in_memory>=1 replies overtake the fsync: " + beforeSync[0] + " of " +
            replies[0]);

        try (AdminClient admin = new AdminClient(node.adminAddress(), 10_000))
        {
            assertEquals(List.of("OK in_memory>=1 -> local"), admin.execute("DURABILITY local"));
            assertTrue(admin.execute("DURABILITY nonsense>=1").get(0).startsWith("ERR"));
            assertEquals(List.of("OK local"), admin.execute("DURABILITY"));
        }
        phase[0] = 1;
        for (int i = 200; i < 400; i++)
        {
            trader.placeOrder(i, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false, 9_000 + i % 50, 1);
        }
        assertTrue(trader.awaitAllAnswered(20, TimeUnit.SECONDS, IDLE));
        assertTrue(replies[1] >= 200, "every order answered under local: " + replies[1]);
        assertEquals(0, beforeSync[1], "under local no reply arrives before its fsync");
        assertEquals(0, node.responseCounters().gateWaitsReplication());
    }

    @Test
    void shouldHaltWhenPolicyNeedsReplicasThatAreNotThereAndResumeOnSwap() throws Exception
    {
        start(Map.of());
        final Recorder recorder = new Recorder();
        final SluiceClient trader = connect(1, recorder);
        try (AdminClient admin = new AdminClient(node.adminAddress(), 10_000))
        {
            assertEquals(List.of("OK local -> hybrid"), admin.execute("DURABILITY hybrid"));
            assertTrue(trader.awaitAnswer(
                trader.placeOrder(1, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false, 9_900, 1),
                10, TimeUnit.SECONDS, IDLE));
            assertTrue(admin.execute("STATUS").contains("trading=halted reason=\"durability policy cannot be met by connected nodes\""));
            admin.execute("DURABILITY local");
        }
        assertTrue(trader.awaitAnswer(trader.placeOrder(2, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false,
            9_900, 1), 10, TimeUnit.SECONDS, IDLE));

        assertEquals(List.of("HALTED:1", "NEW:2:0@0:NONE:NONE"), recorder.events);
    }

    @Test
    void shouldRecoverFromBackgroundSnapshotPlusJournalTailToSameState() throws Exception
    {
        start(Map.of("snapshot.interval.entries", "100"));
        final SluiceClient trader = connect(1, new Recorder());
        for (int i = 0; i < 250; i++)
        {
            final Side side = i % 3 == 0 ? Side.SELL : Side.BUY;
            trader.placeOrder(i, 1, side, OrderType.LIMIT, TimeInForce.GTC, false, 10_000 + (i % 7) - 3, 1 + i % 4);
        }
        assertTrue(trader.awaitAllAnswered(20, TimeUnit.SECONDS, IDLE));
        TestNodes.await(() -> node.lastSnapshotWireSeq() >= 200, 20_000, "snapshot at wireSeq 200");
        trader.close();
        clients.clear();
        node.shutdown(5_000);
        final long hashBefore = node.sequencer().engine().stateHash();
        node = null;

        start(Map.of("snapshot.interval.entries", "100"));

        assertTrue(node.recovery().snapshotWireSeq() >= 200, "recovery started from a snapshot");
        assertEquals(250, node.recovery().lastWireSeq());
        assertEquals(250 - node.recovery().snapshotWireSeq(), node.recovery().entriesReplayed());
        assertEquals(hashBefore, node.sequencer().engine().stateHash());
    }

    @Test
    void shouldAnswerServerBusyInOrderWhenIngestRingFull() throws Exception
    {
        start(Map.of("ingest.ring.bytes", "4096", "reader.shards", "1", "sequencer.batch.per.ring", "1",
            "journal.sync", "every-group"));
        final Recorder recorder = new Recorder();
        final SluiceClient trader = connect(1, recorder);
        final int requests = 3_000;
        for (int i = 0; i < requests; i++)
        {
            while (trader.placeOrder(i, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false, 9_000 + i % 100, 1) ==
                SluiceClient.BACK_PRESSURED)
            {
                trader.poll();
            }
        }
        assertTrue(trader.awaitAllAnswered(60, TimeUnit.SECONDS, IDLE));

        final List<Long> expected = new ArrayList<>();
        for (long seq = 1; seq <= requests; seq++)
        {
            expected.add(seq);
        }
        assertEquals(expected, recorder.batchEnds, "one BatchEnd per request, in request order");
        final long busy = recorder.events.stream().filter(e -> e.startsWith("BUSY:")).count();
        assertTrue(busy > 0, "the tiny ring overflowed at least once");
        // After a ServerBusy the node refuses the rest of that connection's requests (HALTED) until the client logs
        // on again, so none is applied ahead of the refused one; only accepted requests took a wireSeq.
        final long accepted = recorder.events.stream().filter(e -> e.startsWith("NEW:")).count();
        final long afterRefusal = recorder.events.stream().filter(e -> e.startsWith("HALTED:")).count();
        assertEquals(requests, accepted + busy + afterRefusal, "every request accepted or refused: " + accepted +
            " + " + busy + " + " + afterRefusal);
        assertEquals(accepted, node.lastWireSeq(), "refused requests took no wireSeq");
    }
}
