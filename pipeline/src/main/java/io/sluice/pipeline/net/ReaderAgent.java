package io.sluice.pipeline.net;

import io.sluice.pipeline.ingest.IngestPublisher;
import io.sluice.pipeline.ingest.IngestResult;
import io.sluice.pipeline.shard.Shard;
import io.sluice.sbe.client.HeartbeatDecoder;
import io.sluice.sbe.client.LogonDecoder;
import io.sluice.sbe.client.LogoutDecoder;
import io.sluice.sbe.client.LogoutEncoder;
import io.sluice.sbe.client.MessageHeaderEncoder;
import io.sluice.wire.ClientProtocol;
import io.sluice.wire.DecodeResult;
import io.sluice.wire.FrameDecoder;
import io.sluice.wire.FrameHandler;
import io.sluice.wire.LogonSignatures;
import io.sluice.wire.MessageValidator;
import io.sluice.concurrent.Waker;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.function.Consumer;

/**
 * One reader shard: owns the read side of its connections, frames and validates what arrives, checks the session is
 * logged on, stamps the receive time and publishes each request into its own ingest ring (it is the ring's only
 * producer).
 * <p>
 * A full ring never drops an order silently: the request is answered ServerBusy through the ring's reserved
 * headroom, behind the connection's earlier requests. If even that is full the reader stops reading that connection
 * until the notice is queued. Bad input closes only the connection that sent it, with a counted, logged reason.
 * <p>
 * When a connection goes away the reader queues a synthetic {@code Logout} for it, so the sequencer forgets the
 * session in order with the connection's last requests.
 */
public final class ReaderAgent implements Agent
{
    private static final Logger LOG = LoggerFactory.getLogger(ReaderAgent.class);
    private static final int HANDOFF_CAPACITY = 1024;

    private final Shard shard;
    private final IngestPublisher publisher;
    private final FrameDecoder frameDecoder;
    private final Authenticator authenticator;
    private final SessionListener sessionListener;
    private final ConnectionRegistry registry;
    private final ReaderCounters counters;
    private final NanoClock clock;
    private final long logonTimeoutNs;
    private final int receiveBufferBytes;
    private final Selector selector;
    private final OneToOneConcurrentArrayQueue<ReaderConnection> handoff =
        new OneToOneConcurrentArrayQueue<>(HANDOFF_CAPACITY);
    private final Long2ObjectHashMap<ReaderConnection> connections = new Long2ObjectHashMap<>();
    /** Connections with a pending busy notice or logout; usually empty. */
    private final ArrayList<ReaderConnection> pending = new ArrayList<>();
    private final ArrayList<ReaderConnection> awaitingLogon = new ArrayList<>();
    private final Consumer<SelectionKey> onReadable = this::onReadable;
    private final MessageHandler messageHandler = new MessageHandler();
    private final LogonDecoder logonDecoder = new LogonDecoder();
    private final UnsafeBuffer logoutBuffer = new UnsafeBuffer(new byte[64]);
    private final int logoutLength;
    private final byte[] publicKey = new byte[LogonSignatures.PUBLIC_KEY_LENGTH];
    private final byte[] signature = new byte[LogonSignatures.SIGNATURE_LENGTH];
    private final LogoutEncoder logoutEncoder = new LogoutEncoder();
    /** Wakes the sequencer after a duty cycle that may have published into the ingest ring. */
    private final Waker ingestWaker;
    /** Wakes this reader's own thread when the acceptor hands it a connection or shutdown is asked for. */
    private volatile Waker waker = Waker.NONE;
    private long cachedNowNs;
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
        this.authenticator = context.authenticator();
        this.sessionListener = context.sessionListener();
        this.registry = context.registry();
        this.counters = new ReaderCounters();
        this.clock = context.clock();
        this.logonTimeoutNs = context.logonTimeoutNs();
        this.receiveBufferBytes = context.receiveBufferBytes();
        this.ingestWaker = context.ingestWaker();
        this.selector = Selector.open();
        logoutEncoder.wrapAndApplyHeader(logoutBuffer, 0, new MessageHeaderEncoder());
        this.logoutLength = MessageHeaderEncoder.ENCODED_LENGTH + logoutEncoder.encodedLength();
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
     * @return connections this reader currently owns (its own thread; approximate from others).
     */
    public int connectionCount()
    {
        return connections.size();
    }

