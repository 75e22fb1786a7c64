package io.sluice.pipeline.sequencer;

import org.agrona.collections.Long2LongHashMap;

import java.util.function.LongPredicate;

/**
 * Cancel-on-disconnect's clock: when each session that went away (a dropped connection or a Logout alike) is due to
 * have its DAY orders cancelled, unless it logs on again first. Which sessions want it is engine state; the timers
 * are the primary's own, never journaled: only the cancel they lead to is, so replicas and recovery apply the same
 * cancels whichever clock fired them. A new primary starts a grace period for every session that wants it, since
 * none is logged on to it yet (see docs/protocol.md).
 * <p>
 * Sequencer thread only. Allocation free once the set and map have grown to the number of sessions; a duty cycle
 * with nothing due costs one comparison.
 */
final class CancelOnDisconnectTimers
{
    private static final long NO_DEADLINE = Long.MIN_VALUE;

    private final long graceNs;
    /** Sessions gone away, and the nano time their grace period ends. */
    private final Long2LongHashMap deadlineNsBySession = new Long2LongHashMap(NO_DEADLINE);
    /** No deadline in {@link #deadlineNsBySession} is earlier; {@code Long.MAX_VALUE} while it is empty. */
    private long earliestDeadlineNs = Long.MAX_VALUE;

    /**
     * @param graceNs how long a session may be gone before its DAY orders are cancelled; 0 cancels at once.
     */
    CancelOnDisconnectTimers(final long graceNs)
    {
        if (graceNs < 0)
        {
            throw new IllegalArgumentException("cancel-on-disconnect grace must be >= 0: " + graceNs + " ns");
        }
        this.graceNs = graceNs;
    }

    /**
     * A session logged on: a grace period running for it ends without a cancel.
     */
    void onLogon(final long sessionId)
    {
        deadlineNsBySession.remove(sessionId);
    }

    /**
     * A session that wants cancel-on-disconnect is gone (its connection ended, or a new primary has not seen it
     * yet): its grace period starts now.
     */
    void start(final long sessionId, final long nowNs)
    {
        final long deadlineNs = nowNs + graceNs;
        deadlineNsBySession.put(sessionId, deadlineNs);
        earliestDeadlineNs = Math.min(earliestDeadlineNs, deadlineNs);
    }

    /**
     * Hand each session whose grace period has ended to {@code onExpired}, which returns false if it cannot act
     * now (the journal ring is full): that session is kept and offered again on a later call.
     *
     * @return sessions handed over and accepted.
     */
    int poll(final long nowNs, final LongPredicate onExpired)
    {
        if (nowNs - earliestDeadlineNs < 0)
        {
            return 0;
        }
        int expired = 0;
        long earliest = Long.MAX_VALUE;
        final Long2LongHashMap.EntryIterator iterator = deadlineNsBySession.entrySet().iterator();
        while (iterator.hasNext())
        {
            iterator.next();
            final long deadlineNs = iterator.getLongValue();
            if (nowNs - deadlineNs >= 0 && onExpired.test(iterator.getLongKey()))
            {
                iterator.remove();
                expired++;
            }
            else
            {
                earliest = Math.min(earliest, deadlineNs);
            }
        }
        earliestDeadlineNs = earliest;

        return expired;
    }

    /**
     * @return sessions whose grace period is running.
     */
    int pendingCount()
    {
        return deadlineNsBySession.size();
    }
}
