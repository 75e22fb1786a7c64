package io.sluice.concurrent;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Sleeps by parking the thread; a producer's {@link #wake()} unparks it. For stages fed by in-process rings and
 * cursors (sequencer, journal, response, snapshot).
 */
public final class ParkingIdleStrategy extends SleepingIdleStrategy
{
    /**
     * No spinning by default: a node runs several busy threads on few cores, where a spin steals the core the
     * producer needs (measured: 50 spins of an Aeron duty cycle made a round trip 7x slower on 2 cores).
     */
    public static final long DEFAULT_MAX_SPIN_NS = 0;
    /**
     * Longest sleep: the agents' timers (client heartbeats every second, policy re-checks) run at least this often,
     * and an idle node wakes each stage only ten times a second.
     */
    public static final long DEFAULT_MAX_SLEEP_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private volatile Thread owner;

    public ParkingIdleStrategy()
    {
        this(DEFAULT_MAX_SPIN_NS, DEFAULT_MAX_SLEEP_NS);
    }

    /**
     * @param maxSpinNs  how long to spin after the last work before arming.
     * @param maxSleepNs longest park.
     */
    public ParkingIdleStrategy(final long maxSpinNs, final long maxSleepNs)
    {
        super(maxSpinNs, maxSleepNs);
    }

    @Override
    protected void onArm()
    {
        // Every time: a runner restarted under the same name (a replica's journal after a snapshot install) idles
        // on the same instance from a new thread.
        owner = Thread.currentThread();
    }

    @Override
    protected void sleep(final long timeoutNs)
    {
        LockSupport.parkNanos(this, timeoutNs);
    }

    @Override
    protected void wakeSleeper()
    {
        LockSupport.unpark(owner);
    }

    @Override
    public String alias()
    {
        return "parking";
    }
}
