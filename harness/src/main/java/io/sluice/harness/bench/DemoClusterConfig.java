package io.sluice.harness.bench;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The config files of a demo-style cluster on loopback, written into one directory: a primary with auth on and
 * {@code replicas} replica slots on free UDP ports, a config per replica (auth on too, so the replication link is
 * authenticated both ways), and the keys of every trader, the operator, the primary and each replica. What {@code ./sluice demo} starts, and what perf's comparisons start.
 *
 * @param primaryConfig  {@code primary.conf}.
 * @param replicaConfigs {@code replica-N.conf}, by slot.
 * @param keys           the generated keys.
 */
public record DemoClusterConfig(Path primaryConfig, List<Path> replicaConfigs, DemoKeys keys)
{
    /**
     * @param dir            where the configs, keys and every node's data go.
     * @param durability     the primary's policy.
     * @param instruments    instruments defined on every node.
     * @param replicas       replica slots, each with its replica's config.
     * @param firstSessionId first bench session (and account) given a trader key.
     * @param connections    bench sessions given a trader key.
     * @param trace          whether the primary records its per-stage latency trace.
     * @return the files written.
     * @throws IOException if a file cannot be written.
     */
    public static DemoClusterConfig write(
        final Path dir,
        final String durability,
        final int instruments,
        final int replicas,
        final long firstSessionId,
        final int connections,
        final boolean trace) throws IOException
    {
        Files.createDirectories(dir);
        final DemoKeys keys = DemoKeys.generate(dir, firstSessionId, connections, replicas);
        final Map<String, String> primaryKeys = StandaloneConfig.keys(dir.resolve("primary"), durability, instruments);
        primaryKeys.put("aeron.dir", dir.resolve("primary").resolve("aeron").toString());
        if (trace)
        {
            primaryKeys.put("trace", "on");
        }
        final int[] ports = freeUdpPorts(2 * replicas);
        final List<Path> replicaConfigs = new ArrayList<>();
        for (int slot = 0; slot < replicas; slot++)
        {
            final String data = "127.0.0.1:" + ports[2 * slot];
            final String control = "127.0.0.1:" + ports[2 * slot + 1];
            primaryKeys.put("replication.replica." + slot + ".data", data);
            primaryKeys.put("replication.replica." + slot + ".control", control);
            final Path replicaDir = dir.resolve("replica-" + slot);
            final Map<String, String> replicaKeys = StandaloneConfig.keys(replicaDir, "local", instruments);
            replicaKeys.put("node.id", Integer.toString(slot + 2));
            replicaKeys.put("aeron.dir", replicaDir.resolve("aeron").toString());
            replicaKeys.put("replication.data.bind", data);
            replicaKeys.put("replication.primary.control", control);
            replicaKeys.put("auth", "on");
            replicaKeys.put("auth.keys.file", keys.authorizedKeys().toString());
            replicaKeys.put("replication.key.file", keys.replicaKeyFile(slot).toString());
            final Path replicaConfig = dir.resolve("replica-" + slot + ".conf");
            Files.writeString(replicaConfig, StandaloneConfig.text(replicaKeys), StandardCharsets.UTF_8);
            replicaConfigs.add(replicaConfig);
        }
        primaryKeys.put("auth", "on");
        primaryKeys.put("auth.keys.file", keys.authorizedKeys().toString());
        if (replicas > 0)
        {
            primaryKeys.put("replication.key.file", keys.primaryKeyFile().toString());
        }
        final Path primaryConfig = dir.resolve("primary.conf");
        Files.writeString(primaryConfig, StandaloneConfig.text(primaryKeys), StandardCharsets.UTF_8);
        return new DemoClusterConfig(primaryConfig, List.copyOf(replicaConfigs), keys);
    }

    /**
     * Distinct free UDP ports on loopback, all held open until every one is chosen so none repeats.
     *
     * @param count how many.
     * @return the ports.
     * @throws IOException if a socket cannot be opened.
     */
    public static int[] freeUdpPorts(final int count) throws IOException
    {
        final DatagramSocket[] sockets = new DatagramSocket[count];
        final int[] ports = new int[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                sockets[i] = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
        }
        finally
        {
            for (final DatagramSocket socket : sockets)
            {
                if (socket != null)
                {
                    socket.close();
                }
            }
        }
        return ports;
    }
}
