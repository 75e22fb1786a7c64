package io.sluice.node.primary;

import io.sluice.client.ClientListener;
import io.sluice.client.SluiceClient;
import io.sluice.node.admin.AdminClient;
import io.sluice.node.config.NodeConfig;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.ExecutionReportDecoder;
import io.sluice.sbe.client.HaltedDecoder;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.agrona.CloseHelper;
import org.agrona.collections.LongHashSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.sluice.node.primary.TestNodes.IDLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A full journal disk on a primary under load: the journal stops before the filesystem is exhausted, the node stops
 * acknowledging, STATUS and {@code /healthz} say "journal disk full", new orders are answered HALTED and no client is
 * disconnected, and after a restart with space every order the node had acknowledged is in its journal exactly once.
 * <p>
 * Two ways to fill the disk: the {@code fault.journal.disk.free.bytes} hook (the journal's free-space check sees a
 * disk that shrinks as the journal grows; runs anywhere), and a real 2 MiB tmpfs under the data directory, which
 * needs root to mount and is skipped by assumption otherwise. CI on the project's build machine runs as root, so
 * the tmpfs case runs there. {@code -Dsluice.fault.scale=N} repeats each case N times with different sizes.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DiskFullIT
{
    private static final long SESSION_ID = 5;
    private static final long BYSTANDER_SESSION_ID = 6;
    private static final long MIN_FREE_BYTES = 1024 * 1024;
    private static final int MAX_ORDERS = 200_000;
    private static final int SCALE = Integer.getInteger("sluice.fault.scale", 1);

    @TempDir
    Path dir;

    private PrimaryNode node;
    private final List<Path> mounts = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void close()
    {
        CloseHelper.quietClose(node);
        node = null;
        mounts.forEach(Mounts::unmount);
    }

    private static final class Replies implements ClientListener
    {
        final LongHashSet accepted = new LongHashSet();
        long halted;
        long disconnects;

        public void onExecutionReport(final ExecutionReportDecoder report)
        {
            if (report.execType() == ExecType.NEW)
            {
                accepted.add(report.clientOrderId());
            }
        }

        public void onHalted(final HaltedDecoder decoder)
        {
            halted++;
        }

        public void onDisconnect(final String reason)
        {
            disconnects++;
        }
    }

    @Test
    void shouldStopAcknowledgingWhenTheJournalDiskFillsAndKeepEverythingAcknowledged() throws Exception
    {
        final Random random = new Random(17);
        long acknowledgedTotal = 0;
        for (int round = 0; round < SCALE; round++)
        {
            // Room for roughly 1,000 to 4,000 orders above the minimum kept free.
            final long roomBytes = round == 0 ? 200 * 1024 : 100 * 1024 + random.nextInt(700 * 1024);
            final Path roundDir = dir.resolve("hook-" + round);
            final Map<String, String> raw = TestNodes.standaloneConfig(roundDir.resolve("node"));
            raw.put("journal.group.max.entries", "8");
            raw.put("journal.min.free.bytes", Long.toString(MIN_FREE_BYTES));
            raw.put("fault.journal.disk.free.bytes", Long.toString(MIN_FREE_BYTES + roomBytes));
            final int acknowledged = fillDiskOnce(raw, roundDir, () -> raw.remove("fault.journal.disk.free.bytes"));
            acknowledgedTotal += acknowledged;
        }
        System.out.println("disk full (hook): " + SCALE + " disk-full halts survived, " + acknowledgedTotal +
            " acknowledged orders all found exactly once after restart");
    }

    @Test
    void shouldStopBeforeARealSmallFilesystemFillsAndKeepEverythingAcknowledged() throws Exception
    {
        final Random random = new Random(19);
        long acknowledgedTotal = 0;
        for (int round = 0; round < SCALE; round++)
        {
            final Path roundDir = dir.resolve("tmpfs-" + round);
            final Path dataDir = Files.createDirectories(roundDir.resolve("node"));
            final long sizeBytes = round == 0 ? 2 * 1024 * 1024 : (2 + random.nextInt(3)) * 1024 * 1024;
            final boolean mounted = Mounts.mountTmpfs(dataDir, sizeBytes);
            assumeTrue(mounted, "mounting a tmpfs needs root");
            mounts.add(dataDir);

            final Map<String, String> raw = TestNodes.standaloneConfig(dataDir);
            raw.put("journal.group.max.entries", "8");
            raw.put("journal.min.free.bytes", Long.toString(MIN_FREE_BYTES));
            // Recovery reads the whole sparse cycle file (64 MiB blocks) through a mapping, and a tmpfs, unlike a
            // disk filesystem, allocates a page for every hole read that way: the restart needs room for all of it.
            final int acknowledged = fillDiskOnce(raw, roundDir,
                () -> assertTrue(Mounts.resizeTmpfs(dataDir, 512 * 1024 * 1024), "remount the tmpfs larger"));
            acknowledgedTotal += acknowledged;
            Mounts.unmount(dataDir);
            mounts.remove(dataDir);
        }
        System.out.println("disk full (tmpfs): " + SCALE + " disk-full halts survived, " + acknowledgedTotal +
            " acknowledged orders all found exactly once after restart");
    }

    /**
     * Loads a primary until its journal reports the disk full, checks what the node says and does, then frees space
     * ({@code makeRoom}), restarts and checks every acknowledged order is in the journal once.
     *
     * @return orders acknowledged before the halt.
     */
    private int fillDiskOnce(final Map<String, String> raw, final Path baseDir, final Runnable makeRoom)
        throws Exception
    {
        node = PrimaryNode.start(TestNodes.config(raw, baseDir));
        final Replies replies = new Replies();
        final Replies bystanderReplies = new Replies();
        final SluiceClient client = TestNodes.client(node.clientAddress(), SESSION_ID, replies);
        final SluiceClient bystander = TestNodes.client(node.clientAddress(), BYSTANDER_SESSION_ID, bystanderReplies);
        try
        {
            final long bystanderOrder = bystander.placeOrder(1, 1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC,
                false, 8_000, 1);
            assertTrue(bystander.awaitAnswer(bystanderOrder, 10, TimeUnit.SECONDS, IDLE), "bystander order answered");

            int sent = 0;
            while (node.haltReason() == null && sent < MAX_ORDERS)
            {
                final int i = sent + 1;
                if (client.placeOrder(i, 1, i % 2 == 0 ? Side.BUY : Side.SELL, OrderType.LIMIT, TimeInForce.GTC,
                    false, i % 2 == 0 ? 9_000 + i % 50 : 11_000 + i % 50, 1) == SluiceClient.BACK_PRESSURED)
                {
                    IDLE.idle(client.poll());
                }
                else
                {
                    sent++;
                    client.poll();
                }
                bystander.poll();
            }
            TestNodes.await(() -> node.haltReason() != null, 30_000, "the node halts on a full journal disk");
            final String haltReason = node.haltReason();
            assertTrue(haltReason.contains("journal disk full"), haltReason);
            assertTrue(node.journalAgent().failureReason().contains("usable space below the minimum"),
                "the guard stopped the journal before the filesystem ran out: " + node.journalAgent().failureReason());

            try (AdminClient admin = new AdminClient(node.adminAddress(), 10_000))
            {
                final String status = String.join("\n", admin.execute("STATUS"));
                assertTrue(status.contains("trading=halted") && status.contains("journal disk full"), status);
            }
            final HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.httpAddress().getPort() + "/healthz")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(503, health.statusCode());
            assertTrue(health.body().contains("\"state\":\"halted\"") &&
                health.body().contains("journal disk full"), health.body());

            // A new order is refused with HALTED (sent by the bystander: the loaded client's later answers queue
            // behind its orders that were sequenced but never journaled, which stay unanswered because they were
            // never acknowledged); nobody is disconnected.
            final long bystanderHaltedOrder = bystander.placeOrder(2, 1, Side.SELL, OrderType.LIMIT,
                TimeInForce.GTC, false, 12_000, 1);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (bystanderReplies.halted < 1 && System.nanoTime() < deadline)
            {
                IDLE.idle(client.poll() + bystander.poll());
            }
            // Take in every acknowledgement already released before counting them.
            final long drainDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (System.nanoTime() < drainDeadline)
            {
                IDLE.idle(client.poll() + bystander.poll());
            }
            assertTrue(client.inFlight() > 0, "requests caught by the full disk stay unanswered");
            assertEquals(1, bystanderReplies.halted, "the bystander's order is answered HALTED");
            assertTrue(bystander.awaitAnswer(bystanderHaltedOrder, 1, TimeUnit.SECONDS, IDLE));
            assertFalse(bystanderReplies.accepted.contains(2), "the bystander's order after the halt is refused");
            assertEquals(0, replies.disconnects + bystanderReplies.disconnects, "no client was disconnected");
            assertTrue(client.isConnected() && bystander.isConnected());
            assertEquals(0, client.reconnects() + bystander.reconnects());

            final int acknowledged = replies.accepted.size();
            assertTrue(acknowledged > 0 && acknowledged < sent, "some orders acknowledged, not all: " +
                acknowledged + " of " + sent);
            assertEquals(1, bystanderReplies.accepted.size());
            final long persistedAtHalt = node.journalPersistedWireSeq();
            client.close();
            bystander.close();
            node.shutdown(1_000);
            node = null;

            // Space again (hook removed or filesystem grown): everything acknowledged is there, once.
            makeRoom.run();
            final NodeConfig healthy = TestNodes.config(raw, baseDir);
            node = PrimaryNode.start(healthy);
            assertTrue(node.lastWireSeq() >= persistedAtHalt, "restart recovers at least " + persistedAtHalt);
            assertEquals(null, node.haltReason(), "trading again after restart");
            node.close();
            node = null;
            final JournalReplay replay = JournalReplay.of(healthy, SESSION_ID);
            replies.accepted.forEach(clientOrderId -> assertEquals(1, replay.acceptedOrders.get(clientOrderId),
                "acknowledged order " + clientOrderId + " is in the journal exactly once"));
            replay.acceptedOrders.forEach((clientOrderId, count) -> assertEquals(1, count));
            assertEquals(1, JournalReplay.of(healthy, BYSTANDER_SESSION_ID).acceptedOrders.get(1));
            return acknowledged;
        }
        finally
        {
            CloseHelper.quietCloseAll(client, bystander);
        }
    }

    /** tmpfs mounts for the real-filesystem case; every command is bounded in time. */
    private static final class Mounts
    {
        static boolean mountTmpfs(final Path mount, final long sizeBytes)
        {
            return run("mount", "-t", "tmpfs", "-o", "size=" + sizeBytes, "tmpfs", mount.toString());
        }

        static boolean resizeTmpfs(final Path mount, final long sizeBytes)
        {
            return run("mount", "-o", "remount,size=" + sizeBytes, mount.toString());
        }

        static void unmount(final Path mount)
        {
            if (!run("umount", mount.toString()))
            {
                run("umount", "-l", mount.toString());
            }
        }

        private static boolean run(final String... command)
        {
            try
            {
                final Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!process.waitFor(10, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                    return false;
                }
                return process.exitValue() == 0;
            }
            catch (final IOException ex)
            {
                return false;
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
