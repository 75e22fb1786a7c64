package io.sluice.perf.cluster;

import io.sluice.harness.bench.BenchContext;
import io.sluice.harness.bench.BenchResult;

import java.io.IOException;

/**
 * A running system the comparison drives with the bench: a Sluice cluster or the Aeron Cluster baseline. Each run
 * opens its own connections and closes them at its end; the system's state carries over from run to run.
 */
interface BenchTarget extends AutoCloseable
{
    /**
     * @return what the table calls it, e.g. {@code sluice replicated}.
     */
    String label();

    /**
     * Run the bench once against this system.
     *
     * @param context the run's load and duration; where to connect is filled in here.
     * @return what the run measured.
     * @throws IOException if a connection cannot be opened.
     */
    BenchResult run(BenchContext context) throws IOException;

    /**
     * Stop every process of the system and wait for them; never throws.
     */
    @Override
    void close();
}
