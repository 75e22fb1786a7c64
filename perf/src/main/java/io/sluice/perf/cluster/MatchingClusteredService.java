package io.sluice.perf.cluster;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.Header;
import io.sluice.matching.MatchingContext;
import io.sluice.matching.MatchingEngine;
import io.sluice.matching.MatchingListener;
import io.sluice.pipeline.sequencer.CommandApplier;
import io.sluice.pipeline.sequencer.ExecutionReportWriter;
import io.sluice.sbe.client.BatchEndEncoder;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.Liquidity;
import io.sluice.sbe.client.LogonAckEncoder;
import io.sluice.sbe.client.LogonDecoder;
import io.sluice.sbe.client.LogonStatus;
import io.sluice.sbe.client.MessageHeaderEncoder;
import io.sluice.sbe.client.OrderState;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;
import io.sluice.wire.ClientProtocol;
import io.sluice.wire.DecodeResult;
import io.sluice.wire.MessageValidator;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Sluice's matching engine as an Aeron Cluster service: the baseline does the same work per request that a Sluice
 * node does after its reader, minus the journal (Aeron's archive records the log instead).
 * <p>
 * For each message of the log, on every member: validate it as a client-protocol SBE message (the check a Sluice
 * reader makes); a {@code Logon} binds the cluster session to a Sluice session and account and is answered with a
 * {@code LogonAck} carrying the engine's last requestSeq for that session; a {@code NewOrder}, {@code CancelOrder}
 * or {@code ReplaceOrder} takes the next wireSeq and is applied through the same {@link CommandApplier} the Sluice
 * sequencer, journal recovery and replicas use. Every execution report the engine produces is encoded as a
 * client-protocol {@code ExecutionReport} and offered to the cluster session of the order's owner (a maker fill goes
 * to the maker, as Sluice routes it), and the request ends with a {@code BatchEnd} to the requester. Followers run
 * the same code; their offers are mocked by Aeron, so only the leader sends.
 * <p>
 * Every Aeron message carries one SBE message, so the egress needs no framing of its own. Replies to a session that
 * is not logged on (or has gone) are dropped, as Sluice drops reports for offline sessions. No snapshots: each run
 * starts from empty directories.
 * <p>
 * Not thread safe: called only by the service container's thread.
 */
final class MatchingClusteredService implements ClusteredService, MatchingListener
{
    private static final long NO_SESSION = -1;
    private static final int SCRATCH_BYTES = 256;

