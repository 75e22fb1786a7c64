package io.sluice.perf.cluster;

import io.aeron.Publication;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.cluster.codecs.EventCode;
import io.aeron.logbuffer.Header;
import io.sluice.harness.bench.OrderEntry;
import io.sluice.sbe.client.BatchEndDecoder;
import io.sluice.sbe.client.BooleanType;
import io.sluice.sbe.client.CancelOrderEncoder;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.ExecutionReportDecoder;
import io.sluice.sbe.client.LogonAckDecoder;
import io.sluice.sbe.client.LogonEncoder;
import io.sluice.sbe.client.LogonStatus;
import io.sluice.sbe.client.MessageHeaderEncoder;
import io.sluice.sbe.client.NewOrderEncoder;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.ReplaceOrderEncoder;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import io.sluice.wire.MessageValidator;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * One bench connection to the Aeron Cluster baseline: an {@link AeronCluster} session that logs on as a Sluice
 * session and account, sends the client protocol's SBE requests on the ingress (one request per Aeron message), and
 * turns the egress replies of {@link MatchingClusteredService} into the answers the bench counts, as the Sluice
 * client's bench adapter does: an {@code ExecutionReport} REJECTED is a refusal, a {@code BatchEnd} completes the
 * request; maker fills of other connections' orders carry no refusal and are ignored.
 * <p>
 * Like the Sluice client it keeps at most {@code maxInFlight} requests unanswered (answers arrive in request order,
 * so the oldest unanswered request is the one after the last answered), and its first requestSeq follows the last
 * one the engine applied for the session, from the {@code LogonAck}.
 * <p>
 * Not thread safe: used by the bench's driving thread only.
 */
final class AeronClusterOrderEntry implements OrderEntry, EgressListener
{
    /** Logon is answered in a round trip; this covers a slow machine. */
    static final long LOGON_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    /** A session with nothing to send keeps itself alive well inside the cluster's 10 s session timeout. */
    static final long KEEP_ALIVE_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final int SEND_BUFFER_BYTES = 256;

    /**
     * Sees every execution report the session receives; for tests that compare the replies with the engine's.
     */
    @FunctionalInterface
    interface ReportListener
    {
        void onReport(ExecutionReportDecoder report);
    }

