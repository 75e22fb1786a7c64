package io.sluice.pipeline.net;

import io.sluice.concurrent.Waker;
import io.sluice.wire.ClientProtocol;
import io.sluice.wire.FrameDecoder;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;

/**
 * What every {@link ReaderAgent} of a node is built from; one context serves all shards (each reader gets its own
 * frame decoder and counters). {@link #conclude()} fills in defaults and checks every option.
 */
public final class ReaderContext
{
    /** Largest client frame, length field excluded ({@code frame.max.bytes}). */
    public static final int DEFAULT_FRAME_MAX_BYTES = 4096;
    /** A connection not logged on within this is closed. */
    public static final long DEFAULT_LOGON_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    /** A logged-on connection that sends nothing for this long is closed; 0 never. */
    public static final long DEFAULT_IDLE_TIMEOUT_NS = 0;
    /**
     * A connection whose last message the response stage has not handed back as written by then is closed anyway;
     * above the response stage's stall timeout, which hands back a client that does not read.
     */
    public static final long DEFAULT_FAREWELL_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    /** Requests a second each session may send; 0: no limit ({@code client.throttle.messages.per.second}). */
    public static final long DEFAULT_THROTTLE_RATE_PER_SECOND = 0;
    /** Requests a session may send at once after a quiet spell ({@code client.throttle.burst}). */
    public static final long DEFAULT_THROTTLE_BURST = 100;
    /** A session refused for exceeding its rate this long without a pause is closed; 0 never. */
    public static final long DEFAULT_THROTTLE_CLOSE_AFTER_NS = TimeUnit.SECONDS.toNanos(5);
    /** Highest rate the token bucket can keep: one token a nanosecond. */
    static final long MAX_THROTTLE_RATE_PER_SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final int MIN_RECEIVE_BUFFER_BYTES = 64 * 1024;

    private int frameMaxBytes = DEFAULT_FRAME_MAX_BYTES;
    private Authenticator authenticator;
    private SessionListener sessionListener = SessionListener.NONE;
    private ConnectionRegistry registry;
    private NanoClock clock;
    private long logonTimeoutNs = DEFAULT_LOGON_TIMEOUT_NS;
    private long idleTimeoutNs = DEFAULT_IDLE_TIMEOUT_NS;
    private long farewellTimeoutNs = DEFAULT_FAREWELL_TIMEOUT_NS;
    private int receiveBufferBytes;
    private Waker ingestWaker = Waker.NONE;
    private Selector idleSelector;
    private long throttleRatePerSecond = DEFAULT_THROTTLE_RATE_PER_SECOND;
    private long throttleBurst = DEFAULT_THROTTLE_BURST;
    private long throttleCloseAfterNs = DEFAULT_THROTTLE_CLOSE_AFTER_NS;

    /** Largest client frame, length field excluded; larger frames end the connection. */
    public ReaderContext frameMaxBytes(final int frameMaxBytes)
    {
        this.frameMaxBytes = frameMaxBytes;
        return this;
    }

    public int frameMaxBytes()
    {
        return frameMaxBytes;
    }

    /** Checks each logon; default {@link Authenticator#NONE}. */
    public ReaderContext authenticator(final Authenticator authenticator)
    {
        this.authenticator = authenticator;
        return this;
    }

    public Authenticator authenticator()
    {
        return authenticator;
    }

    /** Told of every logon decided and every logged-on connection's end (an audit trail); default none. */
    public ReaderContext sessionListener(final SessionListener sessionListener)
    {
        this.sessionListener = sessionListener;
        return this;
    }

    public SessionListener sessionListener()
    {
        return sessionListener;
    }

    /** Told of every connection a reader closes, so the response stage stops writing to it. */
    public ReaderContext registry(final ConnectionRegistry registry)
    {
        this.registry = registry;
        return this;
    }

    public ConnectionRegistry registry()
    {
        return registry;
    }

    /** Receive timestamps and logon timeouts; must be the sequencer's nano clock. Default the system nano clock. */
    public ReaderContext clock(final NanoClock clock)
    {
        this.clock = clock;
        return this;
    }

    public NanoClock clock()
    {
        return clock;
    }

    public ReaderContext logonTimeoutNs(final long logonTimeoutNs)
    {
        this.logonTimeoutNs = logonTimeoutNs;
        return this;
    }

    public long logonTimeoutNs()
    {
        return logonTimeoutNs;
    }

    /** A logged-on connection that sends nothing (not even a Heartbeat) for this long is closed; 0 never. */
    public ReaderContext idleTimeoutNs(final long idleTimeoutNs)
    {
        this.idleTimeoutNs = idleTimeoutNs;
        return this;
    }

    public long idleTimeoutNs()
    {
        return idleTimeoutNs;
    }

    /** A closing connection whose last message is not confirmed written within this is closed anyway. */
    public ReaderContext farewellTimeoutNs(final long farewellTimeoutNs)
    {
        this.farewellTimeoutNs = farewellTimeoutNs;
        return this;
    }

