package io.sluice.pipeline.sequencer;

import io.sluice.concurrent.Waker;
import io.sluice.matching.MatchingContext;
import io.sluice.pipeline.ingest.IngestRings;
import io.sluice.response.OutputRingPublisher;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * What a {@link SequencerAgent} is built from: the rings it reads and writes, the gate it asks before each
 * state-changing command, the matching engine it owns and its clocks. {@link #conclude()} fills in defaults and
 * checks every option.
 */
public final class SequencerContext
{
    /** Most records taken from one ingest ring per duty cycle, so one busy connection cannot starve the rest. */
    public static final int DEFAULT_BATCH_PER_RING = 64;
    /** Default of {@link #cancelOnDisconnectGraceNs(long)}: 5 seconds. */
    public static final long DEFAULT_CANCEL_ON_DISCONNECT_GRACE_NS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);

    private IngestRings ingestRings;
    private int batchPerRing = DEFAULT_BATCH_PER_RING;
    private RingBuffer journalRing;
    private OutputRingPublisher output;
    private TradingGate tradingGate;
    private MatchingContext engineContext;
    private EpochNanoClock epochClock;
    private NanoClock nanoClock;
    private Waker journalWaker = Waker.NONE;
    private Waker outputWaker = Waker.NONE;
    private boolean cancelOnDisconnectDefault;
    private long cancelOnDisconnectGraceNs = DEFAULT_CANCEL_ON_DISCONNECT_GRACE_NS;

    /** The rings reader shards publish into; the sequencer is their only consumer. */
    public SequencerContext ingestRings(final IngestRings ingestRings)
    {
        this.ingestRings = ingestRings;
        return this;
    }

    public IngestRings ingestRings()
    {
        return ingestRings;
    }

    /** Most records taken from one ring per duty cycle ({@code sequencer.batch.per.ring}), at least 1. */
    public SequencerContext batchPerRing(final int batchPerRing)
    {
        this.batchPerRing = batchPerRing;
        return this;
    }

    public int batchPerRing()
    {
        return batchPerRing;
    }

    /** The ring the journal agent consumes; the sequencer is its only producer. */
    public SequencerContext journalRing(final RingBuffer journalRing)
    {
        this.journalRing = journalRing;
        return this;
    }

    public RingBuffer journalRing()
    {
        return journalRing;
    }

    /** Publisher onto the output ring the response stage consumes. */
    public SequencerContext output(final OutputRingPublisher output)
    {
        this.output = output;
        return this;
    }

    public OutputRingPublisher output()
    {
        return output;
    }

    /** Asked before each state-changing command; a reason refuses it {@code Halted} before anything is journaled. */
    public SequencerContext tradingGate(final TradingGate tradingGate)
    {
        this.tradingGate = tradingGate;
        return this;
    }

    public TradingGate tradingGate()
    {
        return tradingGate;
    }

    /** Options and start-up instruments of the matching engine the sequencer owns. */
    public SequencerContext engineContext(final MatchingContext engineContext)
    {
        this.engineContext = engineContext;
        return this;
    }

    public MatchingContext engineContext()
    {
        return engineContext;
    }

    /** Wall-clock time stamped on commands (journaled, so replay is deterministic); default the system clock. */
    public SequencerContext epochClock(final EpochNanoClock epochClock)
    {
        this.epochClock = epochClock;
        return this;
    }

    public EpochNanoClock epochClock()
    {
        return epochClock;
    }

    /** Monotonic time for trace timestamps; must be the readers' clock. Default the system nano clock. */
    public SequencerContext nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    /** Wakes the journal agent after the sequencer journals; default none (it polls). */
    public SequencerContext journalWaker(final Waker journalWaker)
    {
        this.journalWaker = journalWaker;
        return this;
    }

    public Waker journalWaker()
    {
        return journalWaker;
    }

    /** Wakes the response stage after the sequencer publishes replies; default none (it polls). */
    public SequencerContext outputWaker(final Waker outputWaker)
    {
        this.outputWaker = outputWaker;
        return this;
    }

    public Waker outputWaker()
    {
        return outputWaker;
    }

    /**
     * Cancel-on-disconnect for sessions whose Logon does not say (a Logon older than schema version 3, or with the
     * null value): the client listener's default. Off unless set.
     */
    public SequencerContext cancelOnDisconnectDefault(final boolean cancelOnDisconnectDefault)
    {
        this.cancelOnDisconnectDefault = cancelOnDisconnectDefault;
        return this;
    }

    public boolean cancelOnDisconnectDefault()
    {
        return cancelOnDisconnectDefault;
    }

    /**
     * How long a session with cancel-on-disconnect may be gone before its DAY orders are cancelled: time to log on
     * again, on this node or, after a failover, on the new primary.
     */
    public SequencerContext cancelOnDisconnectGraceNs(final long cancelOnDisconnectGraceNs)
    {
        this.cancelOnDisconnectGraceNs = cancelOnDisconnectGraceNs;
        return this;
    }

    public long cancelOnDisconnectGraceNs()
    {
        return cancelOnDisconnectGraceNs;
    }

    /**
     * Fills in the clocks and checks every option.
     *
     * @return this.
     * @throws IllegalArgumentException naming the missing or invalid option.
     */
    public SequencerContext conclude()
    {
        require(ingestRings, "ingestRings");
        require(journalRing, "journalRing");
        require(output, "output");
        require(tradingGate, "tradingGate");
        require(engineContext, "engineContext");
        if (batchPerRing < 1)
        {
            throw new IllegalArgumentException("sequencer.batch.per.ring must be at least 1: " + batchPerRing);
        }
        if (cancelOnDisconnectGraceNs < 0)
        {
            throw new IllegalArgumentException(
                "client.cancel.on.disconnect.grace.ms must be >= 0: " + cancelOnDisconnectGraceNs + " ns");
        }
        if (epochClock == null)
        {
            epochClock = new SystemEpochNanoClock();
        }
        if (nanoClock == null)
        {
            nanoClock = SystemNanoClock.INSTANCE;
        }
        return this;
    }

    private static void require(final Object value, final String name)
    {
        if (value == null)
        {
            throw new IllegalArgumentException("sequencer " + name + " must be set");
        }
    }
}
