package io.sluice.node.bench;

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
 */
final class SluiceOrderEntry implements OrderEntry, ClientListener
{
    private final SluiceClient client;
    private ReplyListener replies;

    SluiceOrderEntry(final ClientContext context)
    {
        client = new SluiceClient(context, this);
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
        return client.placeOrder(clientOrderId, instrumentId, side, orderType, timeInForce, false, price, quantity);
    }

    public long cancelOrder(final long clientOrderId)
    {
        return client.cancelOrder(clientOrderId);
    }

    public long replaceOrder(final long clientOrderId, final long newPrice, final long newQuantity)
    {
        return client.replaceOrder(clientOrderId, newPrice, newQuantity);
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
            replies.onRejected(report.requestSeq(), report.rejectReasonRaw());
        }
    }

    public void onServerBusy(final long requestSeq)
    {
        replies.onRejected(requestSeq, RejectReason.SERVER_BUSY.value());
    }

    public void onHalted(final HaltedDecoder halted)
    {
        replies.onRejected(halted.requestSeq(), RejectReason.HALTED.value());
    }

    public void onEngineError(final EngineErrorDecoder error)
    {
        replies.onError("engine error " + error.code() + " for request " + error.requestSeq() + ": " +
            error.detail());
    }

    public void onBatchEnd(final long requestSeq, final long wireSeq)
    {
        replies.onAnswered(requestSeq);
    }

    public void onDisconnect(final String reason)
    {
        replies.onError("connection lost: " + reason);
    }

    public void onConnected(final InetSocketAddress endpoint, final long lastRequestSeq, final int resent)
    {
        if (resent > 0)
        {
            replies.onError("reconnected to " + endpoint + " and resent " + resent + " unanswered requests");
        }
    }
}
