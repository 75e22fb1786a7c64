package io.sluice.harness.soak;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One injected fault and how the cluster came back from it.
 *
 * @param index          1-based position in the run.
 * @param kind           what was done.
 * @param atNs           when the first kill landed, from the start of the run.
 * @param victims        the nodes killed, in kill order ({@code node2}, ...).
 * @param promoted       the node promoted, or null when the primary survived.
 * @param resyncs        restarts with {@code --resync} (an old primary holding entries the new one never had).
 * @param landedInWindow for the targeted kinds, whether the kill landed where it was aimed (during the snapshot
 *                       write, while catching up, while the promotion ran); null for the others.
 * @param landing        where the kill landed, in words.
 * @param recoveryNs     from the first kill until the cluster traded again with both replicas caught up.
 * @param failure        why the cluster did not come back, or null when it did.
 */
public record FaultRecord(
    int index,
    FaultKind kind,
    long atNs,
    List<String> victims,
    String promoted,
    int resyncs,
    Boolean landedInWindow,
    String landing,
    long recoveryNs,
    String failure)
{
    /**
     * @return true if the cluster traded again, every node back and caught up, within the recovery timeout.
     */
    public boolean survived()
    {
        return failure == null;
    }

    /**
     * @return the progress line the soak prints for it.
     */
    public String line()
    {
        final StringBuilder line = new StringBuilder(160)
            .append(String.format("fault %d at %.1fs %s killed %s", index, atNs / 1e9, kind, String.join(",", victims)));
        if (promoted != null)
        {
            line.append(" promoted ").append(promoted);
        }
        if (resyncs > 0)
        {
            line.append(" resyncs ").append(resyncs);
        }
        if (landing != null)
        {
            line.append(" (").append(landing).append(')');
        }
        if (survived())
        {
            line.append(String.format(" recovered in %.1fs", recoveryNs / 1e9));
        }
        else
        {
            line.append(" NOT SURVIVED after ").append(TimeUnit.NANOSECONDS.toMillis(recoveryNs)).append(" ms: ")
                .append(failure);
        }
        return line.toString();
    }
}
