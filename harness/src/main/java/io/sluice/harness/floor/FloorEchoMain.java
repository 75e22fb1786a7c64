package io.sluice.harness.floor;

import io.sluice.node.config.Endpoints;
import io.sluice.node.config.NodeConfig;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The far side of a floor path, in its own JVM started like a node ({@code io.sluice.harness.bench.ChildJvm}):
 * <ul>
 *   <li>{@code tcp}: listen on a free loopback port and answer every request ({@link TcpPath#serve});</li>
 *   <li>{@code aeron REPLICA_CONFIG}: a replica's replication transport, answering every batch
 *   ({@link AeronPath#serve}).</li>
 * </ul>
 * Prints {@value #READY_PREFIX} and where it listens once it answers. Runs until SIGTERM, or until the process that
 * started it ends, and then closes what it opened (an Aeron echo's driver deletes its directory).
 */
public final class FloorEchoMain
{
    static final String READY_PREFIX = "floor echo ready";
    private static final long STOP_TIMEOUT_MS = 5_000;

    private FloorEchoMain()
    {
    }

    public static void main(final String[] args)
    {
        ProcessHandle.current().parent().ifPresent((parent) -> parent.onExit().thenRun(() -> System.exit(0)));
        try
        {
            if (args.length == 1 && "tcp".equals(args[0]))
            {
                tcp();
            }
            else if (args.length == 2 && "aeron".equals(args[0]))
            {
                aeron(NodeConfig.load(Path.of(args[1]), Map.of()));
            }
            else
            {
                System.err.println("floor echo: usage: tcp | aeron REPLICA_CONFIG");
                System.exit(2);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            System.err.println("floor echo: " + ex);
            System.exit(1);
        }
    }

    private static void tcp() throws IOException
    {
        try (ServerSocketChannel server = ServerSocketChannel.open()
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            final InetSocketAddress address = (InetSocketAddress)server.getLocalAddress();
            System.out.println(READY_PREFIX + " tcp=" + Endpoints.hostPort(address));
            System.out.flush();
            TcpPath.serve(server);
        }
    }

    private static void aeron(final NodeConfig replicaConfig)
    {
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread serving = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            running.set(false);
            try
            {
                serving.join(STOP_TIMEOUT_MS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "floor-echo-stop"));
        AeronPath.serve(replicaConfig, () ->
        {
            System.out.println(READY_PREFIX + " aeron");
            System.out.flush();
        }, running::get);
    }
}
