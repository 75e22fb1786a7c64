package io.sluice.client;

import io.sluice.sbe.client.BookSnapshotDecoder;
import io.sluice.sbe.client.EngineErrorDecoder;
import io.sluice.sbe.client.ExecutionReportDecoder;
import io.sluice.sbe.client.HaltedDecoder;
import io.sluice.sbe.client.OrderStatusDecoder;

import java.net.InetSocketAddress;

/**
 * Callbacks from {@link SluiceClient#poll()}, on the polling thread. Decoders are flyweights valid only during the
 * call. Every request is answered by zero or more of the message callbacks followed by exactly one
 * {@link #onBatchEnd}.
 */
public interface ClientListener
{
    default void onExecutionReport(final ExecutionReportDecoder report)
    {
    }

    default void onOrderStatus(final OrderStatusDecoder status)
    {
    }

    default void onBookSnapshot(final BookSnapshotDecoder book)
    {
    }

    /**
     * The request was not accepted because the server's ingest ring was full; it was not applied.
     *
     * @param requestSeq of the refused request.
     */
    default void onServerBusy(final long requestSeq)
    {
    }

    /**
     * The request was not accepted because the node is not trading; it was not applied. Not called when
     * {@link ClientContext#failoverOnHalt()} is set: the client then leaves that node and sends the request again
     * elsewhere.
     *
     * @param halted the reply, with its reason.
     */
    default void onHalted(final HaltedDecoder halted)
    {
    }

    default void onEngineError(final EngineErrorDecoder error)
    {
    }

    /**
     * The last frame of the reply to one request.
     *
     * @param requestSeq of the request now fully answered.
     * @param wireSeq    it was sequenced at, or 0 if it took none (queries, rejects before sequencing).
     */
    default void onBatchEnd(final long requestSeq, final long wireSeq)
    {
    }

    /**
     * The connection was lost or closed by the server.
     *
     * @param reason as far as the client can tell.
     */
    default void onDisconnect(final String reason)
    {
    }

    /**
     * A request is being sent again on a new connection because it was not answered on the one lost. Called for
     * each such request, oldest first, before {@link #onConnected} reports how many there were.
     *
     * @param requestSeq of the request sent again.
     */
    default void onResend(final long requestSeq)
    {
    }

    /**
     * The client connected and logged on, after a loss if {@code resent} is above zero.
     *
     * @param endpoint       now connected to.
     * @param lastRequestSeq highest requestSeq the server has applied for this session.
     * @param resent         requests sent again because they had not been answered.
     */
    default void onConnected(final InetSocketAddress endpoint, final long lastRequestSeq, final int resent)
    {
    }
}
