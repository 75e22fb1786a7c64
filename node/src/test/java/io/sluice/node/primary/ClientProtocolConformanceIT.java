package io.sluice.node.primary;

import io.sluice.node.auth.KeyFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.sluice.node.primary.WireClient.B;
import static io.sluice.node.primary.WireClient.BATCH_END;
import static io.sluice.node.primary.WireClient.BUY;
import static io.sluice.node.primary.WireClient.DAY;
import static io.sluice.node.primary.WireClient.ENGINE_ERROR;
import static io.sluice.node.primary.WireClient.EXECUTION_REPORT;
import static io.sluice.node.primary.WireClient.GTC;
import static io.sluice.node.primary.WireClient.IOC;
import static io.sluice.node.primary.WireClient.LIMIT;
import static io.sluice.node.primary.WireClient.LOGON_ACK;
import static io.sluice.node.primary.WireClient.LOGOUT;
import static io.sluice.node.primary.WireClient.SELL;
import static io.sluice.node.primary.WireClient.message;
import static io.sluice.node.primary.WireClient.newOrderFrame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/protocol.md against real nodes. The client side is {@link WireClient}: frames written and read from the doc's
 * tables, logons signed as the doc says with keys read from the files keygen writes, nothing of Sluice's codecs.
 * Every test runs with a second client trading alongside (a bystander on its own instrument), which must see
 * nothing but its own answers whatever the first client does.
 * <p>
 * Two nodes: {@code secured} runs with authentication; {@code open} runs without, with short logon and idle
 * timeouts and a small slow-consumer limit so those rules can be seen.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClientProtocolConformanceIT
{
    private static final int INSTRUMENT = 1;
    private static final int BYSTANDER_INSTRUMENT = 2;
    private static final int BOOK_INSTRUMENT = 3;
    private static final long BYSTANDER_ACCOUNT = 9;
    private static final AtomicLong SESSIONS = new AtomicLong(1_000);

    @TempDir
    static Path dir;

    private static PrimaryNode secured;
    private static PrimaryNode open;
    private static Path keys;
    private final List<Bystander> bystanders = new ArrayList<>();

    @BeforeAll
    static void startNodes() throws Exception
    {
        keys = dir.resolve("keys");
        final List<String> authorized = new ArrayList<>();
        for (long account = 1; account <= BYSTANDER_ACCOUNT; account++)
        {
            authorized.add(keygen("trader-" + account, "trader account=" + account));
        }
        authorized.add(keygen("auditor", "read-only"));
        authorized.add(keygen("operator", "operator"));
        Files.write(dir.resolve("authorized_keys"), authorized);

        final Map<String, String> securedConfig = config("secured");
        securedConfig.put("auth", "on");
        securedConfig.put("auth.keys.file", "authorized_keys");
        secured = PrimaryNode.start(TestNodes.config(securedConfig, dir));

        final Map<String, String> openConfig = config("open");
        openConfig.put("client.logon.timeout.ms", "1000");
        openConfig.put("client.idle.timeout.ms", "1500");
        openConfig.put("client.send.stall.timeout.ms", "1000");
        openConfig.put("client.socket.send.buffer.bytes", "8192");
        openConfig.put("client.max.unsent.bytes", "8192");
        open = PrimaryNode.start(TestNodes.config(openConfig, dir));
    }

    @AfterAll
    static void stopNodes()
    {
        if (secured != null)
        {
            secured.close();
        }
        if (open != null)
        {
            open.close();
        }
    }

    private static Map<String, String> config(final String name)
    {
        final Map<String, String> raw = TestNodes.standaloneConfig(dir.resolve(name));
        for (final int instrument : new int[]{ BYSTANDER_INSTRUMENT, BOOK_INSTRUMENT })
        {
            raw.put("instrument." + instrument + ".symbol", "I" + instrument);
            raw.put("instrument." + instrument + ".tick", "1");
            raw.put("instrument." + instrument + ".lot", "1");
            raw.put("instrument." + instrument + ".min.qty", "1");
            raw.put("instrument." + instrument + ".max.qty", "1000000");
            raw.put("instrument." + instrument + ".reference.price", "10000");
            raw.put("instrument." + instrument + ".band.bps", "5000");
        }
        return raw;
    }

    /** What an operator does: keygen, then the printed line goes into authorized_keys. */
    private static String keygen(final String name, final String grant) throws Exception
    {
        final KeyPair pair = KeyFiles.generate();
        KeyFiles.write(pair, keys.resolve(name));
        return KeyFiles.publicKeyBase64(pair.getPublic()) + " " + grant;
    }

    private static PrivateKey privateKey(final String name) throws Exception
    {
        return WireClient.readPrivateKey(keys.resolve(name));
    }

    private static byte[] publicKey(final String name) throws Exception
    {
        return WireClient.readPublicKey(keys.resolve(name + ".pub"));
    }

    private static long session()
    {
        return SESSIONS.incrementAndGet();
    }

    /** A client of the secured node logged on as a trader of {@code account}. */
    private WireClient trader(final long session, final long account) throws Exception
    {
        final WireClient client = new WireClient(secured.clientAddress());
        final WireClient.LogonAck ack = client.logon(session, account, publicKey("trader-" + account),
            privateKey("trader-" + account));
        assertEquals("ACCEPTED", ack.status(), ack.toString());
        return client;
    }

    /** A client of the open node logged on. */
    private WireClient openClient(final long session, final long account) throws Exception
    {
        final WireClient client = new WireClient(open.clientAddress());
        assertEquals("ACCEPTED", client.logon(session, account, null, null).status());
        return client;
    }

    /** Starts a client trading alongside on this node; checked after the test. */
    private void bystander(final PrimaryNode node) throws Exception
    {
        final WireClient client = new WireClient(node.clientAddress());
        final boolean signed = node == secured;
        final String key = "trader-" + BYSTANDER_ACCOUNT;
        client.logon(session(), BYSTANDER_ACCOUNT, signed ? publicKey(key) : null, signed ? privateKey(key) : null);
        final Bystander bystander = new Bystander(client);
        bystanders.add(bystander);
        bystander.start();
        bystander.awaitRoundTrips(1);
    }

    /** After each test, or before a test stops a node of its own: the bystanders traded on and saw no error. */
    @AfterEach
    void checkBystanders() throws Exception
    {
        final List<Bystander> checked = new ArrayList<>(bystanders);
        bystanders.clear();
        for (final Bystander bystander : checked)
        {
            final long before = bystander.roundTrips.get();
            bystander.awaitRoundTrips(before + 2);
            bystander.stop();
            assertEquals(List.of(), bystander.errors, "the client trading alongside saw no error");
        }
    }

    private static List<String> outcomes(final List<WireClient.Frame> reply)
    {
        final List<String> outcomes = new ArrayList<>();
        for (final WireClient.Frame frame : reply)
        {
            switch (frame.templateId)
            {
                case EXECUTION_REPORT -> outcomes.add(WireClient.Report.of(frame).outcome());
                case BATCH_END -> outcomes.add("BatchEnd");
                case ENGINE_ERROR -> outcomes.add("EngineError:" + WireClient.EngineError.of(frame).code());
                default -> outcomes.add("template" + frame.templateId);
            }
        }
        return outcomes;
    }

    private static WireClient.BatchEnd batchEnd(final List<WireClient.Frame> reply)
    {
        return WireClient.BatchEnd.of(reply.get(reply.size() - 1));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // §3, §4: session and logon
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldLogOnWithTheSignatureTheDocDescribesAndTradeWithSolicitedAndUnsolicitedReports() throws Exception
    {
        bystander(secured);
        final long buyerSession = session();
        try (WireClient buyer = new WireClient(secured.clientAddress());
            WireClient seller = trader(session(), 2))
        {
            assertEquals(3, buyer.protocolVersion, "AuthChallenge.protocolVersion");
            assertEquals(32, buyer.nonce.length);
            final WireClient.LogonAck ack = buyer.logon(buyerSession, 1, publicKey("trader-1"), privateKey("trader-1"));
            assertEquals(new WireClient.LogonAck(buyerSession, "ACCEPTED", "NONE", 0), ack);

            final List<WireClient.Frame> placed = buyer.request(newOrderFrame(1, 11, INSTRUMENT, BUY, LIMIT, GTC,
                false, 10_050, 100));
            assertEquals(List.of("NEW", "BatchEnd"), outcomes(placed));
            final WireClient.Report report = WireClient.Report.of(placed.get(0));
            assertEquals(1, report.requestSeq());
            assertEquals(1, report.accountId());
            assertEquals(11, report.clientOrderId());
            assertTrue(report.orderId() > 0);
            assertEquals(BUY, report.side());
            assertEquals(10_050, report.price());
            assertEquals(100, report.leavesQuantity());
            assertTrue(report.timestampNs() > 0);
            assertTrue(report.wireSeq() > 0);
            assertEquals(new WireClient.BatchEnd(1, report.wireSeq()), batchEnd(placed));

            final List<WireClient.Frame> sold = seller.request(newOrderFrame(5, 21, INSTRUMENT, SELL, LIMIT, IOC,
                false, 10_000, 40));
            assertEquals(List.of("NEW", "FILL", "BatchEnd"), outcomes(sold));
            final WireClient.Report taker = WireClient.Report.of(sold.get(1));
            assertEquals(5, taker.requestSeq(), "the taker's fill answers its request");
            assertEquals("TAKER", taker.liquidity());
            assertEquals(40, taker.lastQuantity());
            assertEquals(10_050, taker.lastPrice());
            assertEquals(SELL, taker.side());

            // §6: the maker's fill is unsolicited: requestSeq 0, no BatchEnd, the same trade and wireSeq.
            final WireClient.Report maker = WireClient.Report.of(buyer.nextFrame());
            assertEquals(0, maker.requestSeq());
            assertEquals("PARTIAL_FILL", maker.execType());
            assertEquals("MAKER", maker.liquidity());
            assertEquals(taker.tradeId(), maker.tradeId());
            assertEquals(taker.wireSeq(), maker.wireSeq());
            assertEquals(batchEnd(sold).wireSeq(), maker.wireSeq());
            assertEquals(60, maker.leavesQuantity());
            final List<WireClient.Frame> status = buyer.request(WireClient.orderStatusQueryFrame(2, 11));
            assertEquals(List.of(WireClient.ORDER_STATUS, BATCH_END), status.stream().map(f -> f.templateId).toList(),
                "no BatchEnd followed the unsolicited report: the next frames answer the next request");
            assertEquals("PARTIALLY_FILLED", WireClient.Status.of(status.get(0)).state());
        }
    }

    @Test
    void shouldRefuseEachBadLogonWithLogonAckThenEndTheStream() throws Exception
    {
        bystander(secured);
        final PrivateKey trader1 = privateKey("trader-1");
        record Attempt(String what, long session, long account, byte[] key, PrivateKey signer, byte[] badSignature,
            String reason)
        {
        }
        final List<Attempt> attempts = List.of(
            new Attempt("unsigned", session(), 1, new byte[32], null, new byte[64], "NOT_AUTHORIZED"),
            new Attempt("unknown key", session(), 1, KeyFiles.publicKeyBase64(KeyFiles.generate().getPublic())
                .transform(java.util.Base64.getDecoder()::decode), trader1, null, "NOT_AUTHORIZED"),
            new Attempt("signature flipped", session(), 1, publicKey("trader-1"), trader1, null, "NOT_AUTHORIZED"),
            new Attempt("trader key for another account", session(), 2, publicKey("trader-1"), trader1, null,
                "NOT_AUTHORIZED"),
            new Attempt("operator key", session(), 1, publicKey("operator"), privateKey("operator"), null,
                "NOT_AUTHORIZED"),
            new Attempt("session id 0", 0, 1, publicKey("trader-1"), trader1, null, "INVALID_FIELD"),
            new Attempt("account id 0", session(), 0, publicKey("trader-1"), trader1, null, "INVALID_FIELD"));
        for (final Attempt attempt : attempts)
        {
            try (WireClient client = new WireClient(secured.clientAddress()))
            {
                byte[] signature = attempt.badSignature();
                if (signature == null)
                {
                    signature = client.sign(attempt.signer());
                    if (attempt.what().equals("signature flipped"))
                    {
                        signature[10] ^= 1;
                    }
                }
                client.send(WireClient.logonFrame(attempt.session(), attempt.account(), attempt.key(), signature));
                final List<WireClient.Frame> frames = client.readUntilEnd();
                assertEquals(1, frames.size(), attempt.what());
                assertEquals(LOGON_ACK, frames.get(0).templateId, attempt.what());
                final WireClient.LogonAck ack = WireClient.LogonAck.of(frames.get(0));
                assertEquals("REJECTED", ack.status(), attempt.what());
                assertEquals(attempt.reason(), ack.rejectReason(), attempt.what());
            }
        }
        trader(session(), 1).close();
    }

    @Test
    void shouldRefuseALogonNamingAnotherAccountThanTheSessions() throws Exception
    {
        bystander(secured);
        final long session = session();
        try (WireClient first = trader(session, 3))
        {
            assertEquals(List.of("NEW", "BatchEnd"), outcomes(first.request(newOrderFrame(1, 1, INSTRUMENT, BUY,
                LIMIT, GTC, false, 9_000, 1))));
        }
        try (WireClient other = new WireClient(secured.clientAddress()))
        {
            other.send(WireClient.logonFrame(session, 4, publicKey("trader-4"), other.sign(privateKey("trader-4"))));
            final List<WireClient.Frame> frames = other.readUntilEnd();
            assertEquals(new WireClient.LogonAck(session, "REJECTED", "NOT_AUTHORIZED", 0),
                WireClient.LogonAck.of(frames.get(0)));
            assertEquals(1, frames.size());
        }
        try (WireClient again = new WireClient(secured.clientAddress()))
        {
            assertEquals(new WireClient.LogonAck(session, "ACCEPTED", "NONE", 1),
                again.logon(session, 3, publicKey("trader-3"), privateKey("trader-3")));
        }
    }

    @Test
    void shouldAnswerAReadOnlySessionsOrdersNotAuthorizedAndServeItsQueries() throws Exception
    {
        bystander(secured);
        try (WireClient auditor = new WireClient(secured.clientAddress()))
        {
            assertEquals("ACCEPTED",
                auditor.logon(session(), 5, publicKey("auditor"), privateKey("auditor")).status());
            final List<WireClient.Frame> order = auditor.request(newOrderFrame(1, 1, INSTRUMENT, BUY, LIMIT, GTC,
                false, 9_000, 1));
            assertEquals(List.of("REJECTED:NOT_AUTHORIZED", "BatchEnd"), outcomes(order));
            assertEquals(0, WireClient.Report.of(order.get(0)).wireSeq());
            assertEquals(0, WireClient.Report.of(order.get(0)).timestampNs());
            assertEquals(new WireClient.BatchEnd(1, 0), batchEnd(order));
            assertEquals(List.of("REJECTED:NOT_AUTHORIZED", "BatchEnd"),
                outcomes(auditor.request(WireClient.massCancelFrame(2, 5, 0))));
            final List<WireClient.Frame> book = auditor.request(WireClient.bookQueryFrame(3, INSTRUMENT, 5));
            assertEquals(WireClient.BOOK_SNAPSHOT, book.get(0).templateId, "queries still answered");
        }
    }

    @Test
    void shouldRejectAMassCancelNamingAnotherAccountAndCancelTheSessionsOwn() throws Exception
    {
        bystander(secured);
        try (WireClient trader = trader(session(), 6))
        {
            trader.request(newOrderFrame(1, 61, INSTRUMENT, BUY, LIMIT, GTC, false, 8_000, 1));
            trader.request(newOrderFrame(2, 62, INSTRUMENT, BUY, LIMIT, GTC, false, 8_001, 1));

            final List<WireClient.Frame> refused = trader.request(WireClient.massCancelFrame(3, 5, 0));
            assertEquals(List.of("REJECTED:NOT_AUTHORIZED", "BatchEnd"), outcomes(refused));
            assertEquals(0, WireClient.Report.of(refused.get(0)).clientOrderId());

            final List<WireClient.Frame> cancelled = trader.request(WireClient.massCancelFrame(4, 6, INSTRUMENT));
            assertEquals(List.of("CANCELED", "CANCELED", "BatchEnd"), outcomes(cancelled));
            assertEquals(61, WireClient.Report.of(cancelled.get(0)).clientOrderId(), "oldest first");
            assertEquals(List.of("BatchEnd"), outcomes(trader.request(WireClient.massCancelFrame(5, 6, 0))),
                "nothing left to cancel: no report");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // §13, §2: bytes as the doc shows them
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldSendAndTakeTheBytesOfTheDocsExample() throws Exception
    {
        bystander(open);
        final java.net.Socket socket = new java.net.Socket();
        socket.connect(open.clientAddress(), 10_000);
        socket.setSoTimeout(20_000);
        try (socket)
        {
            final byte[] challenge = rawFrame(socket);
            assertEquals(46, challenge.length);
            assertArrayEquals(WireClient.hex("2a000000 2200 0100 0100 0300"), Arrays.copyOf(challenge, 12));
            assertArrayEquals(WireClient.hex("0300"), Arrays.copyOfRange(challenge, 44, 46));

            final byte[] logon = WireClient.hex("78000000 7000 0200 0100 0200 0700000000000000 4600000000000000" +
                "00".repeat(96));
            final byte[] order = WireClient.hex("30000000 2800 0a00 0100 0300 0100000000000000 0b00000000000000" +
                "01000000 00 00 00 00 4227000000000000 6400000000000000");
            socket.getOutputStream().write(logon);
            assertArrayEquals(WireClient.hex("1a000000 1200 0300 0100 0300 0700000000000000 00 00 0000000000000000"),
                rawFrame(socket), "the LogonAck of the example, byte for byte (session 7 is new)");
            socket.getOutputStream().write(order);
            final byte[] report = rawFrame(socket);
            assertEquals(124, report.length);
            assertArrayEquals(WireClient.hex("78000000 7000 1e00 0100 0300 0100000000000000"),
                Arrays.copyOf(report, 20), "an ExecutionReport answering requestSeq 1");
            final byte[] batchEnd = rawFrame(socket);
            assertEquals(28, batchEnd.length);
            assertArrayEquals(WireClient.hex("18000000 1000 2900 0100 0300 0100000000000000"),
                Arrays.copyOf(batchEnd, 20), "its BatchEnd");
        }
    }

    @Test
    void shouldAnswerEveryFrameItCannotTakeWithAnEngineErrorAndCarryOn() throws Exception
    {
        bystander(open);
        record Hostile(String what, byte[] frame, String code, String detail, long requestSeq)
        {
        }
        final List<Hostile> hostiles = new ArrayList<>();
        final ByteBuffer otherSchema = newOrderFrame(2, 1, INSTRUMENT, BUY, LIMIT, GTC, false, 9_000, 1);
        otherSchema.putShort(8, (short)77);
        hostiles.add(new Hostile("another schema", otherSchema.array(), "UNSUPPORTED_MESSAGE", "WRONG_SCHEMA", 0));
        for (final int version : new int[]{ 0, 4 })
        {
            final ByteBuffer frame = newOrderFrame(3, 1, INSTRUMENT, BUY, LIMIT, GTC, false, 9_000, 1);
            frame.putShort(10, (short)version);
            hostiles.add(new Hostile("version " + version, frame.array(), "UNSUPPORTED_MESSAGE", "WRONG_VERSION", 3));
        }
        final ByteBuffer unknownTemplate = message(99, 8);
        unknownTemplate.putLong(B, 4);
        hostiles.add(new Hostile("unknown template", unknownTemplate.array(), "UNSUPPORTED_MESSAGE",
            "UNKNOWN_TEMPLATE", 0));
        final ByteBuffer reply = message(EXECUTION_REPORT, 112);
        hostiles.add(new Hostile("a reply template", reply.array(), "UNSUPPORTED_MESSAGE",
            "not a message a client sends", 0));
        final ByteBuffer shortBlock = message(WireClient.NEW_ORDER, 30);
        shortBlock.putLong(B, 5);
        hostiles.add(new Hostile("short block", shortBlock.array(), "MALFORMED_MESSAGE", "BLOCK_LENGTH_TOO_SHORT", 5));
        for (final int[] badEnum : new int[][]{ { 20, 2 }, { 21, 2 }, { 22, 4 }, { 23, 2 }, { 20, 255 } })
        {
            final ByteBuffer frame = newOrderFrame(6, 1, INSTRUMENT, BUY, LIMIT, GTC, false, 9_000, 1);
            frame.put(B + badEnum[0], (byte)badEnum[1]);
            hostiles.add(new Hostile("enum at " + badEnum[0] + " = " + badEnum[1], frame.array(),
                "MALFORMED_MESSAGE", "ENUM_OUT_OF_RANGE", 6));
        }
        final ByteBuffer trailing = message(WireClient.CANCEL_ORDER, 16, 20);
        trailing.putLong(B, 7);
        hostiles.add(new Hostile("trailing bytes", trailing.array(), "MALFORMED_MESSAGE", "TRAILING_BYTES", 7));
        hostiles.add(new Hostile("shorter than a header", WireClient.hex("04000000 01020304"), "MALFORMED_MESSAGE",
            "TRUNCATED_HEADER", 0));
        final ByteBuffer groupOverrun = message(WireClient.BOOK_SNAPSHOT, 12, 16);
        groupOverrun.putShort(B + 12, (short)20).putShort(B + 14, (short)50);
        hostiles.add(new Hostile("group past the frame", groupOverrun.array(), "MALFORMED_MESSAGE", "GROUP_OVERRUN",
            0));
        final ByteBuffer textOverrun = message(WireClient.HALTED, 8, 12);
        textOverrun.putInt(B + 8, 100);
        hostiles.add(new Hostile("text past the frame", textOverrun.array(), "MALFORMED_MESSAGE", "VAR_FIELD_OVERRUN",
            0));
        // A NewOrder whose longer block (§7) makes it 4,032 bytes: within the frame limit, beyond one journal entry.
        final ByteBuffer normal = newOrderFrame(8, 8, INSTRUMENT, BUY, LIMIT, GTC, false, 9_000, 1);
        final ByteBuffer tooLong = message(WireClient.NEW_ORDER, 4_024);
        tooLong.put(B, normal.array(), B, normal.capacity() - B);
        hostiles.add(new Hostile("a request too long to journal", tooLong.array(), "MALFORMED_MESSAGE",
            "TOO_LONG_TO_JOURNAL", 8));

        try (WireClient client = openClient(session(), 40))
        {
            for (final Hostile hostile : hostiles)
            {
                client.send(hostile.frame());
                final List<WireClient.Frame> answer = client.reply(hostile.requestSeq());
                assertEquals(2, answer.size(), hostile.what());
                final WireClient.EngineError error = WireClient.EngineError.of(answer.get(0));
                assertEquals(new WireClient.EngineError(hostile.requestSeq(), hostile.code(), hostile.detail()), error,
                    hostile.what());
                assertEquals(new WireClient.BatchEnd(hostile.requestSeq(), 0), batchEnd(answer), hostile.what());
            }
            assertEquals(List.of("NEW", "BatchEnd"), outcomes(client.request(newOrderFrame(8, 8, INSTRUMENT, BUY,
                LIMIT, GTC, false, 9_000, 1))), "the connection carries on and nothing refused was applied");
            final ByteBuffer longerBlock = message(WireClient.ORDER_STATUS_QUERY, 24);
            longerBlock.putLong(B, 9).putLong(B + 8, 8);
            assertEquals(WireClient.ORDER_STATUS, client.request(longerBlock).get(0).templateId,
                "a longer block is taken, its extra bytes ignored (§7)");
        }
    }

    @Test
    void shouldRejectRequestsBeforeLogonAndCarryOn() throws Exception
    {
        bystander(open);
        try (WireClient client = new WireClient(open.clientAddress()))
        {
            client.send(WireClient.heartbeatFrame());
            final List<WireClient.Frame> early = client.request(newOrderFrame(1, 71, INSTRUMENT, BUY, LIMIT, GTC,
                false, 9_000, 3));
            assertEquals(List.of("REJECTED:NOT_LOGGED_ON", "BatchEnd"), outcomes(early));
            final WireClient.Report report = WireClient.Report.of(early.get(0));
            assertEquals(71, report.clientOrderId());
            assertEquals(3, report.quantity());
            assertEquals(0, report.accountId());
            assertEquals(List.of("REJECTED:NOT_LOGGED_ON", "BatchEnd"),
                outcomes(client.request(WireClient.orderStatusQueryFrame(2, 71))));

            assertEquals("ACCEPTED", client.logon(session(), 41, null, null).status());
            assertEquals(List.of("NEW", "BatchEnd"), outcomes(client.request(newOrderFrame(1, 71, INSTRUMENT, BUY,
                LIMIT, GTC, false, 9_000, 3))), "the refused request was not applied: requestSeq 1 is still free");
        }
    }

    @Test
    void shouldAnswerASecondLogonOnTheSameConnectionAndCarryOn() throws Exception
    {
        bystander(open);
        final long session = session();
        try (WireClient client = openClient(session, 42))
        {
            client.send(WireClient.logonFrame(session, 42, new byte[32], new byte[64]));
            final List<WireClient.Frame> answer = client.reply(0);
            assertEquals(new WireClient.EngineError(0, "UNSUPPORTED_MESSAGE", "already logged on"),
                WireClient.EngineError.of(answer.get(0)));
            assertEquals(new WireClient.BatchEnd(0, 0), batchEnd(answer));
            assertEquals(List.of("NEW", "BatchEnd"), outcomes(client.request(newOrderFrame(1, 1, INSTRUMENT, BUY,
                LIMIT, GTC, false, 9_000, 1))));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // §10: closes, each said first
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldSayWhyThenCloseAStreamThatCannotBeFramed() throws Exception
    {
        bystander(open);
        long clientOrderId = 0;
        for (final String prefix : new String[]{ "00000000", "ffffffff", "01100000" })
        {
            try (WireClient client = openClient(session(), 43))
            {
                assertEquals(List.of("NEW", "BatchEnd"), outcomes(client.request(newOrderFrame(1, ++clientOrderId,
                    INSTRUMENT, BUY, LIMIT, GTC, false, 9_000, 1))));
                client.send(WireClient.hex(prefix + "0102030405060708"));
                final List<WireClient.Frame> last = client.readUntilEnd();
                assertEquals(1, last.size(), prefix);
                final WireClient.EngineError error = WireClient.EngineError.of(last.get(0));
                assertEquals("UNFRAMEABLE", error.code(), prefix);
                assertTrue(error.detail().endsWith(" is outside 1..4096"), error.detail());
            }
        }
    }

    @Test
    void shouldSayWhyThenCloseAConnectionThatNeverLogsOn() throws Exception
    {
        bystander(open);
        try (WireClient client = new WireClient(open.clientAddress()))
        {
            final List<WireClient.Frame> last = client.readUntilEnd();
            assertEquals(List.of(new WireClient.EngineError(0, "LOGON_TIMEOUT", "no logon within 1000 ms")),
                last.stream().map(WireClient.EngineError::of).toList());
        }
    }

    @Test
    void shouldSayWhyThenCloseALoggedOnConnectionThatSendsNothing() throws Exception
    {
        bystander(open);
        try (WireClient client = openClient(session(), 44))
        {
            final List<WireClient.Frame> last = client.readUntilEnd();
            assertEquals(List.of(new WireClient.EngineError(0, "IDLE_TIMEOUT", "nothing received for 1500 ms")),
                last.stream().map(WireClient.EngineError::of).toList());
        }
    }

    @Test
    void shouldTellAConnectionANewerLogonOfItsSessionReplacedItThenCloseIt() throws Exception
    {
        bystander(open);
        final long session = session();
        try (WireClient old = openClient(session, 45))
        {
            assertEquals(List.of("NEW", "BatchEnd"), outcomes(old.request(newOrderFrame(1, 1, INSTRUMENT, BUY, LIMIT,
                GTC, false, 9_000, 1))));
            try (WireClient current = new WireClient(open.clientAddress()))
            {
                assertEquals(new WireClient.LogonAck(session, "ACCEPTED", "NONE", 1),
                    current.logon(session, 45, null, null));
                final List<WireClient.Frame> last = old.readUntilEnd();
                assertEquals(List.of("EngineError:SESSION_REPLACED"), outcomes(last));
                assertEquals(List.of("NEW", "BatchEnd"), outcomes(current.request(newOrderFrame(2, 2, INSTRUMENT,
                    BUY, LIMIT, GTC, false, 9_000, 1))));
            }
        }
    }

    @Test
    void shouldAnswerLogoutWithLogoutAfterTheRepliesThenEndTheStream() throws Exception
    {
        bystander(open);
        final long session = session();
        try (WireClient client = openClient(session, 46))
        {
            client.send(newOrderFrame(1, 1, INSTRUMENT, BUY, LIMIT, GTC, false, 9_000, 1));
            client.send(WireClient.logoutFrame(0));
            client.send(newOrderFrame(2, 2, INSTRUMENT, BUY, LIMIT, GTC, false, 9_000, 1));
            final List<WireClient.Frame> frames = client.readUntilEnd();
            assertEquals(List.of("NEW", "BatchEnd", "template" + LOGOUT), outcomes(frames));
            assertEquals(session, frames.get(2).int64(0));
        }
        try (WireClient again = new WireClient(open.clientAddress()))
        {
            assertEquals(1, again.logon(session, 46, null, null).lastRequestSeq(), "nothing after the Logout read");
        }
    }

    @Test
    void shouldSayShuttingDownAfterTheRepliesWhenTheNodeShutsDown() throws Exception
    {
        final PrimaryNode node = PrimaryNode.start(TestNodes.config(config("shutdown"), dir));
        try (WireClient client = new WireClient(node.clientAddress()))
        {
            assertEquals("ACCEPTED", client.logon(session(), 47, null, null).status());
            assertEquals(List.of("NEW", "BatchEnd"), outcomes(client.request(newOrderFrame(1, 1, INSTRUMENT, BUY,
                LIMIT, GTC, false, 9_000, 1))));
            final Thread shutdown = new Thread(() -> node.shutdown(20_000), "shutdown");
            shutdown.start();
            final List<WireClient.Frame> frames = client.readUntilEnd();
            shutdown.join();
            assertEquals(List.of("EngineError:SHUTTING_DOWN"), outcomes(frames));
        }
        finally
        {
            node.close();
        }
    }

    @Test
    void shouldRefuseRequestsAboveTheSessionRateThenCloseASessionThatKeepsExceedingIt() throws Exception
    {
        final Map<String, String> raw = config("throttled");
        raw.put("client.throttle.messages.per.second", "200");
        raw.put("client.throttle.burst", "20");
        raw.put("client.throttle.close.after.ms", "1000");
        final PrimaryNode node = PrimaryNode.start(TestNodes.config(raw, dir));
        try
        {
            // The bystander sends two requests a round trip and sleeps 20 ms: under the limit, never refused.
            bystander(node);
            final long session = session();
            try (WireClient client = new WireClient(node.clientAddress()))
            {
                assertEquals("ACCEPTED", client.logon(session, 51, null, null).status());
                // §11: sixty requests in one write. The burst of twenty passes; each request is answered, in order,
                // NEW or REJECTED THROTTLED (no wireSeq, never sequenced), each with its BatchEnd.
                final java.io.ByteArrayOutputStream burst = new java.io.ByteArrayOutputStream();
                for (long seq = 1; seq <= 60; seq++)
                {
                    burst.write(newOrderFrame(seq, seq, INSTRUMENT, BUY, LIMIT, GTC, false, 9_000, 1).array());
                }
                client.send(burst.toByteArray());
                long throttled = 0;
                for (long seq = 1; seq <= 60; seq++)
                {
                    final List<WireClient.Frame> reply = client.reply(seq);
                    final List<String> outcome = outcomes(reply);
                    if (seq <= 20 || outcome.equals(List.of("NEW", "BatchEnd")))
                    {
                        assertEquals(List.of("NEW", "BatchEnd"), outcome, "request " + seq);
                        continue;
                    }
                    assertEquals(List.of("REJECTED:THROTTLED", "BatchEnd"), outcome, "request " + seq);
                    assertEquals(0, WireClient.Report.of(reply.get(0)).wireSeq());
                    assertEquals(new WireClient.BatchEnd(seq, 0), WireClient.BatchEnd.of(reply.get(1)));
                    throttled++;
                }
                assertTrue(throttled > 0, "a burst of 60 against 20 tokens refilled at 200/s");
                assertEquals(throttled, metric(node, "sluice_rejects_total{reason=\"throttled\"}"));
                assertEquals(throttled, metric(node, "sluice_session_throttled_requests_total{session=\"" + session +
                    "\"}"));
                assertTrue(NodeStatus.lines(node).contains("session[" + session + "] throttled_requests=" + throttled),
                    NodeStatus.lines(node).toString());

                // The connection carries on: after a pause the next request passes.
                Thread.sleep(200);
                assertEquals(List.of("NEW", "BatchEnd"), outcomes(client.request(newOrderFrame(61, 61, INSTRUMENT,
                    BUY, LIMIT, GTC, false, 9_000, 1))));

                // §10: ten requests every 10 ms, five times the rate, while another thread reads: after a second of
                // refusals the node says why and ends the stream.
                final java.util.concurrent.CompletableFuture<List<WireClient.Frame>> answers =
                    java.util.concurrent.CompletableFuture.supplyAsync(() ->
                    {
                        try
                        {
                            return client.readUntilEnd();
                        }
                        catch (final IOException ex)
                        {
                            throw new java.io.UncheckedIOException(ex);
                        }
                    });
                long seq = 61;
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!answers.isDone() && System.nanoTime() < deadlineNs)
                {
                    burst.reset();
                    for (int i = 0; i < 10; i++)
                    {
                        ++seq;
                        burst.write(newOrderFrame(seq, seq, INSTRUMENT, BUY, LIMIT, GTC, false, 9_000, 1).array());
                    }
                    try
                    {
                        client.send(burst.toByteArray());
                    }
                    catch (final IOException ex)
                    {
                        break;
                    }
                    Thread.sleep(10);
                }
                final List<WireClient.Frame> frames = answers.get(20, TimeUnit.SECONDS);
                final List<String> outcomes = outcomes(frames);
                assertEquals(new WireClient.EngineError(0, "THROTTLED", "over 200 requests a second for 1000 ms"),
                    WireClient.EngineError.of(frames.get(frames.size() - 1)), outcomes.toString());
                assertTrue(outcomes.subList(0, outcomes.size() - 1).stream().allMatch(outcome ->
                    outcome.equals("NEW") || outcome.equals("REJECTED:THROTTLED") || outcome.equals("BatchEnd")),
                    outcomes.toString());
                assertTrue(outcomes.contains("REJECTED:THROTTLED"), outcomes.toString());
            }
            TestNodes.await(() -> metricQuietly(node, "sluice_connections_closed_total{reason=\"throttled\"}") == 1,
                20_000, "the connection closed as throttled");
            checkBystanders();
        }
        finally
        {
            node.close();
        }
    }

    @Test
    void shouldDropClientsThatDoNotReadByTheStatedRuleAndKeepTheConnectionGaugeExact() throws Exception
    {
        bystander(open);
        final double dropsBefore = metric(open, "sluice_connections_closed_total{reason=\"slow_consumer\"}");
        for (int i = 0; i < 3; i++)
        {
            try (WireClient silent = new WireClient(open.clientAddress(), 4096))
            {
                assertEquals("ACCEPTED", silent.logon(session(), 48, null, null).status());
                // Replies pile up unread: the client's receive buffer, the node's bounded kernel buffer, then its
                // 8 KiB of unsent replies; then the node drops it.
                boolean dropped = false;
                for (int request = 1; request <= 20_000 && !dropped; request++)
                {
                    try
                    {
                        silent.send(WireClient.orderStatusQueryFrame(request, request));
                    }
                    catch (final IOException ex)
                    {
                        dropped = true;
                    }
                }
                final double target = dropsBefore + i + 1;
                TestNodes.await(() -> metricQuietly(open, "sluice_connections_closed_total{reason=\"slow_consumer\"}")
                    >= target, 20_000, "slow consumer " + (i + 1) + " dropped");
            }
        }
        // Every connection but the bystander's is gone; the gauge says so, as do the readers.
        TestNodes.await(() -> metricQuietly(open, "sluice_connections") == 1 &&
            open.readers().stream().mapToInt(r -> r.connectionCount()).sum() == 1, 20_000, "one connection left");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // §5: requestSeq, orders, queries
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldAnswerResendsDuplicateWithWireSeqZeroAndRefuseRequestSeqsOutOfBounds() throws Exception
    {
        bystander(open);
        final long session = session();
        try (WireClient client = openClient(session, 49))
        {
            final List<WireClient.Frame> first = client.request(newOrderFrame(5, 1, INSTRUMENT, BUY, LIMIT, GTC,
                false, 9_000, 1));
            assertTrue(batchEnd(first).wireSeq() > 0);

            final List<WireClient.Frame> resent = client.request(newOrderFrame(5, 1, INSTRUMENT, BUY, LIMIT, GTC,
                false, 9_000, 1));
            assertEquals(List.of("REJECTED:DUPLICATE_REQUEST", "BatchEnd"), outcomes(resent));
            assertEquals(0, WireClient.Report.of(resent.get(0)).wireSeq());
            assertEquals(new WireClient.BatchEnd(5, 0), batchEnd(resent));
            assertEquals(List.of("REJECTED:DUPLICATE_REQUEST", "BatchEnd"), outcomes(client.request(
                WireClient.cancelFrame(3, 1))), "a skipped number below the mark");

            for (final long requestSeq : new long[]{ 0, -1, 5 + (1L << 32) + 1, Long.MAX_VALUE })
            {
                client.send(WireClient.cancelFrame(requestSeq, 1));
                final List<WireClient.Frame> refused = client.reply(requestSeq);
                assertEquals(List.of("REJECTED:INVALID_FIELD", "BatchEnd"), outcomes(refused), "" + requestSeq);
                assertEquals(new WireClient.BatchEnd(requestSeq, 0), batchEnd(refused));
            }
            assertEquals(List.of("CANCELED", "BatchEnd"), outcomes(client.request(WireClient.cancelFrame(
                5 + (1L << 32), 1))), "the mark did not move; the largest step is allowed");
        }
        try (WireClient again = new WireClient(open.clientAddress()))
        {
            assertEquals(5 + (1L << 32), again.logon(session, 49, null, null).lastRequestSeq());
        }
    }

    @Test
    void shouldAnswerTheStatusOfTheDaysEndedOrders() throws Exception
    {
        bystander(open);
        try (WireClient client = openClient(session(), 50); WireClient other = openClient(session(), 51))
        {
            client.request(newOrderFrame(1, 1, INSTRUMENT, SELL, LIMIT, GTC, false, 14_000, 10));
            other.request(newOrderFrame(1, 9, INSTRUMENT, BUY, LIMIT, IOC, false, 14_000, 10));
            client.request(newOrderFrame(2, 2, INSTRUMENT, BUY, LIMIT, GTC, false, 7_000, 5));
            client.request(WireClient.cancelFrame(3, 2));
            client.request(newOrderFrame(4, 3, INSTRUMENT, BUY, LIMIT, IOC, false, 7_000, 5));
            client.request(newOrderFrame(5, 4, INSTRUMENT, BUY, LIMIT, DAY, false, 7_000, 0));
            client.request(newOrderFrame(6, 5, INSTRUMENT, BUY, LIMIT, GTC, false, 7_001, 5));

            final List<String> states = new ArrayList<>();
            for (long clientOrderId = 1; clientOrderId <= 6; clientOrderId++)
            {
                final List<WireClient.Frame> reply = client.request(WireClient.orderStatusQueryFrame(
                    100 + clientOrderId, clientOrderId));
                assertEquals(63, reply.get(0).blockLength, "OrderStatus of version 2");
                final WireClient.Status status = WireClient.Status.of(reply.get(0));
                states.add(status.state() + ":" + status.rejectReason() + ":" + status.cumQuantity() + ":" +
                    status.leavesQuantity() + ":" + status.side());
                assertEquals(new WireClient.BatchEnd(100 + clientOrderId, 0), batchEnd(reply));
            }
            assertEquals(List.of("FILLED:NONE:10:0:1", "CANCELED:NONE:0:0:0", "EXPIRED:NONE:0:0:0",
                "REJECTED:INVALID_QUANTITY:0:0:0", "NEW:NONE:0:5:0", "UNKNOWN:NONE:0:0:255"), states);
        }
    }

    @Test
    void shouldRejectACancelOfNoLiveOrderWithNoSide() throws Exception
    {
        bystander(open);
        try (WireClient client = openClient(session(), 52))
        {
            final List<WireClient.Frame> reply = client.request(WireClient.cancelFrame(1, 404));
            assertEquals(List.of("REJECTED:UNKNOWN_ORDER", "BatchEnd"), outcomes(reply));
            final WireClient.Report report = WireClient.Report.of(reply.get(0));
            assertEquals(255, report.side());
            assertEquals(404, report.clientOrderId());
            assertTrue(batchEnd(reply).wireSeq() > 0, "a rejected state change is sequenced");
            assertEquals(List.of("REJECTED:UNKNOWN_ORDER", "BatchEnd"),
                outcomes(client.request(WireClient.replaceFrame(2, 404, 9_000, 1))));
        }
    }

    @Test
    void shouldApplyTheBookDepthRules() throws Exception
    {
        bystander(open);
        try (WireClient client = openClient(session(), 53))
        {
            for (int level = 0; level < 105; level++)
            {
                client.send(newOrderFrame(1 + level, 1 + level, BOOK_INSTRUMENT, BUY, LIMIT, GTC, false,
                    9_000 - level, 1));
            }
            for (int level = 0; level < 105; level++)
            {
                client.reply(1 + level);
            }
            assertEquals(List.of("REJECTED:INVALID_FIELD", "BatchEnd"),
                outcomes(client.request(WireClient.bookQueryFrame(200, BOOK_INSTRUMENT, 0))));
            assertEquals(List.of("REJECTED:UNKNOWN_INSTRUMENT", "BatchEnd"),
                outcomes(client.request(WireClient.bookQueryFrame(201, 999, 5))));

            final WireClient.Book two = WireClient.Book.of(client.request(
                WireClient.bookQueryFrame(202, BOOK_INSTRUMENT, 2)).get(0));
            assertEquals(List.of("B 9000 1 1", "B 8999 1 1"), two.levels());
            final WireClient.Book capped = WireClient.Book.of(client.request(
                WireClient.bookQueryFrame(203, BOOK_INSTRUMENT, 65_535)).get(0));
            assertEquals(101, capped.bidCount());
            assertEquals(0, capped.askCount());
            assertEquals(203, capped.requestSeq());
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** One whole frame, length prefix included, as bytes; Heartbeats (template 40) skipped. */
    private static byte[] rawFrame(final java.net.Socket socket) throws IOException
    {
        while (true)
        {
            final byte[] prefix = socket.getInputStream().readNBytes(4);
            final int length = ByteBuffer.wrap(prefix).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
            final byte[] frame = Arrays.copyOf(prefix, 4 + length);
            System.arraycopy(socket.getInputStream().readNBytes(length), 0, frame, 4, length);
            if ((frame[6] & 0xFF | (frame[7] & 0xFF) << 8) != WireClient.HEARTBEAT)
            {
                return frame;
            }
        }
    }

    private static double metric(final PrimaryNode node, final String series) throws Exception
    {
        final String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://" + hostPort(node.httpAddress()) + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        final Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        assertTrue(matcher.find(), series + " in /metrics");
        return Double.parseDouble(matcher.group(1));
    }

    private static double metricQuietly(final PrimaryNode node, final String series)
    {
        try
        {
            return metric(node, series);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static String hostPort(final InetSocketAddress address)
    {
        return address.getHostString() + ":" + address.getPort();
    }

    /**
     * A client trading alongside: places a resting order on its own instrument and cancels it, over and over; any
     * answer other than NEW then CANCELED, each with its BatchEnd, or a lost connection, is an error.
     */
    private static final class Bystander implements Runnable
    {
        private final WireClient client;
        private final Thread thread = new Thread(this, "bystander");
        final List<String> errors = new CopyOnWriteArrayList<>();
        final AtomicLong roundTrips = new AtomicLong();
        private volatile boolean running = true;

        Bystander(final WireClient client)
        {
            this.client = client;
        }

        void start()
        {
            thread.setDaemon(true);
            thread.start();
        }

        void awaitRoundTrips(final long count)
        {
            TestNodes.await(() -> roundTrips.get() >= count || !errors.isEmpty(), 30_000,
                "the bystander to trade");
        }

        void stop() throws Exception
        {
            running = false;
            thread.join(30_000);
            assertFalse(thread.isAlive());
            client.close();
        }

        @Override
        public void run()
        {
            long requestSeq = 0;
            try
            {
                while (running)
                {
                    final long placed = ++requestSeq;
                    final List<String> place = outcomes(client.request(newOrderFrame(placed, placed,
                        BYSTANDER_INSTRUMENT, BUY, LIMIT, GTC, false, 9_000, 1)));
                    final long cancelled = ++requestSeq;
                    final List<String> cancel = outcomes(client.request(WireClient.cancelFrame(cancelled, placed)));
                    if (!place.equals(List.of("NEW", "BatchEnd")) || !cancel.equals(List.of("CANCELED", "BatchEnd")))
                    {
                        errors.add("request " + placed + ": " + place + " " + cancel);
                        return;
                    }
                    if (!client.unsolicited.stream().allMatch(frame -> frame.templateId == WireClient.HEARTBEAT))
                    {
                        errors.add("unexpected unsolicited frames");
                        return;
                    }
                    roundTrips.incrementAndGet();
                    Thread.sleep(20);
                }
            }
            catch (final Exception ex)
            {
                errors.add(ex.toString());
            }
        }
    }
}
