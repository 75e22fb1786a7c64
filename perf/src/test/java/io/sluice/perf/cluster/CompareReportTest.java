package io.sluice.perf.cluster;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompareReportTest
{
    private static RunFigures run(
        final double rate, final double p99Us, final double throughputPerSecond, final boolean passed)
    {
        return new RunFigures(rate, 4, true, p99Us / 2, p99Us, p99Us * 1.5, (long)rate, (long)rate, 0, 0,
            passed ? 0 : 7, 0, throughputPerSecond, passed, passed && p99Us <= CompareSettings.P99_LIMIT_US);
    }

    private static Sweep sweep(final String label, final double lowRateP99Us, final RunFigures... runs)
    {
        final Sweep sweep = new Sweep(label);
        sweep.lowRate(run(CompareSettings.LOW_RATE_PER_SECOND, lowRateP99Us, 100, true));
        for (final RunFigures run : runs)
        {
            sweep.add(run);
        }
        return sweep;
    }

    @Test
    void shouldCountOnlySustainedRunsTowardsMaxThroughput()
    {
        final Sweep sweep = sweep("s", 800,
            run(1_000, 900, 1_000, true),
            run(2_000, 12_000, 1_990, true),
            run(4_000, 3_000, 3_100, false));

        assertEquals(1_000, sweep.maxSustainedPerSecond());
    }

    @Test
    void shouldReportTheWorstRatiosOverThePairsAndEveryContractKey()
    {
        // Pair 1: Sluice p99 at the low rate is half Aeron's, twice its throughput.
        final Sweep sluiceReplicated = sweep("sluice replicated", 500, run(1_000, 900, 1_000, true),
            run(2_000, 950, 2_000, true), run(4_000, 20_000, 3_000, true));
        final Sweep aeronZero = sweep("aeron 0", 1_000, run(1_000, 2_000, 1_000, true),
            run(2_000, 30_000, 1_500, true));
        // Pair 2: Sluice p99 at the low rate is twice Aeron's, half its throughput: the worst of both.
        final Sweep sluiceDurable = sweep("sluice durably-replicated", 4_000, run(1_000, 5_000, 1_000, true),
            run(2_000, 40_000, 1_800, true));
        final Sweep aeronOne = sweep("aeron 1", 2_000, run(1_000, 3_000, 1_000, true),
            run(2_000, 4_000, 2_000, true), run(4_000, 50_000, 2_500, false));
        final Sweep hybrid = sweep("sluice hybrid", 3_000, run(1_000, 4_000, 1_000, true));
        final CompareReport report = new CompareReport(CompareSettings.quickRun(), List.of(
            new CompareReport.Pair("replicated", 0, sluiceReplicated, aeronZero),
            new CompareReport.Pair("durably-replicated", 1, sluiceDurable, aeronOne)), hybrid,
            Map.of("nproc", "2"), 12.5);

        assertEquals(2.0, report.worstP99RatioAtLowRate(), 1e-9);
        assertEquals(0.5, report.worstThroughputRatio(), 1e-9);

        final String json = report.json();
        assertTrue(json.startsWith("{\"pairs\": [{\"sluice_policy\": \"replicated\", \"aeron_sync_level\": 0, " +
            "\"runs\": [{\"rate\": 100.0, \"kind\": \"low_rate\", \"sluice\": {\"p50_us\": 250.0, \"p99_us\": " +
            "500.0, \"p99_9_us\": 750.0, \"sent\": 100, \"acked\": 100,"), json);
        assertTrue(json.contains("\"max_throughput_per_s\": {\"sluice\": 2000.0, \"aeron_cluster\": 1000.0, " +
            "\"sluice_hybrid\": 1000.0}, \"p99_ratio_at_low_rate\": 0.500, \"throughput_ratio\": 2.000"), json);
        assertTrue(json.contains("{\"sluice_policy\": \"durably-replicated\", \"aeron_sync_level\": 1"), json);
        // Aeron's pair-1 sweep stopped before 4,000/s: that run is present, not made.
        assertTrue(json.contains("{\"rate\": 4000.0, \"kind\": \"sweep\", \"sluice\": {\"p50_us\": 10000.0, " +
            "\"p99_us\": 20000.0, \"p99_9_us\": 30000.0, \"sent\": 4000, \"acked\": 4000, \"rejected\": 0, " +
            "\"errors\": 0, \"unanswered\": 0, \"unsent\": 0, \"throughput_per_s\": 3000.0, \"connections\": 4, " +
            "\"ran\": true, \"passed\": true, \"sustained\": false}, \"aeron_cluster\": {\"p50_us\": null, " +
            "\"p99_us\": null, \"p99_9_us\": null, \"sent\": 0, \"acked\": 0,"), json);
        assertTrue(json.contains("], \"p99_ratio_at_low_rate\": 2.000, \"throughput_ratio\": 0.500, \"quick\": true"),
            json);
        assertTrue(json.endsWith("\"machine\": {\"nproc\": \"2\"}}"), json);
    }
}
