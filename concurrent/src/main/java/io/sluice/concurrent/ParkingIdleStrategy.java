package io.sluice.concurrent;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Sleeps by parking the thread; a producer's {@link #wake()} unparks it. For stages fed by in-process rings and
 * cursors (sequencer, journal, response, snapshot).
 */
public final class ParkingIdleStrategy extends SleepingIdleStrategy
{
    /** Spins before sleeping: about a microsecond, long enough to catch the next record of a burst. */
    public static final int DEFAULT_MAX_SPINS = 200;
    /** Longest sleep: the agents' timers (heartbeats, timeouts) run at least this often. */
    public static final long DEFAULT_MAX_SLEEP_NS = TimeUnit.MILLISECONDS.toNanos(20);

    private volatile Thread sleeper;

    public ParkingIdleStrategy()
    {
        this(DEFAULT_MAX_SPINS, DEFAULT_MAX_SLEEP_NS);
    }

    /**
     * @param maxSpins   busy spins after the last work before arming.
     * @param maxSleepNs longest park.
     */
    public ParkingIdleStrategy(final int maxSpins, final long maxSleepNs)
    {
        super(maxSpins, maxSleepNs);
    }

    @Override
    protected void onArm()
    {
        if (sleeper == null)
        {
            sleeper = Thread.currentThread();
        }
    }

    @Override
    protected void sleep(final long timeoutNs)
    {
        LockSupport.parkNanos(this, timeoutNs);
    }

    @Override
    protected void wakeSleeper()
    {
        LockSupport.unpark(sleeper);
    }

    @Override
    public String alias()
    {
        return "parking";
    }
}
