package io.sluice.harness.soak;

import io.sluice.node.admin.AdminClient;
import io.sluice.harness.bench.DemoClusterConfig;
import io.sluice.node.NodeProcess;
import io.sluice.harness.bench.StandaloneConfig;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Three nodes on loopback, each a child JVM, with one symmetric configuration per node: every node has its client,
 * admin and HTTP ports, a data bind for when it follows, a control endpoint per other node for the replica slots it
 * serves when it is (or becomes) primary, and the list of the other nodes' control endpoints for it. So any node
 * can be started as the primary or as a replica of whichever node is primary, and a replica can be promoted.
 * <p>
 * Used by the soak's fault thread only; {@link Role} is what this class last made of each node, checked against
 * what the node reports.
 */
final class SoakCluster implements AutoCloseable
{
    static final int NODES = 3;
    private static final long POLL_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int ADMIN_TIMEOUT_MS = 10_000;
    private static final int PROMOTE_TIMEOUT_MS = 60_000;
    private static final long STOP_TIMEOUT_MS = 30_000;

    enum Role
    {
        PRIMARY,
        REPLICA,
        DOWN
    }

    /** One node: its fixed addresses and files, and the process currently running it. */
    static final class Node
    {
        final int index;
        final int nodeId;
        final Path dataDir;
        final Path configFile;
        final InetSocketAddress clientAddress;
        final InetSocketAddress adminAddress;
        NodeProcess process;
        Role role = Role.DOWN;
        int starts;

        Node(final int index, final Path dataDir, final Path configFile, final int clientPort, final int adminPort)
        {
            this.index = index;
            this.nodeId = index + 1;
            this.dataDir = dataDir;
            this.configFile = configFile;
            this.clientAddress = new InetSocketAddress("127.0.0.1", clientPort);
            this.adminAddress = new InetSocketAddress("127.0.0.1", adminPort);
        }

        String name()
        {
            return "node" + nodeId;
        }

        @Override
        public String toString()
        {
            return name();
        }
    }

    /**
     * A node's admin STATUS as {@code key=value} pairs (the first of each key; quoted text such as reasons is left
     * out so it cannot shadow a key).
     */
    static final class Status
    {
        private final Map<String, String> values;
        private final List<String> lines;

        Status(final List<String> lines)
        {
            this.lines = lines;
            this.values = new HashMap<>();
            for (final String line : lines)
            {
                for (final String token : line.replaceAll("\"[^\"]*\"", "\"\"").split("\\s+"))
                {
                    final int equals = token.indexOf('=');
                    if (equals > 0)
                    {
                        values.putIfAbsent(token.substring(0, equals), token.substring(equals + 1));
                    }
                }
            }
        }

        String get(final String key)
        {
            return values.get(key);
        }

        long getLong(final String key)
        {
            final String value = values.get(key);
            if (value == null)
            {
                throw new IllegalStateException("no " + key + " in STATUS " + lines);
            }
            return Long.parseLong(value);
        }

        boolean isPrimary()
        {
            return "primary".equals(get("role"));
        }

        /** A replica's follow state: FOLLOWING, HANDSHAKING, AWAITING_DURABLE, REJECTED or FAILED. */
        String state()
        {
            return get("state");
        }

        boolean following()
        {
            return "FOLLOWING".equals(state());
        }

        /** The primary's refusal code (DIVERGED, AHEAD_OF_PRIMARY...), or null. */
        String refused()
        {
            return get("refused");
        }

        @Override
        public String toString()
        {
            return String.join(" | ", lines);
        }
    }

    private final SoakContext context;
    private final Path logDir;
    private final List<Node> nodes = new ArrayList<>();

