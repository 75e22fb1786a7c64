package io.sluice.node.primary;

import io.sluice.node.admin.AdminClient;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three nodes as separate processes with symmetric configs (node 1 starts as primary, nodes 2 and 3 as its replicas,
 * and each can lead or follow the others after a PROMOTE), and what a test asks them: admin commands, /healthz, a
 * replica's state hash at a wireSeq. Call {@link #close()} from an {@code @AfterEach}.
 */
final class ThreeNodes implements AutoCloseable
{
    static final int PRIMARY = 0;
    static final int REPLICA_A = 1;
    static final int REPLICA_B = 2;
    private static final String[] NAMES = { "primary", "replica-a", "replica-b" };
    private static final Pattern HASH =
        Pattern.compile("\"state_hash\":\\{\"wire_seq\":(\\d+),\"hash\":\"([0-9a-f]+)\"");
    private static final Pattern APPLIED = Pattern.compile("applied_wire_seq=(\\d+)");

    private final Path dir;
    /** Per node: client, admin and http ports. */
    private final int[][] ports = new int[3][];
    private final Path[] configs = new Path[3];
    private final Process[] processes = new Process[3];
    private final List<Process> started = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    /**
     * Write the three configs under {@code dir}.
     *
     * @param extra keys every node gets besides the standalone ones and replication's.
     */
    ThreeNodes(final Path dir, final Map<String, String> extra) throws Exception
    {
        this.dir = dir;
        for (int node = 0; node < 3; node++)
        {
            ports[node] = new int[]{ TestNodes.freePort(), TestNodes.freePort(), TestNodes.freePort() };
        }
        final int aData = TestNodes.freePort();
        final int bData = TestNodes.freePort();
        final int primaryForA = TestNodes.freePort();
        final int primaryForB = TestNodes.freePort();
        final int aForB = TestNodes.freePort();
        final int bForA = TestNodes.freePort();

        final Map<String, String> primary = nodeConfig(PRIMARY, extra);
        primary.put("replication.replica.0.data", "127.0.0.1:" + aData);
        primary.put("replication.replica.0.control", "127.0.0.1:" + primaryForA);
        primary.put("replication.replica.1.data", "127.0.0.1:" + bData);
        primary.put("replication.replica.1.control", "127.0.0.1:" + primaryForB);
        final Map<String, String> replicaA = nodeConfig(REPLICA_A, extra);
        replicaA.put("replication.data.bind", "127.0.0.1:" + aData);
        replicaA.put("replication.primary.control", "127.0.0.1:" + primaryForA + ",127.0.0.1:" + bForA);
        replicaA.put("replication.replica.0.data", "127.0.0.1:" + bData);
        replicaA.put("replication.replica.0.control", "127.0.0.1:" + aForB);
        final Map<String, String> replicaB = nodeConfig(REPLICA_B, extra);
        replicaB.put("replication.data.bind", "127.0.0.1:" + bData);
        replicaB.put("replication.primary.control", "127.0.0.1:" + primaryForB + ",127.0.0.1:" + aForB);
        replicaB.put("replication.replica.0.data", "127.0.0.1:" + aData);
        replicaB.put("replication.replica.0.control", "127.0.0.1:" + bForA);
        configs[PRIMARY] = TestNodes.writeConfig(dir.resolve("primary.conf"), primary);
        configs[REPLICA_A] = TestNodes.writeConfig(dir.resolve("replica-a.conf"), replicaA);
        configs[REPLICA_B] = TestNodes.writeConfig(dir.resolve("replica-b.conf"), replicaB);
    }

    private Map<String, String> nodeConfig(final int node, final Map<String, String> extra)
    {
        final String name = NAMES[node];
        final Map<String, String> raw = TestNodes.standaloneConfig(dir.resolve(name));
        raw.remove("durability");
        raw.put("node.id", Integer.toString(node + 1));
        raw.put("aeron.dir", dir.resolve(name).resolve("aeron").toString());
        raw.put("client.bind", "127.0.0.1:" + ports[node][0]);
        raw.put("admin.bind", "127.0.0.1:" + ports[node][1]);
        raw.put("http.bind", "127.0.0.1:" + ports[node][2]);
        raw.putAll(extra);
        return raw;
    }

