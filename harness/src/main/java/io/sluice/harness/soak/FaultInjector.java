package io.sluice.harness.soak;

import io.sluice.journal.Journal;
import io.sluice.journal.SnapshotStore;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Injects one fault at a time into a healthy cluster and brings the cluster back the way an operator would: restart
 * a killed replica; after a killed primary, wait until both replicas noticed, promote the one that applied the most
 * (an order acknowledged under {@code hybrid} may be held by only one of them), and bring the old primary back as a
 * replica of the new one, with {@code --resync} if it is refused as diverged or ahead (a killed primary may hold a
 * tail of entries it journaled but never got acknowledged, which the new primary never had).
 * <p>
 * A refusal is expected only of an old primary; any other refusal, a failed promotion, a node that exits, or a
 * recovery that takes longer than the timeout is a {@link SoakFailure}. Runs on the soak's fault thread.
 */
final class FaultInjector
{
    private static final long NOTICE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long POLL_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long KILL_MOMENT_MAX_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long SNAPSHOT_WATCH_MAX_NS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long SNAPSHOT_WATCH_INTERVAL_NS = TimeUnit.MICROSECONDS.toNanos(100);
    /** The soak's journals roll every second: a watch this long sees a roll unless the primary is idle. */
    private static final long ROLL_WATCH_MAX_NS = TimeUnit.MILLISECONDS.toNanos(2_500);
    private static final long ROLL_WATCH_INTERVAL_NS = TimeUnit.MICROSECONDS.toNanos(200);
    /** A kill this soon after the new file appeared counts as landing during the roll. */
    private static final long ROLL_WINDOW_MS = 20;
    private static final long PROMOTION_KILL_DELAY_MAX_NS = TimeUnit.MILLISECONDS.toNanos(30);
    private static final long CATCH_UP_DOWN_MIN_NS = TimeUnit.SECONDS.toNanos(3);
    private static final long CATCH_UP_DOWN_MAX_NS = TimeUnit.SECONDS.toNanos(6);
    private static final long CATCH_UP_WATCH_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long CATCH_UP_KILL_DELAY_MAX_NS = TimeUnit.MILLISECONDS.toNanos(20);
    /** ReplicaAgent logs this when the primary accepted its handshake and the stream (the backlog first) begins. */
    private static final String FOLLOWING_LOG = "following primary node";
    /** ReplicaNode logs this after recovering its journal at start-up. */
    private static final Pattern RECOVERED_LOG = Pattern.compile("replica recovered journal=\\S+ lastWireSeq=(\\d+)");
    private static final Pattern LAST_SNAPSHOT = Pattern.compile("last snapshot at wireSeq (\\d+)");

    private final SoakCluster cluster;
    private final FaultSchedule schedule;
    private final SoakContext context;
    private final long runStartNs;

    // Of the fault being injected; reset by inject().
    private final List<String> victims = new ArrayList<>();
    private String promoted;
    private int resyncs;
    private Boolean landedInWindow;
    private String landing;
    private long firstKillNs;
    private long deadlineNs;

    FaultInjector(final SoakCluster cluster, final FaultSchedule schedule, final SoakContext context,
        final long runStartNs)
    {
        this.cluster = cluster;
        this.schedule = schedule;
        this.context = context;
        this.runStartNs = runStartNs;
    }

