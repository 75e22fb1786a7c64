package io.sluice.response;

import io.sluice.durability.DurabilityControl;
import io.sluice.durability.ReplicationMetrics;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Configuration of a {@link ResponseAgent}: every option, its default, and validation in {@link #conclude()}.
 */
public final class ResponseContext
{
    /** Heartbeat a connection after this long without output. */
    public static final long DEFAULT_HEARTBEAT_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    /**
     * A client whose unsent output would exceed this is dropped: with the socket's own send buffer it absorbs a
     * burst while a client that reads is briefly descheduled.
     */
    public static final int DEFAULT_MAX_SEND_BUFFER_BYTES = 1024 * 1024;
    public static final int DEFAULT_INITIAL_SEND_BUFFER_BYTES = 4 * 1024;
    /** A client whose socket takes none of its waiting output for this long is dropped. */
    public static final long DEFAULT_SEND_STALL_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    /** Slots taken from the ring per duty cycle. */
    public static final int DEFAULT_MAX_BATCH_SLOTS = 1024;
    /** Slots held while the gate is shut, and the bytes to hold them in. */
    public static final int DEFAULT_MAX_PENDING_SLOTS = 16 * 1024;
    public static final int DEFAULT_PENDING_CAPACITY_BYTES = 4 * 1024 * 1024;
    /** Pending capacity not set: the default, or the ring's largest message if that is larger. */
    private static final int AUTO_PENDING_CAPACITY = -1;
    /** Re-evaluate the policy at least this often, so the gauge and the log follow an idle cluster. */
    public static final long DEFAULT_POLICY_CHECK_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    public static final long DEFAULT_DEGRADED_FLAP_HOLD_NS = TimeUnit.SECONDS.toNanos(1);
    public static final long DEFAULT_DEGRADED_REMINDER_INTERVAL_NS = TimeUnit.SECONDS.toNanos(5);

    private RingBuffer outputRing;
    private Selector idleSelector;
    private ClientConnections connections;
    private DurabilityControl durabilityControl;
    private LongSupplier journalPersistedWireSeq;
    private ReplicationMetrics replicationMetrics;
    private NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private EpochNanoClock epochNanoClock = SystemEpochNanoClock.INSTANCE;
    private ResponseCounters counters;
    private ResponseTrace trace;
    private long heartbeatIntervalNs = DEFAULT_HEARTBEAT_INTERVAL_NS;
    private int maxSendBufferBytes = DEFAULT_MAX_SEND_BUFFER_BYTES;
    private int initialSendBufferBytes = DEFAULT_INITIAL_SEND_BUFFER_BYTES;
    private long sendStallTimeoutNs = DEFAULT_SEND_STALL_TIMEOUT_NS;
    private int maxBatchSlots = DEFAULT_MAX_BATCH_SLOTS;
    private int maxPendingSlots = DEFAULT_MAX_PENDING_SLOTS;
    private int pendingCapacityBytes = AUTO_PENDING_CAPACITY;
    private long policyCheckIntervalNs = DEFAULT_POLICY_CHECK_INTERVAL_NS;
    private long degradedFlapHoldNs = DEFAULT_DEGRADED_FLAP_HOLD_NS;
    private long degradedReminderIntervalNs = DEFAULT_DEGRADED_REMINDER_INTERVAL_NS;
    private DegradationLogger.Events degradationEvents = DegradationLogger.LOGGING_EVENTS;

    /**
     * Check every option and fill in defaults. Called by the agent's constructor.
     *
     * @return this.
     * @throws IllegalStateException naming the option and its allowed range.
     */
    public ResponseContext conclude()
    {
        require(null != outputRing, "response.outputRing is required");
        require(null != connections, "response.connections is required");
        require(null != durabilityControl, "response.durabilityControl is required");
        require(null != journalPersistedWireSeq, "response.journalPersistedWireSeq is required");
        require(null != replicationMetrics,
            "response.replicationMetrics is required (zero slots for a standalone primary)");
        require(null != nanoClock, "response.nanoClock is required");
        require(null != epochNanoClock, "response.epochNanoClock is required");
        require(heartbeatIntervalNs >= 0,
            "response.heartbeatIntervalNs must be >= 0 (0 disables heartbeats): " + heartbeatIntervalNs);
        require(maxSendBufferBytes >= 1024 && maxSendBufferBytes <= 64 * 1024 * 1024,
            "response.maxSendBufferBytes must be in 1024..67108864: " + maxSendBufferBytes);
        require(initialSendBufferBytes >= 64 && initialSendBufferBytes <= maxSendBufferBytes,
            "response.initialSendBufferBytes must be in 64..maxSendBufferBytes (" + maxSendBufferBytes + "): " +
            initialSendBufferBytes);
        require(sendStallTimeoutNs > 0, "response.sendStallTimeoutNs must be > 0: " + sendStallTimeoutNs);
        require(maxBatchSlots >= 1 && maxBatchSlots <= 1 << 20,
            "response.maxBatchSlots must be in 1..1048576: " + maxBatchSlots);
        require(maxPendingSlots >= maxBatchSlots && maxPendingSlots <= 1 << 22,
            "response.maxPendingSlots must be in maxBatchSlots (" + maxBatchSlots + ")..4194304: " +
            maxPendingSlots);
        if (AUTO_PENDING_CAPACITY == pendingCapacityBytes)
        {
            pendingCapacityBytes = Math.max(DEFAULT_PENDING_CAPACITY_BYTES, outputRing.maxMsgLength());
        }
        require(pendingCapacityBytes >= outputRing.maxMsgLength() && pendingCapacityBytes <= 1 << 30,
            "response.pendingCapacityBytes must be in the ring's max message length (" +
            outputRing.maxMsgLength() + ")..1073741824: " + pendingCapacityBytes);
        require(policyCheckIntervalNs > 0,
            "response.policyCheckIntervalNs must be > 0: " + policyCheckIntervalNs);
        require(degradedFlapHoldNs >= 0, "response.degradedFlapHoldNs must be >= 0: " + degradedFlapHoldNs);
        require(degradedReminderIntervalNs > 0,
            "response.degradedReminderIntervalNs must be > 0: " + degradedReminderIntervalNs);

        if (null == counters)
        {
            counters = new ResponseCounters();
        }

        return this;
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalStateException(message);
        }
    }

    /**
     * @param outputRing the ring the sequencer publishes replies into through an {@link OutputRingPublisher}.
     * @return this.
     */
    public ResponseContext outputRing(final RingBuffer outputRing)
    {
        this.outputRing = outputRing;
        return this;
    }

    public RingBuffer outputRing()
    {
        return outputRing;
    }

    /**
     * The selector the stage's thread sleeps on, when it sleeps in a select: a socket that could not take all its
     * replies is watched there for writability, so the thread wakes when it can write more. Null (default) when the
     * thread polls.
     */
    public ResponseContext idleSelector(final Selector idleSelector)
    {
        this.idleSelector = idleSelector;
        return this;
    }

    public Selector idleSelector()
    {
        return idleSelector;
    }

    /**
     * @param connections the write side of client connections.
     * @return this.
     */
    public ResponseContext connections(final ClientConnections connections)
    {
        this.connections = connections;
        return this;
    }

    public ClientConnections connections()
    {
        return connections;
    }

    /**
     * @param durabilityControl the policy in force, shared with the admin handler and the sequencer.
     * @return this.
     */
    public ResponseContext durabilityControl(final DurabilityControl durabilityControl)
    {
        this.durabilityControl = durabilityControl;
        return this;
    }

    public DurabilityControl durabilityControl()
    {
        return durabilityControl;
    }

    /**
     * @param journalPersistedWireSeq reads the journal's persisted cursor with acquire semantics.
     * @return this.
     */
    public ResponseContext journalPersistedWireSeq(final LongSupplier journalPersistedWireSeq)
    {
        this.journalPersistedWireSeq = journalPersistedWireSeq;
        return this;
    }

    public LongSupplier journalPersistedWireSeq()
    {
        return journalPersistedWireSeq;
    }

    /**
     * @param replicationMetrics replica slots; zero slots for a standalone primary.
     * @return this.
     */
    public ResponseContext replicationMetrics(final ReplicationMetrics replicationMetrics)
    {
        this.replicationMetrics = replicationMetrics;
        return this;
    }

    public ReplicationMetrics replicationMetrics()
    {
        return replicationMetrics;
    }

    /**
     * @param nanoClock duty-cycle clock; must be the clock {@code recvTs} and {@code matchCompleteTs} come from.
     * @return this.
     */
    public ResponseContext nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    /**
     * @param epochNanoClock wall clock stamped into heartbeats.
     * @return this.
     */
    public ResponseContext epochNanoClock(final EpochNanoClock epochNanoClock)
    {
        this.epochNanoClock = epochNanoClock;
        return this;
    }

    public EpochNanoClock epochNanoClock()
    {
        return epochNanoClock;
    }

    /**
     * @param counters where the stage counts; a new set if not given.
     * @return this.
     */
    public ResponseContext counters(final ResponseCounters counters)
    {
        this.counters = counters;
        return this;
    }

    public ResponseCounters counters()
    {
        return counters;
    }

    /**
     * @param trace latency histograms to record into, or null (the default) for none.
     * @return this.
     */
    public ResponseContext trace(final ResponseTrace trace)
    {
        this.trace = trace;
        return this;
    }

    public ResponseTrace trace()
    {
        return trace;
    }

    /**
     * @param heartbeatIntervalNs heartbeat a connection after this long without output; 0 disables.
     * @return this.
     */
    public ResponseContext heartbeatIntervalNs(final long heartbeatIntervalNs)
    {
        this.heartbeatIntervalNs = heartbeatIntervalNs;
        return this;
    }

    public long heartbeatIntervalNs()
    {
        return heartbeatIntervalNs;
    }

    /**
     * @param maxSendBufferBytes a client whose unsent output would exceed this is dropped (so must a client be
     *                           sent a single reply larger than this, which the protocol's frame limit rules out).
     * @return this.
     */
    public ResponseContext maxSendBufferBytes(final int maxSendBufferBytes)
    {
        this.maxSendBufferBytes = maxSendBufferBytes;
        return this;
    }

    public int maxSendBufferBytes()
    {
        return maxSendBufferBytes;
    }

    /**
     * @param initialSendBufferBytes a connection's send buffer to begin with; it grows up to the maximum.
     * @return this.
     */
    public ResponseContext initialSendBufferBytes(final int initialSendBufferBytes)
    {
        this.initialSendBufferBytes = initialSendBufferBytes;
        return this;
    }

    public int initialSendBufferBytes()
    {
        return initialSendBufferBytes;
    }

    /**
     * @param sendStallTimeoutNs a connection with output waiting whose socket accepts none of it for this long is
     *                           dropped as a slow consumer (the byte limit catches one that reads, but too slowly).
     * @return this.
     */
    public ResponseContext sendStallTimeoutNs(final long sendStallTimeoutNs)
    {
        this.sendStallTimeoutNs = sendStallTimeoutNs;
        return this;
    }

    public long sendStallTimeoutNs()
    {
        return sendStallTimeoutNs;
    }

    /**
     * @param maxBatchSlots slots taken from the ring per duty cycle.
     * @return this.
     */
    public ResponseContext maxBatchSlots(final int maxBatchSlots)
    {
        this.maxBatchSlots = maxBatchSlots;
        return this;
    }

    public int maxBatchSlots()
    {
        return maxBatchSlots;
    }

    /**
     * @param maxPendingSlots slots held while the gate is shut before the stage stops taking from the ring.
     * @return this.
     */
    public ResponseContext maxPendingSlots(final int maxPendingSlots)
    {
        this.maxPendingSlots = maxPendingSlots;
        return this;
    }

    public int maxPendingSlots()
    {
        return maxPendingSlots;
    }

    /**
     * @param pendingCapacityBytes bytes to hold pending slots in; at least the ring's largest message. Default
     *                             {@link #DEFAULT_PENDING_CAPACITY_BYTES} or that message, if larger.
     * @return this.
     */
    public ResponseContext pendingCapacityBytes(final int pendingCapacityBytes)
    {
        this.pendingCapacityBytes = pendingCapacityBytes;
        return this;
    }

    public int pendingCapacityBytes()
    {
        return pendingCapacityBytes;
    }

    /**
     * @param policyCheckIntervalNs evaluate the policy at least this often.
     * @return this.
     */
    public ResponseContext policyCheckIntervalNs(final long policyCheckIntervalNs)
    {
        this.policyCheckIntervalNs = policyCheckIntervalNs;
        return this;
    }

    public long policyCheckIntervalNs()
    {
        return policyCheckIntervalNs;
    }

    /**
     * @param degradedFlapHoldNs a change of degraded state is logged only once it has held this long.
     * @return this.
     */
    public ResponseContext degradedFlapHoldNs(final long degradedFlapHoldNs)
    {
        this.degradedFlapHoldNs = degradedFlapHoldNs;
        return this;
    }

    public long degradedFlapHoldNs()
    {
        return degradedFlapHoldNs;
    }

    /**
     * @param degradedReminderIntervalNs while degraded, warn again this often.
     * @return this.
     */
    public ResponseContext degradedReminderIntervalNs(final long degradedReminderIntervalNs)
    {
        this.degradedReminderIntervalNs = degradedReminderIntervalNs;
        return this;
    }

    public long degradedReminderIntervalNs()
    {
        return degradedReminderIntervalNs;
    }

    ResponseContext degradationEvents(final DegradationLogger.Events degradationEvents)
    {
        this.degradationEvents = degradationEvents;
        return this;
    }

    DegradationLogger.Events degradationEvents()
    {
        return degradationEvents;
    }
}
