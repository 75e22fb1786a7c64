package io.sluice.perf.journal;

import io.sluice.journal.Journal;
import io.sluice.journal.JournalAgent;
import io.sluice.journal.JournalEntryView;
import io.sluice.journal.JournalPublisher;
import io.sluice.journal.JournalStateMachine;
import io.sluice.journal.JournalSyncPolicy;
import io.sluice.journal.SnapshotStore;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.AtomicLongPosition;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code perf/run journal}: what one group of appends costs until it is on disk. For each mode it appends groups of
 * 96-byte commands (a journal entry of about 160 bytes) through the journal ring and the {@link JournalAgent} on one
 * thread, timing each group from the first offer to the persisted cursor covering it, and the raw cost of
 * {@code FileChannel.force} after appending the same bytes to a plain file, for comparison. Single-threaded on
 * purpose: it measures the disk path, not thread hand-offs.
 */
public final class JournalBenchmark
{
    private static final int COMMAND_BYTES = 96;
    private static final long HIGHEST_NS = 10_000_000_000L;

    record Mode(String name, JournalSyncPolicy sync, int groupSize, int groups)
    {
    }

    record Result(String mode, int groupSize, long entries, double entriesPerSecond, Histogram groupNs)
    {
    }

    private JournalBenchmark()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        boolean quick = false;
        Path json = null;
        Path baseDir = Path.of(System.getProperty("java.io.tmpdir"));
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--quick" -> quick = true;
                case "--json" -> json = Path.of(args[++i]);
                case "--dir" -> baseDir = Path.of(args[++i]);
                default ->
                {
                    System.err.println("perf/run journal: unknown option " + args[i] +
                        "; usage: perf/run journal [--quick] [--json FILE] [--dir DIR]");
                    System.exit(2);
                }
            }
        }
        final int scale = quick ? 4 : 1;
        final List<Mode> modes = List.of(
            new Mode("every-group", JournalSyncPolicy.EVERY_GROUP, 1, 2_000 / scale),
            new Mode("every-group", JournalSyncPolicy.EVERY_GROUP, 16, 1_000 / scale),
            new Mode("every-group", JournalSyncPolicy.EVERY_GROUP, 256, 200 / scale),
            new Mode("none", JournalSyncPolicy.NONE, 256, 200 / scale));

        final Path dir = Files.createTempDirectory(baseDir, "sluice-journal-bench-");
        final List<Result> journalResults = new ArrayList<>();
        final List<Result> forceResults = new ArrayList<>();
        try
        {
            for (final Mode mode : modes)
            {
                journalResults.add(runJournal(dir.resolve(mode.name() + "-" + mode.groupSize()), mode));
                if (mode.sync() == JournalSyncPolicy.EVERY_GROUP)
                {
                    forceResults.add(runRawForce(dir.resolve("raw-" + mode.groupSize() + ".dat"), mode));
                }
            }
        }
        finally
        {
            deleteRecursively(dir);
        }

        System.out.println("journal append + group sync, " + COMMAND_BYTES + "-byte commands, on " + baseDir +
            (quick ? " (quick)" : ""));
        System.out.println("  mode            group   entries    entries/s   group p50 us   group p99 us   group max us");
        journalResults.forEach(result -> System.out.println(row(result)));
        forceResults.forEach(result -> System.out.println(row(result)));
        if (json != null)
        {
            Files.writeString(json, json(journalResults, forceResults, quick));
            System.out.println("wrote " + json);
        }
    }

    private static String row(final Result result)
    {
        return String.format(Locale.ROOT, "  %-14s %6d %9d %12.0f %14.1f %14.1f %14.1f", result.mode(),
            result.groupSize(), result.entries(), result.entriesPerSecond(),
            result.groupNs().getValueAtPercentile(50) / 1000.0, result.groupNs().getValueAtPercentile(99) / 1000.0,
            result.groupNs().getMaxValue() / 1000.0);
    }

    private static Result runJournal(final Path dir, final Mode mode) throws IOException
    {
        final Histogram groupNs = new Histogram(HIGHEST_NS, 3);
        final UnsafeBuffer command = new UnsafeBuffer(new byte[COMMAND_BYTES]);
        final OneToOneRingBuffer ring = new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect((1 << 20) + RingBufferDescriptor.TRAILER_LENGTH)));
        final AtomicLongPosition persisted = new AtomicLongPosition();
        try (Journal journal = Journal.open(new Journal.Context().directory(dir).nodeId(1).syncPolicy(mode.sync())
            .maxGroupEntries(Math.max(mode.groupSize(), 1))))
        {
            journal.recover(new SnapshotStore(journal.snapshotDirectory()), NoState.INSTANCE);
            final JournalAgent agent = new JournalAgent(journal, ring, persisted);
            final JournalPublisher publisher = new JournalPublisher(ring);
            agent.onStart();
            long wireSeq = 0;
            final int warmupGroups = Math.max(10, mode.groups() / 10);
            long measuredNs = 0;
            for (int group = 0; group < warmupGroups + mode.groups(); group++)
            {
                final long startNs = System.nanoTime();
                for (int i = 0; i < mode.groupSize(); i++)
                {
                    wireSeq++;
                    command.putLong(0, wireSeq);
                    if (!publisher.offerClientCommand(wireSeq, startNs, 1, 1, wireSeq, 1, command, 0, COMMAND_BYTES))
                    {
                        throw new IllegalStateException("journal ring full at wireSeq " + wireSeq);
                    }
                }
                while (persisted.getAcquire() < wireSeq)
                {
                    agent.doWork();
                    if (agent.isFailed())
                    {
                        throw new IllegalStateException("journal failed: " + agent.failureReason());
                    }
                }
                final long elapsedNs = System.nanoTime() - startNs;
                if (group >= warmupGroups)
                {
                    groupNs.recordValue(Math.min(elapsedNs, HIGHEST_NS));
                    measuredNs += elapsedNs;
                }
            }
            agent.onClose();
            final long entries = (long)mode.groups() * mode.groupSize();
            return new Result("journal " + mode.name(), mode.groupSize(), entries, entries * 1e9 / measuredNs, groupNs);
        }
    }

    private static Result runRawForce(final Path file, final Mode mode) throws IOException
    {
        final Histogram groupNs = new Histogram(HIGHEST_NS, 3);
        final int entryBytes = COMMAND_BYTES + 64;
        final ByteBuffer bytes = ByteBuffer.allocateDirect(entryBytes * mode.groupSize());
        long position = 0;
        long measuredNs = 0;
        final int warmupGroups = Math.max(10, mode.groups() / 10);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE))
        {
            for (int group = 0; group < warmupGroups + mode.groups(); group++)
            {
                final long startNs = System.nanoTime();
                bytes.clear();
                while (bytes.hasRemaining())
                {
                    position += channel.write(bytes, position);
                }
                channel.force(false);
                final long elapsedNs = System.nanoTime() - startNs;
                if (group >= warmupGroups)
                {
                    groupNs.recordValue(Math.min(elapsedNs, HIGHEST_NS));
                    measuredNs += elapsedNs;
                }
            }
        }
        final long entries = (long)mode.groups() * mode.groupSize();
        return new Result("raw force", mode.groupSize(), entries, entries * 1e9 / measuredNs, groupNs);
    }

    private static String json(final List<Result> journal, final List<Result> force, final boolean quick)
    {
        final StringBuilder json = new StringBuilder(1024).append("{\"quick\":").append(quick)
            .append(",\"command_bytes\":").append(COMMAND_BYTES).append(",\"journal\":[");
        append(json, journal);
        json.append("],\"raw_force\":[");
        append(json, force);
        return json.append("]}\n").toString();
    }

    private static void append(final StringBuilder json, final List<Result> results)
    {
        for (int i = 0; i < results.size(); i++)
        {
            final Result r = results.get(i);
            json.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT,
                "{\"mode\":\"%s\",\"group_size\":%d,\"entries\":%d,\"entries_per_s\":%.0f,\"group_p50_us\":%.1f," +
                "\"group_p99_us\":%.1f,\"group_max_us\":%.1f}", r.mode(), r.groupSize(), r.entries(),
                r.entriesPerSecond(), r.groupNs().getValueAtPercentile(50) / 1000.0,
                r.groupNs().getValueAtPercentile(99) / 1000.0, r.groupNs().getMaxValue() / 1000.0));
        }
    }

    private static void deleteRecursively(final Path dir) throws IOException
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path path : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.deleteIfExists(path);
            }
        }
    }

    /** The benchmark journals bytes; nothing applies them. */
    private static final class NoState implements JournalStateMachine
    {
        static final NoState INSTANCE = new NoState();

        public void loadState(final DirectBuffer buffer, final int offset, final int length)
        {
        }

        public void apply(final JournalEntryView entry)
        {
        }

        public int writeState(final MutableDirectBuffer buffer, final int offset)
        {
            return 0;
        }

        public long stateHash()
        {
            return 0;
        }
    }
}
