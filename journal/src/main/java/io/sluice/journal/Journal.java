package io.sluice.journal;

import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.RollingResourcesCache;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.SparseRollCycles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The write-ahead journal of one node: a Chronicle Queue holding one excerpt per sequenced command (see
 * {@link JournalEntryView} for the entry format), a side file {@code journal.header} (format version, node id, first
 * {@code wireSeq}) and the node's snapshots.
 * <pre>
 * DIR/journal.header      JournalHeader + CRC32C, replaced atomically
 * DIR/journal.seed        only in a journal seeded from a snapshot: CRC32C of the entry before the first
 * DIR/queue/*.cq4         Chronicle Queue cycle files, one per hour ({@link Context#DEFAULT_ROLL_CYCLE})
 * DIR/snapshots/*.snap    {@link SnapshotStore}
 * </pre>
 * Lifecycle: {@link #open}, then {@link #recover} exactly once (it verifies the journal, replays it into the state
 * machine and cuts off a torn final entry), then a {@link JournalAgent} appends and any number of
 * {@link JournalReader}s read. {@link #deleteCyclesCoveredBy} removes old cycle files.
 */
public final class Journal implements AutoCloseable
{
    public static final String QUEUE_DIRECTORY = "queue";
    public static final String SNAPSHOT_DIRECTORY = "snapshots";
    /** See where the queue is built: how long Chronicle waits on an incomplete header. */
    static final long CHRONICLE_HEADER_TIMEOUT_MS = 500;

    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);

    private final Context context;
    private final Path directory;
    private final Path queueDirectory;
    private final SingleChronicleQueue queue;
    private final RollingResourcesCache cycleNames;

    /** Written by {@link #recover} and {@link #deleteCyclesCoveredBy} (never concurrently), read by any thread. */
    private volatile JournalHeaderFile header;

    /** Set once by {@link #recover}; read by the agent when it starts. */
    private volatile RecoveryState recovered;

    /** Null unless the journal was seeded from a snapshot ({@link SnapshotInstall}); read at open, never changed. */
    private final JournalSeedFile seed;

    static final class RecoveryState
    {
        final long lastWireSeq;
        final int lastEntryCycle;
        final long lastEntrySeqInCycle;

        RecoveryState(final long lastWireSeq, final int lastEntryCycle, final long lastEntrySeqInCycle)
        {
            this.lastWireSeq = lastWireSeq;
            this.lastEntryCycle = lastEntryCycle;
            this.lastEntrySeqInCycle = lastEntrySeqInCycle;
        }
    }

    private Journal(
        final Context context,
        final JournalHeaderFile header,
        final JournalSeedFile seed,
        final SingleChronicleQueue queue)
    {
        this.seed = seed;
        this.context = context;
        this.directory = context.directory();
        this.queueDirectory = directory.resolve(QUEUE_DIRECTORY);
        this.header = header;
        this.queue = queue;
        this.cycleNames = new RollingResourcesCache(
            queue.rollCycle(),
            queue.epoch(),
            (name) -> new File(queueDirectory.toFile(), name + JournalScanner.CYCLE_FILE_SUFFIX),
            (file) -> file.getName().substring(0, file.getName().length() - JournalScanner.CYCLE_FILE_SUFFIX.length()));
    }

    /**
     * Opens (creating if needed) the journal in {@link Context#directory()}. A new journal gets a header with
     * {@link Context#firstWireSeq()}; an existing one must carry this format version and node id.
     */
    public static Journal open(final Context context) throws IOException
    {
        context.conclude();
        final Path directory = context.directory();
        final Path queueDirectory = directory.resolve(QUEUE_DIRECTORY);
        Files.createDirectories(queueDirectory);

        JournalHeaderFile header = JournalHeaderFile.read(directory);
        if (header == null)
        {
            if (!JournalScanner.listCycleFiles(queueDirectory).isEmpty())
            {
                throw new IllegalStateException("journal " + directory + " has cycle files but no " +
                    JournalHeaderFile.FILE_NAME + "; refusing to guess its first wireSeq");
            }
            header = new JournalHeaderFile(JournalHeaderFile.FORMAT_VERSION, context.nodeId(), context.firstWireSeq());
            header.write(directory);
        }
        else
        {
            if (header.formatVersion != JournalHeaderFile.FORMAT_VERSION)
            {
                throw new IllegalStateException("journal " + directory + " has format version " +
                    header.formatVersion + ", this build reads " + JournalHeaderFile.FORMAT_VERSION);
            }
            if (header.nodeId != context.nodeId())
            {
                throw new IllegalStateException("journal " + directory + " belongs to node " + header.nodeId +
                    ", this is node " + context.nodeId());
            }
        }

        final SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.binary(queueDirectory)
            .rollCycle(context.rollCycle())
            .blockSize(context.blockSizeBytes())
            .syncMode(context.syncPolicy() == JournalSyncPolicy.EVERY_GROUP ? SyncMode.SYNC : SyncMode.NONE)
            // How long Chronicle waits for another writer to finish a header it finds incomplete (default 10 s). The
            // journal has one writer, so at start-up such a header can only be a dead process's: a node SIGKILLed
            // as its journal rolled left a new cycle file without its first header, and every restart then waited
            // 10 s per look at that file (20-40 s in the soak). Readers racing the live writer onto a new cycle
            // wait microseconds, well inside this.
            .timeoutMS(CHRONICLE_HEADER_TIMEOUT_MS);
        if (context.timeProvider() != null)
        {
            builder.timeProvider(context.timeProvider());
        }
        return new Journal(context, header, JournalSeedFile.read(directory), builder.build());
    }

    /**
     * Rebuilds the state machine: loads the newest valid snapshot, then verifies and applies every entry after it
     * (CRC32C, {@code wireSeq} continuity, Chronicle framing). A torn final entry (an append cut short by a crash)
     * is dropped and zeroed so the next append takes its place; any other damage throws
     * {@link JournalCorruptionException} naming the file, the {@code wireSeq} and the problem. Call once, before
     * any {@link JournalAgent} runs.
     */
    public RecoveryResult recover(final SnapshotStore snapshots, final JournalStateMachine stateMachine)
        throws IOException
    {
        if (recovered != null)
        {
            throw new IllegalStateException("journal " + directory + " is already recovered");
        }
        final JournalRecovery recovery = new JournalRecovery(this);
        final RecoveryResult result = recovery.run(snapshots, stateMachine);
        recovered = recovery.state();
        if (result.tornTailDropped())
        {
            LOG.warn("journal torn tail dropped dir={} detail=\"{}\"", directory, result.tornTailDescription());
        }
        return result;
    }

    public boolean isRecovered()
    {
        return recovered != null;
    }

    /**
     * Last {@code wireSeq} recovery found; the first entry appended must be this plus one.
     *
     * @throws IllegalStateException before {@link #recover}.
     */
    public long lastWireSeq()
    {
        return recoveryState().lastWireSeq;
    }

    RecoveryState recoveryState()
    {
        final RecoveryState state = recovered;
        if (state == null)
        {
            throw new IllegalStateException("journal " + directory + " must be recovered first");
        }
        return state;
    }

    /** A new reader, positioned before the first entry; use {@link JournalReader#seek} to start elsewhere. */
    public JournalReader newReader()
    {
        return new JournalReader(this);
    }

    /**
     * Stored CRC32C of the entry at {@code wireSeq}: read from the journal, or, for the position just before the
     * first entry of a journal seeded from a snapshot, from its seed file. A replica handshakes with it and a
     * primary checks it, so both must answer the same for the same history.
     *
     * @return the CRC (0..2^32-1), or -1 if the journal neither holds the entry nor was seeded at it.
     */
    public long entryCrc32c(final long wireSeq)
    {
        final JournalSeedFile seedFile = seed;
        if (seedFile != null && seedFile.wireSeq == wireSeq)
        {
            return seedFile.entryCrc32c;
        }
        if (wireSeq < 1 || wireSeq < firstWireSeq())
        {
            return -1;
        }
        try (JournalReader reader = newReader())
        {
            if (reader.seek(wireSeq) && reader.next() && reader.entry().wireSeq() == wireSeq)
            {
                return reader.entry().crc32c();
            }
        }
        return -1;
    }

    /**
     * Retention: deletes whole cycle files whose entries are all below {@code snapshotWireSeq} (a snapshot covers
     * them; the entry at the snapshot's own {@code wireSeq} is kept, so a replica seeded from that snapshot can
     * prove, by its CRC, that it follows this history) and below {@code oldestWireSeqNeededByReplicas} (no replica
     * will ask for them). The current (newest) cycle file is never deleted. The header's first {@code wireSeq} is
     * raised before any file goes, so a crash part-way leaves only surplus files, never a gap.
     *
     * @param snapshotWireSeq               {@code wireSeq} of a valid snapshot on disk.
     * @param oldestWireSeqNeededByReplicas lowest {@code wireSeq} any replica may still fetch; {@code Long.MAX_VALUE}
     *                                      if none.
     * @return number of cycle files deleted.
     */
    public int deleteCyclesCoveredBy(final long snapshotWireSeq, final long oldestWireSeqNeededByReplicas)
        throws IOException
    {
        final long keepFrom = Math.min(snapshotWireSeq, oldestWireSeqNeededByReplicas);
        final List<Path> files = JournalScanner.listCycleFiles(queueDirectory);
        if (files.size() < 2)
        {
            return 0;
        }
        int deletable = 0;
        long newFirstWireSeq = -1;
        try (JournalReader reader = newReader())
        {
            for (int i = 1; i < files.size(); i++)
            {
                final long nextFirst = reader.firstWireSeqOfCycle(cycleOf(files.get(i)));
                if (nextFirst == JournalScanner.ANY_WIRE_SEQ)
                {
                    break;
                }
                if (nextFirst - 1 >= keepFrom)
                {
                    break;
                }
                deletable = i;
                newFirstWireSeq = nextFirst;
            }
        }
        if (deletable == 0)
        {
            return 0;
        }
        final JournalHeaderFile current = header;
        if (newFirstWireSeq > current.firstWireSeq)
        {
            final JournalHeaderFile raised =
                new JournalHeaderFile(current.formatVersion, current.nodeId, newFirstWireSeq);
            raised.write(directory);
            header = raised;
        }
        for (int i = 0; i < deletable; i++)
        {
            Files.deleteIfExists(files.get(i));
        }
        DurableFiles.forceDirectory(queueDirectory);
        queue.refreshDirectoryListing();
        return deletable;
    }

    public Context context()
    {
        return context;
    }

    public Path directory()
    {
        return directory;
    }

    public Path queueDirectory()
    {
        return queueDirectory;
    }

    public Path snapshotDirectory()
    {
        return directory.resolve(SNAPSHOT_DIRECTORY);
    }

    /** Node id recorded in the header. */
    public int nodeId()
    {
        return header.nodeId;
    }

    /** Lowest {@code wireSeq} the journal holds (raised by retention). */
    public long firstWireSeq()
    {
        return header.firstWireSeq;
    }

    SingleChronicleQueue queue()
    {
        return queue;
    }

    /** Cycle file of a Chronicle cycle number. */
    Path fileForCycle(final int cycle)
    {
        return cycleNames.resourceFor(cycle).path.toPath();
    }

    /** Chronicle cycle number of a cycle file. */
    int cycleOf(final Path cycleFile)
    {
        final String name = cycleFile.getFileName().toString();
        return cycleNames.parseCount(name.substring(0, name.length() - JournalScanner.CYCLE_FILE_SUFFIX.length()));
    }

    JournalHeaderFile header()
    {
        return header;
    }

    public void close()
    {
        queue.close();
    }

    /**
     * Every option of a journal with its default; {@link #conclude()} validates them.
     */
    public static final class Context
    {
        /**
         * One file per hour, indexed sparsely (every 1024th entry): up to 2^34 - 1 entries an hour, 4.7M/s
         * sustained, so a day at 1M commands/s (3.6e9 an hour) fits with room for bursts. Hourly files keep a file at
         * that rate to roughly 0.4 TB and let retention free space an hour at a time; daily cycles would hold
         * ~10 TB each. Sparse indexing costs a short scan (at most 1023 headers) when a reader seeks.
         */
        public static final RollCycle DEFAULT_ROLL_CYCLE = SparseRollCycles.LARGE_HOURLY_SPARSE;
        public static final long DEFAULT_BLOCK_SIZE_BYTES = 64L * 1024 * 1024;
        public static final int DEFAULT_MAX_GROUP_ENTRIES = 1024;
        public static final int DEFAULT_MAX_GROUP_BYTES = 256 * 1024;

        private Path directory;
        private int nodeId;
        private long firstWireSeq = 1;
        private JournalSyncPolicy syncPolicy = JournalSyncPolicy.EVERY_GROUP;
        private RollCycle rollCycle = DEFAULT_ROLL_CYCLE;
        private long blockSizeBytes = DEFAULT_BLOCK_SIZE_BYTES;
        private int maxGroupEntries = DEFAULT_MAX_GROUP_ENTRIES;
        private int maxGroupBytes = DEFAULT_MAX_GROUP_BYTES;
        private JournalAgent.SyncAction syncAction = JournalAgent.CHRONICLE_SYNC;
        private TimeProvider timeProvider;

        /** Journal directory (required). */
        public Context directory(final Path directory)
        {
            this.directory = directory;
            return this;
        }

        public Path directory()
        {
            return directory;
        }

        /** This node's id; recorded in a new journal's header and checked when opening an existing one. */
        public Context nodeId(final int nodeId)
        {
            this.nodeId = nodeId;
            return this;
        }

        public int nodeId()
        {
            return nodeId;
        }

        /**
         * First {@code wireSeq} of a journal created now (default 1; a replica seeded from a snapshot at S uses
         * S + 1). Ignored when the journal exists.
         */
        public Context firstWireSeq(final long firstWireSeq)
        {
            this.firstWireSeq = firstWireSeq;
            return this;
        }

        public long firstWireSeq()
        {
            return firstWireSeq;
        }

        /** {@code sync=every-group} (default) or {@code sync=none} (benchmarks only). */
        public Context syncPolicy(final JournalSyncPolicy syncPolicy)
        {
            this.syncPolicy = syncPolicy;
            return this;
        }

        public JournalSyncPolicy syncPolicy()
        {
            return syncPolicy;
        }

        /**
         * Chronicle roll cycle of a new journal (an existing queue keeps the one it was created with). Tests use
         * short cycles to exercise several files.
         */
        public Context rollCycle(final RollCycle rollCycle)
        {
            this.rollCycle = rollCycle;
            return this;
        }

        public RollCycle rollCycle()
        {
            return rollCycle;
        }

        /** Size of the chunks Chronicle maps and grows cycle files by. */
        public Context blockSizeBytes(final long blockSizeBytes)
        {
            this.blockSizeBytes = blockSizeBytes;
            return this;
        }

        public long blockSizeBytes()
        {
            return blockSizeBytes;
        }

        /** Most entries the agent appends before it syncs and publishes. */
        public Context maxGroupEntries(final int maxGroupEntries)
        {
            this.maxGroupEntries = maxGroupEntries;
            return this;
        }

        public int maxGroupEntries()
        {
            return maxGroupEntries;
        }

        /** Most bytes the agent appends before it syncs and publishes. */
        public Context maxGroupBytes(final int maxGroupBytes)
        {
            this.maxGroupBytes = maxGroupBytes;
            return this;
        }

        public int maxGroupBytes()
        {
            return maxGroupBytes;
        }

        /**
         * How the agent forces a group to disk. The default calls Chronicle's {@code appender.sync()} (msync up to
         * the write position). Exposed so tests (here and in the pipeline) can inject a sync failure.
         */
        public Context syncAction(final JournalAgent.SyncAction syncAction)
        {
            this.syncAction = syncAction;
            return this;
        }

        public JournalAgent.SyncAction syncAction()
        {
            return syncAction;
        }

        /** Clock Chronicle uses to pick the cycle; tests move it to roll files. Null means the system clock. */
        Context timeProvider(final TimeProvider timeProvider)
        {
            this.timeProvider = timeProvider;
            return this;
        }

        TimeProvider timeProvider()
        {
            return timeProvider;
        }

        /**
         * Validates every option.
         *
         * @throws IllegalArgumentException naming the option and its allowed range.
         */
        public Context conclude()
        {
            if (directory == null)
            {
                throw new IllegalArgumentException("journal directory must be set");
            }
            if (nodeId < 0)
            {
                throw new IllegalArgumentException("journal nodeId=" + nodeId + " must be >= 0");
            }
            if (firstWireSeq < 1)
            {
                throw new IllegalArgumentException("journal firstWireSeq=" + firstWireSeq + " must be >= 1");
            }
            if (syncPolicy == null || rollCycle == null || syncAction == null)
            {
                throw new IllegalArgumentException("journal syncPolicy, rollCycle and syncAction must be set");
            }
            if (blockSizeBytes < 64 * 1024 || blockSizeBytes > (1L << 30))
            {
                throw new IllegalArgumentException("journal blockSizeBytes=" + blockSizeBytes +
                    " must be in [65536, 1073741824]");
            }
            if (maxGroupEntries < 1 || maxGroupEntries > 1_000_000)
            {
                throw new IllegalArgumentException("journal maxGroupEntries=" + maxGroupEntries +
                    " must be in [1, 1000000]");
            }
            if (maxGroupBytes < EntryLayout.MAX_ENTRY_LENGTH || maxGroupBytes > (64 << 20))
            {
                throw new IllegalArgumentException("journal maxGroupBytes=" + maxGroupBytes + " must be in [" +
                    EntryLayout.MAX_ENTRY_LENGTH + ", " + (64 << 20) + "]");
            }
            return this;
        }
    }
}
