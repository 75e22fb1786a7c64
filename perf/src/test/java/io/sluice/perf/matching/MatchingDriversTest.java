package io.sluice.perf.matching;

import io.sluice.client.flow.OrderFlowGenerator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both engines, replaying the same generated flow, end at the reference book; a wrong replay is caught.
 */
class MatchingDriversTest
{
    private static final OrderFlowGenerator.Config CONFIG =
        new OrderFlowGenerator.Config().seed(3).instruments(10).accounts(500);
    private static final RecordedFlow FLOW = RecordedFlow.generate(CONFIG, 50_000);

    @Test
    void shouldEndSluiceAtTheReferenceBookOnEveryReplay()
    {
        final SluiceDriver driver = new SluiceDriver(CONFIG);
        for (int pass = 0; pass < 2; pass++)
        {
            driver.reset();
            final long trades = driver.run(FLOW);
            driver.verify(FLOW);
            assertEquals(FLOW.expected.trades(), trades);
        }
        assertTrue(FLOW.expected.trades() > 1_000);
    }

    @Test
    void shouldEndExchangeCoreAtTheReferenceBookOnEveryReplay()
    {
        final ExchangeCoreDriver driver = new ExchangeCoreDriver(CONFIG);
        for (int pass = 0; pass < 2; pass++)
        {
            driver.reset(FLOW);
            final long trades = driver.run(FLOW);
            driver.verify(FLOW);
            assertEquals(FLOW.expected.trades(), trades);
        }
    }

    @Test
    void shouldCatchAReplayThatSkipsACommand()
    {
        final SluiceDriver sluice = new SluiceDriver(CONFIG);
        final ExchangeCoreDriver exchangeCore = new ExchangeCoreDriver(CONFIG);
        sluice.reset();
        exchangeCore.reset(FLOW);
        final int skipped = firstCancel();

        for (int i = 0; i < FLOW.count; i++)
        {
            if (i != skipped)
            {
                sluice.apply(FLOW, i);
                exchangeCore.apply(FLOW, i);
            }
        }

        assertThrows(IllegalStateException.class, () -> sluice.verify(FLOW));
        assertThrows(IllegalStateException.class, () -> exchangeCore.verify(FLOW));
    }

    private static int firstCancel()
    {
        for (int i = 0; i < FLOW.count; i++)
        {
            if (FLOW.kind[i] == RecordedFlow.CANCEL)
            {
                return i;
            }
        }
        throw new IllegalStateException("no cancel in flow");
    }
}
