package io.sluice.replication;

import io.aeron.protocol.DataHeaderFlyweight;
import io.sluice.durability.ReplicationMetrics;
import io.sluice.journal.SnapshotInfo;

import java.security.KeyPair;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Every option of one replica slot's {@link ReplicationSenderAgent}, with its default; {@link #conclude()} validates
 * them and fills in defaults. The options a replica shares are declared in {@link ReplicationContext}.
 */
public final class ReplicationSenderContext extends ReplicationContext<ReplicationSenderContext>
{
    public static final long DEFAULT_MAX_LAG_ENTRIES = 1_000_000;
    public static final int DEFAULT_MAX_BATCHES_PER_DUTY_CYCLE = 16;
    public static final int DEFAULT_FRAGMENT_LIMIT = 16;
    static final int MIN_BATCH_BYTES = 256;
    static final int MAX_BATCHES_PER_DUTY_CYCLE = 1024;

    private String controlEndpoint;
    private int slot = -1;
    private ReplicationMetrics replicationMetrics;
    private LongSupplier epoch;
    private PrimaryFence fence;
    private long maxLagEntries = DEFAULT_MAX_LAG_ENTRIES;
    private int maxBatchBytes;
    private int maxBatchesPerDutyCycle = DEFAULT_MAX_BATCHES_PER_DUTY_CYCLE;
    private LongSupplier lastWireSeq;
    private Supplier<SnapshotInfo> newestSnapshot;
    private ReplicationAuth.KeyCheck replicationKeys;
    private KeyPair keyPair;
    private SnapshotChunkHook snapshotChunkHook;

    public ReplicationSenderContext()
    {
        super("replication sender", DEFAULT_FRAGMENT_LIMIT);
    }

    /** {@code host:port} this primary listens on for this slot's control stream (required). */
    public ReplicationSenderContext controlEndpoint(final String controlEndpoint)
    {
        this.controlEndpoint = controlEndpoint;
        return this;
    }

    public String controlEndpoint()
    {
        return controlEndpoint;
    }

    /** Replica slot in {@link ReplicationMetrics} (required). */
    public ReplicationSenderContext slot(final int slot)
    {
        this.slot = slot;
        return this;
    }

    public int slot()
    {
        return slot;
    }

    /** Where the slot's cursors and active flag live (required). */
    public ReplicationSenderContext replicationMetrics(final ReplicationMetrics replicationMetrics)
    {
        this.replicationMetrics = replicationMetrics;
        return this;
    }

    public ReplicationMetrics replicationMetrics()
    {
        return replicationMetrics;
    }

    /** The primary's current epoch; read on the sender's thread, so it must be safe to read from there. */
    public ReplicationSenderContext epoch(final LongSupplier epoch)
    {
        this.epoch = epoch;
        return this;
    }

    public LongSupplier epoch()
    {
        return epoch;
    }

    /** The node's fence, shared by all its senders; default a new one (fine for a single sender). */
    public ReplicationSenderContext fence(final PrimaryFence fence)
    {
        this.fence = fence;
        return this;
    }

    public PrimaryFence fence()
    {
        return fence;
    }

    /**
     * Entries a replica's in-memory cursor may trail the journal by; beyond it for a whole heartbeat timeout the
     * replica is disconnected and must catch up again. Default 1,000,000.
     */
    public ReplicationSenderContext maxLagEntries(final long maxLagEntries)
    {
        this.maxLagEntries = maxLagEntries;
        return this;
    }

    public long maxLagEntries()
    {
        return maxLagEntries;
    }

    /**
     * Largest batch message (a single larger entry still goes alone); default the transport's MTU less the
     * Aeron frame header, so a batch travels in one datagram.
     */
    public ReplicationSenderContext maxBatchBytes(final int maxBatchBytes)
    {
        this.maxBatchBytes = maxBatchBytes;
        return this;
    }

    public int maxBatchBytes()
    {
        return maxBatchBytes;
    }

    /** Most batches offered per duty cycle, so catch-up does not starve agents sharing the thread. */
    public ReplicationSenderContext maxBatchesPerDutyCycle(final int maxBatchesPerDutyCycle)
    {
        this.maxBatchesPerDutyCycle = maxBatchesPerDutyCycle;
        return this;
    }

    public int maxBatchesPerDutyCycle()
    {
        return maxBatchesPerDutyCycle;
    }

