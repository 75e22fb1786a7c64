package io.sluice.harness.bench;

import io.sluice.sbe.client.RejectReason;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Counters and histograms of one run. Written only by the driving thread; read once the run is over (and by the
 * progress line, on the same thread). Latencies are recorded in nanoseconds with 3 significant digits.
 * <p>
 * "Measured" requests are those due after the warm-up (open loop) or sent after it (closed loop); only they reach
 * {@link #latencyNs}, {@link #sendDelayNs} and the sent/acked/rejected counts. Every request, warm-up included,
 * counts towards {@link #totalSent()} and {@link #totalAnswered()}, so an unanswered warm-up request still fails
 * the run.
 */
final class BenchRecorder
{
    /** Longer round trips are recorded as this: a run with five-minute replies has failed anyway. */
    static final long HIGHEST_TRACKABLE_NS = TimeUnit.MINUTES.toNanos(5);
    static final int SIGNIFICANT_DIGITS = 3;
    private static final int MAX_ERROR_SAMPLES = 10;

    final Histogram latencyNs = newHistogram();
    final Histogram sendDelayNs = newHistogram();
    /** Every answer since the last progress line, warm-up included; reset by the progress line. */
    final Histogram intervalLatencyNs = newHistogram();

    private final long lateThresholdNs;
    private final long[] rejectsByReason = new long[256];
    private final List<String> errorSamples = new ArrayList<>();

    private long sent;
    private long acked;
    private long rejected;
    private long totalSent;
    private long totalAnswered;
    private long lateSends;
    private long maxSendDelayNs;
    private long errors;
    private long reconnects;
    private long lastMeasuredAnswerNs;
    private long measureStartNs;

    BenchRecorder(final long lateThresholdNs)
    {
        this.lateThresholdNs = lateThresholdNs;
    }

    static Histogram newHistogram()
    {
        return new Histogram(HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
    }

    private static void record(final Histogram histogram, final long valueNs)
    {
        histogram.recordValue(Math.max(0, Math.min(valueNs, HIGHEST_TRACKABLE_NS)));
    }

    /**
     * A request left for the node.
     *
     * @param scheduledNs when it was due (open loop) or the send time (closed loop).
     * @param sentNs      when it was handed to the connection.
     * @param measured    whether it belongs to the measured phase.
     */
    void onSent(final long scheduledNs, final long sentNs, final boolean measured)
    {
        totalSent++;
        if (measured)
        {
            sent++;
            final long delayNs = sentNs - scheduledNs;
            record(sendDelayNs, delayNs);
            maxSendDelayNs = Math.max(maxSendDelayNs, delayNs);
            if (delayNs > lateThresholdNs)
            {
                lateSends++;
            }
        }
    }

    /**
     * A request was fully answered.
     *
     * @param scheduledNs  its scheduled (open loop) or send (closed loop) time: latency counts from here.
     * @param answeredNs   when its BatchEnd was read.
     * @param measured     whether it belongs to the measured phase.
     * @param rejectReason {@link RejectReason} value of a refusal, or {@code NONE}.
     */
    void onAnswered(final long scheduledNs, final long answeredNs, final boolean measured, final short rejectReason)
    {
        totalAnswered++;
        final long latencyNs = answeredNs - scheduledNs;
        record(intervalLatencyNs, latencyNs);
        if (measured)
        {
            record(this.latencyNs, latencyNs);
            lastMeasuredAnswerNs = answeredNs;
            if (rejectReason == RejectReason.NONE.value())
            {
                acked++;
            }
            else
            {
                rejected++;
                rejectsByReason[rejectReason & 0xFF]++;
            }
        }
    }

    void onError(final String description)
    {
        errors++;
        if (errorSamples.size() < MAX_ERROR_SAMPLES)
        {
            errorSamples.add(description);
        }
    }

    long sent()
    {
        return sent;
    }

    long acked()
    {
        return acked;
    }

    long rejected()
    {
        return rejected;
    }

    long totalSent()
    {
        return totalSent;
    }

    long totalAnswered()
    {
        return totalAnswered;
    }

    long lateSends()
    {
        return lateSends;
    }

    long lateThresholdNs()
    {
        return lateThresholdNs;
    }

    long maxSendDelayNs()
    {
        return maxSendDelayNs;
    }

    /**
     * A connection failed over (or came back) to a node and sent its unanswered requests again.
     */
    void onReconnected()
    {
        reconnects++;
    }

    long reconnects()
    {
        return reconnects;
    }

    long errors()
    {
        return errors;
    }

    List<String> errorSamples()
    {
        return errorSamples;
    }

    /**
     * @param measureStartNs when the measured phase starts; throughput is counted from here.
     */
    void measureStartNs(final long measureStartNs)
    {
        this.measureStartNs = measureStartNs;
    }

    long measureStartNs()
    {
        return measureStartNs;
    }

    long lastMeasuredAnswerNs()
    {
        return lastMeasuredAnswerNs;
    }

    /**
     * @param reason a {@link RejectReason} value.
     * @return measured requests refused for that reason.
     */
    long rejects(final short reason)
    {
        return rejectsByReason[reason & 0xFF];
    }
}
