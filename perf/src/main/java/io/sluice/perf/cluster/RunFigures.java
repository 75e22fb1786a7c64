package io.sluice.perf.cluster;

import io.sluice.harness.bench.BenchResult;

import java.util.Locale;

/**
 * The figures of one bench run that the comparison reports, or a run that was not made because the system had
 * already failed at a lower rate.
 */
final class RunFigures
{
    private final double ratePerSecond;
    private final int connections;
    private final boolean ran;
    private final double p50Us;
    private final double p99Us;
    private final double p99_9Us;
    private final long sent;
    private final long acked;
    private final long rejected;
    private final long errors;
    private final long unanswered;
    private final long unsent;
    private final double throughputPerSecond;
    private final boolean passed;
    private final boolean sustained;

    RunFigures(
        final double ratePerSecond,
        final int connections,
        final boolean ran,
        final double p50Us,
        final double p99Us,
        final double p99_9Us,
        final long sent,
        final long acked,
        final long rejected,
        final long errors,
        final long unanswered,
        final long unsent,
        final double throughputPerSecond,
        final boolean passed,
        final boolean sustained)
    {
        this.ratePerSecond = ratePerSecond;
        this.connections = connections;
        this.ran = ran;
        this.p50Us = p50Us;
        this.p99Us = p99Us;
        this.p99_9Us = p99_9Us;
        this.sent = sent;
        this.acked = acked;
        this.rejected = rejected;
        this.errors = errors;
        this.unanswered = unanswered;
        this.unsent = unsent;
        this.throughputPerSecond = throughputPerSecond;
        this.passed = passed;
        this.sustained = sustained;
    }

    /**
     * @param result     of an open-loop run.
     * @param p99LimitUs a run is sustained if it passed and its p99 is at most this.
     * @return its figures.
     */
    static RunFigures of(final BenchResult result, final double p99LimitUs)
    {
        return new RunFigures(result.targetRatePerSecond(), result.connections(), true, result.latency().p50Us(),
            result.latency().p99Us(), result.latency().p99_9Us(), result.sent(), result.acked(), result.rejected(),
            result.errors(), result.unanswered(), result.unsent(), result.throughputPerSecond(), result.passed(),
            result.passed() && result.latency().p99Us() <= p99LimitUs);
    }

    /**
     * @return a run the sweep skipped: the system was no longer sustaining a lower rate.
     */
    static RunFigures notRun(final double ratePerSecond, final int connections)
    {
        return new RunFigures(ratePerSecond, connections, false, Double.NaN, Double.NaN, Double.NaN, 0, 0, 0, 0, 0,
            0, 0, false, false);
    }

    double ratePerSecond()
    {
        return ratePerSecond;
    }

    int connections()
    {
        return connections;
    }

    boolean ran()
    {
        return ran;
    }

    double p50Us()
    {
        return p50Us;
    }

    double p99Us()
    {
        return p99Us;
    }

    double p99_9Us()
    {
        return p99_9Us;
    }

    long sent()
    {
        return sent;
    }

    long acked()
    {
        return acked;
    }

    double throughputPerSecond()
    {
        return throughputPerSecond;
    }

    /**
     * @return every request was sent and answered, no error.
     */
    boolean passed()
    {
        return passed;
    }

    /**
     * @return passed, and p99 within the limit.
     */
    boolean sustained()
    {
        return sustained;
    }

    /**
     * @return why the run did not sustain its rate, or "ok".
     */
    String verdict()
    {
        if (!ran)
        {
            return "not run";
        }
        if (sustained)
        {
            return "ok";
        }
        if (!passed)
        {
            return (unanswered + unsent) + " unanswered/unsent, " + errors + " errors";
        }
        return "p99 over limit";
    }

    /**
     * @return the JSON object of the contract ({@code p50_us}, {@code p99_us}, {@code p99_9_us}, {@code sent},
     * {@code acked}) plus the rest of the figures; latencies are null for a run not made.
     */
    String json()
    {
        return String.format(Locale.ROOT,
            "{\"p50_us\": %s, \"p99_us\": %s, \"p99_9_us\": %s, \"sent\": %d, \"acked\": %d, \"rejected\": %d, " +
            "\"errors\": %d, \"unanswered\": %d, \"unsent\": %d, \"throughput_per_s\": %s, \"connections\": %d, " +
            "\"ran\": %b, \"passed\": %b, \"sustained\": %b}",
            number(p50Us), number(p99Us), number(p99_9Us), sent, acked, rejected, errors, unanswered, unsent,
            ran ? number(throughputPerSecond) : "null", connections, ran, passed, sustained);
    }

    /**
     * @return the value with one decimal, or {@code null} when it is not a finite number.
     */
    static String number(final double value)
    {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.1f", value) : "null";
    }
}
