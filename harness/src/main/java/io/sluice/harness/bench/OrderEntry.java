package io.sluice.harness.bench;

import java.nio.channels.SelectableChannel;

import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;

import java.io.IOException;

/**
 * What the bench needs from one order-entry connection: a {@link io.sluice.client.SluiceClient} in a real run
 * ({@link SluiceOrderEntry}), a peer system's client in a comparison (perf's Aeron Cluster baseline), a scripted
 * fake in tests. Answers go to the connection's {@link ReplyListener} from inside {@link #poll()}.
 */
public interface OrderEntry extends AutoCloseable
{
    /** Returned by a request method when the connection cannot take another request now. */
    long BACK_PRESSURED = io.sluice.client.SluiceClient.BACK_PRESSURED;

    long placeOrder(
        long clientOrderId,
        int instrumentId,
        Side side,
        OrderType orderType,
        TimeInForce timeInForce,
        long price,
        long quantity);

    long cancelOrder(long clientOrderId);

    long replaceOrder(long clientOrderId, long newPrice, long newQuantity);

    /**
     * Connect (and log on, where the transport has a logon); from then on answers go to {@code replies}.
     *
     * @param replies receives this connection's answers.
     * @throws IOException if the connection cannot be opened.
     */
    void connect(ReplyListener replies) throws IOException;

    /**
     * Send what is pending and deliver what has arrived.
     *
     * @return work done, 0 when idle.
     * @throws IOException if the connection is lost for good.
     */
    int poll() throws IOException;

    /**
     * @return the channel replies arrive on now, so the bench can sleep until one does; null if there is none to
     * wait on (the bench then polls).
     */
    default SelectableChannel channel()
    {
        return null;
    }

    @Override
    void close();

    /**
     * Opens the bench's connections: one per session, before any is connected.
     */
    @FunctionalInterface
    interface Connector
    {
        /**
         * @param index     of the connection, from 0.
         * @param sessionId session (and account) the connection trades as.
         * @return a connection not yet connected.
         */
        OrderEntry open(int index, long sessionId);
    }

    /**
     * The answers the bench counts, decoded from whatever the transport carries.
     */
    interface ReplyListener
    {
        /**
         * A reply that refuses the request: an execution report REJECTED, a Halted or a ServerBusy.
         *
         * @param requestSeq of the refused request.
         * @param reason     why, as a {@link io.sluice.sbe.client.RejectReason} value.
         */
        void onRejected(long requestSeq, short reason);

        /**
         * The request is fully answered (its BatchEnd arrived).
         *
         * @param requestSeq of the request.
         */
        void onAnswered(long requestSeq);

        /**
         * Something that must not happen in a clean run: an engine error, a lost connection.
         *
         * @param description for the report.
         */
        void onError(String description);

        /**
         * The connection was lost and made again, to this or another node of the cluster, and the unanswered
         * requests sent again: expected in a run given several endpoints (failover), so not an error.
         *
         * @param endpoint now connected to, {@code host:port}.
         * @param resent   requests sent again.
         */
        default void onReconnected(final String endpoint, final int resent)
        {
        }
    }
}
