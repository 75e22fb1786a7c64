package io.sluice.node.primary;

import io.aeron.ExclusivePublication;
import io.sluice.client.ClientContext;
import io.sluice.client.ClientListener;
import io.sluice.client.SluiceClient;
import io.sluice.node.admin.AdminClient;
import io.sluice.node.auth.KeyFiles;
import io.sluice.replication.ReplicationProtocol;
import io.sluice.replication.ReplicationTransport;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.ExecutionReportDecoder;
import io.sluice.sbe.client.HaltedDecoder;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import io.sluice.sbe.replication.EpochProofEncoder;
import io.sluice.sbe.replication.HandshakeEncoder;
import io.sluice.sbe.replication.HeartbeatEncoder;
import io.sluice.sbe.replication.JournalBatchEncoder;
import io.sluice.sbe.replication.MessageHeaderEncoder;
import io.sluice.sbe.replication.NodeRole;
import io.sluice.sbe.replication.StreamStartEncoder;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.sluice.node.primary.TestNodes.IDLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attacks of issue 16 on a cluster that runs the authenticated replication link (every node {@code auth = on}),
 * a primary and two replicas in processes of their own under {@code hybrid}, from an attacker that holds no key and
 * sends from an Aeron driver of its own while a client trades: forged heartbeats and epoch proofs claiming a higher
 * epoch, a flood of unsigned and forged handshakes at each slot, handshakes cut short, forged stream messages at
 * the replicas, and random datagrams. Trading and both replica streams go on untouched, the primary is never
 * fenced, every drop is counted in STATUS and {@code /metrics}, the refusals the primary logs stay few, and both
 * replicas end with the state the primary's journal replays to.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ReplicationAttackIT
{
    private static final Pattern COUNTER = Pattern.compile("unauthenticated_messages=(\\d+)");
    private static final Pattern MALFORMED = Pattern.compile("malformed_messages=(\\d+)");
    private static final Pattern WIRE_SEQ = Pattern.compile("^wire_seq=(\\d+) ");
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int ORDERS_PER_ROUND = 20;

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2048]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private ReplicationTransport attacker;

    @AfterEach
    void stop()
    {
        CloseHelper.quietClose(attacker);
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void shouldTradeAndStreamUntouchedWhileAnAttackerWithoutKeysSendsAnything() throws Exception
    {
        final KeyPair primaryKey = KeyFiles.generate();
        final KeyPair replicaAKey = KeyFiles.generate();
        final KeyPair replicaBKey = KeyFiles.generate();
        final KeyPair operator = KeyFiles.generate();
        final KeyPair trader = KeyFiles.generate();
        KeyFiles.write(primaryKey, dir.resolve("primary.key"));
        KeyFiles.write(replicaAKey, dir.resolve("replica-a.key"));
        KeyFiles.write(replicaBKey, dir.resolve("replica-b.key"));
        Files.write(dir.resolve("authorized_keys"), List.of(
            KeyFiles.publicKeyBase64(primaryKey.getPublic()) + " replication",
            KeyFiles.publicKeyBase64(replicaAKey.getPublic()) + " replication",
            KeyFiles.publicKeyBase64(replicaBKey.getPublic()) + " replication",
            KeyFiles.publicKeyBase64(operator.getPublic()) + " operator",
            KeyFiles.publicKeyBase64(trader.getPublic()) + " trader account=1"));

        final int[] primaryPorts = TestNodes.freePorts(3);
        final int[] replicaAPorts = TestNodes.freePorts(3);
        final int[] replicaBPorts = TestNodes.freePorts(3);
        final int[] udp = TestNodes.freePorts(4);
        final Map<String, String> primary = nodeConfig("primary", 1, primaryPorts, "primary.key");
        primary.put("durability", "hybrid");
        primary.put("replication.replica.0.data", "127.0.0.1:" + udp[0]);
        primary.put("replication.replica.0.control", "127.0.0.1:" + udp[1]);
        primary.put("replication.replica.1.data", "127.0.0.1:" + udp[2]);
        primary.put("replication.replica.1.control", "127.0.0.1:" + udp[3]);
        final Map<String, String> replicaA = nodeConfig("replica-a", 2, replicaAPorts, "replica-a.key");
        replicaA.put("replication.data.bind", "127.0.0.1:" + udp[0]);
        replicaA.put("replication.primary.control", "127.0.0.1:" + udp[1]);
        final Map<String, String> replicaB = nodeConfig("replica-b", 3, replicaBPorts, "replica-b.key");
        replicaB.put("replication.data.bind", "127.0.0.1:" + udp[2]);
        replicaB.put("replication.primary.control", "127.0.0.1:" + udp[3]);
        final Path primaryConfig = TestNodes.writeConfig(dir.resolve("primary.conf"), primary);
        final Process primaryProcess = TestNodes.startPrimaryProcess(primaryConfig, dir.resolve("primary.err"));
        processes.add(primaryProcess);
        processes.add(TestNodes.startReplicaProcess(TestNodes.writeConfig(dir.resolve("replica-a.conf"), replicaA),
            dir.resolve("replica-a.err")));
        processes.add(TestNodes.startReplicaProcess(TestNodes.writeConfig(dir.resolve("replica-b.conf"), replicaB),
            dir.resolve("replica-b.err")));
        TestNodes.await(() -> healthzQuietly(primaryPorts[2]).contains("\"replicas_connected\":2"), 60_000,
            "both replicas connected over the authenticated link");
        final InetSocketAddress admin = new InetSocketAddress("127.0.0.1", primaryPorts[1]);
        assertEquals(2, count(status(admin, operator), "link=authenticated handshakes_accepted=1 "),
            status(admin, operator).toString());

        attacker = ReplicationTransport.launch(new ReplicationTransport.Context()
            .aeronDirectoryName(dir.resolve("attacker-aeron").toString()));
        final ExclusivePublication[] slots = {
            control(attacker, "127.0.0.1:" + udp[1]), control(attacker, "127.0.0.1:" + udp[3]) };
        final ExclusivePublication[] replicas = {
            data(attacker, "127.0.0.1:" + udp[0]), data(attacker, "127.0.0.1:" + udp[2]) };
        TestNodes.await(() -> slots[0].isConnected() && slots[1].isConnected() && replicas[0].isConnected() &&
            replicas[1].isConnected(), 30_000, "the attacker reaches every endpoint");

        final Counts counts = new Counts();
        final long attackStartNs = System.nanoTime();
        long orders = 0;
        try (SluiceClient client = new SluiceClient(new ClientContext()
            .endpoint(new InetSocketAddress("127.0.0.1", primaryPorts[0])).sessionId(1).accountId(1)
            .keyPair(trader).autoReconnect(false), counts))
        {
            client.connect();
            final SplittableRandom random = new SplittableRandom(16);
            for (int round = 0; round < 30; round++)
            {
                for (final ExclusivePublication slot : slots)
                {
                    // The datagram: a heartbeat with epoch 2, and a signed epoch from a key nobody listed.
                    offer(slot, heartbeat(66, 2));
                    offer(slot, epochProof(66, 2, KeyFiles.generate()));
                    // A flood of unsigned handshakes (10 per slot and round) and a few forged signed ones.
                    for (int i = 0; i < 10; i++)
                    {
                        offer(slot, handshake(random, random.nextInt(1, 1_000), i % 3 == 0 ?
                            ReplicationProtocol.PROTOCOL_VERSION : ReplicationProtocol.AUTHENTICATED_VERSION,
                            i % 5 == 4, HandshakeEncoder.BLOCK_LENGTH));
                    }
                    // Handshakes cut to 44 bytes of block: many, so some end a term.
                    for (int i = 0; i < 60; i++)
                    {
                        offer(slot, handshake(random, 66, ReplicationProtocol.AUTHENTICATED_VERSION, false, 44));
                    }
                    for (int i = 0; i < 50; i++)
                    {
                        offer(slot, garbage(random));
                    }
                }
                for (final ExclusivePublication replica : replicas)
                {
                    offer(replica, streamStart(99));
                    offer(replica, primaryHeartbeat(99));
                    offer(replica, batch(random));
                    offer(replica, garbage(random));
                }
                orders += trade(client, orders);
                IDLE.idle(client.poll());
            }
            assertTrue(client.awaitAllAnswered(60, TimeUnit.SECONDS, IDLE));
        }
        final double attackSeconds = (System.nanoTime() - attackStartNs) / 1e9;

        assertEquals(orders, counts.accepted, "every order accepted under hybrid; halted " + counts.halted +
            ", refused " + counts.refused);
        final List<String> status = status(admin, operator);
        assertTrue(status.contains("trading=active"), status.toString());
        assertEquals(2, count(status, "active=true"), status.toString());
        assertEquals(2, count(status, "link=authenticated handshakes_accepted=1 "),
            "neither replica stream was dropped: " + status);
        assertTrue(sum(COUNTER, status) > 0 && sum(MALFORMED, status) > 0, status.toString());
        final String metrics = get(primaryPorts[2], "/metrics");
        assertTrue(metrics.matches("(?s).*sluice_replication_unauthenticated_messages_total\\{slot=\"0\"} [1-9].*"),
            metrics);
        assertTrue(metrics.matches("(?s).*sluice_replication_malformed_messages_total\\{slot=\"1\"} [1-9].*"),
            metrics);
        for (final int[] replica : new int[][]{ replicaAPorts, replicaBPorts })
        {
            final String health = get(replica[2], "/healthz");
            assertTrue(health.contains("\"state\":\"following\"") && health.contains("\"epoch\":1,"), health);
            assertFalse(health.contains("\"unauthenticated_messages\":0}"), "forged stream messages counted: " +
                health);
        }

        // Nothing forged reached a journal: both replicas applied what the primary sequenced, to the same state, and
        // it is the state the primary's own journal replays to.
        final long wireSeq = sum(WIRE_SEQ, status);
        assertTrue(wireSeq >= orders, status.toString());
        final String replicaHash = TestNodes.stateHashAt(replicaAPorts[2], wireSeq);
        assertEquals(replicaHash, TestNodes.stateHashAt(replicaBPorts[2], wireSeq), "replica B's state");
        primaryProcess.destroy();
        assertTrue(primaryProcess.waitFor(30, TimeUnit.SECONDS), "the primary stopped");
        assertEquals(replicaHash, TestNodes.replayedStateHash(primaryConfig),
            "the replicas' state equals the primary journal's at wireSeq " + wireSeq);

        final String log = Files.readString(dir.resolve("primary.log"));
        assertFalse(log.contains("fenced"), "the primary was never fenced");
        assertFalse(log.contains("IndexOutOfBounds") || log.contains("stage failed"), "nothing threw");
        final long refusalLines = log.lines().filter(line -> line.contains("handshake refused") ||
            line.contains("dropped a handshake")).count();
        final double allowed = 2 * 2 * (5 + attackSeconds / 10 + 1);
        assertTrue(refusalLines <= allowed, refusalLines + " refusal lines in " + attackSeconds + " s, at most " +
            allowed + " allowed");
    }

    /** A few orders that rest: a bid and an offer that do not cross. */
    private static int trade(final SluiceClient client, final long sent) throws java.io.IOException
    {
        for (int i = 0; i < ORDERS_PER_ROUND; i++)
        {
            final long id = sent + i;
            while (client.placeOrder(id, 1, id % 2 == 0 ? Side.BUY : Side.SELL, OrderType.LIMIT, TimeInForce.GTC,
                false, id % 2 == 0 ? 9_000 : 11_000, 1) == SluiceClient.BACK_PRESSURED)
            {
                IDLE.idle(client.poll());
            }
        }
        return ORDERS_PER_ROUND;
    }

    private static final class Counts implements ClientListener
    {
        long accepted;
        long refused;
        long halted;

        public void onExecutionReport(final ExecutionReportDecoder report)
        {
            if (report.execType() == ExecType.NEW)
            {
                accepted++;
            }
            else if (report.execType() == ExecType.REJECTED)
            {
                refused++;
            }
        }

        public void onHalted(final HaltedDecoder decoder)
        {
            halted++;
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    private Map<String, String> nodeConfig(final String name, final int nodeId, final int[] ports, final String key)
    {
        final Map<String, String> raw = TestNodes.standaloneConfig(dir.resolve(name));
        raw.remove("durability");
        raw.put("node.id", Integer.toString(nodeId));
        raw.put("aeron.dir", dir.resolve(name).resolve("aeron").toString());
        raw.put("client.bind", "127.0.0.1:" + ports[0]);
        raw.put("admin.bind", "127.0.0.1:" + ports[1]);
        raw.put("http.bind", "127.0.0.1:" + ports[2]);
        raw.put("auth", "on");
        raw.put("auth.keys.file", dir.resolve("authorized_keys").toString());
        raw.put("replication.key.file", dir.resolve(key).toString());
        return raw;
    }

    private static List<String> status(final InetSocketAddress admin, final KeyPair operator) throws Exception
    {
        try (AdminClient client = new AdminClient(admin, 10_000, operator))
        {
            return client.execute("STATUS");
        }
    }

    private static long count(final List<String> lines, final String part)
    {
        return lines.stream().filter(line -> line.contains(part)).count();
    }

    private static long sum(final Pattern pattern, final List<String> lines)
    {
        long total = 0;
        for (final String line : lines)
        {
            final Matcher matcher = pattern.matcher(line);
            while (matcher.find())
            {
                total += Long.parseLong(matcher.group(1));
            }
        }
        return total;
    }

    private String get(final int port, final String path) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
            HttpResponse.BodyHandlers.ofString()).body();
    }

    private String healthzQuietly(final int port)
    {
        try
        {
            return get(port, "/healthz");
        }
        catch (final Exception ex)
        {
            return "";
        }
    }

    private static ExclusivePublication control(final ReplicationTransport transport, final String endpoint)
    {
        return transport.aeron().addExclusivePublication(transport.publicationChannel(endpoint),
            ReplicationProtocol.CONTROL_STREAM_ID);
    }

    private static ExclusivePublication data(final ReplicationTransport transport, final String endpoint)
    {
        return transport.aeron().addExclusivePublication(transport.publicationChannel(endpoint),
            ReplicationProtocol.DATA_STREAM_ID);
    }

    private void offer(final ExclusivePublication publication, final int length)
    {
        while (publication.offer(buffer, 0, length) < 0)
        {
            IDLE.idle();
        }
        IDLE.reset();
    }

    private int heartbeat(final int nodeId, final long epoch)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + new HeartbeatEncoder().wrapAndApplyHeader(buffer, 0, header)
            .nodeId(nodeId).role(NodeRole.REPLICA).epoch(epoch).durabilityMode((short)1).timestampNs(1)
            .streamCorrelationId(0).lastWireSeq(0).policyPersistedCount((short)0).policyInMemoryCount((short)0)
            .encodedLength();
    }

    private int primaryHeartbeat(final long epoch)
    {
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + new HeartbeatEncoder()
            .wrapAndApplyHeader(buffer, 0, header).nodeId(1).role(NodeRole.PRIMARY).epoch(epoch)
            .durabilityMode((short)1).timestampNs(1).streamCorrelationId(0).lastWireSeq(1_000_000)
            .policyPersistedCount((short)0).policyInMemoryCount((short)0).encodedLength();
        buffer.setMemory(length, 24, (byte)7);
        return length + 24;
    }

    private int epochProof(final int nodeId, final long epoch, final KeyPair unlisted)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + new EpochProofEncoder().wrapAndApplyHeader(buffer, 0, header)
            .nodeId(nodeId).epoch(epoch)
            .putPublicKey(io.sluice.wire.LogonSignatures.rawPublicKey(unlisted.getPublic()), 0, 32)
            .putSignature(new byte[64], 0, 64).encodedLength();
    }

    private int handshake(final SplittableRandom random, final int nodeId, final int version, final boolean signed,
        final int blockLength)
    {
        final byte[] bytes = new byte[160];
        if (signed)
        {
            random.nextBytes(bytes);
        }
        final HandshakeEncoder encoder = new HandshakeEncoder().wrapAndApplyHeader(buffer, 0, header)
            .nodeId(nodeId).protocolVersion(version).epoch(9).lastDurableWireSeq(0).lastEntryCrc32c(0)
            .configDigest(0).correlationId(random.nextLong()).snapshotRequested((short)0)
            .putChallenge(bytes, 0, 32).putPublicKey(bytes, 32, 32).putSignature(bytes, 64, 64)
            .putEphemeralKey(bytes, 128, 32);
        header.blockLength(blockLength);
        return MessageHeaderEncoder.ENCODED_LENGTH + Math.min(blockLength, encoder.encodedLength());
    }

    private int streamStart(final long epoch)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + new StreamStartEncoder().wrapAndApplyHeader(buffer, 0, header)
            .epoch(epoch).fromWireSeq(1).durabilityMode((short)1).correlationId(1).primaryNodeId(1).encodedLength();
    }

    private int batch(final SplittableRandom random)
    {
        final byte[] entries = new byte[200];
        random.nextBytes(entries);
        return MessageHeaderEncoder.ENCODED_LENGTH + new JournalBatchEncoder().wrapAndApplyHeader(buffer, 0, header)
            .firstWireSeq(random.nextLong(1, 1_000)).entryCount(1).sendTimestampNs(1)
            .putEntries(entries, 0, entries.length).encodedLength();
    }

    private int garbage(final SplittableRandom random)
    {
        final int length = random.nextInt(1, 300);
        final byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        buffer.putBytes(0, bytes);
        if (random.nextBoolean() && length >= MessageHeaderEncoder.ENCODED_LENGTH)
        {
            // Make it look like a replication message so it reaches the decoders.
            buffer.putShort(4, (short)MessageHeaderEncoder.SCHEMA_ID, ORDER);
            buffer.putShort(2, (short)random.nextInt(1, 12), ORDER);
        }
        return length;
    }
}
