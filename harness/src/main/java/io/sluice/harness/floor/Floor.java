package io.sluice.harness.floor;

import io.sluice.durability.Policy;
import io.sluice.harness.bench.BenchContext;
import io.sluice.harness.bench.ChildJvm;
import io.sluice.harness.bench.DemoClusterConfig;
import io.sluice.node.NodeProcess;
import io.sluice.node.config.ConfigException;
import io.sluice.node.config.Endpoints;
import io.sluice.node.config.NodeConfig;
import io.sluice.node.wiring.StageContexts;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Measures the physical floor of each path a reply can wait on, one path at a time, then composes each policy's
 * floor from them ({@link Composition}):
 * <ul>
 *   <li><b>tcp</b>: a round trip on loopback to an echo JVM blocked in a read ({@link TcpPath});</li>
 *   <li><b>aeron</b>: a round trip on loopback between two embedded media drivers set up as a primary's and a
 *   replica's ({@link AeronPath});</li>
 *   <li><b>sync</b>: one journal-sized entry made durable, the journal's way and with a plain file
 *   ({@link SyncProbe}), in the given directory, which should be on the node data's filesystem.</li>
 * </ul>
 * Only the paths the policies need are measured. The node settings come from a primary and a replica configured as
 * {@code ./sluice demo} configures them ({@link DemoClusterConfig}). Every echo process is stopped, and every file is
 * left in the given directory for the caller to remove, also on failure; while an echo runs, a shutdown hook stops it
 * on Ctrl-C.
 */
public final class Floor
{
    private Floor()
    {
    }

    /**
     * @param context  the settings, concluded.
     * @param policies the policies whose floors to compose.
     * @param dir      a directory for the echoes' logs, the nodes' settings and the sync files; created if needed.
     * @param progress where to say what is being measured, or null.
     * @return the paths' samples and the policies' floors.
     * @throws IOException if an echo does not start or a path fails.
     */
    public static FloorResult measure(
        final FloorContext context, final List<Policy> policies, final Path dir, final PrintStream progress)
        throws IOException
    {
        final boolean aeronNeeded = policies.stream().anyMatch(Composition::needsAeron);
        final boolean syncNeeded = policies.stream().anyMatch(Composition::needsSync);
        Files.createDirectories(dir);
        final DemoClusterConfig nodes = DemoClusterConfig.write(dir.resolve("nodes"), "local", 1,
            aeronNeeded ? 1 : 0, BenchContext.DEFAULT_FIRST_SESSION_ID, 1, false);
        final AtomicReference<ChildJvm> echo = new AtomicReference<>();
        final Thread onInterrupt = new Thread(() ->
        {
            final ChildJvm running = echo.get();
            if (running != null)
            {
                running.close();
            }
        }, "floor-shutdown");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try
        {
            final Samples tcp = measureTcp(context, dir, echo, progress);
            final Samples aeron = aeronNeeded ? measureAeron(context, nodes, dir, echo, progress) : null;
            Samples journalSync = null;
            Samples rawSync = null;
            if (syncNeeded)
            {
                final NodeConfig primary = load(nodes.primaryConfig());
                say(progress, context, "sync, the journal's way (Chronicle Queue append + appender.sync())");
                final StageContexts stages = new StageContexts(primary);
                try (SyncProbe.JournalGroups journal = SyncProbe.JournalGroups.open(
                    stages.journal(), stages::diskSpaceGuard, 1))
                {
                    journalSync = Pacer.run(journal::appendAndSync, context.warmupNs(), context.durationNs(),
                        context.intervalNs());
                }
                say(progress, context, "sync, raw (FileChannel.write + force(false))");
                try (SyncProbe.RawGroups raw = SyncProbe.RawGroups.open(dir.resolve("raw-sync.dat"),
                    SyncProbe.journalEntryBytes(), 1, context.maxRoundTrips()))
                {
                    rawSync = Pacer.run(raw::writeAndForce, context.warmupNs(), context.durationNs(),
                        context.intervalNs());
                }
            }
            return FloorResult.compose(context, policies, tcp, aeron, journalSync, rawSync);
        }
        finally
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            }
            catch (final IllegalStateException ex)
            {
                // This JVM is already shutting down; the hook stops the echo.
            }
        }
    }

    private static Samples measureTcp(
        final FloorContext context, final Path dir, final AtomicReference<ChildJvm> echo, final PrintStream progress)
        throws IOException
    {
        say(progress, context, "tcp round trip");
        try (ChildJvm child = startEcho("floor-echo-tcp", List.of("tcp"), dir, echo))
        {
            final String ready = child.awaitReady(FloorEchoMain.READY_PREFIX, FloorContext.START_TIMEOUT_MS);
            final InetSocketAddress address = parseAddress(ready.substring(ready.indexOf("tcp=") + "tcp=".length()));
            try (TcpPath tcp = TcpPath.connect(address))
            {
                return Pacer.run(tcp, context.warmupNs(), context.durationNs(), context.intervalNs());
            }
        }
        finally
        {
            echo.set(null);
        }
    }

    private static Samples measureAeron(
        final FloorContext context,
        final DemoClusterConfig nodes,
        final Path dir,
        final AtomicReference<ChildJvm> echo,
        final PrintStream progress) throws IOException
    {
        say(progress, context, "aeron round trip");
        final NodeConfig primary = load(nodes.primaryConfig());
        try (ChildJvm child = startEcho("floor-echo-aeron",
            List.of("aeron", nodes.replicaConfigs().get(0).toString()), dir, echo))
        {
            child.awaitReady(FloorEchoMain.READY_PREFIX, FloorContext.START_TIMEOUT_MS);
            try (AeronPath aeron = AeronPath.open(primary))
            {
                aeron.awaitConnected(FloorContext.START_TIMEOUT_MS);
                return Pacer.run(aeron, context.warmupNs(), context.durationNs(), context.intervalNs());
            }
        }
        finally
        {
            echo.set(null);
        }
    }

    private static ChildJvm startEcho(
        final String name, final List<String> args, final Path dir, final AtomicReference<ChildJvm> echo)
        throws IOException
    {
        final ChildJvm child = ChildJvm.start(name, FloorEchoMain.class, args, dir);
        echo.set(child);
        return child;
    }

    /**
     * @param primary  a primary node's process.
     * @param replicas its replicas' processes, by slot.
     * @return their pids by name ({@code primary}, {@code replica-0}, ...), as {@link IdleCpu#measure} takes them.
     */
    public static Map<String, Long> pids(final NodeProcess primary, final List<NodeProcess> replicas)
    {
        final Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("primary", primary.process().pid());
        for (int slot = 0; slot < replicas.size(); slot++)
        {
            pids.put("replica-" + slot, replicas.get(slot).process().pid());
        }
        return pids;
    }

    private static NodeConfig load(final Path config) throws IOException
    {
        try
        {
            return NodeConfig.load(config, Map.of());
        }
        catch (final ConfigException ex)
        {
            throw new IOException(ex.getMessage(), ex);
        }
    }

    private static InetSocketAddress parseAddress(final String hostPort) throws IOException
    {
        try
        {
            return Endpoints.parse(hostPort.trim());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IOException("the TCP echo's address '" + hostPort + "': " + ex.getMessage(), ex);
        }
    }

    private static void say(final PrintStream progress, final FloorContext context, final String path)
    {
        if (progress != null)
        {
            progress.printf(Locale.ROOT, "floor: %s, %.1f s after %.1f s of warm-up...%n", path, context.seconds(),
                context.warmupSeconds());
            progress.flush();
        }
    }
}
