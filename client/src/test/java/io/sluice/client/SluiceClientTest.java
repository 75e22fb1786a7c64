package io.sluice.client;

import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.ExecutionReportDecoder;
import io.sluice.sbe.client.HaltedDecoder;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SluiceClientTest
{
    private final IdleStrategy idle = new BackoffIdleStrategy(1, 1, 1_000, 1_000_000);
    private final List<Long> batchEnds = new ArrayList<>();
    private final List<Long> reportClientOrderIds = new ArrayList<>();
    private final List<Integer> resends = new ArrayList<>();
    private final List<Long> resentRequestSeqs = new ArrayList<>();
    private final List<Long> haltedRequestSeqs = new ArrayList<>();
    private final List<Long> logonLastRequestSeqs = new ArrayList<>();
    private final List<String> disconnects = new ArrayList<>();
    private final ClientListener listener = new ClientListener()
    {
        public void onExecutionReport(final ExecutionReportDecoder report)
        {
            assertEquals(ExecType.NEW, report.execType());
            reportClientOrderIds.add(report.clientOrderId());
        }

        public void onBatchEnd(final long requestSeq, final long wireSeq)
        {
            batchEnds.add(requestSeq);
        }

        public void onConnected(final java.net.InetSocketAddress endpoint, final long lastRequestSeq, final int resent)
        {
            resends.add(resent);
            logonLastRequestSeqs.add(lastRequestSeq);
        }

        public void onResend(final long requestSeq)
        {
            resentRequestSeqs.add(requestSeq);
        }

        public void onHalted(final HaltedDecoder halted)
        {
            haltedRequestSeqs.add(halted.requestSeq());
        }

        public void onDisconnect(final String reason)
        {
            disconnects.add(reason);
        }
    };

    private FakeServer server;

    @BeforeEach
    void startServer() throws IOException
    {
        server = new FakeServer();
    }

    @AfterEach
    void stopServer() throws Exception
    {
        server.close();
    }

    private ClientContext context()
    {
        return new ClientContext().endpoint(server.endpoint()).sessionId(7).accountId(70).reconnectTimeoutMs(5_000);
    }

    private long order(final SluiceClient client, final long clientOrderId)
    {
        return client.placeOrder(clientOrderId, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, false, 100, 1);
    }

    @Test
    void shouldLogOnAndReceiveRepliesInOrder() throws Exception
    {
        try (SluiceClient client = new SluiceClient(context(), listener))
        {
            client.connect();
            final long first = order(client, 11);
            order(client, 12);
            final long third = order(client, 13);

            assertTrue(client.awaitAllAnswered(5, TimeUnit.SECONDS, idle));
            assertEquals(1, first);
            assertEquals(3, third);
            assertEquals(List.of(11L, 12L, 13L), reportClientOrderIds);
            assertEquals(List.of(1L, 2L, 3L), batchEnds);
            assertEquals(0, client.inFlight());
        }
    }

    @Test
    void shouldAnswerSyncRequestWithAwait() throws Exception
    {
        try (SluiceClient client = new SluiceClient(context(), listener))
        {
            client.connect();
            final long requestSeq = client.queryBook(1, 5);

            assertTrue(client.awaitAnswer(requestSeq, 5, TimeUnit.SECONDS, idle));
            assertEquals(List.of(requestSeq), batchEnds);
        }
    }

    @Test
    void shouldResendUnansweredRequestsAfterConnectionLoss() throws Exception
    {
        server.dropFirstConnectionAfter = 2;
        try (SluiceClient client = new SluiceClient(context(), listener))
        {
            client.connect();
            for (int i = 1; i <= 5; i++)
            {
                order(client, 100 + i);
            }

            assertTrue(client.awaitAllAnswered(10, TimeUnit.SECONDS, idle));
            assertEquals(1, client.reconnects());
            assertEquals(List.of(0, 3), resends);
            assertEquals(List.of(3L, 4L, 5L), server.requestSeqsPerConnection.get(1));
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L), batchEnds);
        }
    }

    @Test
    void shouldReconnectWhenConnectionResetWhileSending() throws Exception
    {
        server.dropFirstConnectionAfter = 0;
        try (SluiceClient client = new SluiceClient(context(), listener))
        {
            client.connect();
            for (int i = 1; i <= 2_000; i++)
            {
                order(client, i);
                client.poll();
            }

            assertTrue(client.awaitAllAnswered(10, TimeUnit.SECONDS, idle));
            assertTrue(client.reconnects() >= 1);
            assertEquals(2_000, batchEnds.size());
        }
    }

    @Test
    void shouldNumberRequestsAfterServerHighWaterMark() throws Exception
    {
        server.lastRequestSeqForLogon = 100;
        try (SluiceClient client = new SluiceClient(context(), listener))
        {
            client.connect();

            assertEquals(101, order(client, 1));
            assertTrue(client.awaitAllAnswered(5, TimeUnit.SECONDS, idle));
            assertEquals(List.of(101L), server.requestSeqsPerConnection.get(0));
        }
    }

    @Test
    void shouldReportBackPressureWhenWindowFull() throws Exception
    {
        server.answer = false;
        try (SluiceClient client = new SluiceClient(context().maxInFlight(2), listener))
        {
            client.connect();
            order(client, 1);
            order(client, 2);

            assertEquals(SluiceClient.BACK_PRESSURED, order(client, 3));
            assertEquals(2, client.inFlight());
        }
    }

    @Test
    void shouldMoveToNextEndpointWhenFirstRefuses() throws Exception
    {
        final int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            closedPort = probe.getLocalPort();
        }
        final ClientContext context = new ClientContext()
            .endpoints("127.0.0.1:" + closedPort + ",127.0.0.1:" + server.endpoint().getPort())
            .sessionId(1).accountId(1);
        try (SluiceClient client = new SluiceClient(context, listener))
        {
            client.connect();

            assertEquals(server.endpoint().getPort(), client.endpoint().getPort());
        }
    }

    @Test
    void shouldFailOverToNextListeningEndpointAndResendUnanswered() throws Exception
    {
        server.dropFirstConnectionAfter = 2;
        server.crashOnDrop = true;
        try (FakeServer survivor = new FakeServer())
        {
            survivor.lastRequestSeqForLogon = 2;
            final ClientContext context = new ClientContext()
                .endpoints("127.0.0.1:" + server.endpoint().getPort() + ",127.0.0.1:" + closedPort() +
                    ",127.0.0.1:" + survivor.endpoint().getPort())
                .sessionId(7).accountId(70).reconnectTimeoutMs(10_000).reconnectBackoffMs(5);
            try (SluiceClient client = new SluiceClient(context, listener))
            {
                client.connect();
                for (int i = 1; i <= 5; i++)
                {
                    order(client, 100 + i);
                }

                assertTrue(client.awaitAllAnswered(20, TimeUnit.SECONDS, idle));
                assertEquals(survivor.endpoint().getPort(), client.endpoint().getPort());
                assertEquals(List.of(3L, 4L, 5L), resentRequestSeqs);
                assertEquals(List.of(3L, 4L, 5L), survivor.requestSeqsPerConnection.get(0));
                assertEquals(List.of(0L, 2L), logonLastRequestSeqs, "the survivor's high-water mark is reported");
                assertEquals(List.of(1L, 2L, 3L, 4L, 5L), batchEnds);
                assertEquals(6, client.nextRequestSeq());
            }
        }
    }

    @Test
    void shouldLeaveHaltedNodeAndResendToNextWhenFailoverOnHalt() throws Exception
    {
        server.halt = true;
        try (FakeServer trading = new FakeServer())
        {
            final ClientContext context = new ClientContext()
                .endpoints("127.0.0.1:" + server.endpoint().getPort() + ",127.0.0.1:" + trading.endpoint().getPort())
                .sessionId(7).accountId(70).failoverOnHalt(true).reconnectBackoffMs(5);
            try (SluiceClient client = new SluiceClient(context, listener))
            {
                client.connect();
                order(client, 1);
                order(client, 2);

                assertTrue(client.awaitAllAnswered(20, TimeUnit.SECONDS, idle));
                assertEquals(trading.endpoint().getPort(), client.endpoint().getPort());
                assertEquals(List.of(), haltedRequestSeqs, "a halted answer is not delivered");
                assertEquals(List.of(1L, 2L), trading.requestSeqsPerConnection.get(0));
                assertEquals(List.of(1L, 2L), batchEnds);
                assertTrue(disconnects.get(0).contains("halted"), disconnects.toString());
            }
        }
    }

    @Test
    void shouldDeliverHaltedAnswerWithoutFailoverOnHalt() throws Exception
    {
        server.halt = true;
        try (SluiceClient client = new SluiceClient(context(), listener))
        {
            client.connect();
            final long requestSeq = order(client, 1);

            assertTrue(client.awaitAnswer(requestSeq, 5, TimeUnit.SECONDS, idle));
            assertEquals(List.of(requestSeq), haltedRequestSeqs);
            assertEquals(0, client.reconnects());
        }
    }

    @Test
    void shouldLogOnAgainBeforeSendingAfterARefusedRequest() throws Exception
    {
        server.halt = true;
        try (SluiceClient client = new SluiceClient(context(), listener))
        {
            client.connect();
            final long refused = order(client, 1);
            assertTrue(client.awaitAnswer(refused, 5, TimeUnit.SECONDS, idle));
            assertEquals(List.of(refused), haltedRequestSeqs);

            // The node refuses the rest of a connection's requests after a refusal: the next one goes out on a
            // fresh logon, not on the refusing connection.
            server.halt = false;
            final long next = order(client, 2);
            assertTrue(client.awaitAnswer(next, 5, TimeUnit.SECONDS, idle));
            assertEquals(2, server.requestSeqsPerConnection.size(), "logged on again");
            assertEquals(List.of(refused), server.requestSeqsPerConnection.get(0));
            assertEquals(List.of(next), server.requestSeqsPerConnection.get(1));
            assertTrue(disconnects.isEmpty(), "logging on again is not a lost connection: " + disconnects);
        }
    }

    @Test
    void shouldGiveUpWhenOnlyHaltedNodesAnswer() throws Exception
    {
        server.halt = true;
        final ClientContext context = context().failoverOnHalt(true).reconnectTimeoutMs(300).reconnectBackoffMs(20);
        try (SluiceClient client = new SluiceClient(context, listener))
        {
            client.connect();
            order(client, 1);

            assertThrows(IOException.class, () -> client.awaitAllAnswered(30, TimeUnit.SECONDS, idle));
            assertEquals(1, client.inFlight(), "the request was never answered");
            assertTrue(server.requestSeqsPerConnection.size() >= 2, "it was sent to the halted node again");
        }
    }

    private static int closedPort() throws IOException
    {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return probe.getLocalPort();
        }
    }

    @Test
    void shouldSignLogonChallengeWithConfiguredKey() throws Exception
    {
        final ClientContext context = context().keyPair(KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
        try (SluiceClient client = new SluiceClient(context, listener))
        {
            client.connect();
            assertTrue(client.awaitAnswer(order(client, 1), 5, TimeUnit.SECONDS, idle));
        }

        assertEquals(List.of(true), server.signatureValidPerConnection);
    }

    @Test
    void shouldSendUnsignedLogonWithoutKey() throws Exception
    {
        try (SluiceClient client = new SluiceClient(context(), listener))
        {
            client.connect();
            assertTrue(client.awaitAnswer(order(client, 1), 5, TimeUnit.SECONDS, idle));
        }

        assertEquals(List.of(false), server.signatureValidPerConnection);
    }

    @Test
    void shouldRefuseBadEndpoints()
    {
        assertThrows(IllegalArgumentException.class, () -> new ClientContext().endpoints("localhost"));
        assertThrows(IllegalArgumentException.class, () -> new ClientContext().endpoints("localhost:99999"));
        assertThrows(IllegalArgumentException.class, () -> new ClientContext().endpoints("localhost:http"));
        assertThrows(IllegalArgumentException.class, () -> new SluiceClient(new ClientContext(), listener));
    }
}
