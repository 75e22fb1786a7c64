package io.sluice.node.primary;

import io.sluice.client.ClientListener;
import io.sluice.client.SluiceClient;
import io.sluice.node.NodeMain;
import io.sluice.node.NodeProcess;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.sluice.node.primary.TestNodes.IDLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node owns its data directory: while a primary runs, a second primary or a replica started on the same
 * {@code data.dir} (on other ports) is refused with one line naming the directory and the holder's pid, and exits 2,
 * and the first goes on trading; once the first is killed, a node starts there again and recovers its journal.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DataDirLockIT
{
    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void kill()
    {
        processes.forEach(Process::destroyForcibly);
    }

    private Map<String, String> config() throws Exception
    {
        final Map<String, String> raw = TestNodes.standaloneConfig(dir.resolve("data"));
        raw.put("client.bind", "127.0.0.1:" + TestNodes.freePort());
        raw.put("admin.bind", "127.0.0.1:" + TestNodes.freePort());
        raw.put("http.bind", "127.0.0.1:" + TestNodes.freePort());
        return raw;
    }

    @Test
    void shouldRefuseASecondNodeOnALiveDataDirectory() throws Exception
    {
        final Map<String, String> first = config();
        final Process holder = TestNodes.startPrimaryProcess(TestNodes.writeConfig(dir.resolve("first.conf"), first),
            dir.resolve("first.err"));
        processes.add(holder);
        final InetSocketAddress client = new InetSocketAddress("127.0.0.1",
            Integer.parseInt(first.get("client.bind").split(":")[1]));
        order(client, 1);

        final Path secondPrimary = TestNodes.writeConfig(dir.resolve("second.conf"), config());
        final Map<String, String> replica = config();
        replica.put("replication.data.bind", "127.0.0.1:" + TestNodes.freePort());
        replica.put("replication.primary.control", "127.0.0.1:" + TestNodes.freePort());
        final Path replicaOnIt = TestNodes.writeConfig(dir.resolve("replica.conf"), replica);
        for (final String[] run : new String[][]{ { "primary", secondPrimary.toString() },
            { "replica", replicaOnIt.toString() } })
        {
            final Path err = dir.resolve(run[0] + "-refused.err");
            final Process refused = new ProcessBuilder(NodeProcess.javaCommand(NodeMain.class.getName(),
                List.of(run[0], "--config", run[1]))).redirectError(err.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            processes.add(refused);
            assertTrue(refused.waitFor(60, TimeUnit.SECONDS), run[0] + " on a held data.dir did not exit");
            assertEquals(2, refused.exitValue(), run[0] + ": " + Files.readString(err));
            final List<String> lines = Files.readAllLines(err).stream().filter(line -> !line.isBlank()).toList();
            assertEquals(1, lines.size(), run[0] + " says why in one line: " + lines);
            assertEquals("sluice: cannot start: data.dir " + dir.resolve("data").toAbsolutePath() +
                " is in use by another node (pid " + holder.pid() + "); one node per data directory: stop that " +
                "node or give this one its own data.dir", lines.get(0));
        }

        order(client, 2);
        holder.destroyForcibly().waitFor();
        final Process next = TestNodes.startPrimaryProcess(secondPrimary, dir.resolve("next.err"));
        processes.add(next);
        assertTrue(Files.readString(dir.resolve("next.log")).contains("lastWireSeq=2"),
            "the next node recovered both orders of the killed one");
    }

    private static void order(final InetSocketAddress endpoint, final long orderId) throws Exception
    {
        try (SluiceClient client = TestNodes.client(endpoint, orderId, new ClientListener()
        {
        }))
        {
            assertTrue(client.awaitAnswer(client.placeOrder(orderId, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC,
                false, 9_900, 1), 30, TimeUnit.SECONDS, IDLE), "order " + orderId + " answered");
        }
    }
}
