package io.sluice.concurrent;

/**
 * How a producer tells the thread that consumes its output that there is work: called after the work is published
 * (a ring record committed, a cursor advanced). Cheap while the consumer is awake, a kernel wake-up only while it
 * sleeps. Any thread may call it, as often as it likes; once per duty cycle that published something is enough.
 */
@FunctionalInterface
public interface Waker
{
    /** A waker for a consumer that never sleeps (it spins or polls on its own). */
    Waker NONE = () -> { };

    /**
     * Wake the consumer if it sleeps; return at once.
     */
    void wake();

    /**
     * @param first  woken first.
     * @param second woken second.
     * @return a waker that wakes both.
     */
    static Waker both(final Waker first, final Waker second)
    {
        if (first == NONE)
        {
            return second;
        }
        if (second == NONE)
        {
            return first;
        }
        return () ->
        {
            first.wake();
            second.wake();
        };
    }
}
