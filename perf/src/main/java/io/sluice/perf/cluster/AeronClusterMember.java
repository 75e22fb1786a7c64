package io.sluice.perf.cluster;

import io.sluice.matching.MatchingContext;
import io.sluice.node.wiring.StageContexts;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusteredMediaDriver;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.sluice.harness.bench.StandaloneConfig;
import io.sluice.node.config.NodeConfig;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpLock;
import org.agrona.concurrent.ShutdownSignalBarrier;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One member of the Aeron Cluster baseline, run as its own process: a {@link ClusteredMediaDriver} (media driver,
 * archive recording the log, consensus module) and a {@link ClusteredServiceContainer} hosting
 * {@link MatchingClusteredService}. Every agent runs with the back-off idle strategy of a Sluice node's
 * {@code idle.strategy=backoff} (see {@link #idleStrategy()}), the driver and the archive in their shared threading
 * mode: four agent threads per member on a 2-core machine.
 * <p>
 * Arguments: {@code MEMBER_ID CLUSTER_MEMBERS MEMBER_DIR FILE_SYNC_LEVEL INSTRUMENTS ARCHIVE_CONTROL_ENDPOINT}.
 * {@code FILE_SYNC_LEVEL} applies to the archive's recordings and catalog and to the consensus module's files:
 * 0 writes to the page cache only, 1 forces the data of each write (majority fsynced before the log commits).
 * Prints {@value #READY_PREFIX} and its id once launched; stops on SIGTERM or SIGINT.
 */
final class AeronClusterMember
{
    static final String READY_PREFIX = "aeron cluster member ready ";
    /** Term length of the replicated log; a segment file of the archive holds several terms. */
    static final String LOG_CHANNEL = "aeron:udp?term-length=16m";
    /** Term length of ingress and egress publications: room for thousands of requests in flight. */
    static final String CLIENT_TERM_LENGTH = "1m";
    private static final String LOCAL_CONTROL_CHANNEL = "aeron:ipc?term-length=64k";
    static final String HOST = "127.0.0.1";

    private AeronClusterMember()
    {
    }

    /**
     * The idle strategy of every Aeron agent in this baseline, members and bench client alike: the one a Sluice node
     * uses for {@code idle.strategy=backoff} (spin 10, yield 20, then park from 1 us up to 100 us). Aeron's own
     * default parks up to 1 ms, which would add up to a millisecond per hop here and make the comparison unfair.
     *
     * @return a new instance; idle strategies hold per-thread state.
     */
    static IdleStrategy idleStrategy()
    {
        return new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(100));
    }

    /**
     * The matching engine's options and instruments: those a Sluice node started by the comparison gets, read
     * through the node's own configuration code, so both systems trade the same instruments under the same limits.
     *
     * @param instruments instruments 1..N.
     * @param dataDir     a directory the (unused) node configuration may name.
     * @return the engine context.
     */
    static MatchingContext engineContext(final int instruments, final Path dataDir)
    {
        final NodeConfig config = NodeConfig.parse(StandaloneConfig.keys(dataDir, "local", instruments), dataDir);
        return new StageContexts(config).engine();
    }

    /**
     * @param memberId        this member's id, from 0.
     * @param clusterMembers  Aeron's cluster members string (see {@link AeronClusterNodes}).
     * @param memberDir       where this member keeps its driver, archive and cluster directories.
     * @param fileSyncLevel   0 or 1.
     * @param instruments     instruments of the hosted engine.
     * @param archiveEndpoint host:port of this member's archive control channel.
     * @return the arguments {@link #main} takes, in order.
     */
    static List<String> arguments(
        final int memberId,
        final String clusterMembers,
        final Path memberDir,
        final int fileSyncLevel,
        final int instruments,
        final String archiveEndpoint)
    {
        return List.of(Integer.toString(memberId), clusterMembers, memberDir.toAbsolutePath().toString(),
            Integer.toString(fileSyncLevel), Integer.toString(instruments), archiveEndpoint);
    }

    @SuppressWarnings("try")
    public static void main(final String[] args)
    {
        if (args.length != 6)
        {
            System.err.println("usage: AeronClusterMember MEMBER_ID CLUSTER_MEMBERS MEMBER_DIR FILE_SYNC_LEVEL " +
                "INSTRUMENTS ARCHIVE_CONTROL_ENDPOINT");
            System.exit(2);
        }
        final int memberId = Integer.parseInt(args[0]);
        final String clusterMembers = args[1];
        final File memberDir = new File(args[2]);
        final int fileSyncLevel = Integer.parseInt(args[3]);
        final int instruments = Integer.parseInt(args[4]);
        final String archiveEndpoint = args[5];
        if (fileSyncLevel < 0 || fileSyncLevel > 2)
        {
            System.err.println("FILE_SYNC_LEVEL must be 0, 1 or 2: " + fileSyncLevel);
            System.exit(2);
        }

        final String aeronDir = new File(memberDir, "aeron").getAbsolutePath();

        final MediaDriver.Context driverContext = new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(idleStrategy())
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false)
            .errorHandler(errorHandler("media driver"));

        final Archive.Context archiveContext = new Archive.Context()
            .aeronDirectoryName(aeronDir)
            .archiveDir(new File(memberDir, "archive"))
            .deleteArchiveOnStart(true)
            .archiveId(memberId)
            .controlChannel("aeron:udp?endpoint=" + archiveEndpoint)
            .localControlChannel(LOCAL_CONTROL_CHANNEL)
            .replicationChannel("aeron:udp?endpoint=" + HOST + ":0")
            .archiveClientContext(new AeronArchive.Context()
                .controlResponseChannel("aeron:udp?endpoint=" + HOST + ":0"))
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(AeronClusterMember::idleStrategy)
            .fileSyncLevel(fileSyncLevel)
            .catalogFileSyncLevel(fileSyncLevel)
            .errorHandler(errorHandler("archive"));

        // The consensus module and the service reach the archive on this host over IPC.
        final AeronArchive.Context localArchive = new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .controlRequestChannel(LOCAL_CONTROL_CHANNEL)
            .controlRequestStreamId(archiveContext.localControlStreamId())
            .controlResponseChannel(LOCAL_CONTROL_CHANNEL)
            .aeronDirectoryName(aeronDir);

        final File clusterDir = new File(memberDir, "cluster");
        final ConsensusModule.Context consensusContext = new ConsensusModule.Context()
            .clusterMemberId(memberId)
            .clusterMembers(clusterMembers)
            .clusterDir(clusterDir)
            .deleteDirOnStart(true)
            .ingressChannel("aeron:udp?term-length=" + CLIENT_TERM_LENGTH)
            .logChannel(LOG_CHANNEL)
            .replicationChannel("aeron:udp?endpoint=" + HOST + ":0")
            .archiveContext(localArchive.clone())
            .idleStrategySupplier(AeronClusterMember::idleStrategy)
            .fileSyncLevel(fileSyncLevel)
            .errorHandler(errorHandler("consensus module"));

        final ClusteredServiceContainer.Context serviceContext = new ClusteredServiceContainer.Context()
            .aeronDirectoryName(aeronDir)
            .archiveContext(localArchive.clone())
            .clusterDir(clusterDir)
            .clusteredService(new MatchingClusteredService(engineContext(instruments, memberDir.toPath())))
            .idleStrategySupplier(AeronClusterMember::idleStrategy)
            .errorHandler(errorHandler("clustered service"));

        // The barrier is closed last: the JVM's shutdown hook waits for that, so the member exits once it has closed
        // its container and driver.
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            ClusteredMediaDriver driver = ClusteredMediaDriver.launch(driverContext, archiveContext, consensusContext);
            ClusteredServiceContainer container = ClusteredServiceContainer.launch(serviceContext))
        {
            System.out.println(READY_PREFIX + memberId);
            System.out.flush();
            barrier.await();
        }
    }

    private static ErrorHandler errorHandler(final String component)
    {
        return (throwable) ->
        {
            System.err.println(component + ": " + throwable);
            throwable.printStackTrace(System.err);
        };
    }
}
