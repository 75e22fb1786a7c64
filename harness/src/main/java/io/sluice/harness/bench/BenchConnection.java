package io.sluice.harness.bench;

import io.sluice.sbe.client.RejectReason;
import org.agrona.BitUtil;
import org.agrona.concurrent.NanoClock;

import java.io.IOException;
import java.util.Arrays;

/**
 * One connection of a bench run: its commands waiting to be sent, and for each request in flight the time latency
 * counts from. Everything is owned by the driving thread.
 * <p>
 * The in-flight table is indexed by {@code requestSeq & mask}. The client holds at most {@code maxInFlight}
 * unanswered requests, and never a request more than {@code maxInFlight} after its oldest unanswered one, so with a
 * table at least that large two live requests never share a slot.
 */
final class BenchConnection implements OrderEntry.ReplyListener
{
    private static final short NO_REJECT = RejectReason.NONE.value();

    private final int index;
    private final OrderEntry entry;
    private final PendingCommands pending;
    private final BenchRecorder recorder;
    private final NanoClock clock;

    private final int mask;
    private final long[] inFlightRequestSeq;
    private final long[] inFlightFromNs;
    private final boolean[] inFlightMeasured;
    private final short[] inFlightReject;
    private int inFlight;
    private boolean failed;

    BenchConnection(
        final int index,
        final OrderEntry entry,
        final int pendingCapacity,
        final int maxInFlight,
        final BenchRecorder recorder,
        final NanoClock clock)
    {
        this.index = index;
        this.entry = entry;
        this.pending = new PendingCommands(pendingCapacity);
        this.recorder = recorder;
        this.clock = clock;
        final int length = BitUtil.findNextPositivePowerOfTwo(maxInFlight);
        mask = length - 1;
        inFlightRequestSeq = new long[length];
        inFlightFromNs = new long[length];
        inFlightMeasured = new boolean[length];
        inFlightReject = new short[length];
        Arrays.fill(inFlightRequestSeq, -1);
    }

    int index()
    {
        return index;
    }

    PendingCommands pending()
    {
        return pending;
    }

    int inFlight()
    {
        return inFlight;
    }

    /**
     * @return true once the connection was lost for good; what it had in flight stays unanswered.
     */
    boolean failed()
    {
        return failed;
    }

    /**
     * Send pending commands, oldest first, until none is left or the connection pushes back.
     *
     * @param openLoop       latency counts from each command's scheduled time; otherwise from its send.
     * @param window         most requests in flight (closed loop), or 0 for no limit but the client's.
     * @param measureStartNs closed loop: requests sent from this time on are measured.
     * @return requests sent.
     */
    int sendPending(final boolean openLoop, final int window, final long measureStartNs)
    {
        int sent = 0;
        while (!failed && !pending.isEmpty() && (window == 0 || inFlight < window))
        {
            final long requestSeq = pending.sendHead(entry);
            if (requestSeq == OrderEntry.BACK_PRESSURED)
            {
                break;
            }
            final long sentNs = clock.nanoTime();
            final long fromNs = openLoop ? pending.headScheduledNs() : sentNs;
            final boolean measured = openLoop ? pending.headMeasured() : sentNs - measureStartNs >= 0;
            pending.removeHead();

            final int slot = (int)(requestSeq & mask);
            if (inFlightRequestSeq[slot] != -1)
            {
                onError("request " + requestSeq + " reuses the in-flight slot of request " +
                    inFlightRequestSeq[slot]);
            }
            else
            {
                inFlight++;
            }
            inFlightRequestSeq[slot] = requestSeq;
            inFlightFromNs[slot] = fromNs;
            inFlightMeasured[slot] = measured;
            inFlightReject[slot] = NO_REJECT;
            recorder.onSent(fromNs, sentNs, measured);
            sent++;
        }
        return sent;
    }

    /**
     * Deliver what arrived; a connection lost for good is marked failed and counted as an error.
     *
     * @return work done.
     */
    int poll()
    {
        if (failed)
        {
            return 0;
        }
        try
        {
            return entry.poll();
        }
        catch (final IOException ex)
        {
            failed = true;
            onError("connection " + index + " failed: " + ex.getMessage());
            return 1;
        }
    }

    /**
     * Drop commands not sent yet (a closed-loop run at its end: they were never due).
     */
    void discardPending()
    {
        while (!pending.isEmpty())
        {
            pending.removeHead();
        }
    }

    public void onRejected(final long requestSeq, final short reason)
    {
        final int slot = (int)(requestSeq & mask);
        if (inFlightRequestSeq[slot] == requestSeq)
        {
            inFlightReject[slot] = reason;
        }
        else
        {
            onError("refusal (reason " + reason + ") of request " + requestSeq + " which is not in flight");
        }
    }

    public void onAnswered(final long requestSeq)
    {
        final long answeredNs = clock.nanoTime();
        final int slot = (int)(requestSeq & mask);
        if (inFlightRequestSeq[slot] != requestSeq)
        {
            onError("answer to request " + requestSeq + " which is not in flight");
            return;
        }
        inFlightRequestSeq[slot] = -1;
        inFlight--;
        recorder.onAnswered(inFlightFromNs[slot], answeredNs, inFlightMeasured[slot], inFlightReject[slot]);
    }

    public void onReconnected(final String endpoint, final int resent)
    {
        recorder.onReconnected();
    }

    public void onError(final String description)
    {
        recorder.onError("connection " + index + ": " + description);
    }
}
