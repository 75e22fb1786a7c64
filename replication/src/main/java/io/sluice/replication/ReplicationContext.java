package io.sluice.replication;

import io.sluice.durability.DurabilityControl;
import io.sluice.journal.Journal;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The options both ends of a replica slot's streams share, declared once: the transport, the data endpoint and the
 * stream ids, this node's id and config digest, its journal, the durability control, heartbeats, how many fragments
 * a duty cycle polls, the clock and the protocol version. {@link ReplicaAgentContext} and
 * {@link ReplicationSenderContext} add what only their end needs; each one's {@code conclude()} calls
 * {@link #concludeShared()} first.
 *
 * @param <T> the concrete context, so the shared builder methods return it.
 */
abstract class ReplicationContext<T extends ReplicationContext<T>>
{
    public static final long DEFAULT_HEARTBEAT_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    public static final long DEFAULT_HEARTBEAT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);
    static final long MIN_HEARTBEAT_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    static final long MIN_HEARTBEAT_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(10);
    static final long MAX_HEARTBEAT_NS = TimeUnit.MINUTES.toNanos(10);
    static final int MAX_FRAGMENT_LIMIT = 1024;

    /** Names this end in every validation message, e.g. "replica". */
    private final String component;

    // The streams: set by whoever builds the context, read by the agent once concluded.
    private ReplicationTransport transport;
    private String dataEndpoint;
    private int dataStreamId = ReplicationProtocol.DATA_STREAM_ID;
    private int controlStreamId = ReplicationProtocol.CONTROL_STREAM_ID;
    private int fragmentLimit;
    /** 0 until set: then the version of the link this end runs, authenticated or not. */
    private int protocolVersion;

    // This node: what it tells the other end, and what it replicates.
    private int nodeId;
    private long configDigest;
    /** configDigest is required and any value is valid, so whether it was given is kept apart. */
    private boolean configDigestSet;
    private Journal journal;
    private DurabilityControl durabilityControl;

    // Time.
    private long heartbeatIntervalNs = DEFAULT_HEARTBEAT_INTERVAL_NS;
    private long heartbeatTimeoutNs = DEFAULT_HEARTBEAT_TIMEOUT_NS;
    private NanoClock nanoClock = SystemNanoClock.INSTANCE;

    ReplicationContext(final String component, final int defaultFragmentLimit)
    {
        this.component = component;
        this.fragmentLimit = defaultFragmentLimit;
    }

    @SuppressWarnings("unchecked")
    private T self()
    {
        return (T)this;
    }

    /** The node's transport (required). */
    public T transport(final ReplicationTransport transport)
    {
        this.transport = transport;
        return self();
    }

    public ReplicationTransport transport()
    {
        return transport;
    }

    /** {@code host:port} the replica listens on for this slot's data stream (required). */
    public T dataEndpoint(final String dataEndpoint)
    {
        this.dataEndpoint = dataEndpoint;
        return self();
    }

    public String dataEndpoint()
    {
        return dataEndpoint;
    }

    /** Aeron stream id of the data stream; default {@link ReplicationProtocol#DATA_STREAM_ID}. */
    public T dataStreamId(final int dataStreamId)
    {
        this.dataStreamId = dataStreamId;
        return self();
    }

    public int dataStreamId()
    {
        return dataStreamId;
    }

    /** Aeron stream id of the control stream; default {@link ReplicationProtocol#CONTROL_STREAM_ID}. */
    public T controlStreamId(final int controlStreamId)
    {
        this.controlStreamId = controlStreamId;
        return self();
    }

    public int controlStreamId()
    {
        return controlStreamId;
    }

    /** This node's id, sent in its handshakes, heartbeats and StreamStarts. */
    public T nodeId(final int nodeId)
    {
        this.nodeId = nodeId;
        return self();
    }

    public int nodeId()
    {
        return nodeId;
    }

    /**
     * {@code MatchingEngine.configDigest()} of this node's engine (required); a replica's must equal its primary's.
     */
    public T configDigest(final long configDigest)
    {
        this.configDigest = configDigest;
        this.configDigestSet = true;
        return self();
    }

    public long configDigest()
    {
        return configDigest;
    }

    /**
     * This node's recovered journal (required): a primary streams it from the replica's position; a replica starts
     * from its last entry.
     */
    public T journal(final Journal journal)
    {
        this.journal = journal;
        return self();
    }

    public Journal journal()
    {
        return journal;
    }

    /**
     * The node's durability policy: a primary sends it in its StreamStarts and heartbeats (required there); a replica
     * adopts the primary's, so a promoted replica keeps the operator's choice (optional there).
     */
    public T durabilityControl(final DurabilityControl durabilityControl)
    {
        this.durabilityControl = durabilityControl;
        return self();
    }

    public DurabilityControl durabilityControl()
    {
        return durabilityControl;
    }

    /** How often a heartbeat goes to the other end; default 100 ms. */
    public T heartbeatIntervalNs(final long heartbeatIntervalNs)
    {
        this.heartbeatIntervalNs = heartbeatIntervalNs;
        return self();
    }

    public long heartbeatIntervalNs()
    {
        return heartbeatIntervalNs;
    }

    /**
     * Silence from the other end after which a replica handshakes again and a primary drops the slot; default 1 s.
     * It should be several of the other end's heartbeat intervals.
     */
    public T heartbeatTimeoutNs(final long heartbeatTimeoutNs)
    {
        this.heartbeatTimeoutNs = heartbeatTimeoutNs;
        return self();
    }

    public long heartbeatTimeoutNs()
    {
        return heartbeatTimeoutNs;
    }

    /** Most fragments polled from the incoming stream per duty cycle. */
    public T fragmentLimit(final int fragmentLimit)
    {
        this.fragmentLimit = fragmentLimit;
        return self();
    }

    public int fragmentLimit()
    {
        return fragmentLimit;
    }

    /** Clock for heartbeats, timeouts and ack latency; default the system's. */
    public T nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return self();
    }

    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    /** Test seam: the protocol version this end speaks. */
    T protocolVersion(final int protocolVersion)
    {
        this.protocolVersion = protocolVersion;
        return self();
    }

    int protocolVersion()
    {
        return protocolVersion;
    }

    /** The version of the link this end runs, unless a test set another. */
    final void defaultProtocolVersion(final boolean authenticated)
    {
        if (protocolVersion == 0)
        {
            protocolVersion = authenticated ? ReplicationProtocol.AUTHENTICATED_VERSION :
                ReplicationProtocol.PROTOCOL_VERSION;
        }
    }

    /**
     * Validates the shared options.
     *
     * @throws NullPointerException     naming a required option that is missing.
     * @throws IllegalArgumentException naming the option and its allowed range.
     */
    final void concludeShared()
    {
        Objects.requireNonNull(transport, component + " transport must be set");
        Objects.requireNonNull(journal, component + " journal must be set");
        Objects.requireNonNull(nanoClock, component + " nanoClock must be set");
        if (dataEndpoint == null)
        {
            throw new IllegalArgumentException(component + " dataEndpoint must be set (host:port)");
        }
        if (!configDigestSet)
        {
            throw new IllegalArgumentException(component + " configDigest must be set");
        }
        if (heartbeatIntervalNs < MIN_HEARTBEAT_INTERVAL_NS || heartbeatIntervalNs > MAX_HEARTBEAT_NS)
        {
            throw new IllegalArgumentException(component + " heartbeatIntervalNs=" + heartbeatIntervalNs +
                " must be in [1 ms, 10 min]");
        }
        if (heartbeatTimeoutNs < MIN_HEARTBEAT_TIMEOUT_NS || heartbeatTimeoutNs > MAX_HEARTBEAT_NS)
        {
            throw new IllegalArgumentException(component + " heartbeatTimeoutNs=" + heartbeatTimeoutNs +
                " must be in [10 ms, 10 min]");
        }
        if (fragmentLimit < 1 || fragmentLimit > MAX_FRAGMENT_LIMIT)
        {
            throw new IllegalArgumentException(component + " fragmentLimit=" + fragmentLimit + " must be in [1, " +
                MAX_FRAGMENT_LIMIT + "]");
        }
    }
}
