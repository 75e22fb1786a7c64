package io.sluice.concurrent;

import org.agrona.concurrent.IdleStrategy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The common part of an idle strategy that sleeps until a producer wakes it: after spinning for at most
 * {@code maxSpinNs} it arms (says it is about to sleep), lets the agent look for work once more, and only then
 * sleeps, in a way a subclass decides (parking, a blocking select). Each spin is a whole duty cycle of the agent, so
 * on a machine with fewer cores than busy threads a spin takes the core the producer needs: spin for no longer than
 * a hand-off costs (a few microseconds), or not at all. A producer publishes, then calls {@link #wake()}: one fence and one volatile read
 * while the consumer is awake, a kernel wake-up only while it is armed or asleep.
 * <p>
 * Why no wake-up is lost: the consumer writes {@code sleeping = 1} (a volatile write, so it is ordered before its
 * next read of the ring) and then looks for work; the producer writes its record and then, after a full fence,
 * reads {@code sleeping}. Whichever ordering the two threads run in, either the consumer sees the record or the
 * producer sees the flag. A sleep is also bounded by {@code maxSleepNs}, so an agent's timers (heartbeats, timeouts)
 * run even when nothing wakes it.
 * <p>
 * One instance per agent runner: the runner's thread is the only one that idles on it; any thread may wake it.
 */
public abstract class SleepingIdleStrategy implements IdleStrategy, Waker
{
    private static final VarHandle SLEEPING;

    static
    {
        try
        {
            SLEEPING = MethodHandles.lookup().findVarHandle(SleepingIdleStrategy.class, "sleeping", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final long maxSpinNs;
    private final long maxSleepNs;
    /** 1 from arming until a waker clears it or the consumer finds work; written by the consumer and wakers. */
    @SuppressWarnings("unused")
    private volatile int sleeping;
    /** Consumer thread only: when the agent last found nothing to do after work, 0 while it has work. */
    private long spinStartNs;
    /** Consumer thread only: armed and the agent has looked for work since. */
    private boolean armed;

    /**
     * @param maxSpinNs  how long to keep running the agent's duty cycle (with a CPU pause between) after it last did
     *                   work, before arming; 0 to arm at once.
     * @param maxSleepNs longest sleep, so the agent's timers run.
     */
    protected SleepingIdleStrategy(final long maxSpinNs, final long maxSleepNs)
    {
        if (maxSpinNs < 0 || maxSleepNs <= 0)
        {
            throw new IllegalArgumentException("maxSpinNs must be >= 0 and maxSleepNs > 0: " + maxSpinNs + ", " +
                maxSleepNs);
        }
        this.maxSpinNs = maxSpinNs;
        this.maxSleepNs = maxSleepNs;
    }

    @Override
    public final void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    @Override
    public final void idle()
    {
        if (maxSpinNs > 0)
        {
            final long nowNs = System.nanoTime();
            if (spinStartNs == 0)
            {
                spinStartNs = nowNs;
            }
            if (nowNs - spinStartNs < maxSpinNs)
            {
                Thread.onSpinWait();
                return;
            }
        }
        if (!armed)
        {
            onArm();
            SLEEPING.setVolatile(this, 1);
            armed = true;
            return;
        }
        if ((int)SLEEPING.getVolatile(this) == 1)
        {
            sleep(maxSleepNs);
        }
        armed = false;
    }

    @Override
    public final void reset()
    {
        spinStartNs = 0;
        if (armed)
        {
            armed = false;
            SLEEPING.setRelease(this, 0);
        }
    }

    @Override
    public final void wake()
    {
        VarHandle.fullFence();
        if ((int)SLEEPING.getVolatile(this) == 1 && SLEEPING.compareAndSet(this, 1, 0))
        {
            wakeSleeper();
        }
    }

    /**
     * @return true while the consumer is armed or asleep; for tests and metrics.
     */
    public final boolean isSleeping()
    {
        return (int)SLEEPING.getVolatile(this) == 1;
    }

    /**
     * Called on the consumer's thread just before it arms, so a subclass can learn which thread to wake.
     */
    protected abstract void onArm();

    /**
     * Sleep on the consumer's thread until {@link #wakeSleeper()} or the timeout; a spurious early return is fine.
     *
     * @param timeoutNs longest sleep.
     */
    protected abstract void sleep(long timeoutNs);

    /**
     * Wake the consumer's thread from {@link #sleep}, or make its next sleep return at once; any thread.
     */
    protected abstract void wakeSleeper();

    @Override
    public String alias()
    {
        return "sleeping";
    }
}
