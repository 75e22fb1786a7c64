package io.sluice.harness.check;

import io.sluice.harness.bench.BenchContext;
import io.sluice.harness.bench.BenchResult;
import io.sluice.harness.bench.LoadGenerator;
import io.sluice.harness.bench.StandaloneConfig;
import io.sluice.node.config.NodeConfig;
import io.sluice.node.primary.PrimaryNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bench records a history against a standalone primary in this JVM that is stopped and started again mid-run
 * (the clients reconnect and resend what was unanswered), and the checker finds the journal agrees with it.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HistoryCheckIT
{
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);

    @TempDir
    Path dir;

    private PrimaryNode node;
    private final ExecutorService benchThread = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop()
    {
        benchThread.shutdownNow();
        if (node != null)
        {
            node.close();
        }
    }

    @Test
    void shouldCheckCleanAfterPrimaryRestartUnderLoad() throws Exception
    {
        final int port = freePort();
        final Map<String, String> keys = StandaloneConfig.keys(dir.resolve("data"), "local", 1);
        keys.put("client.bind", "127.0.0.1:" + port);
        final NodeConfig config = NodeConfig.parse(keys, dir);
        node = PrimaryNode.start(config);
        final Path historyFile = dir.resolve("history.jsonl");
        final BenchContext context = new BenchContext()
            .endpoints(List.of(new InetSocketAddress("127.0.0.1", port), new InetSocketAddress("127.0.0.1", freePort())))
            .ratePerSecond(500)
            .connections(2)
            .instruments(1)
            .warmupNs(0)
            .durationNs(3 * SECOND_NS)
            .drainTimeoutNs(30 * SECOND_NS)
            .reconnectTimeoutNs(60 * SECOND_NS)
            .historyFile(historyFile);

        final Future<BenchResult> bench = benchThread.submit(() -> LoadGenerator.run(context));
        awaitWireSeq(300);
        node.close();
        node = PrimaryNode.start(config);
        final BenchResult result = bench.get(120, TimeUnit.SECONDS);
        node.close();
        node = null;

        final History history = History.read(historyFile);
        final CheckResult check = new HistoryChecker().primary(dir.resolve("data")).policy("local").config(config)
            .check(history);

        assertTrue(check.passed(), check.violations().toString());
        assertTrue(result.reconnects() >= 2, "both connections failed over: " + result.reconnects());
        assertTrue(history.connects() >= 4, "first connects and reconnects recorded: " + history.connects());
        assertEquals(0, check.unanswered(), "every request was answered in the end");
        assertEquals(check.requests(), check.sequenced(), "all sequenced (local policy never halts)");
        assertTrue(check.acknowledged() > 0);
        assertTrue(check.notes().stream().anyMatch((note) -> note.startsWith("primary replayed to wireSeq")),
            check.notes().toString());
    }

    private void awaitWireSeq(final long wireSeq)
    {
        final long deadlineNs = System.nanoTime() + 60 * SECOND_NS;
        while (node.lastWireSeq() < wireSeq)
        {
            assertTrue(System.nanoTime() < deadlineNs, "bench did not reach wireSeq " + wireSeq);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }
}