    /**
     * Last {@code wireSeq} in the primary's journal, sent in heartbeats so the replica can report its lag, e.g.
     * {@code journalAgent::appendedWireSeq}. Optional: without it heartbeats carry the last {@code wireSeq} this
     * sender has read, which trails the journal during catch-up.
     */
    public ReplicationSenderContext lastWireSeq(final LongSupplier lastWireSeq)
    {
        this.lastWireSeq = lastWireSeq;
        return this;
    }

    public LongSupplier lastWireSeq()
    {
        return lastWireSeq;
    }

    /**
     * @param newestSnapshot the newest snapshot already checked by its writer (null until there is one); offered
     *                       to a replica the journal no longer covers. Unset: the sender checks the snapshot
     *                       directory itself.
     * @return this.
     */
    public ReplicationSenderContext newestSnapshot(final Supplier<SnapshotInfo> newestSnapshot)
    {
        this.newestSnapshot = newestSnapshot;
        return this;
    }

    public Supplier<SnapshotInfo> newestSnapshot()
    {
        return newestSnapshot;
    }

    /**
     * @param replicationKeys run the authenticated link (protocol {@link ReplicationProtocol#AUTHENTICATED_VERSION}):
     *                        every replica signs with a key this check accepts, and this primary signs with
     *                        {@link #keyPair}; null (the default) runs the unauthenticated link.
     * @return this.
     */
    public ReplicationSenderContext replicationKeys(final ReplicationAuth.KeyCheck replicationKeys)
    {
        this.replicationKeys = replicationKeys;
        return this;
    }

    public ReplicationAuth.KeyCheck replicationKeys()
    {
        return replicationKeys;
    }

    /**
     * @param keyPair this primary's Ed25519 replication key, which signs its challenges; required with
     *                {@link #replicationKeys}.
     * @return this.
     */
    public ReplicationSenderContext keyPair(final KeyPair keyPair)
    {
        this.keyPair = keyPair;
        return this;
    }

    public KeyPair keyPair()
    {
        return keyPair;
    }

    /** Test seam: sees each snapshot chunk before it is offered. */
    ReplicationSenderContext snapshotChunkHook(final SnapshotChunkHook snapshotChunkHook)
    {
        this.snapshotChunkHook = snapshotChunkHook;
        return this;
    }

    SnapshotChunkHook snapshotChunkHook()
    {
        return snapshotChunkHook;
    }

    /**
     * Validates every option and fills in defaults.
     *
     * @return this.
     * @throws IllegalArgumentException naming the option and its allowed range.
     */
    public ReplicationSenderContext conclude()
    {
        concludeShared();
        Objects.requireNonNull(replicationMetrics, "replication sender replicationMetrics must be set");
        Objects.requireNonNull(durabilityControl(), "replication sender durabilityControl must be set");
        Objects.requireNonNull(epoch, "replication sender epoch must be set");
        if (controlEndpoint == null)
        {
            throw new IllegalArgumentException("replication sender slot " + slot +
                " controlEndpoint must be set (host:port)");
        }
        if (slot < 0 || slot >= replicationMetrics.slotCount())
        {
            throw new IllegalArgumentException("replication sender slot=" + slot + " must be in [0, " +
                replicationMetrics.slotCount() + ")");
        }
        if (fence == null)
        {
            fence = new PrimaryFence();
        }
        if (replicationKeys != null && keyPair == null)
        {
            throw new IllegalArgumentException("replication sender slot " + slot + " keyPair must be set with " +
                "replicationKeys: an authenticated link signs both ways");
        }
        defaultProtocolVersion(replicationKeys != null);
        final int maxMessageBytes = transport().context().termBufferLengthBytes() / 8;
        if (maxBatchBytes == 0)
        {
            // Sealed or not, a batch travels in one datagram.
            maxBatchBytes = transport().context().mtuLengthBytes() - DataHeaderFlyweight.HEADER_LENGTH -
                (replicationKeys != null ? StreamMac.SEAL_LENGTH : 0);
        }
        if (maxBatchBytes < MIN_BATCH_BYTES || maxBatchBytes > maxMessageBytes)
        {
            throw new IllegalArgumentException("replication sender maxBatchBytes=" + maxBatchBytes + " must be in [" +
                MIN_BATCH_BYTES + ", " + maxMessageBytes + "] (an eighth of the term length)");
        }
        if (maxBatchesPerDutyCycle < 1 || maxBatchesPerDutyCycle > MAX_BATCHES_PER_DUTY_CYCLE)
        {
            throw new IllegalArgumentException("replication sender maxBatchesPerDutyCycle=" + maxBatchesPerDutyCycle +
                " must be in [1, " + MAX_BATCHES_PER_DUTY_CYCLE + "]");
        }
        return this;
    }
}
