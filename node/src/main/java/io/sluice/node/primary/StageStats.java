package io.sluice.node.primary;

import io.sluice.response.ResponseTrace;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tick-to-trade breakdown: one latency recorder per stage, filled by the stage threads while tracing is on, and
 * accumulated here (on the HTTP thread) between resets. Stages, in the order a request meets them:
 * ingest wait (reader receive to sequencer), match execute (journal publish + matching), journal sync (group fsync),
 * output ring wait, gate journal wait and replica wait (only when that cursor was behind), egress flush, and server
 * end to end (receive to BatchEnd queued).
 */
final class StageStats
{
    private static final long HIGHEST_TRACKABLE_NS = ResponseTrace.DEFAULT_HIGHEST_TRACKABLE_NS;

    private final Map<String, Recorder> recorders = new LinkedHashMap<>();
    private final Map<String, Histogram> accumulated = new LinkedHashMap<>();
    private final Recorder ingestWait = new Recorder(HIGHEST_TRACKABLE_NS, 3);
    private final Recorder matchExecute = new Recorder(HIGHEST_TRACKABLE_NS, 3);
    private final Recorder journalSync = new Recorder(HIGHEST_TRACKABLE_NS, 3);
    private final ResponseTrace responseTrace = new ResponseTrace(HIGHEST_TRACKABLE_NS);

    StageStats()
    {
        add("ingest_wait", ingestWait);
        add("match_execute", matchExecute);
        add("journal_sync", journalSync);
        add("output_ring_wait", responseTrace.ringWait());
        add("gate_journal_wait", responseTrace.journalWait());
        add("gate_replica_wait", responseTrace.replicaWait());
        add("egress_flush", responseTrace.egress());
        add("server_end_to_end", responseTrace.serverEndToEnd());
    }

    private void add(final String name, final Recorder recorder)
    {
        recorders.put(name, recorder);
        accumulated.put(name, new Histogram(HIGHEST_TRACKABLE_NS, 3));
    }

    Recorder ingestWait()
    {
        return ingestWait;
    }

    Recorder matchExecute()
    {
        return matchExecute;
    }

    Recorder journalSync()
    {
        return journalSync;
    }

    ResponseTrace responseTrace()
    {
        return responseTrace;
    }

    /**
     * @return JSON of every stage since the last reset: count and p50/p90/p99/p99.9/max in microseconds.
     */
    synchronized String json()
    {
        final StringBuilder json = new StringBuilder(1024).append("{\"trace\":true,\"stages_us\":{");
        boolean first = true;
        for (final Map.Entry<String, Recorder> stage : recorders.entrySet())
        {
            final Histogram total = accumulated.get(stage.getKey());
            total.add(stage.getValue().getIntervalHistogram());
            json.append(first ? "" : ",").append('"').append(stage.getKey()).append("\":{\"count\":")
                .append(total.getTotalCount())
                .append(",\"mean\":").append(micros((long)total.getMean()))
                .append(",\"p50\":").append(micros(total.getValueAtPercentile(50)))
                .append(",\"p90\":").append(micros(total.getValueAtPercentile(90)))
                .append(",\"p99\":").append(micros(total.getValueAtPercentile(99)))
                .append(",\"p99_9\":").append(micros(total.getValueAtPercentile(99.9)))
                .append(",\"p99_99\":").append(micros(total.getValueAtPercentile(99.99)))
                .append(",\"max\":").append(micros(total.getMaxValue())).append('}');
            first = false;
        }
        return json.append("}}\n").toString();
    }

    synchronized void reset()
    {
        for (final Map.Entry<String, Recorder> stage : recorders.entrySet())
        {
            stage.getValue().getIntervalHistogram();
            accumulated.get(stage.getKey()).reset();
        }
    }

    private static double micros(final long nanos)
    {
        return Math.round(nanos / 100.0) / 10.0;
    }
}
