package io.sluice.concurrent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sleeps in these tests are an hour long: a lost wake-up shows as a test that never finishes (the timeout fails
 * it), not as a slow one, so nothing here depends on how fast the machine is.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SleepingIdleStrategyTest
{
    private static final long AN_HOUR_NS = TimeUnit.HOURS.toNanos(1);
    private static final int HAND_OFFS = 100_000;

    @Test
    void shouldNotLoseAWakeUpAcrossManyParkingHandOffs() throws InterruptedException
    {
        pingPong(ignored -> new ParkingIdleStrategy(0, AN_HOUR_NS));
    }

    @Test
    void shouldNotLoseAWakeUpWhenItSpinsFirst() throws InterruptedException
    {
        pingPong(ignored -> new ParkingIdleStrategy(TimeUnit.MICROSECONDS.toNanos(5), AN_HOUR_NS));
    }

    @Test
    void shouldNotLoseAWakeUpAcrossManySelectorHandOffs() throws Exception
    {
        try (Selector ping = Selector.open(); Selector pong = Selector.open())
        {
            final Selector[] selectors = { ping, pong };
            final int[] next = { 0 };
            pingPong(ignored -> new SelectorIdleStrategy(selectors[next[0]++], 0, AN_HOUR_NS));
        }
    }

    /**
     * Two threads take turns: each waits (on its own idle strategy) for the counter to reach its turn, increments it
     * and wakes the other, as a producer and consumer of a one-slot ring would.
     */
    private static void pingPong(final Function<Integer, SleepingIdleStrategy> strategies) throws InterruptedException
    {
        final AtomicLong turn = new AtomicLong();
        final SleepingIdleStrategy[] idle = { strategies.apply(0), strategies.apply(1) };
        final Thread[] threads = new Thread[2];
        for (int side = 0; side < 2; side++)
        {
            final int me = side;
            threads[side] = new Thread(() ->
            {
                for (long mine = me; mine < 2L * HAND_OFFS; mine += 2)
                {
                    while (turn.get() != mine)
                    {
                        idle[me].idle(0);
                    }
                    idle[me].reset();
                    turn.incrementAndGet();
                    idle[1 - me].wake();
                }
            }, "side-" + side);
            threads[side].start();
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        assertEquals(2L * HAND_OFFS, turn.get());
    }

    @Test
    void shouldArmBeforeSleepingAndDisarmOnWork()
    {
        final ParkingIdleStrategy idle = new ParkingIdleStrategy(TimeUnit.SECONDS.toNanos(1), AN_HOUR_NS);
        idle.idle(0);
        idle.idle(0);
        assertFalse(idle.isSleeping(), "still spinning");

        final long spinUntilNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < spinUntilNs)
        {
            idle.idle(0);
            if (idle.isSleeping())
            {
                break;
            }
        }
        assertTrue(idle.isSleeping(), "armed: the agent looks for work once more before it sleeps");

        idle.idle(1);
        assertFalse(idle.isSleeping(), "work found: disarmed");
    }

    @Test
    void shouldLeaveAWakeForTheNextSleepWhenWokenWhileArmed()
    {
        final ParkingIdleStrategy idle = new ParkingIdleStrategy(0, AN_HOUR_NS);
        idle.idle(0);
        assertTrue(idle.isSleeping());

        idle.wake();
        assertFalse(idle.isSleeping());
        idle.idle(0);
        idle.idle(0);
        idle.idle(0);
        // Reaching here means the sleep after a wake returned (the flag was clear) instead of parking for an hour.
        assertTrue(idle.isSleeping(), "re-armed after the wake");
    }

    @Test
    void shouldWakeFromASelectWhenBytesArrive() throws IOException, InterruptedException
    {
        try (Selector selector = Selector.open())
        {
            final Pipe pipe = Pipe.open();
            pipe.source().configureBlocking(false);
            pipe.source().register(selector, SelectionKey.OP_READ);
            final SelectorIdleStrategy idle = new SelectorIdleStrategy(selector, 0, AN_HOUR_NS);
            final Thread consumer = new Thread(() ->
            {
                idle.idle(0);
                idle.idle(0);
            });
            consumer.start();
            while (!idle.isSleeping())
            {
                Thread.onSpinWait();
            }

            pipe.sink().write(ByteBuffer.wrap(new byte[]{ 1 }));

            consumer.join();
            pipe.sink().close();
            pipe.source().close();
        }
    }
}
