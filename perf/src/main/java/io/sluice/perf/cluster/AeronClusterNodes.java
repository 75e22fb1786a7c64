package io.sluice.perf.cluster;

import io.aeron.Aeron;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.sluice.harness.bench.DemoClusterConfig;
import io.sluice.harness.bench.BenchContext;
import io.sluice.harness.bench.ChildJvm;
import io.sluice.harness.bench.BenchResult;
import io.sluice.harness.bench.LoadGenerator;
import io.sluice.harness.bench.NodeProbe;
import io.sluice.harness.bench.OrderEntry;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The Aeron Cluster baseline: three {@link AeronClusterMember} processes on loopback, and in this process the
 * embedded media driver and Aeron client the bench's {@link AeronClusterOrderEntry} connections share (an Aeron
 * client needs a driver; the Sluice client needs none, so this is one more agent thread on the bench's side).
 */
final class AeronClusterNodes implements BenchTarget
{
    static final int MEMBERS = 3;
    private static final long LEADER_TIMEOUT_MS = 60_000;

    private final int fileSyncLevel;
    private final List<ChildJvm> members;
    private final MediaDriver clientDriver;
    private final Aeron aeron;
    private final AeronCluster.Context clientContext;

    private AeronClusterNodes(
        final int fileSyncLevel,
        final List<ChildJvm> members,
        final MediaDriver clientDriver,
        final Aeron aeron,
        final AeronCluster.Context clientContext)
    {
        this.fileSyncLevel = fileSyncLevel;
        this.members = members;
        this.clientDriver = clientDriver;
        this.aeron = aeron;
        this.clientContext = clientContext;
    }

    /**
     * Start the three members and wait until the cluster has a leader that accepts sessions.
     *
     * @param dir            an empty directory for the members' files and logs and the client's driver.
     * @param fileSyncLevel  0 or 1, for the archive and the consensus module of every member.
     * @param instruments    instruments of the hosted engine.
     * @param startTimeoutMs how long each member may take to launch.
     * @return the running cluster.
     * @throws IOException if a member does not start or no leader is elected in time (everything is stopped).
     */
    static AeronClusterNodes start(
        final Path dir, final int fileSyncLevel, final int instruments, final long startTimeoutMs) throws IOException
    {
        Files.createDirectories(dir);
        final int[] ports = DemoClusterConfig.freeUdpPorts(MEMBERS * 4);
        final StringBuilder clusterMembers = new StringBuilder();
        final StringBuilder ingressEndpoints = new StringBuilder();
        final String host = AeronClusterMember.HOST;
        for (int id = 0; id < MEMBERS; id++)
        {
            final int base = id * 4;
            // id,ingress,consensus,log,catchup,archive control; a catchup port of 0 lets the system choose.
            clusterMembers.append(id == 0 ? "" : "|").append(id)
                .append(',').append(host).append(':').append(ports[base])
                .append(',').append(host).append(':').append(ports[base + 1])
                .append(',').append(host).append(':').append(ports[base + 2])
                .append(',').append(host).append(":0")
                .append(',').append(host).append(':').append(ports[base + 3]);
            ingressEndpoints.append(id == 0 ? "" : ",").append(id).append('=').append(host).append(':')
                .append(ports[base]);
        }

        final List<ChildJvm> members = new ArrayList<>();
        MediaDriver clientDriver = null;
        Aeron aeron = null;
        try
        {
            for (int id = 0; id < MEMBERS; id++)
            {
                members.add(ChildJvm.start("aeron-member-" + id, AeronClusterMember.class,
                    AeronClusterMember.arguments(id, clusterMembers.toString(), dir.resolve("member-" + id),
                        fileSyncLevel, instruments, host + ":" + ports[id * 4 + 3]), dir));
            }
            for (final ChildJvm member : members)
            {
                member.awaitReady(AeronClusterMember.READY_PREFIX, startTimeoutMs);
            }

            final String clientAeronDir = dir.resolve("client-aeron").toAbsolutePath().toString();
            clientDriver = MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(clientAeronDir)
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(AeronClusterMember.idleStrategy())
                .termBufferSparseFile(true)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .warnIfDirectoryExists(false));
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(clientAeronDir));
            final AeronCluster.Context clientContext = new AeronCluster.Context()
                .aeron(aeron)
                .ownsAeronClient(false)
                .ingressChannel("aeron:udp?term-length=" + AeronClusterMember.CLIENT_TERM_LENGTH)
                .ingressEndpoints(ingressEndpoints.toString())
                .egressChannel("aeron:udp?endpoint=" + host + ":0|term-length=" +
                    AeronClusterMember.CLIENT_TERM_LENGTH);
            final AeronClusterNodes nodes = new AeronClusterNodes(fileSyncLevel, members, clientDriver, aeron,
                clientContext);
            nodes.awaitLeader(LEADER_TIMEOUT_MS);
            return nodes;
        }
        catch (final IOException | RuntimeException ex)
        {
            CloseHelper.quietClose(aeron);
            CloseHelper.quietClose(clientDriver);
            stopAll(members);
            throw ex;
        }
    }

    @SuppressWarnings("try")
    private void awaitLeader(final long timeoutMs) throws IOException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        RuntimeException last = null;
        while (System.nanoTime() - deadlineNs < 0)
        {
            for (final ChildJvm member : members)
            {
                if (!member.isAlive())
                {
                    throw new IOException(member.name() + " exited:\n" + member.logTail());
                }
            }
            try (AeronCluster probe = AeronCluster.connect(clientContext.clone()))
            {
                return;
            }
            catch (final RuntimeException ex)
            {
                // No leader yet (the connect timed out or was redirected mid-election); try again.
                last = ex;
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
        throw new IOException("the Aeron Cluster elected no leader within " + timeoutMs + " ms: " + last);
    }

    @Override
    public String label()
    {
        return "aeron cluster fileSyncLevel " + fileSyncLevel;
    }

    @Override
    public BenchResult run(final BenchContext context) throws IOException
    {
        // No client endpoint: the connections find the members through the cluster's ingress endpoints.
        return LoadGenerator.run(context, new NodeProbe.NodeInfo("aeron-cluster fileSyncLevel=" + fileSyncLevel,
            MEMBERS - 1), connector(context.maxInFlight()));
    }

    /**
     * @param maxInFlight most unanswered requests per connection.
     * @return opens one bench connection per session, trading as the account of the same id.
     */
    OrderEntry.Connector connector(final int maxInFlight)
    {
        return (index, sessionId) -> open(sessionId, maxInFlight, null);
    }

    /**
     * @param sessionId      session (and account) the connection trades as.
     * @param maxInFlight    most unanswered requests.
     * @param reportListener sees every execution report, or null.
     * @return a connection not yet connected.
     */
    AeronClusterOrderEntry open(
        final long sessionId, final int maxInFlight, final AeronClusterOrderEntry.ReportListener reportListener)
    {
        return new AeronClusterOrderEntry(clientContext, sessionId, sessionId, maxInFlight, reportListener);
    }

    /**
     * @return the members' log tails, for an error message.
     */
    String logTails()
    {
        final StringBuilder text = new StringBuilder();
        for (final ChildJvm member : members)
        {
            text.append("--- ").append(member.name()).append('\n').append(member.logTail()).append('\n');
        }
        return text.toString();
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(aeron);
        CloseHelper.quietClose(clientDriver);
        stopAll(members);
    }

    private static void stopAll(final List<ChildJvm> members)
    {
        // Signal all first so they shut down in parallel; then wait for each (killing a straggler).
        members.forEach(ChildJvm::signalStop);
        members.forEach(ChildJvm::close);
    }
}
