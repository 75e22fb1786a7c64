package io.sluice.replication;

import io.sluice.concurrent.Waker;
import io.sluice.journal.JournalEntryView;
import io.sluice.journal.JournalReader;
import io.sluice.journal.JournalStateMachine;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Every option of a replica's {@link ReplicaAgent}, with its default; {@link #conclude()} validates them and, unless
 * {@link #resumeFrom} was given, reads where the journal ends. The options a primary's senders share are declared in
 * {@link ReplicationContext}.
 */
public final class ReplicaAgentContext extends ReplicationContext<ReplicaAgentContext>
{
    public static final long DEFAULT_HANDSHAKE_RETRY_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(250);
    public static final long DEFAULT_REJECT_RETRY_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    public static final int DEFAULT_FRAGMENT_LIMIT = 32;
    static final int MIN_JOURNAL_RING_BYTES = 64 * 1024;
    static final long MIN_RETRY_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);

    // The control stream: where it goes, how often an unanswered handshake is resent, the key it is signed with.
    private String primaryControlEndpoint;
    private long handshakeRetryIntervalNs = DEFAULT_HANDSHAKE_RETRY_INTERVAL_NS;
    private boolean handshakeOnceStreamed = true;
    private long rejectRetryIntervalNs = DEFAULT_REJECT_RETRY_INTERVAL_NS;
    private KeyPair keyPair;
    private ReplicationAuth.KeyCheck primaryKeys;

    // The journal ring, the journal agent's cursor and the state the agent applies to.
    private RingBuffer journalRing;
    private Waker journalWaker = Waker.NONE;
    private LongSupplier journalPersistedWireSeq;
    private JournalStateMachine stateMachine;

    // Where the agent starts: the journal's last entry, or the position resumeFrom gave.
    private long epoch;
    private boolean resume;
    private long appliedWireSeq;
    private long lastEntryCrc32c;

    // Snapshot transfers.
    private SnapshotInstaller snapshotInstaller;
    private Path snapshotDirectory;
    private boolean resyncFromSnapshot;

    public ReplicaAgentContext()
    {
        super("replica", DEFAULT_FRAGMENT_LIMIT);
    }

    /**
     * {@code host:port} where the primary listens for this replica's control stream (required); a comma-separated
     * list names every node that may be primary (the current one and those that may be promoted), and control
     * messages go to all of them: whichever is primary answers the handshake, and a stale primary that comes
     * back learns the newer epoch from this replica's heartbeats and fences itself.
     */
    public ReplicaAgentContext primaryControlEndpoint(final String primaryControlEndpoint)
    {
        this.primaryControlEndpoint = primaryControlEndpoint;
        return this;
    }

    public String primaryControlEndpoint()
    {
        return primaryControlEndpoint;
    }

    /** The journal ring its {@code JournalAgent} consumes; the replica agent is its only producer (required). */
    public ReplicaAgentContext journalRing(final RingBuffer journalRing)
    {
        this.journalRing = journalRing;
        return this;
    }

    public RingBuffer journalRing()
    {
        return journalRing;
    }

    /** Wakes the journal agent after the replica puts entries on the journal ring; default none (it polls). */
    public ReplicaAgentContext journalWaker(final Waker journalWaker)
    {
        this.journalWaker = journalWaker;
        return this;
    }

    public Waker journalWaker()
    {
        return journalWaker;
    }

    /** The journal agent's persisted cursor, e.g. {@code position::getAcquire} (required). */
    public ReplicaAgentContext journalPersistedWireSeq(final LongSupplier journalPersistedWireSeq)
    {
        this.journalPersistedWireSeq = journalPersistedWireSeq;
        return this;
    }

    public LongSupplier journalPersistedWireSeq()
    {
        return journalPersistedWireSeq;
    }

    /**
     * The hot-standby state, recovered from the same journal; every entry is applied to it on the replica agent's
     * thread (required).
     */
    public ReplicaAgentContext stateMachine(final JournalStateMachine stateMachine)
    {
        this.stateMachine = stateMachine;
        return this;
    }

    public JournalStateMachine stateMachine()
    {
        return stateMachine;
    }

    /**
     * Epoch recovered with the journal ({@code RecoveryResult.lastEpoch()}); raised to the last entry's if that
     * is higher.
     */
    public ReplicaAgentContext epoch(final long epoch)
    {
        this.epoch = epoch;
        return this;
    }

    public long epoch()
    {
        return epoch;
    }

    /**
     * Start from a known position instead of reading the journal's last entry, e.g. a new agent taking over
     * from one that stopped (its {@link ReplicaAgent#appliedWireSeq()}, {@link ReplicaAgent#lastEntryCrc32c()}
     * and {@link ReplicaAgent#epoch()}).
     */
    public ReplicaAgentContext resumeFrom(final long appliedWireSeq, final long lastEntryCrc32c, final long epoch)
    {
        this.resume = true;
        this.appliedWireSeq = appliedWireSeq;
        this.lastEntryCrc32c = lastEntryCrc32c;
        this.epoch = epoch;
        return this;
    }

    public long appliedWireSeq()
    {
        return appliedWireSeq;
    }

    public long lastEntryCrc32c()
    {
        return lastEntryCrc32c;
    }

    /**
     * Handshake only once a primary's data stream reaches this replica (default): the primary answers at once on
     * that stream, and what it sends before the replica's image of it is up is lost, so the handshake would have to
     * be repeated (a snapshot sent twice). Tests that hand the agent its messages without Aeron turn it off.
     */
    public ReplicaAgentContext handshakeOnceStreamed(final boolean handshakeOnceStreamed)
    {
        this.handshakeOnceStreamed = handshakeOnceStreamed;
        return this;
    }

    public boolean handshakeOnceStreamed()
    {
        return handshakeOnceStreamed;
    }

    /** How often an unanswered handshake is resent; default 250 ms. */
    public ReplicaAgentContext handshakeRetryIntervalNs(final long handshakeRetryIntervalNs)
    {
        this.handshakeRetryIntervalNs = handshakeRetryIntervalNs;
        return this;
    }

    public long handshakeRetryIntervalNs()
    {
        return handshakeRetryIntervalNs;
    }

    /** Wait before handshaking again after a stale or fenced primary refused; default 1 s. */
    public ReplicaAgentContext rejectRetryIntervalNs(final long rejectRetryIntervalNs)
    {
        this.rejectRetryIntervalNs = rejectRetryIntervalNs;
        return this;
    }

    public long rejectRetryIntervalNs()
    {
        return rejectRetryIntervalNs;
    }

    /**
     * Installs a snapshot the primary sends when this replica's position is gone from its journal; it runs on a
     * thread of its own ({@link SnapshotInstallHandoff}). Optional: without one such a replica is refused
     * (TOO_FAR_BEHIND) and stops.
     */
    public ReplicaAgentContext snapshotInstaller(final SnapshotInstaller snapshotInstaller)
    {
        this.snapshotInstaller = snapshotInstaller;
        return this;
    }

    public SnapshotInstaller snapshotInstaller()
    {
        return snapshotInstaller;
    }

    /**
     * Where a snapshot being received is written ({@code snapshot-<wireSeq>.snap.part}); it must be on the
     * journal's file system, as the installer moves the file into the new journal. Default: the directory that
     * holds the journal directory.
     */
    public ReplicaAgentContext snapshotDirectory(final Path snapshotDirectory)
    {
        this.snapshotDirectory = snapshotDirectory;
        return this;
    }

    public Path snapshotDirectory()
    {
        return snapshotDirectory;
    }

    /**
     * While the journal is empty, ask the primary for its newest snapshot instead of its journal from wireSeq 1
     * ({@code --resync}). Default false.
     */
    public ReplicaAgentContext resyncFromSnapshot(final boolean resyncFromSnapshot)
    {
        this.resyncFromSnapshot = resyncFromSnapshot;
        return this;
    }

    public boolean resyncFromSnapshot()
    {
        return resyncFromSnapshot;
    }

    /**
     * @param keyPair replication key to sign the primary's challenge with, on the authenticated link; required with
     *                {@link #primaryKeys}.
     * @return this.
     */
    public ReplicaAgentContext keyPair(final KeyPair keyPair)
    {
        this.keyPair = keyPair;
        return this;
    }

    public KeyPair keyPair()
    {
        return keyPair;
    }

    /**
     * @param primaryKeys run the authenticated link (protocol {@link ReplicationProtocol#AUTHENTICATED_VERSION}):
     *                    follow only a primary that signs with a key this check accepts, signing with
     *                    {@link #keyPair}; null (the default) runs the unauthenticated link.
     * @return this.
     */
    public ReplicaAgentContext primaryKeys(final ReplicationAuth.KeyCheck primaryKeys)
    {
        this.primaryKeys = primaryKeys;
        return this;
    }

    public ReplicationAuth.KeyCheck primaryKeys()
    {
        return primaryKeys;
    }

    /**
     * Validates every option and, unless {@link #resumeFrom} was given, reads the journal's last entry.
     *
     * @return this.
     * @throws IllegalArgumentException naming the option and its allowed range.
     * @throws IllegalStateException    if the journal's last entry cannot be read.
     */
    public ReplicaAgentContext conclude()
    {
        concludeShared();
        Objects.requireNonNull(journalRing, "replica journalRing must be set");
        Objects.requireNonNull(journalPersistedWireSeq, "replica journalPersistedWireSeq must be set");
        Objects.requireNonNull(stateMachine, "replica stateMachine must be set");
        if (primaryControlEndpoint == null)
        {
            throw new IllegalArgumentException("replica primaryControlEndpoint must be set (host:port[,host:port])");
        }
        if (journalRing.capacity() < MIN_JOURNAL_RING_BYTES)
        {
            throw new IllegalArgumentException("replica journalRing capacity " + journalRing.capacity() +
                " bytes must be at least " + MIN_JOURNAL_RING_BYTES);
        }
        if (handshakeRetryIntervalNs < MIN_RETRY_INTERVAL_NS)
        {
            throw new IllegalArgumentException("replica handshakeRetryIntervalNs=" + handshakeRetryIntervalNs +
                " must be >= 1 ms");
        }
        if (rejectRetryIntervalNs < MIN_RETRY_INTERVAL_NS)
        {
            throw new IllegalArgumentException("replica rejectRetryIntervalNs=" + rejectRetryIntervalNs +
                " must be >= 1 ms");
        }
        if (primaryKeys != null && keyPair == null)
        {
            throw new IllegalArgumentException("replica keyPair must be set with primaryKeys: an authenticated " +
                "link signs both ways");
        }
        defaultProtocolVersion(primaryKeys != null);
        if (snapshotDirectory == null)
        {
            snapshotDirectory = journal().directory().toAbsolutePath().getParent();
        }
        if (!resume)
        {
            readJournalTail();
        }
        return this;
    }

    private void readJournalTail()
    {
        appliedWireSeq = journal().lastWireSeq();
        lastEntryCrc32c = 0;
        if (appliedWireSeq == 0)
        {
            return;
        }
        if (appliedWireSeq == journal().firstWireSeq() - 1)
        {
            // Seeded from a snapshot and nothing journaled since: the seed holds the CRC of the entry there.
            lastEntryCrc32c = journal().entryCrc32c(appliedWireSeq);
            if (lastEntryCrc32c < 0)
            {
                throw new IllegalStateException("replica journal " + journal().directory() + " starts after " +
                    "wireSeq " + appliedWireSeq + " but does not record that entry's CRC; it cannot handshake");
            }
            return;
        }
        try (JournalReader reader = journal().newReader())
        {
            if (!reader.seek(appliedWireSeq) || !reader.next())
            {
                throw new IllegalStateException("replica journal " + journal().directory() +
                    " does not hold its last entry wireSeq " + appliedWireSeq + "; it cannot handshake");
            }
            final JournalEntryView last = reader.entry();
            lastEntryCrc32c = last.crc32c();
            epoch = Math.max(epoch, last.epoch());
        }
    }
}