    SoakCluster(final Path dir, final SoakContext context) throws IOException
    {
        this.context = context;
        this.logDir = Files.createDirectories(dir.resolve("logs"));
        final Set<Integer> taken = new HashSet<>();
        final int[] client = new int[NODES];
        final int[] admin = new int[NODES];
        final int[] http = new int[NODES];
        final int[] data = new int[NODES];
        // control[x][y]: where node x, as primary, hears node y's handshakes and acks (x's slot for y).
        final int[][] control = new int[NODES][NODES];
        final int[] udp = DemoClusterConfig.freeUdpPorts(NODES * NODES);
        int nextUdp = 0;
        for (int i = 0; i < NODES; i++)
        {
            client[i] = freeTcpPort(taken);
            admin[i] = freeTcpPort(taken);
            http[i] = freeTcpPort(taken);
            data[i] = udp[nextUdp++];
            for (int j = 0; j < NODES; j++)
            {
                control[i][j] = i == j ? 0 : udp[nextUdp++];
            }
        }
        for (int i = 0; i < NODES; i++)
        {
            final Path dataDir = dir.resolve("node" + (i + 1)).toAbsolutePath();
            final Map<String, String> keys = StandaloneConfig.keys(dataDir, "hybrid", context.instruments());
            // Journals roll every second so PRIMARY_KILL_AT_SEGMENT_ROLL has rolls to aim at, and keep every cycle
            // file: the checker needs the whole history (retention is tested by SnapshotTransferIT).
            keys.put("journal.roll.cycle", "test-secondly");
            keys.put("journal.retention", "keep-all");
            keys.put("node.id", Integer.toString(i + 1));
            keys.put("aeron.dir", dataDir.resolve("aeron").toString());
            keys.put("client.bind", "127.0.0.1:" + client[i]);
            keys.put("admin.bind", "127.0.0.1:" + admin[i]);
            keys.put("http.bind", "127.0.0.1:" + http[i]);
            keys.put("snapshot.interval.entries", Long.toString(context.snapshotIntervalEntries()));
            keys.put("replication.data.bind", "127.0.0.1:" + data[i]);
            final StringJoiner primaryControl = new StringJoiner(",");
            int slot = 0;
            for (int other = 0; other < NODES; other++)
            {
                if (other != i)
                {
                    primaryControl.add("127.0.0.1:" + control[other][i]);
                    keys.put("replication.replica." + slot + ".data", "127.0.0.1:" + data[other]);
                    keys.put("replication.replica." + slot + ".control", "127.0.0.1:" + control[i][other]);
                    slot++;
                }
            }
            keys.put("replication.primary.control", primaryControl.toString());
            final Path configFile = dir.resolve("node" + (i + 1) + ".conf").toAbsolutePath();
            final StringBuilder text = new StringBuilder("# Written by sluice soak: node ").append(i + 1)
                .append(" of a symmetric three-node cluster; runs as primary or replica.\n");
            keys.forEach((key, value) -> text.append(key).append(" = ").append(value.replace('\\', '/')).append('\n'));
            Files.writeString(configFile, text.toString(), StandardCharsets.UTF_8);
            nodes.add(new Node(i, dataDir, configFile, client[i], admin[i]));
        }
    }

    private static int freeTcpPort(final Set<Integer> taken) throws IOException
    {
        while (true)
        {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
            {
                if (taken.add(socket.getLocalPort()))
                {
                    return socket.getLocalPort();
                }
            }
        }
    }

    List<Node> nodes()
    {
        return nodes;
    }

    /**
     * @return every node's client listener, in node order: the bench fails over across them.
     */
    List<InetSocketAddress> clientEndpoints()
    {
        final List<InetSocketAddress> endpoints = new ArrayList<>();
        nodes.forEach(node -> endpoints.add(node.clientAddress));
        return endpoints;
    }

    /**
     * @return the node this cluster made primary (started as one or promoted).
     */
    Node primary()
    {
        for (final Node node : nodes)
        {
            if (node.role == Role.PRIMARY)
            {
                return node;
            }
        }
        throw new IllegalStateException("no primary");
    }

    List<Node> replicas()
    {
        final List<Node> replicas = new ArrayList<>();
        for (final Node node : nodes)
        {
            if (node.role == Role.REPLICA)
            {
                replicas.add(node);
            }
        }
        return replicas;
    }

    Path logDir()
    {
        return logDir;
    }

    void startPrimary(final Node node) throws IOException
    {
        start(node, "primary", List.of());
        node.role = Role.PRIMARY;
    }

    /**
     * @param node   to start as a replica of whichever node is primary.
     * @param resync set its journal aside and copy the primary's ({@code sluice replica --resync}).
     */
    void startReplica(final Node node, final boolean resync) throws IOException
    {
        start(node, "replica", resync ? List.of("--resync") : List.of());
        node.role = Role.REPLICA;
    }

    /**
     * @param node an old primary to bring back as a replica of whichever node is primary ({@code sluice replica
     *             --rejoin}: it resyncs by itself if it is refused as diverged or ahead).
     */
    void rejoin(final Node node) throws IOException
    {
        start(node, "replica", List.of("--rejoin"));
        node.role = Role.REPLICA;
    }

    private void start(final Node node, final String role, final List<String> args) throws IOException
    {
        if (node.process != null && node.process.isAlive())
        {
            throw new IllegalStateException(node + " is still running");
        }
        node.starts++;
        // One pair of log files per incarnation, so a restart never truncates the log of the run it follows.
        node.process = NodeProcess.start(role, node.name() + "-" + node.starts, node.configFile, logDir,
            context.nodeStartTimeoutMs(), args);
    }

    /**
     * SIGKILL: no shutdown hook, no flush, no sync.
     */
    void kill(final Node node) throws InterruptedException
    {
        node.role = Role.DOWN;
        if (node.process != null)
        {
            node.process.process().destroyForcibly();
            if (!node.process.process().waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                throw new SoakFailure(node + " did not die within " + STOP_TIMEOUT_MS + " ms of SIGKILL");
            }
        }
    }