    /**
     * Inject a fault into the healthy cluster and wait until it is healthy again.
     *
     * @param index 1-based.
     * @param kind  what to do.
     * @return what happened; {@link FaultRecord#survived()} is false if the cluster did not come back.
     */
    FaultRecord inject(final int index, final FaultKind kind) throws InterruptedException
    {
        victims.clear();
        promoted = null;
        resyncs = 0;
        landedInWindow = null;
        landing = null;
        firstKillNs = 0;
        deadlineNs = Long.MAX_VALUE;
        String failure = null;
        try
        {
            switch (kind)
            {
                case REPLICA_KILL:
                    replicaKill();
                    break;
                case REPLICA_KILL_DURING_CATCH_UP:
                    replicaKillDuringCatchUp();
                    break;
                case PRIMARY_KILL:
                    primaryKill(false);
                    break;
                case PRIMARY_KILL_DURING_SNAPSHOT:
                    primaryKill(true);
                    break;
                case KILL_DURING_PROMOTION:
                    killDuringPromotion();
                    break;
                case PRIMARY_KILL_AT_SEGMENT_ROLL:
                    primaryKillAtSegmentRoll();
                    break;
                default:
                    throw new IllegalArgumentException(kind.name());
            }
            final String problem = cluster.awaitHealthy(remainingNs());
            if (problem != null)
            {
                failure = problem;
            }
        }
        catch (final SoakFailure | IOException ex)
        {
            failure = ex.getMessage();
        }
        final long endNs = System.nanoTime();
        final long killNs = firstKillNs == 0 ? endNs : firstKillNs;
        return new FaultRecord(index, kind, killNs - runStartNs, List.copyOf(victims), promoted, resyncs,
            landedInWindow, landing, endNs - killNs, failure);
    }

    private void replicaKill() throws IOException, InterruptedException
    {
        final SoakCluster.Node victim = randomReplica();
        sleepNs(schedule.durationNs(0, KILL_MOMENT_MAX_NS));
        kill(victim);
        sleepNs(schedule.durationNs(0, TimeUnit.SECONDS.toNanos(2)));
        rejoin(victim, false);
    }

