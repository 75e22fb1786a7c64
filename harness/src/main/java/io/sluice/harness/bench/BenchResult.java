package io.sluice.harness.bench;

import io.sluice.sbe.client.RejectReason;
import org.HdrHistogram.Histogram;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one bench run measured, after it ended. Counts of sent, acked and rejected requests cover the measured
 * phase; {@link #unanswered()} and {@link #unsent()} cover the whole run, warm-up included. Once every request was
 * answered, {@code sent == acked + rejected}.
 */
public final class BenchResult
{
    private final String mode;
    private final double targetRatePerSecond;
    private final int window;
    private final int connections;
    private final double seconds;
    private final double warmupSeconds;
    private final long seed;
    private final int instruments;
    private final String durability;
    private final Integer replicas;

    private final long sent;
    private final long acked;
    private final long rejected;
    private final long errors;
    private final long reconnects;
    private final long unanswered;
    private final long unsent;
    private final double throughputPerSecond;
    private final double sendRatePerSecond;
    private final LatencySummary latency;
    private final LatencySummary sendDelay;
    private final long lateSends;
    private final double lateThresholdUs;
    private final Map<String, Long> rejectsByReason;
    private final List<String> errorSamples;
    private final Map<String, Long> flow;
    private final Histogram latencyHistogramNs;
    private final Map<String, LatencySummary> stages = new LinkedHashMap<>();

    BenchResult(
        final BenchContext context,
        final NodeProbe.NodeInfo node,
        final BenchRecorder recorder,
        final long unsent,
        final Map<String, Long> flow)
    {
        this.mode = context.openLoop() ? "open-loop" : "closed-loop";
        this.targetRatePerSecond = context.openLoop() ? context.ratePerSecond() : 0;
        this.window = context.window();
        this.connections = context.connections();
        this.seconds = context.durationNs() / 1e9;
        this.warmupSeconds = context.warmupNs() / 1e9;
        this.seed = context.seed();
        this.instruments = context.instruments();
        this.durability = node.durability();
        this.replicas = node.replicas();

        this.sent = recorder.sent();
        this.acked = recorder.acked();
        this.rejected = recorder.rejected();
        this.errors = recorder.errors();
        this.reconnects = recorder.reconnects();
        this.unanswered = recorder.totalSent() - recorder.totalAnswered();
        this.unsent = unsent;
        final long answered = acked + rejected;
        final long measuredStartNs = recorder.measureStartNs();
        final long answeringNs = recorder.lastMeasuredAnswerNs() - measuredStartNs;
        // Answers per second from the start of the measured phase to its last answer: a node that falls behind
        // the offered rate shows a lower figure, however long it takes to drain.
        this.throughputPerSecond = answered == 0 || answeringNs <= 0 ? 0 : answered * 1e9 / answeringNs;
        this.sendRatePerSecond = sent * 1e9 / context.durationNs();
        this.latency = LatencySummary.ofNanos(recorder.latencyNs);
        this.sendDelay = LatencySummary.ofNanos(recorder.sendDelayNs);
        this.lateSends = recorder.lateSends();
        this.lateThresholdUs = recorder.lateThresholdNs() / 1e3;
        final Map<String, Long> rejects = new LinkedHashMap<>();
        for (final RejectReason reason : RejectReason.values())
        {
            if (reason != RejectReason.NULL_VAL && recorder.rejects(reason.value()) > 0)
            {
                rejects.put(reason.name(), recorder.rejects(reason.value()));
            }
        }
        this.rejectsByReason = Collections.unmodifiableMap(rejects);
        this.errorSamples = List.copyOf(recorder.errorSamples());
        this.flow = Collections.unmodifiableMap(new LinkedHashMap<>(flow));
        this.latencyHistogramNs = recorder.latencyNs.copy();
    }

    /**
     * @return true if every request was sent and answered and no error was seen.
     */
    public boolean passed()
    {
        return unanswered == 0 && unsent == 0 && errors == 0;
    }

    /**
     * @return "open-loop" or "closed-loop".
     */
    public String mode()
    {
        return mode;
    }

    /**
     * @return the offered rate of an open-loop run; 0 in closed loop.
     */
    public double targetRatePerSecond()
    {
        return targetRatePerSecond;
    }

    public int window()
    {
        return window;
    }

    public int connections()
    {
        return connections;
    }

    public double seconds()
    {
        return seconds;
    }

    public double warmupSeconds()
    {
        return warmupSeconds;
    }

    public long seed()
    {
        return seed;
    }

    public int instruments()
    {
        return instruments;
    }

    /**
     * @return the node's durability policy as its admin port reported it, or "unknown".
     */
    public String durability()
    {
        return durability;
    }

    /**
     * @return replicas connected to the node as its admin port reported it, or null if unknown.
     */
    public Integer replicas()
    {
        return replicas;
    }

    public long sent()
    {
        return sent;
    }

    public long acked()
    {
        return acked;
    }

    public long rejected()
    {
        return rejected;
    }

    /**
     * @return times a connection was made again after a loss in a failover run (several endpoints); in a run against
     * one endpoint a loss is an error instead.
     */
    public long reconnects()
    {
        return reconnects;
    }

    public long errors()
    {
        return errors;
    }

    public long unanswered()
    {
        return unanswered;
    }

    public long unsent()
    {
        return unsent;
    }

    public double throughputPerSecond()
    {
        return throughputPerSecond;
    }

    public double sendRatePerSecond()
    {
        return sendRatePerSecond;
    }

    public LatencySummary latency()
    {
        return latency;
    }

    /**
     * @return how far behind its schedule each measured request was sent (open loop): the generator's own lag.
     */
    public LatencySummary sendDelay()
    {
        return sendDelay;
    }

    public long lateSends()
    {
        return lateSends;
    }

    public double lateThresholdUs()
    {
        return lateThresholdUs;
    }

    public Map<String, Long> rejectsByReason()
    {
        return rejectsByReason;
    }

    public List<String> errorSamples()
    {
        return errorSamples;
    }

    /**
     * @return commands generated by kind (placements, cancels, replaces, aggressive), warm-up included.
     */
    public Map<String, Long> flow()
    {
        return flow;
    }

    /**
     * @return the measured round-trip distribution in nanoseconds, for {@code --hgrm}.
     */
    public Histogram latencyHistogramNs()
    {
        return latencyHistogramNs;
    }

    /**
     * @return per-stage latency inside the node, by stage name, when the node traced them; empty otherwise.
     */
    public Map<String, LatencySummary> stages()
    {
        return stages;
    }

    /**
     * Attach one stage of the node's trace, for the {@code stages_us} part of the report.
     *
     * @param stage   name, e.g. {@code matching}.
     * @param summary its distribution.
     * @return this.
     */
    public BenchResult stage(final String stage, final LatencySummary summary)
    {
        stages.put(stage, summary);
        return this;
    }
}