    /**
     * SIGTERM, and wait: a primary drains (journals and answers what it took), a replica syncs and closes.
     *
     * @return the exit status, or -1 if it had to be killed.
     */
    int stop(final Node node)
    {
        node.role = Role.DOWN;
        if (node.process == null || !node.process.isAlive())
        {
            return node.process == null ? 0 : node.process.process().exitValue();
        }
        return node.process.stop(STOP_TIMEOUT_MS) ? node.process.process().exitValue() : -1;
    }

    boolean isAlive(final Node node)
    {
        return node.process != null && node.process.isAlive();
    }

    /**
     * @return the log (stderr) of the node's current incarnation.
     */
    Path logFile(final Node node)
    {
        return node.process.logFile();
    }

    String logTail(final Node node)
    {
        return node.process == null ? "(never started)" : node.process.logTail();
    }

    List<String> admin(final Node node, final String command) throws IOException
    {
        return admin(node, command, ADMIN_TIMEOUT_MS);
    }

    List<String> promote(final Node node) throws IOException
    {
        return admin(node, "PROMOTE", PROMOTE_TIMEOUT_MS);
    }

    private static List<String> admin(final Node node, final String command, final int timeoutMs) throws IOException
    {
        try (AdminClient client = new AdminClient(node.adminAddress, timeoutMs))
        {
            return client.execute(command);
        }
    }

    Status status(final Node node) throws IOException
    {
        return new Status(admin(node, "STATUS"));
    }

    /**
     * @return the node's STATUS, or null if it cannot be asked (down, starting, busy past the timeout).
     */
    Status statusQuietly(final Node node)
    {
        try
        {
            return status(node);
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }

    /**
     * Start node 1 as the primary and the others as its replicas, and wait until it trades with both.
     */
    void startAll(final long timeoutNs) throws IOException, InterruptedException
    {
        startPrimary(nodes.get(0));
        startReplica(nodes.get(1), false);
        startReplica(nodes.get(2), false);
        final String problem = awaitHealthy(timeoutNs);
        if (problem != null)
        {
            throw new IOException("the cluster did not come up: " + problem);
        }
    }

    /**
     * Wait until the primary trades with both replicas connected and both replicas follow it and have applied
     * everything the primary had sequenced when it was first seen trading.
     *
     * @param timeoutNs how long to wait.
     * @return null when healthy; otherwise what is wrong (also at once when a node died or was refused).
     */
    String awaitHealthy(final long timeoutNs) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        final Node primary = primary();
        long primaryWireSeq = -1;
        String last = "nothing asked yet";
        while (System.nanoTime() - deadlineNs < 0)
        {
            final String dead = deadNode();
            if (dead != null)
            {
                return dead;
            }
            if (primaryWireSeq < 0)
            {
                final Status status = statusQuietly(primary);
                if (status == null)
                {
                    last = primary + " does not answer STATUS";
                }
                else if (!status.isPrimary())
                {
                    return primary + " is not primary: " + status;
                }
                else if ("active".equals(status.get("trading")) && "2".equals(status.get("replicas_connected")))
                {
                    primaryWireSeq = status.getLong("wire_seq");
                }
                else
                {
                    last = primary + " not trading with 2 replicas: " + status;
                }
            }
            if (primaryWireSeq >= 0)
            {
                boolean caughtUp = true;
                for (final Node replica : replicas())
                {
                    final Status status = statusQuietly(replica);
                    final String refusal = refusal(replica, status);
                    if (refusal != null)
                    {
                        return refusal;
                    }
                    if (status == null || !status.following() || status.getLong("applied_wire_seq") < primaryWireSeq)
                    {
                        caughtUp = false;
                        last = replica + " has not caught up with wireSeq " + primaryWireSeq + ": " + status;
                        break;
                    }
                }
                if (caughtUp)
                {
                    return null;
                }
            }
            LockSupport.parkNanos(POLL_INTERVAL_NS);
            if (Thread.interrupted())
            {
                throw new InterruptedException();
            }
        }
        return "not healthy within " + TimeUnit.NANOSECONDS.toSeconds(timeoutNs) + " s: " + last;
    }

    /**
     * @return why a replica can no longer follow (refused, failed), or null.
     */
    static String refusal(final Node replica, final Status status)
    {
        if (status != null && ("REJECTED".equals(status.state()) || "FAILED".equals(status.state())))
        {
            return replica + " is " + status.state() + ": " + status;
        }
        return null;
    }

    /**
     * @return a description of a node this cluster thinks runs but whose process exited, or null.
     */
    String deadNode()
    {
        for (final Node node : nodes)
        {
            if (node.role != Role.DOWN && !isAlive(node))
            {
                return node + " (" + node.role + ") exited with status " + node.process.process().exitValue() +
                    ":\n" + node.process.logTail();
            }
        }
        return null;
    }

    /**
     * Kill whatever still runs: the last resort on the way out of a failed run.
     */
    @Override
    public void close()
    {
        for (final Node node : nodes)
        {
            if (node.process != null && node.process.isAlive())
            {
                node.process.process().destroyForcibly();
                try
                {
                    node.process.process().waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
            node.role = Role.DOWN;
        }
    }
}
