package io.sluice.node.primary;

import io.sluice.node.NodeProcess;
import io.sluice.client.ClientContext;
import io.sluice.client.ClientListener;
import io.sluice.client.SluiceClient;
import io.sluice.journal.Journal;
import io.sluice.journal.SnapshotStore;
import io.sluice.matching.MatchingEngine;
import io.sluice.matching.SilentListener;
import io.sluice.node.config.NodeConfig;
import io.sluice.node.wiring.StageContexts;
import io.sluice.pipeline.sequencer.CommandApplier;
import io.sluice.pipeline.sequencer.ExchangeStateMachine;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Helpers for tests that run real nodes on loopback.
 */
final class TestNodes
{
    static final IdleStrategy IDLE = new BackoffIdleStrategy(1, 1, 1_000, 1_000_000);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern STATE_HASH =
        Pattern.compile("\"state_hash\":\\{\"wire_seq\":(\\d+),\"hash\":\"([0-9a-f]+)\"");

    private TestNodes()
    {
    }

    /**
     * A standalone primary configuration on free loopback ports with one instrument (id 1, tick 1, lot 1,
     * quantity 1..1,000,000, reference 10,000, band 50%).
     */
    static Map<String, String> standaloneConfig(final Path dataDir)
    {
        final Map<String, String> raw = new HashMap<>();
        raw.put("data.dir", dataDir.toString());
        raw.put("client.bind", "127.0.0.1:0");
        raw.put("admin.bind", "127.0.0.1:0");
        raw.put("http.bind", "127.0.0.1:0");
        raw.put("durability", "local");
        raw.put("instrument.1.symbol", "ACME");
        raw.put("instrument.1.tick", "1");
        raw.put("instrument.1.lot", "1");
        raw.put("instrument.1.min.qty", "1");
        raw.put("instrument.1.max.qty", "1000000");
        raw.put("instrument.1.reference.price", "10000");
        raw.put("instrument.1.band.bps", "5000");
        return raw;
    }

    static NodeConfig config(final Map<String, String> raw, final Path baseDir)
    {
        return NodeConfig.parse(raw, baseDir);
    }

    static SluiceClient client(final InetSocketAddress endpoint, final long sessionId, final ClientListener listener)
        throws IOException
    {
        return client(endpoint, sessionId, sessionId * 100, listener);
    }

    static SluiceClient client(
        final InetSocketAddress endpoint, final long sessionId, final long accountId, final ClientListener listener)
        throws IOException
    {
        final SluiceClient client = new SluiceClient(new ClientContext()
            .endpoint(endpoint)
            .sessionId(sessionId)
            .accountId(accountId)
            .reconnectTimeoutMs(30_000), listener);
        client.connect();
        return client;
    }

    /**
     * Start {@code sluice primary --config FILE} as a child JVM with this JVM's module flags and class path, and
     * wait for its "listening" line.
     */
    static Process startPrimaryProcess(final Path config, final Path errorLog) throws IOException
    {
        return startNodeProcess("primary", config, errorLog);
    }

    /**
     * Start {@code sluice replica --config FILE} as a child JVM and wait until it runs.
     */
    static Process startReplicaProcess(final Path config, final Path errorLog) throws IOException
    {
        return startNodeProcess("replica", config, errorLog);
    }

    /** Logs go beside {@code errorLog}: NAME.log (stderr) and NAME.out, NAME being its file name without .err. */
    private static Process startNodeProcess(final String role, final Path config, final Path errorLog)
        throws IOException
    {
        final String fileName = errorLog.getFileName().toString();
        final String name = fileName.endsWith(".err") ? fileName.substring(0, fileName.length() - 4) : fileName;
        return NodeProcess.start(role, name, config, errorLog.getParent(), 60_000).process();
    }

    /**
     * Write a config file from key/value pairs.
     */
    static Path writeConfig(final Path file, final Map<String, String> raw) throws IOException
    {
        final StringBuilder text = new StringBuilder();
        raw.forEach((key, value) -> text.append(key).append(" = ").append(value).append('\n'));
        java.nio.file.Files.writeString(file, text.toString());
        return file;
    }

    /**
     * Ports handed out in this JVM: the kernel may offer a just-closed ephemeral port again, which a test would then
     * give to two nodes.
     */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static int freePort() throws IOException
    {
        while (true)
        {
            try (ServerSocket socket = new ServerSocket(0))
            {
                if (HANDED_OUT.add(socket.getLocalPort()))
                {
                    return socket.getLocalPort();
                }
            }
        }
    }

    /** @return {@code count} ports from {@link #freePort()}. */
    static int[] freePorts(final int count) throws IOException
    {
        final int[] ports = new int[count];
        for (int i = 0; i < count; i++)
        {
            ports[i] = freePort();
        }
        return ports;
    }

    static void await(final BooleanSupplier condition, final long timeoutMs, final String what)
    {
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            IDLE.idle();
        }
        IDLE.reset();
    }

    /**
     * @return the node's {@code /healthz} body, or "" while it cannot be reached.
     */
    static String healthz(final int httpPort)
    {
        try
        {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/healthz")).GET()
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        }
        catch (final IOException ex)
        {
            return "";
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /**
     * The hash of a replica's matching state once it has applied {@code wireSeq}, as its {@code /healthz} reports it
     * (each request for it asks for the next); waits up to 20 s.
     */
    static String stateHashAt(final int replicaHttpPort, final long wireSeq) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline)
        {
            final Matcher matcher = STATE_HASH.matcher(healthz(replicaHttpPort));
            if (matcher.find() && Long.parseLong(matcher.group(1)) == wireSeq)
            {
                return matcher.group(2);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("replica on " + replicaHttpPort + " never reported a hash at wireSeq " + wireSeq);
    }

    /**
     * @param config of a stopped node.
     * @return the hash of the matching state its journal recovers to, in the form replicas report it.
     */
    static String replayedStateHash(final Path config) throws Exception
    {
        final NodeConfig nodeConfig = NodeConfig.load(config, Map.of());
        final MatchingEngine engine = new MatchingEngine(new StageContexts(nodeConfig).engine(),
            SilentListener.INSTANCE);
        try (Journal journal = Journal.open(new Journal.Context().directory(nodeConfig.dataDir().resolve("journal"))
            .nodeId(nodeConfig.get(NodeConfig.NODE_ID))))
        {
            journal.recover(new SnapshotStore(journal.snapshotDirectory()),
                new ExchangeStateMachine(new CommandApplier(engine)));
        }
        return Long.toHexString(engine.stateHash());
    }
}
