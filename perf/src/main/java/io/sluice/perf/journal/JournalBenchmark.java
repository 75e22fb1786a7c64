package io.sluice.perf.journal;

import io.sluice.harness.bench.Directories;
import io.sluice.harness.floor.SyncProbe;
import io.sluice.journal.DiskSpaceGuard;
import io.sluice.journal.Journal;
import io.sluice.journal.JournalAgent;
import io.sluice.journal.JournalSyncPolicy;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code perf/run journal}: what one group of appends costs until it is on disk. For each mode it appends groups of
 * 96-byte commands (a journal entry of about 160 bytes) through the journal ring and the {@link JournalAgent} on one
 * thread, timing each group from the first offer to the persisted cursor covering it, and the raw cost of
 * {@code FileChannel.force} after writing the same bytes into a zero-filled plain file, for comparison (both through
 * {@link SyncProbe}, which {@code perf/run floor} measures the sync floor with). Single-threaded on purpose: it
 * measures the disk path, not thread hand-offs.
 */
public final class JournalBenchmark
{
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
            Directories.deleteRecursively(dir);
        }

        System.out.println("journal append + group sync, " + SyncProbe.JOURNAL_COMMAND_BYTES + "-byte commands, on " +
            baseDir + (quick ? " (quick)" : ""));
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
        try (SyncProbe.JournalGroups journal = SyncProbe.JournalGroups.open(new Journal.Context().directory(dir)
            .nodeId(1).syncPolicy(mode.sync()).maxGroupEntries(Math.max(mode.groupSize(), 1)),
            (opened) -> DiskSpaceGuard.of(opened.queueDirectory(), DiskSpaceGuard.DEFAULT_MIN_FREE_BYTES),
            mode.groupSize()))
        {
            return measure("journal " + mode.name(), mode, journal::appendAndSync);
        }
    }

    private static Result runRawForce(final Path file, final Mode mode) throws IOException
    {
        try (SyncProbe.RawGroups raw = SyncProbe.RawGroups.open(file, SyncProbe.journalEntryBytes(),
            mode.groupSize(), warmupGroups(mode) + mode.groups()))
        {
            return measure("raw force", mode, raw::writeAndForce);
        }
    }

    /** One group appended and on disk. */
    @FunctionalInterface
    private interface Group
    {
        void run() throws IOException;
    }

    private static Result measure(final String name, final Mode mode, final Group group) throws IOException
    {
        final Histogram groupNs = new Histogram(HIGHEST_NS, 3);
        long measuredNs = 0;
        final int warmupGroups = warmupGroups(mode);
        for (int i = 0; i < warmupGroups + mode.groups(); i++)
        {
            final long startNs = System.nanoTime();
            group.run();
            final long elapsedNs = System.nanoTime() - startNs;
            if (i >= warmupGroups)
            {
                groupNs.recordValue(Math.min(elapsedNs, HIGHEST_NS));
                measuredNs += elapsedNs;
            }
        }
        final long entries = (long)mode.groups() * mode.groupSize();
        return new Result(name, mode.groupSize(), entries, entries * 1e9 / measuredNs, groupNs);
    }

    private static int warmupGroups(final Mode mode)
    {
        return Math.max(10, mode.groups() / 10);
    }

    private static String json(final List<Result> journal, final List<Result> force, final boolean quick)
    {
        final StringBuilder json = new StringBuilder(1024).append("{\"quick\":").append(quick)
            .append(",\"command_bytes\":").append(SyncProbe.JOURNAL_COMMAND_BYTES).append(",\"journal\":[");
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
}