    private final AeronCluster.Context context;
    private final long sessionId;
    private final long accountId;
    private final int maxInFlight;
    private final ReportListener reportListener;
    private final IdleStrategy idleStrategy = AeronClusterMember.idleStrategy();
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(SEND_BUFFER_BYTES));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final LogonEncoder logonEncoder = new LogonEncoder();
    private final NewOrderEncoder newOrderEncoder = new NewOrderEncoder();
    private final CancelOrderEncoder cancelEncoder = new CancelOrderEncoder();
    private final ReplaceOrderEncoder replaceEncoder = new ReplaceOrderEncoder();
    private final ExecutionReportDecoder reportDecoder = new ExecutionReportDecoder();
    private final BatchEndDecoder batchEndDecoder = new BatchEndDecoder();
    private final LogonAckDecoder logonAckDecoder = new LogonAckDecoder();

    private AeronCluster cluster;
    private ReplyListener replies;
    private boolean loggedOn;
    /** Why the session is lost for good, once it is; the next poll throws it. */
    private String lostReason;
    private long lastRequestSeq;
    private long lastAnsweredRequestSeq;
    private long lastSendNs;

    /**
     * @param context        template of the cluster client's options; cloned, not modified.
     * @param sessionId      Sluice session this connection logs on as.
     * @param accountId      account of the session.
     * @param maxInFlight    most unanswered requests.
     * @param reportListener sees every execution report, or null.
     */
    AeronClusterOrderEntry(
        final AeronCluster.Context context,
        final long sessionId,
        final long accountId,
        final int maxInFlight,
        final ReportListener reportListener)
    {
        this.context = context;
        this.sessionId = sessionId;
        this.accountId = accountId;
        this.maxInFlight = maxInFlight;
        this.reportListener = reportListener;
    }

    @Override
    public void connect(final ReplyListener replies) throws IOException
    {
        this.replies = replies;
        try
        {
            cluster = AeronCluster.connect(context.clone().egressListener(this));
        }
        catch (final RuntimeException ex)
        {
            throw new IOException("cannot connect to the Aeron Cluster: " + ex, ex);
        }

        logonEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .sessionId(sessionId)
            .accountId(accountId);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + logonEncoder.encodedLength();
        final long deadlineNs = System.nanoTime() + LOGON_TIMEOUT_NS;
        idleStrategy.reset();
        while (cluster.offer(sendBuffer, 0, length) < 0)
        {
            awaitStep(deadlineNs, "send its logon");
        }
        idleStrategy.reset();
        while (!loggedOn)
        {
            awaitStep(deadlineNs, "receive its logon answer");
        }
        lastSendNs = System.nanoTime();
    }

    private void awaitStep(final long deadlineNs, final String what) throws IOException
    {
        final int work = cluster.pollEgress();
        if (lostReason != null)
        {
            throw new IOException("session " + sessionId + " lost: " + lostReason);
        }
        if (System.nanoTime() - deadlineNs > 0)
        {
            throw new IOException("session " + sessionId + " did not " + what + " within " +
                TimeUnit.NANOSECONDS.toMillis(LOGON_TIMEOUT_NS) + " ms");
        }
        idleStrategy.idle(work);
    }

    @Override
    public long placeOrder(
        final long clientOrderId,
        final int instrumentId,
        final Side side,
        final OrderType orderType,
        final TimeInForce timeInForce,
        final long price,
        final long quantity)
    {
        if (!canSend())
        {
            return BACK_PRESSURED;
        }
        final long requestSeq = lastRequestSeq + 1;
        newOrderEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .requestSeq(requestSeq)
            .clientOrderId(clientOrderId)
            .instrumentId(instrumentId)
            .side(side)
            .orderType(orderType)
            .timeInForce(timeInForce)
            .postOnly(BooleanType.FALSE)
            .price(price)
            .quantity(quantity);
        return send(MessageHeaderEncoder.ENCODED_LENGTH + newOrderEncoder.encodedLength(), requestSeq);
    }

    @Override
    public long cancelOrder(final long clientOrderId)
    {
        if (!canSend())
        {
            return BACK_PRESSURED;
        }
        final long requestSeq = lastRequestSeq + 1;
        cancelEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .requestSeq(requestSeq)
            .clientOrderId(clientOrderId);
        return send(MessageHeaderEncoder.ENCODED_LENGTH + cancelEncoder.encodedLength(), requestSeq);
    }

    @Override
    public long replaceOrder(final long clientOrderId, final long newPrice, final long newQuantity)
    {
        if (!canSend())
        {
            return BACK_PRESSURED;
        }
        final long requestSeq = lastRequestSeq + 1;
        replaceEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .requestSeq(requestSeq)
            .clientOrderId(clientOrderId)
            .newPrice(newPrice)
            .newQuantity(newQuantity);
        return send(MessageHeaderEncoder.ENCODED_LENGTH + replaceEncoder.encodedLength(), requestSeq);
    }

    private boolean canSend()
    {
        return loggedOn && lostReason == null && lastRequestSeq - lastAnsweredRequestSeq < maxInFlight;
    }

    private long send(final int length, final long requestSeq)
    {
        final long result = cluster.offer(sendBuffer, 0, length);
        if (result > 0)
        {
            lastRequestSeq = requestSeq;
            lastSendNs = System.nanoTime();
            return requestSeq;
        }
        if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
        {
            lostReason = "ingress publication " + (result == Publication.CLOSED ? "closed" : "full");
        }
        // NOT_CONNECTED (no leader yet), BACK_PRESSURED and ADMIN_ACTION pass: the bench tries again later.
        return BACK_PRESSURED;
    }

    @Override
    public int poll() throws IOException
    {
        if (lostReason != null)
        {
            throw new IOException("session " + sessionId + " lost: " + lostReason);
        }
        final int work = cluster.pollEgress();
        if (cluster.isClosed())
        {
            throw new IOException("session " + sessionId + ": the cluster client closed");
        }
        final long nowNs = System.nanoTime();
        if (nowNs - lastSendNs > KEEP_ALIVE_INTERVAL_NS && cluster.sendKeepAlive())
        {
            lastSendNs = nowNs;
        }
        return work;
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(cluster);
    }

    @Override
    public void onMessage(
        final long clusterSessionId,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        if (length < MessageValidator.HEADER_LENGTH)
        {
            return;
        }
        final int body = offset + MessageValidator.HEADER_LENGTH;
        final int blockLength = MessageValidator.blockLength(buffer, offset);
        final int version = MessageValidator.version(buffer, offset);
        switch (MessageValidator.templateId(buffer, offset))
        {
            case ExecutionReportDecoder.TEMPLATE_ID:
                reportDecoder.wrap(buffer, body, blockLength, version);
                if (reportListener != null)
                {
                    reportListener.onReport(reportDecoder);
                }
                if (reportDecoder.execType() == ExecType.REJECTED)
                {
                    replies.onRejected(reportDecoder.requestSeq(), reportDecoder.rejectReasonRaw());
                }
                break;
            case BatchEndDecoder.TEMPLATE_ID:
                batchEndDecoder.wrap(buffer, body, blockLength, version);
                lastAnsweredRequestSeq = Math.max(lastAnsweredRequestSeq, batchEndDecoder.requestSeq());
                replies.onAnswered(batchEndDecoder.requestSeq());
                break;
            case LogonAckDecoder.TEMPLATE_ID:
                logonAckDecoder.wrap(buffer, body, blockLength, version);
                if (logonAckDecoder.status() == LogonStatus.ACCEPTED)
                {
                    lastRequestSeq = logonAckDecoder.lastRequestSeq();
                    lastAnsweredRequestSeq = lastRequestSeq;
                    loggedOn = true;
                }
                else
                {
                    lostReason = "logon rejected: " + logonAckDecoder.rejectReason();
                }
                break;
            default:
                break;
        }
    }

    @Override
    public void onSessionEvent(
        final long correlationId,
        final long clusterSessionId,
        final long leadershipTermId,
        final int leaderMemberId,
        final EventCode code,
        final String detail)
    {
        if (code == EventCode.ERROR || code == EventCode.CLOSED || code == EventCode.AUTHENTICATION_REJECTED)
        {
            lostReason = "session event " + code + ": " + detail;
        }
    }
}