    public long farewellTimeoutNs()
    {
        return farewellTimeoutNs;
    }

    /**
     * Receive buffer per connection; at least two maximum frames. Default (0): the larger of 64 KiB and four
     * maximum frames.
     */
    public ReaderContext receiveBufferBytes(final int receiveBufferBytes)
    {
        this.receiveBufferBytes = receiveBufferBytes;
        return this;
    }

    public int receiveBufferBytes()
    {
        return receiveBufferBytes;
    }

    /** Wakes the sequencer (the ingest rings' consumer) after a reader publishes; default none (it polls). */
    public ReaderContext ingestWaker(final Waker ingestWaker)
    {
        this.ingestWaker = ingestWaker;
        return this;
    }

    public Waker ingestWaker()
    {
        return ingestWaker;
    }

    /**
     * The selector of the thread the readers share with other agents, which it sleeps on: each reader registers its
     * connections there too, so bytes from a client wake the thread. Null (default) when each reader has a thread
     * of its own, sleeping on its own selector.
     */
    public ReaderContext idleSelector(final Selector idleSelector)
    {
        this.idleSelector = idleSelector;
        return this;
    }

    public Selector idleSelector()
    {
        return idleSelector;
    }

    /**
     * Requests (the six request templates) a second each logged-on session may send on average; above it a request
     * is answered REJECTED THROTTLED without reaching the sequencer. 0 (default): no limit.
     */
    public ReaderContext throttleRatePerSecond(final long throttleRatePerSecond)
    {
        this.throttleRatePerSecond = throttleRatePerSecond;
        return this;
    }

    public long throttleRatePerSecond()
    {
        return throttleRatePerSecond;
    }

    /** Requests a session may send at once, at a logon or after a quiet spell, before the rate applies. */
    public ReaderContext throttleBurst(final long throttleBurst)
    {
        this.throttleBurst = throttleBurst;
        return this;
    }

    public long throttleBurst()
    {
        return throttleBurst;
    }

    /**
     * A session whose requests have been refused THROTTLED without a second's pause for this long is told
     * (EngineError THROTTLED) and closed; 0 never.
     */
    public ReaderContext throttleCloseAfterNs(final long throttleCloseAfterNs)
    {
        this.throttleCloseAfterNs = throttleCloseAfterNs;
        return this;
    }

    public long throttleCloseAfterNs()
    {
        return throttleCloseAfterNs;
    }

    /**
     * @return a frame decoder of the client protocol with this context's frame limit; one per reader.
     */
    FrameDecoder newFrameDecoder()
    {
        return new FrameDecoder(ClientProtocol.validator(), frameMaxBytes);
    }

    /**
     * Fills in defaults and checks every option.
     *
     * @return this.
     * @throws IllegalArgumentException naming the invalid option.
     */
    public ReaderContext conclude()
    {
        if (registry == null)
        {
            throw new IllegalArgumentException("reader registry must be set");
        }
        if (frameMaxBytes < 64)
        {
            throw new IllegalArgumentException("frame.max.bytes must be at least 64: " + frameMaxBytes);
        }
        if (logonTimeoutNs <= 0)
        {
            throw new IllegalArgumentException("reader logon timeout must be positive: " + logonTimeoutNs + " ns");
        }
        if (idleTimeoutNs < 0)
        {
            throw new IllegalArgumentException("reader idle timeout must be 0 (never) or positive: " + idleTimeoutNs +
                " ns");
        }
        if (farewellTimeoutNs <= 0)
        {
            throw new IllegalArgumentException("reader farewell timeout must be positive: " + farewellTimeoutNs +
                " ns");
        }
        if (throttleRatePerSecond < 0 || throttleRatePerSecond > MAX_THROTTLE_RATE_PER_SECOND)
        {
            throw new IllegalArgumentException("client.throttle.messages.per.second must be 0 (no limit) or in 1.." +
                MAX_THROTTLE_RATE_PER_SECOND + ": " + throttleRatePerSecond);
        }
        if (throttleBurst < 1)
        {
            throw new IllegalArgumentException("client.throttle.burst must be at least 1: " + throttleBurst);
        }
        if (throttleCloseAfterNs < 0)
        {
            throw new IllegalArgumentException("client.throttle.close.after must be 0 (never) or positive: " +
                throttleCloseAfterNs + " ns");
        }
        if (authenticator == null)
        {
            authenticator = Authenticator.NONE;
        }
        if (clock == null)
        {
            clock = SystemNanoClock.INSTANCE;
        }
        final int twoFrames = 2 * (frameMaxBytes + FrameDecoder.LENGTH_FIELD_LENGTH);
        if (receiveBufferBytes == 0)
        {
            receiveBufferBytes = Math.max(MIN_RECEIVE_BUFFER_BYTES, 2 * twoFrames);
        }
        if (receiveBufferBytes < twoFrames)
        {
            throw new IllegalArgumentException("reader receive buffer must hold two maximum frames (" + twoFrames +
                " bytes): " + receiveBufferBytes);
        }
        return this;
    }
}
