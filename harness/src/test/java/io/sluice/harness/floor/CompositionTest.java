package io.sluice.harness.floor;

import io.sluice.durability.DurabilityMode;
import io.sluice.durability.Policy;
import io.sluice.harness.bench.LatencySummary;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompositionTest
{
    private static final Samples TCP = Samples.of(50_000, 50_000, 50_000);
    private static final Samples AERON = Samples.of(300_000, 300_000);
    private static final Samples SYNC = Samples.of(200_000);

    private static LatencySummary compose(final DurabilityMode mode)
    {
        return Composition.compose(mode.policy(), TCP, AERON, SYNC, 10_000, 1);
    }

    private static void assertConstant(final double expectedUs, final LatencySummary floor)
    {
        assertConstant(expectedUs, floor, 10_000);
    }

    private static void assertConstant(final double expectedUs, final LatencySummary floor, final long draws)
    {
        assertEquals(expectedUs, floor.p50Us(), 0.0);
        assertEquals(expectedUs, floor.p90Us(), 0.0);
        assertEquals(expectedUs, floor.p99Us(), 0.0);
        assertEquals(expectedUs, floor.p99_9Us(), 0.0);
        assertEquals(expectedUs, floor.maxUs(), 0.0);
        assertEquals(expectedUs, floor.meanUs(), 1e-9);
        assertEquals(draws, floor.count());
    }

    @Test
    void shouldComposeConstantPathsIntoTheExactSumOrMaxOfEachPolicy()
    {
        assertConstant(50 + 200, compose(DurabilityMode.LOCAL));
        assertConstant(50 + 300, compose(DurabilityMode.REPLICATED));
        assertConstant(50 + Math.max(200, 300), compose(DurabilityMode.HYBRID));
        assertConstant(50 + 300 + 200, compose(DurabilityMode.DURABLY_REPLICATED));
    }

    @Test
    void shouldTakeTheSlowerOfSyncAndAeronUnderHybridWhicheverItIs()
    {
        final LatencySummary fastNetwork = Composition.compose(DurabilityMode.HYBRID.policy(), TCP, Samples.of(10_000),
            SYNC, 100, 1);

        assertConstant(50 + 200, fastNetwork, 100);
    }

    @Test
    void shouldComposeCustomExpressionsByTheirClauses()
    {
        assertEquals(50, Composition.compose(Policy.parse("in_memory>=1"), TCP, null, null, 10, 1).p50Us(), 0.0);
        assertEquals(350, Composition.compose(Policy.parse("in_memory>=2"), TCP, AERON, null, 10, 1).p50Us(), 0.0);
        assertEquals(550, Composition.compose(Policy.parse("persisted>=2 && in_memory>=2"), TCP, AERON, SYNC, 10, 1)
            .p50Us(), 0.0);
        assertEquals("tcp", Composition.formula(Policy.parse("in_memory>=1")));
        assertEquals("tcp + sync", Composition.formula(DurabilityMode.LOCAL.policy()));
        assertEquals("tcp + aeron", Composition.formula(DurabilityMode.REPLICATED.policy()));
        assertEquals("tcp + max(sync, aeron)", Composition.formula(DurabilityMode.HYBRID.policy()));
        assertEquals("tcp + aeron + sync", Composition.formula(DurabilityMode.DURABLY_REPLICATED.policy()));
    }

    @Test
    void shouldMeasureOnlyThePathsAPolicyWaitsOn()
    {
        assertFalse(Composition.needsAeron(DurabilityMode.LOCAL.policy()));
        assertTrue(Composition.needsSync(DurabilityMode.LOCAL.policy()));
        assertTrue(Composition.needsAeron(DurabilityMode.REPLICATED.policy()));
        assertFalse(Composition.needsSync(DurabilityMode.REPLICATED.policy()));
        assertTrue(Composition.needsAeron(DurabilityMode.DURABLY_REPLICATED.policy()));
        assertTrue(Composition.needsSync(DurabilityMode.DURABLY_REPLICATED.policy()));
    }

    @Test
    void shouldGiveTheSameFloorForTheSameSeedAndSamples()
    {
        final Samples tcp = Samples.of(10_000, 20_000, 30_000, 40_000, 900_000);
        final Samples aeron = Samples.of(100_000, 150_000, 5_000_000);
        final Samples sync = Samples.of(200_000, 250_000, 300_000, 8_000_000);
        final Policy hybrid = DurabilityMode.HYBRID.policy();

        final LatencySummary first = Composition.compose(hybrid, tcp, aeron, sync, 100_000, 7);
        final LatencySummary again = Composition.compose(hybrid, tcp, aeron, sync, 100_000, 7);
        final LatencySummary otherSeed = Composition.compose(hybrid, tcp, aeron, sync, 100_000, 8);

        assertEquals(first.p50Us(), again.p50Us(), 0.0);
        assertEquals(first.p99Us(), again.p99Us(), 0.0);
        assertEquals(first.p99_99Us(), again.p99_99Us(), 0.0);
        assertEquals(first.meanUs(), again.meanUs(), 0.0);
        assertNotEquals(first.meanUs(), otherSeed.meanUs(), "another seed draws other combinations");
    }

    @Test
    void shouldDrawEveryCombinationInProportion()
    {
        // Two equally likely values per path: tcp + sync is 1+10, 1+20, 2+10 or 2+20 (in us), a quarter each.
        final LatencySummary floor = Composition.compose(DurabilityMode.LOCAL.policy(), Samples.of(1_000, 2_000),
            null, Samples.of(10_000, 20_000), 400_000, 3);

        assertEquals((11 + 12 + 21 + 22) / 4.0, floor.meanUs(), 0.05);
        assertEquals(22, floor.maxUs(), 0.0);
        assertEquals(22, floor.p99Us(), 0.0, "a quarter of the draws are 22 us");
        assertTrue(floor.p50Us() == 12 || floor.p50Us() == 21, "half the draws are at most 12 us: " + floor.p50Us());
    }

    @Test
    void shouldTakeTheNearestRankPercentile()
    {
        final long[] sortedNs = new long[1_000];
        for (int i = 0; i < sortedNs.length; i++)
        {
            sortedNs[i] = (i + 1) * 1_000L;
        }

        assertEquals(500, Composition.percentileUs(sortedNs, 50), 0.0);
        assertEquals(990, Composition.percentileUs(sortedNs, 99), 0.0);
        assertEquals(999, Composition.percentileUs(sortedNs, 99.9), 0.0);
        assertEquals(1_000, Composition.percentileUs(sortedNs, 100), 0.0);
        assertEquals(1, Composition.percentileUs(new long[]{ 1_000 }, 0.001), 0.0);
    }

    @Test
    void shouldRefuseToComposeAPathWithoutSamples()
    {
        assertThrows(IllegalArgumentException.class, () ->
            Composition.compose(DurabilityMode.HYBRID.policy(), TCP, null, SYNC, 10, 1));
        assertThrows(IllegalArgumentException.class, () ->
            Composition.compose(DurabilityMode.LOCAL.policy(), TCP, null, new Samples(), 10, 1));
        assertThrows(IllegalArgumentException.class, () ->
            Composition.compose(DurabilityMode.LOCAL.policy(), TCP, null, SYNC, 0, 1));
    }
}
