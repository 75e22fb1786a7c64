package io.sluice.response;

import io.sluice.durability.Policy;
import java.util.ArrayList;
import java.util.List;

/**
 * Records what the degradation logger would log, in order, e.g. {@code "degraded persisted>=2"}.
 */
final class RecordingDegradationEvents implements DegradationLogger.Events
{
    final List<String> events = new ArrayList<>();

    public void onStartingDegraded(final Policy policy)
    {
        events.add("starting-degraded " + policy);
    }

    public void onDegraded(final Policy policy)
    {
        events.add("degraded " + policy);
    }

    public void onStillDegraded(final Policy policy, final long degradedForNs)
    {
        events.add("still-degraded " + policy);
    }

    public void onRecovered(final Policy policy)
    {
        events.add("recovered " + policy);
    }

    long count(final String prefix)
    {
        return events.stream().filter(e -> e.startsWith(prefix + " ")).count();
    }
}