    private final MatchingContext engineContext;
    private final MessageValidator validator = ClientProtocol.validator();
    private final LogonDecoder logonDecoder = new LogonDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ExecutionReportWriter reportWriter = new ExecutionReportWriter();
    private final BatchEndEncoder batchEndEncoder = new BatchEndEncoder();
    private final LogonAckEncoder logonAckEncoder = new LogonAckEncoder();
    private final UnsafeBuffer scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(SCRATCH_BYTES));
    /** Sluice session id by Aeron cluster session id, for sessions that logged on. */
    private final Long2LongHashMap sessionIdByClusterSession = new Long2LongHashMap(NO_SESSION);
    private final Long2LongHashMap accountIdByClusterSession = new Long2LongHashMap(NO_SESSION);
    /** Where a Sluice session's reports go: its most recent logged-on cluster session. */
    private final Long2ObjectHashMap<ClientSession> clientSessionBySessionId = new Long2ObjectHashMap<>();

    private MatchingEngine engine;
    private CommandApplier applier;
    private IdleStrategy idleStrategy;
    /** Unit of the log's timestamps; known from the first leadership term event, before any session message. */
    private TimeUnit clusterTimeUnit = TimeUnit.MILLISECONDS;
    /** Last wireSeq given to a state-changing command; the same on every member since the log is. */
    private long lastWireSeq;
    /** The cluster session whose request is being applied: where its BatchEnd goes. */
    private ClientSession requester;

    /**
     * @param engineContext options and instruments of the hosted engine.
     */
    MatchingClusteredService(final MatchingContext engineContext)
    {
        this.engineContext = engineContext;
    }

    @Override
    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.idleStrategy = cluster.idleStrategy();
        this.engine = new MatchingEngine(engineContext, this);
        this.applier = new CommandApplier(engine);
    }

    @Override
    public void onNewLeadershipTermEvent(
        final long leadershipTermId,
        final long logPosition,
        final long timestamp,
        final long termBaseLogPosition,
        final int leaderMemberId,
        final int logSessionId,
        final TimeUnit timeUnit,
        final int appVersion)
    {
        clusterTimeUnit = timeUnit;
    }

    @Override
    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
        // The session is bound to a Sluice session by its Logon, the first message it sends.
    }

    @Override
    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
        final long sessionId = sessionIdByClusterSession.remove(session.id());
        accountIdByClusterSession.remove(session.id());
        if (sessionId != NO_SESSION && clientSessionBySessionId.get(sessionId) == session)
        {
            clientSessionBySessionId.remove(sessionId);
        }
    }

    @Override
    public void onSessionMessage(
        final ClientSession session,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        // The bench sends only valid requests after its logon; anything else is dropped unanswered here, where a
        // Sluice node would count and refuse it.
        if (validator.validate(buffer, offset, length) != DecodeResult.OK)
        {
            return;
        }
        if (MessageValidator.templateId(buffer, offset) == LogonDecoder.TEMPLATE_ID)
        {
            onLogon(session, buffer, offset);
            return;
        }
        final long sessionId = sessionIdByClusterSession.get(session.id());
        if (sessionId == NO_SESSION)
        {
            return;
        }
        final long accountId = accountIdByClusterSession.get(session.id());
        final long timestampNs = clusterTimeUnit.toNanos(timestamp);
        requester = session;
        if (applier.applyClientCommand(lastWireSeq + 1, timestampNs, sessionId, accountId, buffer, offset))
        {
            lastWireSeq++;
        }
        else
        {
            applier.query(sessionId, accountId, buffer, offset);
        }
        requester = null;
    }

    private void onLogon(final ClientSession session, final DirectBuffer buffer, final int offset)
    {
        logonDecoder.wrap(buffer, offset + MessageValidator.HEADER_LENGTH, MessageValidator.blockLength(buffer, offset),
            MessageValidator.version(buffer, offset));
        final long sessionId = logonDecoder.sessionId();
        sessionIdByClusterSession.put(session.id(), sessionId);
        accountIdByClusterSession.put(session.id(), logonDecoder.accountId());
        clientSessionBySessionId.put(sessionId, session);
        logonAckEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder)
            .sessionId(sessionId)
            .status(LogonStatus.ACCEPTED)
            .rejectReason(RejectReason.NONE)
            .lastRequestSeq(engine.lastRequestSeq(sessionId));
        offer(session, MessageHeaderEncoder.ENCODED_LENGTH + logonAckEncoder.encodedLength());
    }

    @Override
    public void onExecutionReport(
        final long sessionId,
        final long accountId,
        final long requestSeq,
        final long wireSeq,
        final long timestampNs,
        final long clientOrderId,
        final long orderId,
        final int instrumentId,
        final Side side,
        final ExecType execType,
        final RejectReason rejectReason,
        final Liquidity liquidity,
        final long price,
        final long quantity,
        final long leavesQuantity,
        final long cumQuantity,
        final long lastPrice,
        final long lastQuantity,
        final long tradeId)
    {
        final ClientSession owner = clientSessionBySessionId.get(sessionId);
        if (owner == null)
        {
            return;
        }
        offer(owner, reportWriter.write(scratch, 0, accountId, requestSeq, wireSeq, timestampNs, clientOrderId, orderId,
            instrumentId, side, execType, rejectReason, liquidity, price, quantity, leavesQuantity, cumQuantity,
            lastPrice, lastQuantity, tradeId));
    }

    @Override
    public void onCommandComplete(final long sessionId, final long requestSeq, final long wireSeq)
    {
        if (requester == null)
        {
            return;
        }
        batchEndEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder)
            .requestSeq(requestSeq)
            .wireSeq(wireSeq);
        offer(requester, MessageHeaderEncoder.ENCODED_LENGTH + batchEndEncoder.encodedLength());
    }

    @Override
    public void onOrderStatus(
        final long sessionId,
        final long accountId,
        final long requestSeq,
        final long clientOrderId,
        final long orderId,
        final int instrumentId,
        final Side side,
        final OrderState state,
        final RejectReason rejectReason,
        final long price,
        final long quantity,
        final long leavesQuantity,
        final long cumQuantity)
    {
        // The bench sends no queries; a query is answered with its BatchEnd only.
    }

    @Override
    public void onBookSnapshot(
        final long sessionId, final long requestSeq, final int instrumentId, final int bidLevelCount,
        final int askLevelCount)
    {
        // As onOrderStatus.
    }

    @Override
    public void onBookLevel(
        final long sessionId, final long requestSeq, final int instrumentId, final Side side, final long price,
        final long quantity, final int orderCount)
    {
        // As onOrderStatus.
    }

    /**
     * Offer what {@link #scratch} holds, retrying while the egress is back-pressured (the usual service idiom: the
     * log must be applied in order, so the service waits rather than drop a reply). A session that has gone is
     * given up on.
     */
    private void offer(final ClientSession session, final int length)
    {
        idleStrategy.reset();
        while (true)
        {
            final long result = session.offer(scratch, 0, length);
            if (result > 0 || (result != Publication.BACK_PRESSURED && result != Publication.ADMIN_ACTION))
            {
                return;
            }
            idleStrategy.idle();
        }
    }

    @Override
    public void onTimerEvent(final long correlationId, final long timestamp)
    {
    }

    @Override
    public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
    {
        // Runs are short and start from empty directories: no snapshot is ever requested.
    }

    @Override
    public void onRoleChange(final Cluster.Role newRole)
    {
    }

    @Override
    public void onTerminate(final Cluster cluster)
    {
    }
}