    /**
     * Start node 1 as primary and the others as its replicas, and wait until both replicas are connected.
     */
    void start() throws Exception
    {
        startPrimary(PRIMARY, "primary-1");
        processes[REPLICA_A] = started(TestNodes.startReplicaProcess(configs[REPLICA_A], errorLog("replica-a")));
        processes[REPLICA_B] = started(TestNodes.startReplicaProcess(configs[REPLICA_B], errorLog("replica-b")));
        TestNodes.await(() -> healthz(PRIMARY).contains("\"replicas_connected\":2"), 30_000,
            "both replicas connected");
    }

    /**
     * Start a node as primary ({@code sluice primary}) from its config, e.g. to restart one.
     *
     * @param logName its logs' name (NAME.log, NAME.err) in the test directory.
     */
    void startPrimary(final int node, final String logName) throws Exception
    {
        processes[node] = started(TestNodes.startPrimaryProcess(configs[node], errorLog(logName)));
    }

    private Process started(final Process process)
    {
        started.add(process);
        return process;
    }

    private Path errorLog(final String name)
    {
        return dir.resolve(name + ".err");
    }

    Process process(final int node)
    {
        return processes[node];
    }

    Path config(final int node)
    {
        return configs[node];
    }

    Path log(final String name)
    {
        return dir.resolve(name + ".log");
    }

    InetSocketAddress clientEndpoint(final int node)
    {
        return new InetSocketAddress("127.0.0.1", ports[node][0]);
    }

    /**
     * @return every node's client endpoint, primary first: what a client that fails over is given.
     */
    String clientEndpoints()
    {
        return "127.0.0.1:" + ports[PRIMARY][0] + ",127.0.0.1:" + ports[REPLICA_A][0] + ",127.0.0.1:" +
            ports[REPLICA_B][0];
    }

    List<String> admin(final int node, final String command) throws Exception
    {
        try (AdminClient admin = new AdminClient(new InetSocketAddress("127.0.0.1", ports[node][1]), 30_000))
        {
            return admin.execute(command);
        }
    }

    /**
     * @return the answer as one string, or a marker if the node did not answer (it may be restarting).
     */
    String adminQuietly(final int node, final String command)
    {
        try
        {
            return String.join("\n", admin(node, command));
        }
        catch (final Exception ex)
        {
            return "NO ANSWER";
        }
    }

    /**
     * @return the value of {@code key=value} in a STATUS answer.
     */
    String status(final int node, final String key) throws Exception
    {
        final List<String> lines = admin(node, "STATUS");
        final Matcher matcher = Pattern.compile("(?:^|\\s)" + key + "=(\\S+)").matcher(String.join("\n", lines));
        assertTrue(matcher.find(), key + " in " + lines);
        return matcher.group(1);
    }

    long wireSeq(final int node) throws Exception
    {
        return Long.parseLong(status(node, "wire_seq"));
    }

    /**
     * @return a replica's last applied wireSeq, from its STATUS.
     */
    long applied(final int node) throws Exception
    {
        final Matcher matcher = APPLIED.matcher(String.join("\n", admin(node, "STATUS")));
        assertTrue(matcher.find());
        return Long.parseLong(matcher.group(1));
    }

    String healthz(final int node)
    {
        try
        {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[node][2] + "/healthz"))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        }
        catch (final Exception ex)
        {
            return "";
        }
    }

    /**
     * @return a replica's state hash once it reports one at exactly {@code wireSeq}.
     */
    String hashAt(final int node, final long wireSeq) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline)
        {
            final Matcher matcher = HASH.matcher(healthz(node));
            if (matcher.find() && Long.parseLong(matcher.group(1)) == wireSeq)
            {
                return matcher.group(2);
            }
            Thread.sleep(50);
        }
        throw new AssertionError(NAMES[node] + " never reported a hash at wireSeq " + wireSeq);
    }

    /**
     * SIGKILL every process still running.
     */
    @Override
    public void close()
    {
        started.forEach(Process::destroyForcibly);
    }
}
