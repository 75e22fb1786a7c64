package io.sluice.response;

/**
 * For one gate wait, when the journal cursor and the slowest replica's persisted cursor first reached the
 * {@code wireSeq} the wait was for. Only a cursor that was below it at the first observation is tracked: one already
 * past was not what held the replies, and timing it would report poll times, not waits. These timestamps feed the
 * journal-wait and replica-wait histograms.
 * <p>
 * Timestamps are passed in so tests are deterministic. Reused across waits via {@link #reset}; one thread.
 */
final class GateCrossTracker
{
    private long neededWireSeq;
    private boolean first = true;
    private boolean journalWasBelow;
    private boolean replicaWasBelow;
    private boolean journalCrossed;
    private boolean replicaCrossed;
    private long journalCrossedNs;
    private long replicaCrossedNs;

    GateCrossTracker()
    {
        reset(0);
    }

    GateCrossTracker(final long neededWireSeq)
    {
        reset(neededWireSeq);
    }

    GateCrossTracker reset(final long neededWireSeq)
    {
        this.neededWireSeq = neededWireSeq;
        first = true;
        journalWasBelow = false;
        replicaWasBelow = false;
        journalCrossed = false;
        replicaCrossed = false;
        journalCrossedNs = 0;
        replicaCrossedNs = 0;
        return this;
    }

    /**
     * @param journalPersistedWireSeq     primary journal cursor now.
     * @param minReplicaPersistedWireSeq  slowest active replica's persisted cursor now, {@link Long#MAX_VALUE} if none.
     * @param nowNs                       when the cursors were read.
     */
    void observe(final long journalPersistedWireSeq, final long minReplicaPersistedWireSeq, final long nowNs)
    {
        if (first)
        {
            journalWasBelow = journalPersistedWireSeq < neededWireSeq;
            replicaWasBelow = minReplicaPersistedWireSeq < neededWireSeq;
            first = false;
        }

        if (journalWasBelow && !journalCrossed && journalPersistedWireSeq >= neededWireSeq)
        {
            journalCrossed = true;
            journalCrossedNs = nowNs;
        }

        if (replicaWasBelow && !replicaCrossed && minReplicaPersistedWireSeq >= neededWireSeq)
        {
            replicaCrossed = true;
            replicaCrossedNs = nowNs;
        }
    }

    long neededWireSeq()
    {
        return neededWireSeq;
    }

    boolean journalCrossed()
    {
        return journalCrossed;
    }

    long journalCrossedNs()
    {
        return journalCrossedNs;
    }

    boolean replicaCrossed()
    {
        return replicaCrossed;
    }

    long replicaCrossedNs()
    {
        return replicaCrossedNs;
    }
}