    /**
     * Stop reading requests from every connection (lossless shutdown): sockets are half-closed for input so no new
     * request is taken, while replies to what was already taken can still be written. Any thread.
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
        int connectionsHalted = 0;
        for (final ReaderConnection connection : connections.values())
        {
            if (connection.key != null)
            {
                connection.key.cancel();
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
            registry.closed(connection.connectionId);
            shard.releaseConnection();
        }
        readingStoppedVisible = true;
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
        if (!pending.isEmpty())
        {
            workThisCycle += retryPending();
        }
        if (!awaitingLogon.isEmpty())
        {
            workThisCycle += expireLogons();
        }
        selector.selectNow(onReadable);
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
            registry.closed(connection.connectionId);
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
            connections.put(connection.connectionId, connection);
            awaitingLogon.add(connection);
            work++;
        }
        return work;
    }

    private int expireLogons()
    {
        int work = 0;
        for (int i = awaitingLogon.size() - 1; i >= 0; i--)
        {
            final ReaderConnection connection = awaitingLogon.get(i);
            if (connection.loggedOn || connection.closed)
            {
                awaitingLogon.remove(i);
            }
            else if (cachedNowNs - connection.acceptedNs > logonTimeoutNs)
            {
                awaitingLogon.remove(i);
                close(connection, CloseReason.LOGON_TIMEOUT);
                work++;
            }
        }
        return work;
    }

    private void onReadable(final SelectionKey key)
    {
        final ReaderConnection connection = (ReaderConnection)key.attachment();
        if (connection.closed || connection.pendingBusyRequestSeq != ReaderConnection.NO_PENDING_BUSY)
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
            workThisCycle++;
            decode(connection);
        }
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
        if (!connection.loggedOn)
        {
            if (templateId != LogonDecoder.TEMPLATE_ID)
            {
                close(connection, CloseReason.NOT_LOGGED_ON);
                return false;
            }
            return logon(connection, recvTsNs, buffer, offset, length);
        }

        if (ClientProtocol.isRequest(templateId))
        {
            if (connection.readOnly && ClientProtocol.isStateChanging(templateId))
            {
                close(connection, CloseReason.NOT_AUTHORIZED);
                return false;
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
                case INVALID_LENGTH:
                    close(connection, CloseReason.MALFORMED);
                    return false;
                default:
                    close(connection, CloseReason.SHUTDOWN);
                    return false;
            }
        }

        if (templateId == HeartbeatDecoder.TEMPLATE_ID)
        {
            return true;
        }
        if (templateId == LogoutDecoder.TEMPLATE_ID)
        {
            close(connection, CloseReason.CLIENT_CLOSED);
            return false;
        }
        close(connection, CloseReason.UNSUPPORTED_MESSAGE);
        return false;
    }

    private boolean logon(
        final ReaderConnection connection, final long recvTsNs, final DirectBuffer buffer, final int offset,
        final int length)
    {
        logonDecoder.wrap(buffer, offset + MessageValidator.HEADER_LENGTH,
            MessageValidator.blockLength(buffer, offset), MessageValidator.version(buffer, offset));
        final long sessionId = logonDecoder.sessionId();
        final long accountId = logonDecoder.accountId();
        logonDecoder.getPublicKey(publicKey, 0, publicKey.length);
        logonDecoder.getSignature(signature, 0, signature.length);

        final Authenticator.AuthResult verdict =
            authenticator.authenticate(connection.nonce, sessionId, accountId, publicKey, signature);
        sessionListener.onLogon(connection.connectionId, sessionId, accountId, publicKey, verdict);
        if (verdict != Authenticator.AuthResult.ACCEPTED && verdict != Authenticator.AuthResult.ACCEPTED_READ_ONLY)
        {
            LOG.debug("logon refused connectionId={} sessionId={} accountId={} reason={}",
                connection.connectionId, sessionId, accountId, verdict);
            close(connection, CloseReason.AUTH_FAILED);
            return false;
        }

        final IngestResult result = publisher.publish(
            connection.connectionId, sessionId, accountId, recvTsNs, buffer, offset, length);
        if (result != IngestResult.INGESTED)
        {
            close(connection, result == IngestResult.RING_FULL ? CloseReason.SERVER_BUSY : CloseReason.SHUTDOWN);
            return false;
        }
        connection.loggedOn = true;
        connection.readOnly = verdict == Authenticator.AuthResult.ACCEPTED_READ_ONLY;
        connection.sessionId = sessionId;
        connection.accountId = accountId;
        counters.onLogon();
        return true;
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
        pending.add(connection);
        return true;
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
                if (!connection.closed)
                {
                    connection.key.interestOps(SelectionKey.OP_READ);
                    decode(connection);
                }
            }
            if (connection.pendingLogout)
            {
                if (!publishLogout(connection))
                {
                    continue;
                }
                work++;
            }
            if (connection.pendingBusyRequestSeq == ReaderConnection.NO_PENDING_BUSY && !connection.pendingLogout)
            {
                pending.remove(i);
                if (connection.closed)
                {
                    shard.releaseConnection();
                }
            }
        }
        return work;
    }

    private void close(final ReaderConnection connection, final CloseReason reason)
    {
        if (connection.closed)
        {
            return;
        }
        connection.closed = true;
        counters.onClosed(reason);
        if (connection.key != null)
        {
            connection.key.cancel();
        }
        CloseHelper.quietClose(connection.channel);
        connections.remove(connection.connectionId);
        registry.closed(connection.connectionId);
        if (reason != CloseReason.CLIENT_CLOSED && reason != CloseReason.SHUTDOWN)
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
            if (!pending.contains(connection))
            {
                pending.add(connection);
            }
            return;
        }
        if (connection.pendingBusyRequestSeq == ReaderConnection.NO_PENDING_BUSY)
        {
            shard.releaseConnection();
        }
    }

    private boolean publishLogout(final ReaderConnection connection)
    {
        logoutEncoder.sessionId(connection.sessionId);
        final IngestResult result = publisher.publish(connection.connectionId, connection.sessionId,
            connection.accountId, cachedNowNs, logoutBuffer, 0, logoutLength);
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
            if (connection.closed || connection.pendingBusyRequestSeq != ReaderConnection.NO_PENDING_BUSY)
            {
                return false;
            }
            return ReaderAgent.this.onMessage(connection, recvTsNs, buffer, offset, length, templateId);
        }

        @Override
        public void onMalformed(final DecodeResult reason, final DirectBuffer buffer, final int offset, final int length)
        {
            if (!connection.closed)
            {
                LOG.debug("malformed client frame connectionId={} reason={}", connection.connectionId, reason);
                close(connection, CloseReason.MALFORMED);
            }
        }

        @Override
        public void onFramingError(final DecodeResult reason, final int frameLength)
        {
            if (!connection.closed)
            {
                LOG.debug("unframeable client stream connectionId={} length={}", connection.connectionId, frameLength);
                close(connection, CloseReason.UNFRAMEABLE);
            }
        }
    }
}
