package io.sluice.harness.bench;

import java.nio.channels.SelectableChannel;

import io.sluice.client.ClientContext;
import io.sluice.client.ClientListener;
import io.sluice.client.SluiceClient;
import io.sluice.sbe.client.EngineErrorDecoder;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.ExecutionReportDecoder;
import io.sluice.sbe.client.HaltedDecoder;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * One bench connection over a real {@link SluiceClient}: forwards requests, and turns the client's callbacks into
 * the few answers the bench counts. Maker fills of other connections' orders carry no refusal and are ignored.
 * <p>
 * With a {@link HistoryRecorder}, every request handed to the client, every resend, every answer (outcome and the
 * BatchEnd's wireSeq) and every connect and disconnect is recorded for {@code sluice check}. When the run is given
 * several endpoints a lost connection is expected (the client fails over): reconnects are then counted, not errors.
 */
final class SluiceOrderEntry implements OrderEntry, ClientListener
{
    private static final long NONE = -1;

    private final SluiceClient client;
    private final long sessionId;
    private final HistoryRecorder history;
    private final boolean failover;
    private ReplyListener replies;
    private boolean connectedOnce;

    /** The request a refusal or engine error was last seen for, until its BatchEnd; NONE when there is none. */
    private long refusedRequestSeq = NONE;
    private byte refusedOutcome;
    private short refusedReason;

    SluiceOrderEntry(final ClientContext context)
    {
        this(context, null);
    }

    /**
     * @param context of the client; with more than one endpoint, connection losses are failovers, not errors.
     * @param history where to record the history, or null.
     */
    SluiceOrderEntry(final ClientContext context, final HistoryRecorder history)
    {
        client = new SluiceClient(context, this);
        sessionId = context.sessionId();
        this.history = history;
        this.failover = context.endpoints().size() > 1;
    }

    @Override
    public SelectableChannel channel()
    {
        return client.channel();
    }

    public void connect(final ReplyListener replies) throws IOException
    {
        this.replies = replies;
        client.connect();
    }

    public long placeOrder(
        final long clientOrderId,
        final int instrumentId,
        final Side side,
        final OrderType orderType,
        final TimeInForce timeInForce,
        final long price,
        final long quantity)
    {
        return recordSent(client.placeOrder(clientOrderId, instrumentId, side, orderType, timeInForce, false, price,
            quantity), clientOrderId, HistoryRecorder.NEW_ORDER);
    }

    public long cancelOrder(final long clientOrderId)
    {
        return recordSent(client.cancelOrder(clientOrderId), clientOrderId, HistoryRecorder.CANCEL);
    }

    public long replaceOrder(final long clientOrderId, final long newPrice, final long newQuantity)
    {
        return recordSent(client.replaceOrder(clientOrderId, newPrice, newQuantity), clientOrderId,
            HistoryRecorder.REPLACE);
    }

    private long recordSent(final long requestSeq, final long clientOrderId, final byte kind)
    {
        if (history != null && requestSeq != BACK_PRESSURED)
        {
            history.sent(sessionId, requestSeq, clientOrderId, kind);
        }
        return requestSeq;
    }

    public int poll() throws IOException
    {
        return client.poll();
    }

    public void close()
    {
        client.close();
    }

    public void onExecutionReport(final ExecutionReportDecoder report)
    {
        if (report.execType() == ExecType.REJECTED)
        {
            refused(report.requestSeq(), HistoryRecorder.REJECTED, report.rejectReasonRaw());
            replies.onRejected(report.requestSeq(), report.rejectReasonRaw());
        }
    }

    public void onServerBusy(final long requestSeq)
    {
        refused(requestSeq, HistoryRecorder.REJECTED, RejectReason.SERVER_BUSY.value());
        replies.onRejected(requestSeq, RejectReason.SERVER_BUSY.value());
    }

    public void onHalted(final HaltedDecoder halted)
    {
        refused(halted.requestSeq(), HistoryRecorder.REJECTED, RejectReason.HALTED.value());
        replies.onRejected(halted.requestSeq(), RejectReason.HALTED.value());
    }

    public void onEngineError(final EngineErrorDecoder error)
    {
        refused(error.requestSeq(), HistoryRecorder.ERROR, error.codeRaw());
        replies.onError("engine error " + error.code() + " for request " + error.requestSeq() + ": " +
            error.detail());
    }

    private void refused(final long requestSeq, final byte outcome, final short reason)
    {
        refusedRequestSeq = requestSeq;
        refusedOutcome = outcome;
        refusedReason = reason;
    }

    public void onBatchEnd(final long requestSeq, final long wireSeq)
    {
        if (history != null)
        {
            if (refusedRequestSeq == requestSeq)
            {
                history.replied(sessionId, requestSeq, refusedOutcome, refusedReason, wireSeq);
            }
            else
            {
                history.replied(sessionId, requestSeq, HistoryRecorder.ACCEPTED, RejectReason.NONE.value(), wireSeq);
            }
        }
        refusedRequestSeq = NONE;
        replies.onAnswered(requestSeq);
    }

    public void onResend(final long requestSeq)
    {
        if (history != null)
        {
            history.resent(sessionId, requestSeq);
        }
    }

    public void onDisconnect(final String reason)
    {
        refusedRequestSeq = NONE;
        if (history != null)
        {
            history.disconnected(sessionId, reason);
        }
        if (!failover)
        {
            replies.onError("connection lost: " + reason);
        }
    }

    public void onConnected(final InetSocketAddress endpoint, final long lastRequestSeq, final int resent)
    {
        if (history != null)
        {
            history.connected(sessionId, endpoint.getHostString() + ":" + endpoint.getPort(), lastRequestSeq, resent);
        }
        if (connectedOnce)
        {
            if (failover)
            {
                replies.onReconnected(endpoint.getHostString() + ":" + endpoint.getPort(), resent);
            }
            else if (resent > 0)
            {
                replies.onError("reconnected to " + endpoint + " and resent " + resent + " unanswered requests");
            }
        }
        connectedOnce = true;
    }
}
