package io.sluice.node.primary;

import io.sluice.client.ClientContext;
import io.sluice.client.ClientListener;
import io.sluice.client.SluiceClient;
import io.sluice.node.admin.AdminClient;
import io.sluice.node.audit.AuditLog;
import io.sluice.node.auth.KeyFiles;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import io.sluice.wire.LogonSignatures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.sluice.node.primary.TestNodes.IDLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A primary's audit log: admin commands that change something, with the operator key's fingerprint and the result,
 * refused operators, client logons (accepted and refused, with the key's fingerprint) and logoffs, and a fence, each a
 * key=value line in data.dir/audit.log, none in the diagnostic log's place.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AuditIT
{
    @TempDir
    Path dir;

    @Test
    void shouldRecordWhoDidWhatToTheNode() throws Exception
    {
        final KeyPair trader = KeyFiles.generate();
        final KeyPair operator = KeyFiles.generate();
        Files.write(dir.resolve("authorized_keys"), List.of(
            KeyFiles.publicKeyBase64(trader.getPublic()) + " trader account=1",
            KeyFiles.publicKeyBase64(operator.getPublic()) + " operator"));
        final Map<String, String> raw = TestNodes.standaloneConfig(dir.resolve("data"));
        raw.put("auth", "on");
        raw.put("auth.keys.file", "authorized_keys");
        final PrimaryNode node = PrimaryNode.start(TestNodes.config(raw, dir));
        try
        {
            try (SluiceClient client = client(node, trader))
            {
                assertTrue(client.awaitAnswer(client.placeOrder(1, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC,
                    false, 9_900, 5), 10, TimeUnit.SECONDS, IDLE));
            }
            assertThrows(IOException.class, () -> client(node, KeyFiles.generate()), "an unknown key");
            try (AdminClient admin = new AdminClient(node.adminAddress(), 10_000, operator))
            {
                admin.execute("STATUS");
                admin.execute("DURABILITY");
                assertEquals("OK trading halted by operator", admin.execute("HALT").get(0));
                admin.execute("RESUME");
                admin.execute("DURABILITY local");
            }
            assertThrows(IOException.class, () -> new AdminClient(node.adminAddress(), 10_000, trader)
                .execute("HALT"), "a trader's key on the admin port");
            node.fence().fence(2, "replica node 2 reported epoch 2 in a signed epoch proof on slot 0");
        }
        finally
        {
            node.close();
        }

        final List<String> events = Files.readAllLines(dir.resolve("data").resolve(AuditLog.FILE_NAME));
        final String operatorKey = AuditLog.fingerprint(LogonSignatures.rawPublicKey(operator.getPublic()));
        final String traderKey = AuditLog.fingerprint(LogonSignatures.rawPublicKey(trader.getPublic()));
        final String all = events.stream().collect(Collectors.joining("\n"));
        assertTrue(events.get(0).contains(" node=1 event=node_started role=primary epoch=1 wire_seq=0"), all);
        assertTrue(events.get(events.size() - 1).contains(" event=node_stopped role=primary wire_seq=1"), all);
        assertOne(events, "event=client_logon session=1 account=1 connection=", " key=" + traderKey + " result=ACCEPTED");
        assertOne(events, "event=client_logon session=1 account=1 connection=", " result=UNKNOWN_KEY");
        assertOne(events, "event=client_logoff session=1 account=1 connection=", " reason=CLIENT_CLOSED");
        assertOne(events, "event=admin_command operator=" + operatorKey + " remote=",
            " command=HALT args=\"\" result=\"OK trading halted by operator\"");
        assertOne(events, "event=admin_command operator=" + operatorKey, " command=RESUME");
        assertOne(events, "event=admin_command operator=" + operatorKey,
            " command=DURABILITY args=local result=\"OK local -> local\"");
        assertEquals(3, events.stream().filter(line -> line.contains("event=admin_command")).count(),
            "queries (STATUS, DURABILITY alone) are not audited: " + all);
        assertOne(events, "event=admin_auth_failed operator=" + traderKey, " reason=");
        assertOne(events, "event=fenced epoch=2 reason=", "signed epoch proof");
    }

    private static void assertOne(final List<String> events, final String start, final String rest)
    {
        final long found = events.stream().filter(line -> line.contains(start) && line.contains(rest)).count();
        assertEquals(1, found, start + " ... " + rest + " in\n" + String.join("\n", events));
    }

    private static SluiceClient client(final PrimaryNode node, final KeyPair key) throws IOException
    {
        final SluiceClient client = new SluiceClient(new ClientContext().endpoint(node.clientAddress())
            .sessionId(1).accountId(1).keyPair(key).autoReconnect(false), new ClientListener()
            {
            });
        client.connect();
        return client;
    }
}
