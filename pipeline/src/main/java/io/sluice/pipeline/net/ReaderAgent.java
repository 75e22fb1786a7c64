package io.sluice.pipeline.net;

import io.sluice.concurrent.Waker;
import io.sluice.journal.JournalPublisher;
import io.sluice.pipeline.ingest.IngestPublisher;
import io.sluice.pipeline.ingest.IngestRecord;
import io.sluice.pipeline.ingest.IngestResult;
import io.sluice.pipeline.sequencer.ExecutionReportWriter;
import io.sluice.pipeline.shard.Shard;
import io.sluice.sbe.client.EngineErrorCode;
import io.sluice.sbe.client.HeartbeatDecoder;
import io.sluice.sbe.client.LogonDecoder;
import io.sluice.sbe.client.LogoutDecoder;
import io.sluice.sbe.client.MassCancelDecoder;
import io.sluice.sbe.client.RejectReason;
import io.sluice.wire.ClientProtocol;
import io.sluice.wire.DecodeResult;
import io.sluice.wire.FrameDecoder;
import io.sluice.wire.FrameHandler;
import io.sluice.wire.MessageValidator;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One reader shard: owns the read side of its connections, frames and validates what arrives, checks the session is
 * logged on, stamps the receive time and publishes each request into its own ingest ring (it is the ring's only
 * producer).
 * <p>
 * Every frame that can be framed is answered, and the connection carries on: a request the reader refuses (before
 * logon, not authorized, above the session's rate) with a REJECTED report, a frame that fails validation or a
 * message a client may not send with an EngineError, each followed by a BatchEnd. The reader cannot write to sockets,
 * so its answers go through the ingest ring like requests ({@link IngestRecord#MSG_TYPE_REPLY}) and reach the client
 * in order with the answers to the connection's earlier requests. Only bytes that cannot be framed, a refused logon, a
 * logout or a limit (logon and idle timeouts, a request rate exceeded for too long, a slow consumer, shutdown) end a
 * connection, and the node says why first in the connection's last message ({@link IngestRecord#MSG_TYPE_FAREWELL});
 * see {@link ReaderConnection} for how a connection ends.
 * Each close is counted once, by reason, when its socket is closed, so open connections = accepted - closed exactly.
 * <p>
 * With a rate limit each logged-on connection has a {@link SessionThrottle}: a request above the session's rate is
 * answered REJECTED THROTTLED here, so it costs the sequencer and the journal nothing, and a connection whose excess
 * lasts is told (EngineError THROTTLED) and closed. The check reads the duty cycle's cached clock and allocates
 * nothing.
 * <p>
 * A full ring never drops an order silently: the request is answered ServerBusy through the ring's reserved
 * headroom, behind the connection's earlier requests. If even that is full the reader stops reading that connection
 * until the notice is queued; an answer of its own that does not fit waits the same way.
 * <p>
 * When a logged-on connection goes away the reader queues a synthetic {@code Logout} for it, so the sequencer forgets
 * the session in order with the connection's last requests.
 */
public final class ReaderAgent implements Agent
{
    private static final Logger LOG = LoggerFactory.getLogger(ReaderAgent.class);
    private static final int HANDOFF_CAPACITY = 1024;
    /** How often logon, idle and closing deadlines are checked. */
    private static final long TIMER_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(20);
    /** How long a client has to close its side after the node's last message before the socket is closed anyway. */
    private static final long DRAIN_LINGER_NS = TimeUnit.SECONDS.toNanos(2);

    private final Shard shard;
    private final IngestPublisher publisher;
    private final FrameDecoder frameDecoder;
    private final LogonCheck logonCheck;
    private final SessionListener sessionListener;
    private final ConnectionRegistry registry;
    private final ReaderCounters counters;
    private final NanoClock clock;
    private final long logonTimeoutNs;
    private final long idleTimeoutNs;
    private final long farewellTimeoutNs;
    private final int receiveBufferBytes;
    private final SessionThrottles throttles;
    private final Selector selector;
    private final OneToOneConcurrentArrayQueue<ReaderConnection> handoff =
        new OneToOneConcurrentArrayQueue<>(HANDOFF_CAPACITY);
    private final Long2ObjectHashMap<ReaderConnection> connections = new Long2ObjectHashMap<>();
    /** Connections with a notice, answer or logout to retry; usually empty. */
    private final ArrayList<ReaderConnection> pending = new ArrayList<>();
    /** Connections a timer scan or a hand-back found done with, closed after the scan. */
    private final ArrayList<ReaderConnection> toClose = new ArrayList<>();
    private final Consumer<SelectionKey> onReadable = this::onReadable;
    private final MessageHandler messageHandler = new MessageHandler();
    private final ClientReplies replies;
    private final ExecutionReportWriter reportWriter = new ExecutionReportWriter();
    /** Wakes the sequencer after a duty cycle that may have published into the ingest ring. */
    private final Waker ingestWaker;
    /**
     * Null, or the selector the reader's thread sleeps on when it runs other agents too: every connection is
     * registered there as well (reading interest only while this reader reads it), so bytes for any of them wake
     * the thread.
     */
    private final Selector idleSelector;
    /** Wakes this reader's own thread when the acceptor hands it a connection or shutdown is asked for. */
    private volatile Waker waker = Waker.NONE;
    /** Connections the response stage handed back; written by the response stage's thread only. */
    private final AtomicLong endedByWriter = new AtomicLong();
    private long endedByWriterSeen;
    private long cachedNowNs;
    private long nextTimerNs;
    private int workThisCycle;
    /** Set by the node when it shuts down; the reader then stops taking requests but leaves sockets writable. */
    private volatile boolean stopReadingRequested;
    private boolean readingStopped;

    /**
     * @param shard   this reader serves; its ring's publisher is used and its connection count released as
     *                connections close.
     * @param context what every reader of the node shares; concluded here.
     * @throws IOException if the selector cannot be opened.
     */
    public ReaderAgent(final Shard shard, final ReaderContext context) throws IOException
    {
        context.conclude();
        this.shard = shard;
        this.publisher = shard.publisher();
        this.frameDecoder = context.newFrameDecoder();
        this.sessionListener = context.sessionListener();
        this.logonCheck = new LogonCheck(context.authenticator(), sessionListener);
        this.registry = context.registry();
        this.counters = new ReaderCounters();
        this.clock = context.clock();
        this.logonTimeoutNs = context.logonTimeoutNs();
        this.idleTimeoutNs = context.idleTimeoutNs();
        this.farewellTimeoutNs = context.farewellTimeoutNs();
        this.receiveBufferBytes = context.receiveBufferBytes();
        this.throttles = new SessionThrottles(context);
        this.replies = new ClientReplies(context.frameMaxBytes());
        this.ingestWaker = context.ingestWaker();
        this.idleSelector = context.idleSelector();
        this.selector = Selector.open();
    }

    @Override
    public String roleName()
    {
        return "reader-" + shard.id();
    }

    public Shard shard()
    {
        return shard;
    }

    public ReaderCounters counters()
    {
        return counters;
    }

    /**
     * @return this shard's connected sessions that had requests refused THROTTLED, with how many; any thread.
     */
    public ThrottledSessions throttledSessions()
    {
        return throttles.sessions();
    }

    /**
     * Hand a new connection to this reader; called by the acceptor's thread.
     *
     * @return false if the hand-off queue is full.
     */
    boolean offer(final ReaderConnection connection)
    {
        if (!handoff.offer(connection))
        {
            return false;
        }
        waker.wake();
        return true;
    }

    /**
     * The response stage is done with one of this reader's connections (see {@link ConnectionRegistry}); called on
     * its thread after it set the connection's hand-back fields.
     */
    void onEndedByWriter()
    {
        endedByWriter.lazySet(endedByWriter.get() + 1);
        waker.wake();
    }

    /**
     * @return connections this reader currently owns (its own thread; approximate from others).
     */
    public int connectionCount()
    {
        return connections.size();
    }

    /**
     * Stop reading requests from every connection (lossless shutdown): each connection is told the node is shutting
     * down, after the answers to what it sent, and sockets are half-closed for input so no new request is taken,
     * while replies to what was already taken can still be written. Any thread.
     */
    public void stopReading()
    {
        stopReadingRequested = true;
        waker.wake();
    }

    /**
     * @return the selector this reader's connections are registered with; its thread may block on it when idle.
     */
    public Selector selector()
    {
        return selector;
    }

    /**
     * @param waker wakes this reader's thread (the idle strategy it runs under); set before the acceptor hands it
     *              connections.
     */
    public void waker(final Waker waker)
    {
        this.waker = waker;
    }

    /**
     * @return true once the reader has stopped reading; any thread.
     */
    public boolean hasStoppedReading()
    {
        return stopReadingRequested && readingStoppedVisible;
    }

    private volatile boolean readingStoppedVisible;

    private int haltReading()
    {
        readingStopped = true;
        cachedNowNs = clock.nanoTime();
        int connectionsHalted = 0;
        for (final ReaderConnection connection : connections.values().toArray(new ReaderConnection[0]))
        {
            if (!connection.closing)
            {
                // Best effort: a full ring leaves the client to see the end of the stream without the reason.
                farewell(connection, CloseReason.SHUTDOWN, replies.shuttingDown());
            }
            if (connection.key != null)
            {
                connection.key.cancel();
                cancel(connection.idleKey);
            }
            try
            {
                connection.channel.shutdownInput();
            }
            catch (final IOException ex)
            {
                LOG.debug("shutdownInput failed connectionId={} reason=\"{}\"", connection.connectionId,
                    ex.getMessage());
            }
            connectionsHalted++;
        }
        ReaderConnection connection;
        while ((connection = handoff.poll()) != null)
        {
            CloseHelper.quietClose(connection.channel);
            registry.closed(connection);
            shard.releaseConnection();
        }
        readingStoppedVisible = true;
        ingestWaker.wake();
        LOG.info("reader stopped reading shard={} connections={}", shard.id(), connectionsHalted);
        return 1;
    }

    @Override
    public int doWork() throws IOException
    {
        if (readingStopped)
        {
            return 0;
        }
        if (stopReadingRequested)
        {
            return haltReading();
        }
        cachedNowNs = clock.nanoTime();
        workThisCycle = 0;
        workThisCycle += drainHandoff();
        if (endedByWriter.get() != endedByWriterSeen)
        {
            workThisCycle += closeHandedBack();
        }
        if (!pending.isEmpty())
        {
            workThisCycle += retryPending();
        }
        if (cachedNowNs - nextTimerNs >= 0)
        {
            nextTimerNs = cachedNowNs + TIMER_INTERVAL_NS;
            workThisCycle += checkTimers();
        }
        if (!connections.isEmpty())
        {
            selector.selectNow(onReadable);
        }
        if (workThisCycle > 0)
        {
            ingestWaker.wake();
        }
        return workThisCycle;
    }

    @Override
    public void onClose()
    {
        for (final ReaderConnection connection : connections.values().toArray(new ReaderConnection[0]))
        {
            close(connection, CloseReason.SHUTDOWN);
        }
        ReaderConnection connection;
        while ((connection = handoff.poll()) != null)
        {
            CloseHelper.quietClose(connection.channel);
            registry.closed(connection);
            shard.releaseConnection();
        }
        CloseHelper.quietClose(selector);
    }

    private int drainHandoff() throws IOException
    {
        int work = 0;
        ReaderConnection connection;
        while ((connection = handoff.poll()) != null)
        {
            connection.key = connection.channel.register(selector, SelectionKey.OP_READ, connection);
            if (idleSelector != null)
            {
                final SelectionKey existing = connection.channel.keyFor(idleSelector);
                connection.idleKey = existing != null ?
                    existing.interestOps(existing.interestOps() | SelectionKey.OP_READ) :
                    connection.channel.register(idleSelector, SelectionKey.OP_READ);
            }
            connections.put(connection.connectionId, connection);
            work++;
        }
        return work;
    }

    /** Only the read bit: the response stage may watch the same key for writability. */
    private static void reading(final SelectionKey key, final boolean read)
    {
        if (key != null && key.isValid())
        {
            final int others = key.interestOps() & ~SelectionKey.OP_READ;
            key.interestOps(read ? others | SelectionKey.OP_READ : others);
        }
    }

    private static void cancel(final SelectionKey key)
    {
        if (key != null)
        {
            key.cancel();
        }
    }

    /**
     * Connections the response stage is done with: a last message written (drain, then close) or a client dropped
     * (close now, its socket is already closed).
     */
    private int closeHandedBack()
    {
        endedByWriterSeen = endedByWriter.get();
        int work = 0;
        for (final ReaderConnection connection : connections.values())
        {
            final int ended = connection.endedByWriter;
            if (0 == ended || connection.draining)
            {
                continue;
            }
            connection.closeReason = CloseReason.VALUES[ended - 1];
            if (connection.farewellWritten)
            {
                connection.closing = true;
                connection.draining = true;
                connection.drainDeadlineNs = cachedNowNs + DRAIN_LINGER_NS;
                connection.held = 0;
                if (connection.key != null && connection.key.isValid())
                {
                    connection.key.interestOps(SelectionKey.OP_READ);
                }
                reading(connection.idleKey, true);
            }
            else
            {
                toClose.add(connection);
            }
            work++;
        }
        return work + closeCollected();
    }

    /**
     * Logon and idle timeouts, and connections whose last message was never confirmed written or whose client never
     * closed its side after it.
     */
    private int checkTimers()
    {
        int work = 0;
        for (final ReaderConnection connection : connections.values())
        {
            if (connection.draining)
            {
                if (cachedNowNs - connection.drainDeadlineNs > 0)
                {
                    toClose.add(connection);
                }
            }
            else if (connection.closing)
            {
                if (cachedNowNs - connection.closeDeadlineNs > 0)
                {
                    toClose.add(connection);
                }
            }
            else if (!connection.loggedOn)
            {
                if (cachedNowNs - connection.acceptedNs > logonTimeoutNs)
                {
                    work += farewell(connection, CloseReason.LOGON_TIMEOUT,
                        replies.logonTimeout(TimeUnit.NANOSECONDS.toMillis(logonTimeoutNs))) ? 1 : 0;
                }
            }
            else if (idleTimeoutNs > 0 && cachedNowNs - connection.lastReceivedNs > idleTimeoutNs)
            {
                work += farewell(connection, CloseReason.IDLE_TIMEOUT,
                    replies.idleTimeout(TimeUnit.NANOSECONDS.toMillis(idleTimeoutNs))) ? 1 : 0;
            }
        }
        return work + closeCollected();
    }

    private int closeCollected()
    {
        final int count = toClose.size();
        for (int i = 0; i < count; i++)
        {
            final ReaderConnection connection = toClose.get(i);
            close(connection, connection.closeReason);
        }
        toClose.clear();
        return count;
    }

    private void onReadable(final SelectionKey key)
    {
        final ReaderConnection connection = (ReaderConnection)key.attachment();
        if (connection.closed)
        {
            return;
        }
        if (connection.draining)
        {
            drain(connection);
            return;
        }
        if (connection.closing || connection.stalled ||
            connection.pendingBusyRequestSeq != ReaderConnection.NO_PENDING_BUSY)
        {
            return;
        }

        final int read;
        try
        {
            read = connection.channel.read(connection.receiveByteBuffer.limit(receiveBufferBytes)
                .position(connection.held));
        }
        catch (final IOException ex)
        {
            LOG.debug("client read failed connectionId={} reason=\"{}\"", connection.connectionId, ex.getMessage());
            close(connection, CloseReason.IO_ERROR);
            return;
        }
        if (read < 0)
        {
            close(connection, CloseReason.CLIENT_CLOSED);
            return;
        }
        if (read > 0)
        {
            connection.held += read;
            connection.lastReceivedNs = cachedNowNs;
            workThisCycle++;
            decode(connection);
        }
    }

    /**
     * After the last message: discard whatever the client still sends until it closes its side.
     */
    private void drain(final ReaderConnection connection)
    {
        try
        {
            final int read = connection.channel.read(connection.receiveByteBuffer.limit(receiveBufferBytes)
                .position(0));
            if (read < 0)
            {
                close(connection, connection.closeReason);
            }
        }
        catch (final IOException ex)
        {
            close(connection, connection.closeReason);
        }
        workThisCycle++;
    }

    private void decode(final ReaderConnection connection)
    {
        messageHandler.connection = connection;
        messageHandler.recvTsNs = cachedNowNs;
        final int consumed = frameDecoder.decode(connection.receiveBuffer, 0, connection.held, messageHandler);
        if (connection.closed)
        {
            return;
        }
        if (consumed > 0)
        {
            final int remaining = connection.held - consumed;
            if (remaining > 0)
            {
                connection.receiveBuffer.putBytes(0, connection.receiveBuffer, consumed, remaining);
            }
            connection.held = remaining;
        }
    }

    /**
     * Take one validated message from a connection.
     *
     * @return false to stop decoding this connection now, leaving the message unconsumed.
     */
    private boolean onMessage(
        final ReaderConnection connection, final long recvTsNs, final DirectBuffer buffer, final int offset,
        final int length, final int templateId)
    {
        if (ClientProtocol.isRequest(templateId))
        {
            if (!connection.loggedOn)
            {
                return reject(connection, recvTsNs, buffer, offset, RejectReason.NOT_LOGGED_ON);
            }
            if (length > JournalPublisher.MAX_COMMAND_LENGTH_BYTES && ClientProtocol.isStateChanging(templateId))
            {
                return messageHandler.onMalformed(DecodeResult.TOO_LONG_TO_JOURNAL, buffer, offset, length);
            }
            if (connection.throttle != null)
            {
                final SessionThrottle.Verdict verdict = connection.throttle.onRequest(recvTsNs);
                if (verdict == SessionThrottle.Verdict.REFUSE)
                {
                    return throttled(connection, recvTsNs, buffer, offset);
                }
                if (verdict == SessionThrottle.Verdict.CLOSE)
                {
                    LOG.debug("session throttled too long connectionId={} sessionId={} throttledRequests={}",
                        connection.connectionId, connection.sessionId, connection.throttledRequests);
                    return farewellOrStall(connection, CloseReason.THROTTLED,
                        replies.engineError(0, EngineErrorCode.THROTTLED, throttles.closeDetail()));
                }
            }
            if (connection.readOnly && ClientProtocol.isStateChanging(templateId) ||
                templateId == MassCancelDecoder.TEMPLATE_ID &&
                ClientProtocol.massCancelAccountId(buffer, offset) != connection.accountId)
            {
                return reject(connection, recvTsNs, buffer, offset, RejectReason.NOT_AUTHORIZED);
            }
            final IngestResult result = publisher.publish(connection.connectionId, connection.sessionId,
                connection.accountId, recvTsNs, buffer, offset, length);
            switch (result)
            {
                case INGESTED:
                    counters.onMessage();
                    return true;
                case RING_FULL:
                    counters.onBusy();
                    return busy(connection, recvTsNs, ClientProtocol.requestSeq(buffer, offset));
                default:
                    close(connection, CloseReason.SHUTDOWN);
                    return false;
            }
        }

        switch (templateId)
        {
            case LogonDecoder.TEMPLATE_ID:
                return connection.loggedOn ? refuse(connection, recvTsNs, replies.alreadyLoggedOn()) :
                    logon(connection, recvTsNs, buffer, offset, length);
            case HeartbeatDecoder.TEMPLATE_ID:
                return true;
            case LogoutDecoder.TEMPLATE_ID:
                return farewellOrStall(connection, CloseReason.LOGGED_OUT, replies.logout(
                    connection.loggedOn ? connection.sessionId : ClientProtocol.logoutSessionId(buffer, offset)));
            default:
                return refuse(connection, recvTsNs, replies.notARequest());
        }
    }

    private boolean logon(
        final ReaderConnection connection, final long recvTsNs, final DirectBuffer buffer, final int offset,
        final int length)
    {
        final Authenticator.AuthResult verdict = logonCheck.check(connection, buffer, offset);
        final long sessionId = logonCheck.sessionId();
        final long accountId = logonCheck.accountId();
        if (!LogonCheck.accepted(verdict))
        {
            LOG.debug("logon refused connectionId={} sessionId={} accountId={} reason={}",
                connection.connectionId, sessionId, accountId, verdict);
            final RejectReason reason = verdict == Authenticator.AuthResult.INVALID_IDS ?
                RejectReason.INVALID_FIELD : RejectReason.NOT_AUTHORIZED;
            return farewellOrStall(connection, CloseReason.LOGON_REFUSED, replies.logonRejected(sessionId, reason));
        }

        final IngestResult result = publisher.publish(
            connection.connectionId, sessionId, accountId, recvTsNs, buffer, offset, length);
        if (result == IngestResult.RING_FULL)
        {
            return stall(connection);
        }
        if (result != IngestResult.INGESTED)
        {
            close(connection, CloseReason.SHUTDOWN);
            return false;
        }
        connection.loggedOn = true;
        connection.readOnly = verdict == Authenticator.AuthResult.ACCEPTED_READ_ONLY;
        connection.sessionId = sessionId;
        connection.accountId = accountId;
        connection.throttle = throttles.newThrottle();
        counters.onLogon();
        return true;
    }

    /**
     * Answer a request above the session's rate with REJECTED THROTTLED and count it for the session; logged once
     * per connection, not per request.
     */
    private boolean throttled(
        final ReaderConnection connection, final long recvTsNs, final DirectBuffer buffer, final int offset)
    {
        if (!queueRejection(connection, recvTsNs, buffer, offset, RejectReason.THROTTLED))
        {
            return false;
        }
        if (throttles.onRefused(connection))
        {
            LOG.debug("session throttled connectionId={} sessionId={}", connection.connectionId, connection.sessionId);
            counters.onSessionThrottled();
        }
        return true;
    }

    /**
     * Answer a well-formed request the reader will not pass on with a REJECTED report and a BatchEnd.
     */
    private boolean reject(
        final ReaderConnection connection, final long recvTsNs, final DirectBuffer buffer, final int offset,
        final RejectReason reason)
    {
        if (!queueRejection(connection, recvTsNs, buffer, offset, reason))
        {
            return false;
        }
        LOG.debug("request refused connectionId={} sessionId={} template={} reason={}", connection.connectionId,
            connection.sessionId, MessageValidator.templateId(buffer, offset), reason);
        return true;
    }

    /**
     * Queue a REJECTED report for the request and count it; nothing logged, so a flood of them allocates nothing.
     */
    private boolean queueRejection(
        final ReaderConnection connection, final long recvTsNs, final DirectBuffer buffer, final int offset,
        final RejectReason reason)
    {
        final int length = reportWriter.rejection(replies.buffer(), 0, connection.accountId, buffer, offset, reason);
        if (!reply(connection, recvTsNs, length))
        {
            return false;
        }
        counters.onRejected(reason);
        return true;
    }

    /**
     * Answer a message a client may not send (now) with the EngineError just encoded, and a BatchEnd.
     */
    private boolean refuse(final ReaderConnection connection, final long recvTsNs, final int length)
    {
        if (!reply(connection, recvTsNs, length))
        {
            return false;
        }
        counters.onUnsupported();
        LOG.debug("message refused connectionId={} sessionId={}", connection.connectionId, connection.sessionId);
        return true;
    }

    /**
     * Queue the answer just encoded in {@link #replies}; if the ring has no room the connection stalls and the frame
     * is decoded again later.
     *
     * @return true if queued; false to stop decoding the connection.
     */
    private boolean reply(final ReaderConnection connection, final long recvTsNs, final int length)
    {
        final IngestResult result = publishAnswer(IngestRecord.MSG_TYPE_REPLY, connection, recvTsNs, length);
        if (result == IngestResult.INGESTED)
        {
            return true;
        }
        if (result == IngestResult.RING_FULL)
        {
            return stall(connection);
        }
        close(connection, CloseReason.SHUTDOWN);
        return false;
    }

    /**
     * Publish what was just encoded in {@link #replies}, as the given record type, for the connection.
     */
    private IngestResult publishAnswer(
        final int msgTypeId, final ReaderConnection connection, final long recvTsNs, final int length)
    {
        return publisher.publish(msgTypeId, connection.connectionId, connection.sessionId, connection.accountId,
            recvTsNs, replies.buffer(), 0, length);
    }

    private boolean stall(final ReaderConnection connection)
    {
        connection.stalled = true;
        connection.key.interestOps(0);
        reading(connection.idleKey, false);
        addPending(connection);
        return false;
    }

    /**
     * Queue the connection's last message (just encoded in {@link #replies}) and stop reading it.
     *
     * @return true if queued; false if the ring had no room (try again later).
     */
    private boolean farewell(final ReaderConnection connection, final CloseReason reason, final int length)
    {
        final IngestResult result = publishAnswer(IngestRecord.MSG_TYPE_FAREWELL, connection, cachedNowNs, length);
        if (result == IngestResult.RING_FULL)
        {
            return false;
        }
        connection.closing = true;
        if (result == IngestResult.INGESTED)
        {
            connection.closeReason = reason;
            connection.closeDeadlineNs = cachedNowNs + farewellTimeoutNs;
        }
        else
        {
            // The shard has stopped: nobody will write the message; the next timer check closes the connection.
            connection.closeReason = CloseReason.SHUTDOWN;
            connection.closeDeadlineNs = cachedNowNs;
        }
        if (connection.key != null && connection.key.isValid())
        {
            connection.key.interestOps(0);
        }
        reading(connection.idleKey, false);
        LOG.debug("closing client connection connectionId={} sessionId={} reason={}",
            connection.connectionId, connection.sessionId, reason);
        return true;
    }

    /**
     * {@link #farewell} from a frame being decoded: a ring without room stalls the connection and the frame is
     * decoded again later.
     *
     * @return false: nothing more is decoded from a closing or stalled connection.
     */
    private boolean farewellOrStall(final ReaderConnection connection, final CloseReason reason, final int length)
    {
        if (!farewell(connection, reason, length))
        {
            stall(connection);
        }
        return false;
    }

    private boolean busy(final ReaderConnection connection, final long recvTsNs, final long requestSeq)
    {
        final IngestResult notice = publisher.publishBusyNotice(
            connection.connectionId, connection.sessionId, connection.accountId, recvTsNs, requestSeq);
        if (notice == IngestResult.INGESTED)
        {
            return true;
        }
        if (notice == IngestResult.UNROUTED)
        {
            close(connection, CloseReason.SHUTDOWN);
            return false;
        }
        connection.pendingBusyRequestSeq = requestSeq;
        connection.pendingBusyRecvTsNs = recvTsNs;
        connection.key.interestOps(0);
        reading(connection.idleKey, false);
        addPending(connection);
        return true;
    }

    private void addPending(final ReaderConnection connection)
    {
        if (!connection.inPending)
        {
            connection.inPending = true;
            pending.add(connection);
        }
    }

    private int retryPending()
    {
        int work = 0;
        for (int i = pending.size() - 1; i >= 0; i--)
        {
            final ReaderConnection connection = pending.get(i);
            if (connection.pendingBusyRequestSeq != ReaderConnection.NO_PENDING_BUSY)
            {
                final IngestResult notice = publisher.publishBusyNotice(connection.connectionId, connection.sessionId,
                    connection.accountId, connection.pendingBusyRecvTsNs, connection.pendingBusyRequestSeq);
                if (notice == IngestResult.RING_FULL)
                {
                    continue;
                }
                connection.pendingBusyRequestSeq = ReaderConnection.NO_PENDING_BUSY;
                work++;
                resume(connection);
            }
            else if (connection.stalled && !connection.closed)
            {
                connection.stalled = false;
                work++;
                resume(connection);
            }
            if (connection.pendingLogout)
            {
                if (!publishLogout(connection))
                {
                    continue;
                }
                work++;
            }
            if (connection.pendingBusyRequestSeq == ReaderConnection.NO_PENDING_BUSY && !connection.stalled &&
                !connection.pendingLogout)
            {
                // Resuming may have stalled it again (still in the list): it stays for the next retry.
                pending.remove(i);
                connection.inPending = false;
                if (connection.closed)
                {
                    shard.releaseConnection();
                }
            }
        }
        return work;
    }

    private void resume(final ReaderConnection connection)
    {
        if (!connection.closed && !connection.closing)
        {
            connection.key.interestOps(SelectionKey.OP_READ);
            reading(connection.idleKey, true);
            decode(connection);
        }
    }

    /**
     * Close the socket and count why, once; tell the sequencer the session went away.
     */
    private void close(final ReaderConnection connection, final CloseReason reason)
    {
        if (connection.closed)
        {
            return;
        }
        connection.closed = true;
        connection.stalled = false;
        counters.onClosed(reason);
        throttles.onClosed(connection);
        if (connection.key != null)
        {
            connection.key.cancel();
        }
        CloseHelper.quietClose(connection.channel);
        connections.remove(connection.connectionId);
        registry.closed(connection);
        if (reason != CloseReason.CLIENT_CLOSED && reason != CloseReason.SHUTDOWN && reason != CloseReason.LOGGED_OUT)
        {
            LOG.debug("client connection closed connectionId={} sessionId={} reason={}",
                connection.connectionId, connection.sessionId, reason);
        }
        if (connection.loggedOn)
        {
            sessionListener.onLogoff(connection.connectionId, connection.sessionId, connection.accountId, reason);
        }
        if (connection.loggedOn && !publishLogout(connection))
        {
            connection.pendingLogout = true;
            addPending(connection);
            return;
        }
        if (!connection.inPending)
        {
            shard.releaseConnection();
        }
    }

    /**
     * Tell the sequencer the session went away, as a client message: a Logout from the closed connection.
     */
    private boolean publishLogout(final ReaderConnection connection)
    {
        final IngestResult result = publishAnswer(IngestRecord.MSG_TYPE_CLIENT_MESSAGE, connection, cachedNowNs,
            replies.logout(connection.sessionId));
        if (result == IngestResult.RING_FULL)
        {
            return false;
        }
        connection.pendingLogout = false;
        return true;
    }

    private final class MessageHandler implements FrameHandler
    {
        ReaderConnection connection;
        long recvTsNs;

        @Override
        public boolean onMessage(final DirectBuffer buffer, final int offset, final int length, final int templateId)
        {
            if (isPaused())
            {
                return false;
            }
            return ReaderAgent.this.onMessage(connection, recvTsNs, buffer, offset, length, templateId);
        }

        @Override
        public boolean onMalformed(
            final DecodeResult reason, final DirectBuffer buffer, final int offset, final int length)
        {
            if (isPaused() || !reply(connection, recvTsNs, replies.malformed(reason, buffer, offset, length)))
            {
                return false;
            }
            counters.onMalformed(reason);
            LOG.debug("malformed client frame connectionId={} reason={}", connection.connectionId, reason);
            return true;
        }

        @Override
        public void onFramingError(final DecodeResult reason, final int frameLength)
        {
            if (!isPaused())
            {
                LOG.debug("unframeable client stream connectionId={} length={}", connection.connectionId, frameLength);
                farewellOrStall(connection, CloseReason.UNFRAMEABLE, replies.unframeable(frameLength));
            }
        }

        private boolean isPaused()
        {
            return connection.closed || connection.closing || connection.stalled ||
                connection.pendingBusyRequestSeq != ReaderConnection.NO_PENDING_BUSY;
        }
    }
}
