package io.sluice.node.primary;

import io.sluice.client.ClientContext;
import io.sluice.client.ClientListener;
import io.sluice.client.SluiceClient;
import io.sluice.node.admin.AdminClient;
import io.sluice.node.auth.KeyFiles;
import io.sluice.pipeline.net.CloseReason;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.ExecutionReportDecoder;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.sluice.node.primary.TestNodes.IDLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A primary with auth=on: Ed25519 challenge-response logon checked against authorized_keys, roles per listener,
 * and no trader reaching another account's orders.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AuthIT
{
    @TempDir
    Path dir;

    private PrimaryNode node;
    private KeyPair traderA;
    private KeyPair traderB;
    private KeyPair readOnly;
    private KeyPair operator;

    @BeforeEach
    void start() throws Exception
    {
        traderA = KeyFiles.generate();
        traderB = KeyFiles.generate();
        readOnly = KeyFiles.generate();
        operator = KeyFiles.generate();
        Files.write(dir.resolve("authorized_keys"), List.of(
            KeyFiles.publicKeyBase64(traderA.getPublic()) + " trader account=1",
            KeyFiles.publicKeyBase64(traderB.getPublic()) + " trader account=2",
            KeyFiles.publicKeyBase64(readOnly.getPublic()) + " read-only",
            KeyFiles.publicKeyBase64(operator.getPublic()) + " operator"));
        final Map<String, String> raw = TestNodes.standaloneConfig(dir.resolve("data"));
        raw.put("auth", "on");
        raw.put("auth.keys.file", "authorized_keys");
        node = PrimaryNode.start(TestNodes.config(raw, dir));
    }

    @AfterEach
    void stop()
    {
        node.close();
    }

    private SluiceClient connect(final long sessionId, final long accountId, final KeyPair keys,
        final ClientListener listener) throws IOException
    {
        final SluiceClient client = new SluiceClient(new ClientContext().endpoint(node.clientAddress())
            .sessionId(sessionId).accountId(accountId).keyPair(keys).autoReconnect(false), listener);
        client.connect();
        return client;
    }

    private long closed(final CloseReason reason)
    {
        return node.readers().stream().mapToLong(r -> r.counters().closed(reason)).sum();
    }

    @Test
    void shouldTradeWithListedKeyAndRefuseOthers() throws Exception
    {
        try (SluiceClient good = connect(1, 1, traderA, new ClientListener()
        {
        }))
        {
            assertTrue(good.awaitAnswer(good.placeOrder(1, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false,
                9_900, 5), 10, TimeUnit.SECONDS, IDLE));
        }

        assertThrows(IOException.class, () -> connect(2, 1, null, new ClientListener()
        {
        }), "unsigned logon");
        assertThrows(IOException.class, () -> connect(3, 1, KeyFiles.generate(), new ClientListener()
        {
        }), "unknown key");
        assertThrows(IOException.class, () -> connect(4, 1, operator, new ClientListener()
        {
        }), "operator key on the order port");
        assertThrows(IOException.class, () -> connect(5, 2, traderA, new ClientListener()
        {
        }), "trader A claiming account 2");

        TestNodes.await(() -> closed(CloseReason.LOGON_REFUSED) == 4, 10_000, "four refused logons counted");
        assertEquals(1, node.lastWireSeq(), "nothing from refused connections reached the sequencer");
    }

    @Test
    void shouldNotLetTraderTouchAnotherAccountsOrders() throws Exception
    {
        final List<String> seenByB = new CopyOnWriteArrayList<>();
        try (SluiceClient a = connect(1, 1, traderA, new ClientListener()
        {
        });
            SluiceClient b = connect(2, 2, traderB, new ClientListener()
            {
                public void onExecutionReport(final ExecutionReportDecoder report)
                {
                    seenByB.add(report.execType() + ":" + report.rejectReason());
                }
            }))
        {
            assertTrue(a.awaitAnswer(a.placeOrder(77, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false, 9_900,
                5), 10, TimeUnit.SECONDS, IDLE));

            assertTrue(b.awaitAnswer(b.cancelOrder(77), 10, TimeUnit.SECONDS, IDLE));
            assertTrue(b.awaitAnswer(b.replaceOrder(77, 9_800, 1), 10, TimeUnit.SECONDS, IDLE));
            assertTrue(b.awaitAnswer(b.massCancel(0), 10, TimeUnit.SECONDS, IDLE));

            assertEquals(List.of(ExecType.REJECTED + ":" + RejectReason.UNKNOWN_ORDER,
                ExecType.REJECTED + ":" + RejectReason.UNKNOWN_ORDER), seenByB);
            assertTrue(a.awaitAnswer(a.queryBook(1, 5), 10, TimeUnit.SECONDS, IDLE));
        }
        try (SluiceClient auditor = connect(9, 1, readOnly, new ClientListener()
        {
            public void onBookSnapshot(final io.sluice.sbe.client.BookSnapshotDecoder book)
            {
                for (final io.sluice.sbe.client.BookSnapshotDecoder.BidsDecoder bid : book.bids())
                {
                    seenByB.add("bid:" + bid.quantity() + "@" + bid.price());
                }
            }
        }))
        {
            assertTrue(auditor.awaitAnswer(auditor.queryBook(1, 5), 10, TimeUnit.SECONDS, IDLE));
        }
        assertTrue(seenByB.contains("bid:5@9900"), "A's order is untouched: " + seenByB);
    }

    @Test
    void shouldLetReadOnlyKeyQueryButNotTrade() throws Exception
    {
        final List<String> seen = new CopyOnWriteArrayList<>();
        try (SluiceClient reader = connect(9, 1, readOnly, new ClientListener()
        {
            public void onExecutionReport(final ExecutionReportDecoder report)
            {
                seen.add(report.requestSeq() + ":" + report.execType() + ":" + report.rejectReason());
            }
        }))
        {
            assertTrue(reader.awaitAnswer(reader.queryBook(1, 5), 10, TimeUnit.SECONDS, IDLE));

            final long order = reader.placeOrder(1, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false, 9_900, 1);
            assertTrue(reader.awaitAnswer(order, 10, TimeUnit.SECONDS, IDLE));
            assertEquals(List.of(order + ":" + ExecType.REJECTED + ":" + RejectReason.NOT_AUTHORIZED), seen);
            assertTrue(reader.awaitAnswer(reader.queryBook(1, 5), 10, TimeUnit.SECONDS, IDLE),
                "the connection carries on");
            assertTrue(reader.isConnected());
        }
        assertEquals(1, node.readers().stream().mapToLong(r -> r.counters().rejected(RejectReason.NOT_AUTHORIZED))
            .sum());
        assertEquals(0, node.lastWireSeq());
    }

    @Test
    void shouldAcceptOnlyOperatorKeysOnAdminListener() throws Exception
    {
        assertThrows(IOException.class, () -> new AdminClient(node.adminAddress(), 5_000, null));
        assertThrows(IOException.class, () -> new AdminClient(node.adminAddress(), 5_000, traderA));
        try (AdminClient admin = new AdminClient(node.adminAddress(), 5_000, operator))
        {
            assertTrue(admin.execute("STATUS").get(0).startsWith("OK role=primary"));
        }
    }
}