    private void replicaKillDuringCatchUp() throws IOException, InterruptedException
    {
        final SoakCluster.Node victim = randomReplica();
        sleepNs(schedule.durationNs(0, KILL_MOMENT_MAX_NS));
        kill(victim);
        // Down long enough to fall a few thousand entries behind, so the restart has something to catch up.
        sleepNs(schedule.durationNs(CATCH_UP_DOWN_MIN_NS, CATCH_UP_DOWN_MAX_NS));
        final long targetWireSeq = cluster.status(cluster.primary()).getLong("wire_seq");
        cluster.startReplica(victim, false);
        // Watch its log for the moment it starts following (the backlog streams from then on), and kill it a
        // seeded few milliseconds later.
        final Path log = cluster.logFile(victim);
        final long watchEndNs = System.nanoTime() + CATCH_UP_WATCH_NS;
        boolean following = logContains(log, FOLLOWING_LOG);
        while (!following && System.nanoTime() - watchEndNs < 0)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            following = logContains(log, FOLLOWING_LOG);
        }
        sleepNs(schedule.durationNs(0, CATCH_UP_KILL_DELAY_MAX_NS));
        kill(victim);
        sleepNs(schedule.durationNs(0, TimeUnit.SECONDS.toNanos(1)));
        rejoin(victim, false);
        // What it had journaled when it was killed is what it recovered on the restart that followed.
        final Matcher recovered = RECOVERED_LOG.matcher(Files.readString(cluster.logFile(victim)));
        final long journaledWireSeq = recovered.find() ? Long.parseLong(recovered.group(1)) : -1;
        landedInWindow = following && journaledWireSeq >= 0 && journaledWireSeq < targetWireSeq;
        landing = (following ? "killed again after it started following" : "killed again before it followed") +
            ", with wireSeq " + journaledWireSeq + " journaled of the " + targetWireSeq + " it had to catch up to";
    }

    private static boolean logContains(final Path log, final String text)
    {
        try
        {
            return Files.readString(log).contains(text);
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private void primaryKill(final boolean duringSnapshot) throws IOException, InterruptedException
    {
        final SoakCluster.Node old = cluster.primary();
        final Path snapshots = old.dataDir.resolve("journal").resolve(Journal.SNAPSHOT_DIRECTORY);
        if (duringSnapshot)
        {
            sleepNs(schedule.durationNs(0, KILL_MOMENT_MAX_NS));
            final List<String> reply = cluster.admin(old, "SNAPSHOT");
            final Matcher matcher = LAST_SNAPSHOT.matcher(String.join("\n", reply));
            final long lastSnapshotWireSeq = matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
            // Watch for the snapshot's temporary file and kill the moment it shows; or, when the watch (a seeded
            // 1-250 ms) ends first, kill then: before the write, or just after it.
            final long watchEndNs = System.nanoTime() + schedule.durationNs(
                TimeUnit.MILLISECONDS.toNanos(1), SNAPSHOT_WATCH_MAX_NS);
            while (System.nanoTime() - watchEndNs < 0 && !hasTemporaryFile(snapshots))
            {
                LockSupport.parkNanos(SNAPSHOT_WATCH_INTERVAL_NS);
            }
            kill(old);
            final boolean inProgress = hasTemporaryFile(snapshots);
            final long newest = newestSnapshotWireSeq(snapshots);
            landedInWindow = inProgress;
            landing = inProgress ? "killed while the snapshot was being written, temporary file left behind" :
                newest > lastSnapshotWireSeq ? "killed just after the snapshot at wireSeq " + newest + " was written" :
                "killed before the requested snapshot was written";
        }
        else
        {
            sleepNs(schedule.durationNs(0, KILL_MOMENT_MAX_NS));
            kill(old);
            if (hasTemporaryFile(snapshots))
            {
                landing = "a periodic snapshot was being written";
            }
        }
        final SoakCluster.Node target = awaitNoticedAndChoose();
        promote(target);
        rejoin(old, true);
    }

    /**
     * Watches the primary's queue directory for a new cycle file (one a second under load) and kills the moment it
     * appears: the appender is then creating the file, writing its header and index and the segment's first entries.
     */
    private void primaryKillAtSegmentRoll() throws IOException, InterruptedException
    {
        final SoakCluster.Node old = cluster.primary();
        final Path queue = old.dataDir.resolve("journal").resolve("queue");
        sleepNs(schedule.durationNs(0, KILL_MOMENT_MAX_NS));
        final Set<String> before = cycleFiles(queue);
        final long watchEndNs = System.nanoTime() + ROLL_WATCH_MAX_NS;
        String rolled = null;
        while (rolled == null && System.nanoTime() - watchEndNs < 0)
        {
            LockSupport.parkNanos(ROLL_WATCH_INTERVAL_NS);
            for (final String name : cycleFiles(queue))
            {
                if (!before.contains(name))
                {
                    rolled = name;
                    break;
                }
            }
        }
        final long seenNs = System.nanoTime();
        kill(old);
        final long delayUs = TimeUnit.NANOSECONDS.toMicros(firstKillNs - seenNs);
        landedInWindow = rolled != null && delayUs < TimeUnit.MILLISECONDS.toMicros(ROLL_WINDOW_MS);
        landing = rolled == null ? "no new cycle file within the watch; killed at its end" :
            "killed " + delayUs + " us after cycle file " + rolled + " appeared";
        final SoakCluster.Node target = awaitNoticedAndChoose();
        promote(target);
        rejoin(old, true);
    }

    private static Set<String> cycleFiles(final Path queue) throws IOException
    {
        final Set<String> names = new HashSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(queue, "*.cq4"))
        {
            for (final Path file : files)
            {
                names.add(file.getFileName().toString());
            }
        }
        catch (final NoSuchFileException ex)
        {
            // Not created yet: nothing rolled.
        }
        return names;
    }

    private void killDuringPromotion() throws IOException, InterruptedException
    {
        final SoakCluster.Node old = cluster.primary();
        sleepNs(schedule.durationNs(0, KILL_MOMENT_MAX_NS));
        kill(old);
        final SoakCluster.Node target = awaitNoticedAndChoose();
        final SoakCluster.Node other = otherReplica(target);
        final CompletableFuture<List<String>> promotion = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return cluster.promote(target);
            }
            catch (final IOException ex)
            {
                return List.of("ERR " + ex);
            }
        });
        sleepNs(schedule.durationNs(0, PROMOTION_KILL_DELAY_MAX_NS));
        final boolean answered = promotion.isDone();
        kill(other);
        landedInWindow = !answered;
        landing = answered ? "the other replica was killed after the promotion answered" :
            "the other replica was killed while the promotion ran";
        final List<String> reply;
        try
        {
            reply = promotion.get(remainingNs(), TimeUnit.NANOSECONDS);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            throw new SoakFailure("PROMOTE on " + target + " did not answer: " + ex);
        }
        promoted(target, reply);
        // Both come back at once, as they would when an operator restarts them: the old primary may need a resync.
        final CompletableFuture<Integer> oldRejoined = CompletableFuture.supplyAsync(() -> rejoinUnchecked(old, true));
        rejoin(other, false);
        try
        {
            resyncs += oldRejoined.get(remainingNs() + TimeUnit.SECONDS.toNanos(5), TimeUnit.NANOSECONDS);
        }
        catch (final ExecutionException ex)
        {
            throw ex.getCause() instanceof SoakFailure ? (SoakFailure)ex.getCause() :
                new SoakFailure(old + " did not rejoin: " + ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            throw new SoakFailure(old + " did not rejoin within the recovery timeout");
        }
    }

    private int rejoinUnchecked(final SoakCluster.Node node, final boolean oldPrimary)
    {
        try
        {
            return rejoinCounting(node, oldPrimary);
        }
        catch (final IOException ex)
        {
            throw new SoakFailure(node + " did not rejoin: " + ex.getMessage());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new SoakFailure(node + " did not rejoin: interrupted");
        }
    }

    private void kill(final SoakCluster.Node node) throws InterruptedException
    {
        if (firstKillNs == 0)
        {
            firstKillNs = System.nanoTime();
            deadlineNs = firstKillNs + context.recoveryTimeoutNs();
        }
        cluster.kill(node);
        victims.add(node.name());
    }

    /**
     * Wait until neither replica follows any more (each saw the primary's heartbeats stop), then choose the one
     * that applied the most; on a tie, a seeded choice.
     */
    private SoakCluster.Node awaitNoticedAndChoose() throws InterruptedException
    {
        final List<SoakCluster.Node> replicas = cluster.replicas();
        final long noticeDeadlineNs = System.nanoTime() + Math.min(NOTICE_TIMEOUT_NS, remainingNs());
        final SoakCluster.Status[] statuses = new SoakCluster.Status[replicas.size()];
        while (true)
        {
            boolean noticed = true;
            for (int i = 0; i < replicas.size(); i++)
            {
                statuses[i] = cluster.statusQuietly(replicas.get(i));
                if (statuses[i] == null || statuses[i].following())
                {
                    noticed = false;
                }
                final String refusal = SoakCluster.refusal(replicas.get(i), statuses[i]);
                if (refusal != null && "FAILED".equals(statuses[i].state()))
                {
                    throw new SoakFailure(refusal);
                }
            }
            final String dead = cluster.deadNode();
            if (dead != null)
            {
                throw new SoakFailure(dead);
            }
            if (noticed)
            {
                break;
            }
            if (System.nanoTime() - noticeDeadlineNs > 0)
            {
                throw new SoakFailure("the replicas did not notice the primary was gone: " +
                    statuses[0] + " / " + statuses[1]);
            }
            sleepNs(POLL_INTERVAL_NS);
        }
        final long first = statuses[0].getLong("applied_wire_seq");
        final long second = statuses[1].getLong("applied_wire_seq");
        final int chosen = first == second ? schedule.choose(2) : first > second ? 0 : 1;
        return replicas.get(chosen);
    }

    private void promote(final SoakCluster.Node target) throws IOException
    {
        promoted(target, cluster.promote(target));
    }

    private void promoted(final SoakCluster.Node target, final List<String> reply)
    {
        if (reply.isEmpty() || !reply.get(0).startsWith("OK promoted"))
        {
            throw new SoakFailure("PROMOTE on " + target + " failed: " + reply + "\n" + cluster.logTail(target));
        }
        target.role = SoakCluster.Role.PRIMARY;
        promoted = target.name();
    }

    /**
     * Start a killed node as a replica of the current primary and wait until it follows. Only an old primary
     * may be refused as diverged or ahead: it is then restarted once with {@code --resync}.
     */
    private void rejoin(final SoakCluster.Node node, final boolean oldPrimary)
        throws IOException, InterruptedException
    {
        resyncs += rejoinCounting(node, oldPrimary);
    }

    /**
     * @return restarts with {@code --resync} it took: 0 or 1.
     */
    private int rejoinCounting(final SoakCluster.Node node, final boolean oldPrimary)
        throws IOException, InterruptedException
    {
        cluster.startReplica(node, false);
        boolean resynced = false;
        while (true)
        {
            final SoakCluster.Status status = cluster.statusQuietly(node);
            if (status != null && status.following())
            {
                return resynced ? 1 : 0;
            }
            if (!cluster.isAlive(node))
            {
                throw new SoakFailure(node + " exited while rejoining:\n" + cluster.logTail(node));
            }
            if (status != null && "REJECTED".equals(status.state()))
            {
                final String code = status.refused();
                final boolean diverged = "DIVERGED".equals(code) || "AHEAD_OF_PRIMARY".equals(code);
                if (!diverged || !oldPrimary || resynced)
                {
                    throw new SoakFailure(node + (oldPrimary ? " (old primary)" : " (a replica)") +
                        " refused on rejoining: " + status);
                }
                cluster.stop(node);
                cluster.startReplica(node, true);
                resynced = true;
                continue;
            }
            if (status != null && "FAILED".equals(status.state()))
            {
                throw new SoakFailure(node + " failed on rejoining: " + status);
            }
            if (remainingNs() <= 0)
            {
                throw new SoakFailure(node + " did not follow within the recovery timeout: " + status);
            }
            sleepNs(POLL_INTERVAL_NS);
        }
    }

    private SoakCluster.Node randomReplica()
    {
        final List<SoakCluster.Node> replicas = cluster.replicas();
        return replicas.get(schedule.choose(replicas.size()));
    }

    private SoakCluster.Node otherReplica(final SoakCluster.Node replica)
    {
        for (final SoakCluster.Node node : cluster.replicas())
        {
            if (node != replica)
            {
                return node;
            }
        }
        throw new IllegalStateException("no other replica");
    }

    private long remainingNs()
    {
        return deadlineNs == Long.MAX_VALUE ? context.recoveryTimeoutNs() : Math.max(0, deadlineNs - System.nanoTime());
    }

    private static boolean hasTemporaryFile(final Path directory)
    {
        if (!Files.isDirectory(directory))
        {
            return false;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.tmp"))
        {
            return files.iterator().hasNext();
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static long newestSnapshotWireSeq(final Path directory)
    {
        long newest = -1;
        if (!Files.isDirectory(directory))
        {
            return newest;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory,
            SnapshotStore.FILE_PREFIX + "*" + SnapshotStore.FILE_SUFFIX))
        {
            for (final Path file : files)
            {
                final String name = file.getFileName().toString();
                newest = Math.max(newest, Long.parseLong(name.substring(SnapshotStore.FILE_PREFIX.length(),
                    name.length() - SnapshotStore.FILE_SUFFIX.length())));
            }
        }
        catch (final IOException | NumberFormatException ex)
        {
            return newest;
        }
        return newest;
    }

    private static void sleepNs(final long durationNs) throws InterruptedException
    {
        if (durationNs > 0)
        {
            TimeUnit.NANOSECONDS.sleep(durationNs);
        }
    }
}
