package io.sluice.durability;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DurabilityControlTest
{
    @Test
    void shouldSwapNamedModeAndReportPreviousAndNext()
    {
        final DurabilityControl control = new DurabilityControl();
        final DurabilityControl.SwapResult result = control.swap("local");
        assertTrue(result.ok());
        assertEquals("OK hybrid -> local", result.message());
        assertSame(DurabilityMode.LOCAL.policy(), control.policy());
        assertEquals(DurabilityMode.LOCAL.code(), control.modeCode());
    }

    @Test
    void shouldChangeNothingOnInvalidMode()
    {
        final DurabilityControl control = new DurabilityControl(DurabilityMode.LOCAL.policy());
        final DurabilityControl.SwapResult result = control.swap("persisted>=4");
        assertFalse(result.ok());
        assertEquals("ERR count 4 out of range 1..3 in clause 'persisted>=4'", result.message());
        assertSame(DurabilityMode.LOCAL.policy(), control.policy());

        assertFalse(control.swap("").ok());
        assertFalse(control.swap("quick").ok());
        assertSame(DurabilityMode.LOCAL.policy(), control.policy());
    }

    @Test
    void shouldHoldCustomExpressionWithCustomCode()
    {
        final DurabilityControl control = new DurabilityControl();
        final DurabilityControl.SwapResult result = control.swap("persisted>=2 && in_memory>=3");
        assertEquals("OK hybrid -> persisted>=2 && in_memory>=3", result.message());
        assertEquals(DurabilityMode.CUSTOM_CODE, control.modeCode());
        assertEquals("OK persisted>=2 && in_memory>=3 -> replicated", control.swap(DurabilityMode.REPLICATED).message());
    }

    @Test
    void shouldMapExpressionOfNamedModeToItsCode()
    {
        final DurabilityControl control = new DurabilityControl();
        assertEquals("OK hybrid -> durably-replicated", control.swap("persisted >= 2").message());
        assertEquals(DurabilityMode.DURABLY_REPLICATED.code(), control.modeCode());
    }

    @Test
    void shouldChainConcurrentSwapsWithoutLosingOne() throws Exception
    {
        // Each swap is one atomic exchange: the previous policies reported, plus the final one, are exactly the
        // initial policy plus every policy put in force.
        final DurabilityControl control = new DurabilityControl(DurabilityMode.LOCAL.policy());
        final int swapsPerThread = 2_000;
        final List<List<DurabilityControl.SwapResult>> results = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        final CountDownLatch start = new CountDownLatch(1);
        final String[] targets = { "hybrid", "replicated" };
        for (final String target : targets)
        {
            final List<DurabilityControl.SwapResult> mine = new ArrayList<>();
            results.add(mine);
            final Thread thread = new Thread(() ->
            {
                try
                {
                    start.await();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
                for (int i = 0; i < swapsPerThread; i++)
                {
                    mine.add(control.swap(target));
                }
            });
            threads.add(thread);
            thread.start();
        }
        start.countDown();
        for (final Thread thread : threads)
        {
            thread.join();
        }

        int localPrevious = 0;
        int hybridPrevious = 0;
        for (final List<DurabilityControl.SwapResult> list : results)
        {
            for (final DurabilityControl.SwapResult result : list)
            {
                localPrevious += "local".equals(result.previous()) ? 1 : 0;
                hybridPrevious += "hybrid".equals(result.previous()) ? 1 : 0;
            }
        }
        final int hybridFinal = "hybrid".equals(control.policy().description()) ? 1 : 0;
        assertEquals(1, localPrevious, "the initial policy is replaced exactly once");
        assertEquals(swapsPerThread, hybridPrevious + hybridFinal);
    }
}
