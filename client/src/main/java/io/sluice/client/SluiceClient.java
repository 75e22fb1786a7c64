package io.sluice.client;

import io.sluice.sbe.client.AuthChallengeDecoder;
import io.sluice.sbe.client.BatchEndDecoder;
import io.sluice.sbe.client.BookSnapshotDecoder;
import io.sluice.sbe.client.BookSnapshotQueryEncoder;
import io.sluice.sbe.client.BooleanType;
import io.sluice.sbe.client.CancelOrderEncoder;
import io.sluice.sbe.client.EngineErrorDecoder;
import io.sluice.sbe.client.ExecutionReportDecoder;
import io.sluice.sbe.client.HaltedDecoder;
import io.sluice.sbe.client.EngineErrorCode;
import io.sluice.sbe.client.HeartbeatDecoder;
import io.sluice.sbe.client.HeartbeatEncoder;
import io.sluice.sbe.client.LogonAckDecoder;
import io.sluice.sbe.client.LogonEncoder;
import io.sluice.sbe.client.LogonStatus;
import io.sluice.sbe.client.MassCancelEncoder;
import io.sluice.sbe.client.MessageHeaderDecoder;
import io.sluice.sbe.client.NewOrderEncoder;
import io.sluice.sbe.client.OrderStatusDecoder;
import io.sluice.sbe.client.OrderStatusQueryEncoder;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.ReplaceOrderEncoder;
import io.sluice.sbe.client.ServerBusyDecoder;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import io.sluice.wire.ClientProtocol;
import io.sluice.wire.DecodeResult;
import io.sluice.wire.FrameDecoder;
import io.sluice.wire.FrameEncoder;
import io.sluice.wire.FrameHandler;
import io.sluice.wire.LogonSignatures;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.sbe.MessageEncoderFlyweight;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;

/**
 * A Sluice trading client over one TCP connection at a time.
 * <p>
 * Asynchronous and poll driven, in the Aeron style: request methods encode and send without waiting and return the
 * request's {@code requestSeq}; {@link #poll()} reads replies and calls the {@link ClientListener}. Requests may be
 * pipelined up to {@link ClientContext#maxInFlight()}. {@link #awaitAnswer} is the synchronous convenience.
 * <p>
 * Every request is kept until its {@code BatchEnd} arrives. If the connection is lost the client connects to the
 * next endpoint that accepts it, logs on with the same session, and sends the unanswered requests again, oldest
 * first; a request the server had already applied is answered {@code DUPLICATE_REQUEST}, so resending is safe.
 * Endpoints are tried in the order given, starting after the one lost; a node that refuses the connection (a replica
 * does not listen for clients) is skipped. With {@link ClientContext#failoverOnHalt()}, a node that answers
 * {@code Halted} is left too, and the request goes to the next node that trades.
 * <p>
 * {@link #poll()} sends a Heartbeat when nothing else was sent for {@link ClientContext#heartbeatIntervalMs()}, so a
 * quiet client that keeps polling is not closed as idle. A client whose session logs on elsewhere is told so
 * (EngineError SESSION_REPLACED) and closed by the node; it does not reconnect, so two clients of one session do not
 * take it from each other in turn.
 * <p>
 * Not thread safe: one thread sends and polls. Steady-state sending and polling allocate nothing.
 */
public final class SluiceClient implements AutoCloseable
{
    /** Returned by a request method when the in-flight window is full; poll and try again. */
    public static final long BACK_PRESSURED = -1;

    private final ClientContext context;
    private final ClientListener listener;
    private final FrameEncoder frameEncoder = new FrameEncoder();
    private final FrameDecoder frameDecoder;
    private final InFlightWindow window;
    private final UnsafeBuffer encodeBuffer;
    private final ByteBuffer receiveByteBuffer;
    private final UnsafeBuffer receiveBuffer;
    private final ByteBuffer sendByteBuffer;
    private final ReplyHandler replyHandler = new ReplyHandler();
    private final IdleStrategy handshakeIdle = new SleepingMillisIdleStrategy(1);
    private final IdleStrategy reconnectIdle;

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final NewOrderEncoder newOrderEncoder = new NewOrderEncoder();
    private final CancelOrderEncoder cancelEncoder = new CancelOrderEncoder();
    private final ReplaceOrderEncoder replaceEncoder = new ReplaceOrderEncoder();
    private final MassCancelEncoder massCancelEncoder = new MassCancelEncoder();
    private final OrderStatusQueryEncoder orderStatusQueryEncoder = new OrderStatusQueryEncoder();
    private final BookSnapshotQueryEncoder bookQueryEncoder = new BookSnapshotQueryEncoder();
    private final LogonEncoder logonEncoder = new LogonEncoder();
    private final HeartbeatEncoder heartbeatEncoder = new HeartbeatEncoder();
    private final UnsafeBuffer heartbeatBuffer = new UnsafeBuffer(new byte[64]);
    private final long heartbeatIntervalNs;
    private final ExecutionReportDecoder executionReportDecoder = new ExecutionReportDecoder();
    private final OrderStatusDecoder orderStatusDecoder = new OrderStatusDecoder();
    private final BookSnapshotDecoder bookSnapshotDecoder = new BookSnapshotDecoder();
    private final BatchEndDecoder batchEndDecoder = new BatchEndDecoder();
    private final ServerBusyDecoder serverBusyDecoder = new ServerBusyDecoder();
    private final HaltedDecoder haltedDecoder = new HaltedDecoder();
    private final EngineErrorDecoder engineErrorDecoder = new EngineErrorDecoder();
    private final AuthChallengeDecoder challengeDecoder = new AuthChallengeDecoder();
    private final LogonAckDecoder logonAckDecoder = new LogonAckDecoder();

    private SocketChannel channel;
    private InetSocketAddress endpoint;
    private int endpointIndex;
    private int receivedBytes;
    private long nextRequestSeq = 1;
    private long lastHeardNs;
    /** When bytes were last queued for the socket; a Heartbeat goes out once this is a heartbeat interval old. */
    private long lastQueuedNs;
    /** The node said another connection of this session took over: the client stays closed. */
    private boolean replaced;
    private long reconnects;
    private boolean closed;
    /**
     * When the client first left a node for answering {@code Halted} without a trading node answering since (0 when
     * not in such an outage); the reconnect deadline runs from here, so nodes that accept connections but never
     * trade cannot keep the client retrying for ever.
     */
    private long haltedSinceNs;
    /** A request was refused unapplied on this connection: later ones wait for a fresh logon (see logOnAgain). */
    private boolean logonAgain;
    /** Requests made since the refusal, kept in the window but not sent on the refusing connection. */
    private int heldBack;
    private boolean lostToHalt;

    /** Logon handshake state, set by the reply handler while {@link #logon} waits. */
    private final byte[] pendingNonce = new byte[LogonSignatures.NONCE_LENGTH];
    private boolean challengeReceived;
    private boolean logonAnswered;
    private LogonStatus logonStatus;
    private long logonLastRequestSeq;
    private String disconnectReason;

    public SluiceClient(final ClientContext context, final ClientListener listener)
    {
        context.validate();
        this.context = context;
        this.listener = listener;
        final int maxFrame = context.maxMessageLength() + FrameDecoder.LENGTH_FIELD_LENGTH;
        this.frameDecoder = new FrameDecoder(ClientProtocol.validator(), context.maxMessageLength());
        this.window = new InFlightWindow(context.maxInFlight(), maxFrame);
        this.encodeBuffer = new UnsafeBuffer(new byte[maxFrame]);
        this.receiveByteBuffer = ByteBuffer.allocateDirect(Math.max(context.receiveBufferBytes(), maxFrame * 2));
        this.receiveBuffer = new UnsafeBuffer(receiveByteBuffer);
        this.sendByteBuffer = ByteBuffer.allocateDirect(context.sendBufferBytes());
        this.reconnectIdle = new SleepingMillisIdleStrategy(context.reconnectBackoffMs());
        this.heartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(context.heartbeatIntervalMs());
    }

    /**
     * Connect to the first endpoint that accepts, log on, and send any unanswered requests again.
     *
     * @throws IOException if no endpoint accepted the connection and logon.
     */
    public void connect() throws IOException
    {
        final int endpoints = context.endpoints().size();
        IOException last = null;
        for (int attempt = 0; attempt < endpoints; attempt++)
        {
            final InetSocketAddress candidate = context.endpoints().get((endpointIndex + attempt) % endpoints);
            try
            {
                open(candidate);
                logon();
                endpointIndex = (endpointIndex + attempt) % endpoints;
                final int resent = resendUnanswered();
                listener.onConnected(endpoint, logonLastRequestSeq, resent);
                return;
            }
            catch (final IOException ex)
            {
                closeChannel();
                last = ex;
            }
        }
        throw new IOException("could not connect and log on to any of " + context.endpoints(), last);
    }

    /**
     * @return the socket replies arrive on now, for a caller that waits on several clients in one select; null
     * while disconnected. A reconnect replaces it. Read it only from the thread that polls this client.
     */
    public SelectableChannel channel()
    {
        return channel;
    }

    public boolean isConnected()
    {
        return channel != null;
    }

    public InetSocketAddress endpoint()
    {
        return endpoint;
    }

    /**
     * @return times the client connected again after a lost connection.
     */
    public long reconnects()
    {
        return reconnects;
    }

    /**
     * @return requests sent and not yet answered with a BatchEnd.
     */
    public int inFlight()
    {
        return window.size();
    }

    /**
     * @return the requestSeq the next request will carry.
     */
    public long nextRequestSeq()
    {
        return nextRequestSeq;
    }

    public long placeOrder(
        final long clientOrderId,
        final int instrumentId,
        final Side side,
        final OrderType orderType,
        final TimeInForce timeInForce,
        final boolean postOnly,
        final long price,
        final long quantity)
    {
        if (window.isFull())
        {
            return BACK_PRESSURED;
        }
        final long requestSeq = nextRequestSeq;
        frameEncoder.begin(encodeBuffer, 0, newOrderEncoder)
            .requestSeq(requestSeq)
            .clientOrderId(clientOrderId)
            .instrumentId(instrumentId)
            .side(side)
            .orderType(orderType)
            .timeInForce(timeInForce)
            .postOnly(postOnly ? BooleanType.TRUE : BooleanType.FALSE)
            .price(price)
            .quantity(quantity);
        return send(requestSeq, newOrderEncoder);
    }

    public long cancelOrder(final long clientOrderId)
    {
        if (window.isFull())
        {
            return BACK_PRESSURED;
        }
        final long requestSeq = nextRequestSeq;
        frameEncoder.begin(encodeBuffer, 0, cancelEncoder).requestSeq(requestSeq).clientOrderId(clientOrderId);
        return send(requestSeq, cancelEncoder);
    }

    public long replaceOrder(final long clientOrderId, final long newPrice, final long newQuantity)
    {
        if (window.isFull())
        {
            return BACK_PRESSURED;
        }
        final long requestSeq = nextRequestSeq;
        frameEncoder.begin(encodeBuffer, 0, replaceEncoder)
            .requestSeq(requestSeq)
            .clientOrderId(clientOrderId)
            .newPrice(newPrice)
            .newQuantity(newQuantity);
        return send(requestSeq, replaceEncoder);
    }

    /**
     * @param instrumentId to cancel in, or 0 for every instrument.
     * @return the request's requestSeq, or {@link #BACK_PRESSURED}.
     */
    public long massCancel(final int instrumentId)
    {
        if (window.isFull())
        {
            return BACK_PRESSURED;
        }
        final long requestSeq = nextRequestSeq;
        frameEncoder.begin(encodeBuffer, 0, massCancelEncoder)
            .requestSeq(requestSeq)
            .accountId(context.accountId())
            .instrumentId(instrumentId);
        return send(requestSeq, massCancelEncoder);
    }

    public long queryOrder(final long clientOrderId)
    {
        if (window.isFull())
        {
            return BACK_PRESSURED;
        }
        final long requestSeq = nextRequestSeq;
        frameEncoder.begin(encodeBuffer, 0, orderStatusQueryEncoder)
            .requestSeq(requestSeq)
            .clientOrderId(clientOrderId);
        return send(requestSeq, orderStatusQueryEncoder);
    }

    public long queryBook(final int instrumentId, final int depth)
    {
        if (window.isFull())
        {
            return BACK_PRESSURED;
        }
        final long requestSeq = nextRequestSeq;
        frameEncoder.begin(encodeBuffer, 0, bookQueryEncoder)
            .requestSeq(requestSeq)
            .instrumentId(instrumentId)
            .depth(depth);
        return send(requestSeq, bookQueryEncoder);
    }

    /**
     * Read and dispatch whatever replies have arrived and send whatever is pending. On a lost connection, connects
     * again (if {@link ClientContext#autoReconnect()}) and resends unanswered requests.
     *
     * @return work done: frames handled and bytes flushed, 0 when idle.
     * @throws IOException if the connection was lost and no endpoint could be reached again.
     */
    public int poll() throws IOException
    {
        if (channel == null)
        {
            if (closed || !context.autoReconnect())
            {
                return 0;
            }
            reconnect();
        }

        if (logonAgain && window.size() == heldBack)
        {
            logOnAgain();
            if (channel == null)
            {
                return 1;
            }
        }

        int work = 0;
        try
        {
            if (heartbeatIntervalNs > 0 && System.nanoTime() - lastQueuedNs >= heartbeatIntervalNs)
            {
                heartbeat();
            }
            work += flush();
            final int read = channel.read(receiveByteBuffer.position(receivedBytes));
            if (read < 0)
            {
                lose("closed by server");
                return work;
            }
            if (read > 0)
            {
                receivedBytes += read;
                lastHeardNs = System.nanoTime();
                work += decodeReceived();
            }
        }
        catch (final IOException ex)
        {
            lose("connection error: " + ex.getMessage());
        }
        return work;
    }

    /**
     * Poll until the request is answered (its BatchEnd arrives) or the timeout passes.
     *
     * @param requestSeq   returned when the request was sent.
     * @param timeout      how long to wait.
     * @param unit         of the timeout.
     * @param idleStrategy how to wait between polls that find nothing.
     * @return true if answered.
     * @throws IOException if the connection was lost and could not be made again.
     */
    public boolean awaitAnswer(
        final long requestSeq, final long timeout, final TimeUnit unit, final IdleStrategy idleStrategy)
        throws IOException
    {
        final long deadlineNs = System.nanoTime() + unit.toNanos(timeout);
        while (window.contains(requestSeq))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                return false;
            }
            idleStrategy.idle(poll());
        }
        return true;
    }

    /**
     * Poll until no request is in flight or the timeout passes.
     *
     * @return true if every request was answered.
     * @throws IOException if the connection was lost and could not be made again.
     */
    public boolean awaitAllAnswered(final long timeout, final TimeUnit unit, final IdleStrategy idleStrategy)
        throws IOException
    {
        final long deadlineNs = System.nanoTime() + unit.toNanos(timeout);
        while (window.size() > 0)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                return false;
            }
            idleStrategy.idle(poll());
        }
        return true;
    }

    @Override
    public void close()
    {
        closed = true;
        closeChannel();
    }

    private long send(final long requestSeq, final MessageEncoderFlyweight encoder)
    {
        final int length = frameEncoder.end(encodeBuffer, 0, encoder);
        window.add(requestSeq, encodeBuffer, 0, length);
        nextRequestSeq++;
        if (logonAgain)
        {
            heldBack++;
        }
        else if (channel != null)
        {
            enqueue(encodeBuffer, 0, length);
        }
        return requestSeq;
    }

    /**
     * The server refused a request without applying it (Halted, ServerBusy) and now refuses every later request of
     * this connection, so that none is applied ahead of the refused one: a fresh logon starts clean. Called by
     * {@link #poll()} once everything sent on this connection is answered; the requests held back meanwhile go out
     * on the new connection (never sent before, so not resends).
     */
    private void logOnAgain() throws IOException
    {
        final InetSocketAddress current = endpoint;
        closeChannel();
        logonAgain = false;
        heldBack = 0;
        try
        {
            open(current);
            logon();
        }
        catch (final IOException ex)
        {
            closeChannel();
            lose("could not log on again after a refused request: " + ex.getMessage());
            return;
        }
        window.forEachUnanswered((requestSeq, buffer, offset, length) -> enqueue(buffer, offset, length));
        listener.onConnected(endpoint, logonLastRequestSeq, 0);
    }

    private void heartbeat()
    {
        frameEncoder.begin(heartbeatBuffer, 0, heartbeatEncoder).timestampNs(System.currentTimeMillis() * 1_000_000L);
        enqueue(heartbeatBuffer, 0, frameEncoder.end(heartbeatBuffer, 0, heartbeatEncoder));
    }

    /**
     * Queue bytes for the socket. A request that does not fit stays only in the in-flight window; it is sent again
     * after the connection is lost, or it was lost with a stuck connection that the server will drop.
     */
    private void enqueue(final DirectBuffer buffer, final int offset, final int length)
    {
        lastQueuedNs = System.nanoTime();
        if (sendByteBuffer.remaining() < length)
        {
            try
            {
                flush();
            }
            catch (final IOException ex)
            {
                lose("connection error: " + ex.getMessage());
                return;
            }
        }
        if (sendByteBuffer.remaining() < length)
        {
            lose("send buffer full: server not reading");
            return;
        }
        buffer.getBytes(offset, sendByteBuffer, sendByteBuffer.position(), length);
        sendByteBuffer.position(sendByteBuffer.position() + length);
    }

    private int flush() throws IOException
    {
        if (channel == null || sendByteBuffer.position() == 0)
        {
            return 0;
        }
        sendByteBuffer.flip();
        final int written;
        try
        {
            written = channel.write(sendByteBuffer);
        }
        finally
        {
            sendByteBuffer.compact();
        }
        return written;
    }

    private int decodeReceived()
    {
        final int consumed = frameDecoder.decode(receiveBuffer, 0, receivedBytes, replyHandler);
        if (channel == null)
        {
            return consumed;
        }
        if (consumed > 0)
        {
            receiveBuffer.putBytes(0, receiveBuffer, consumed, receivedBytes - consumed);
            receivedBytes -= consumed;
        }
        return consumed;
    }

    private void open(final InetSocketAddress candidate) throws IOException
    {
        closeChannel();
        final SocketChannel socket = SocketChannel.open();
        try
        {
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            socket.socket().connect(candidate, (int)context.connectTimeoutMs());
            socket.configureBlocking(false);
        }
        catch (final IOException ex)
        {
            CloseHelper.quietClose(socket);
            throw ex;
        }
        channel = socket;
        endpoint = candidate;
        receivedBytes = 0;
        sendByteBuffer.clear();
    }

    private void logon() throws IOException
    {
        challengeReceived = false;
        logonAnswered = false;
        disconnectReason = null;
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(context.logonTimeoutMs());

        awaitHandshake(deadlineNs, true);

        final byte[] publicKey = new byte[LogonSignatures.PUBLIC_KEY_LENGTH];
        byte[] signature = new byte[LogonSignatures.SIGNATURE_LENGTH];
        if (context.keyPair() != null)
        {
            try
            {
                signature = LogonSignatures.sign(context.keyPair().getPrivate(), pendingNonce);
                System.arraycopy(LogonSignatures.rawPublicKey(context.keyPair().getPublic()), 0, publicKey, 0,
                    publicKey.length);
            }
            catch (final GeneralSecurityException ex)
            {
                throw new IOException("cannot sign logon challenge: " + ex.getMessage(), ex);
            }
        }
        frameEncoder.begin(encodeBuffer, 0, logonEncoder)
            .sessionId(context.sessionId())
            .accountId(context.accountId())
            .putPublicKey(publicKey, 0, publicKey.length)
            .putSignature(signature, 0, signature.length)
            .cancelOnDisconnect(context.cancelOnDisconnect());
        enqueue(encodeBuffer, 0, frameEncoder.end(encodeBuffer, 0, logonEncoder));

        awaitHandshake(deadlineNs, false);
        if (logonStatus != LogonStatus.ACCEPTED)
        {
            throw new IOException("logon refused: " + logonAckDecoder.rejectReason());
        }
        nextRequestSeq = Math.max(nextRequestSeq, logonLastRequestSeq + 1);
    }

    private void awaitHandshake(final long deadlineNs, final boolean forChallenge) throws IOException
    {
        while (forChallenge ? !challengeReceived : !logonAnswered)
        {
            flush();
            final int read = channel.read(receiveByteBuffer.position(receivedBytes));
            if (read < 0)
            {
                throw new IOException("closed by server during logon" +
                    (disconnectReason != null ? ": " + disconnectReason : ""));
            }
            receivedBytes += read;
            decodeReceived();
            if (channel == null)
            {
                throw new IOException("connection lost during logon: " + disconnectReason);
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IOException("logon timed out at " + endpoint);
            }
            handshakeIdle.idle(read);
        }
    }

    private int resendUnanswered()
    {
        if (window.size() == 0)
        {
            haltedSinceNs = 0;
        }
        return window.forEachUnanswered((requestSeq, buffer, offset, length) ->
        {
            listener.onResend(requestSeq);
            enqueue(buffer, offset, length);
        });
    }

    private void reconnect() throws IOException
    {
        endpointIndex = (endpointIndex + 1) % context.endpoints().size();
        final long timeoutNs = TimeUnit.MILLISECONDS.toNanos(context.reconnectTimeoutMs());
        final long deadlineNs = (haltedSinceNs != 0 ? haltedSinceNs : System.nanoTime()) + timeoutNs;
        IOException last = null;
        if (lostToHalt)
        {
            // Back off once first: a node that halts but accepts connections is otherwise re-entered in a loop.
            lostToHalt = false;
            reconnectIdle.idle();
        }
        while (System.nanoTime() - deadlineNs < 0)
        {
            try
            {
                connect();
                reconnects++;
                return;
            }
            catch (final IOException ex)
            {
                last = ex;
                reconnectIdle.idle();
            }
        }
        closed = true;
        throw new IOException("gave up reconnecting after " + context.reconnectTimeoutMs() + " ms", last);
    }

    /**
     * The node is not trading: leave it with the halted request (and any after it) still unanswered, to be sent
     * again to the next node that trades. Its BatchEnd, already in the receive buffer, is dropped with the
     * connection.
     */
    private void leaveHaltedNode()
    {
        final long requestSeq = haltedDecoder.requestSeq();
        final String reason = haltedDecoder.reason();
        if (haltedSinceNs == 0)
        {
            haltedSinceNs = System.nanoTime();
        }
        lostToHalt = true;
        lose("node " + endpoint + " halted (request " + requestSeq + "): " + reason);
    }

    private void lose(final String reason)
    {
        // The reconnect is a fresh logon; whatever was held back goes out with the unanswered requests.
        logonAgain = false;
        heldBack = 0;
        disconnectReason = replaced ? "session logged on elsewhere (" + reason + ")" : reason;
        closed |= replaced;
        closeChannel();
        listener.onDisconnect(disconnectReason);
    }

    private void closeChannel()
    {
        CloseHelper.quietClose(channel);
        channel = null;
        receivedBytes = 0;
        sendByteBuffer.clear();
    }

    private final class ReplyHandler implements FrameHandler
    {
        @Override
        public boolean onMessage(final DirectBuffer buffer, final int offset, final int length, final int templateId)
        {
            if (channel == null)
            {
                return true;
            }
            headerDecoder.wrap(buffer, offset);
            final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
            final int blockLength = headerDecoder.blockLength();
            final int version = headerDecoder.version();
            switch (templateId)
            {
                case ExecutionReportDecoder.TEMPLATE_ID:
                    listener.onExecutionReport(executionReportDecoder.wrap(buffer, bodyOffset, blockLength, version));
                    break;
                case BatchEndDecoder.TEMPLATE_ID:
                    batchEndDecoder.wrap(buffer, bodyOffset, blockLength, version);
                    if (batchEndDecoder.wireSeq() > 0)
                    {
                        haltedSinceNs = 0;
                    }
                    window.answer(batchEndDecoder.requestSeq());
                    listener.onBatchEnd(batchEndDecoder.requestSeq(), batchEndDecoder.wireSeq());
                    break;
                case OrderStatusDecoder.TEMPLATE_ID:
                    listener.onOrderStatus(orderStatusDecoder.wrap(buffer, bodyOffset, blockLength, version));
                    break;
                case BookSnapshotDecoder.TEMPLATE_ID:
                    listener.onBookSnapshot(bookSnapshotDecoder.wrap(buffer, bodyOffset, blockLength, version));
                    break;
                case ServerBusyDecoder.TEMPLATE_ID:
                    logonAgain = true;
                    listener.onServerBusy(serverBusyDecoder.wrap(buffer, bodyOffset, blockLength, version)
                        .requestSeq());
                    break;
                case HaltedDecoder.TEMPLATE_ID:
                    haltedDecoder.wrap(buffer, bodyOffset, blockLength, version);
                    if (context.failoverOnHalt())
                    {
                        leaveHaltedNode();
                    }
                    else
                    {
                        logonAgain = true;
                        listener.onHalted(haltedDecoder);
                    }
                    break;
                case EngineErrorDecoder.TEMPLATE_ID:
                    engineErrorDecoder.wrap(buffer, bodyOffset, blockLength, version);
                    replaced |= engineErrorDecoder.code() == EngineErrorCode.SESSION_REPLACED;
                    listener.onEngineError(engineErrorDecoder);
                    break;
                case AuthChallengeDecoder.TEMPLATE_ID:
                    challengeDecoder.wrap(buffer, bodyOffset, blockLength, version);
                    challengeDecoder.getNonce(pendingNonce, 0, pendingNonce.length);
                    challengeReceived = true;
                    break;
                case LogonAckDecoder.TEMPLATE_ID:
                    logonAckDecoder.wrap(buffer, bodyOffset, blockLength, version);
                    logonStatus = logonAckDecoder.status();
                    logonLastRequestSeq = logonAckDecoder.lastRequestSeq();
                    logonAnswered = true;
                    break;
                case HeartbeatDecoder.TEMPLATE_ID:
                default:
                    break;
            }
            return true;
        }

        @Override
        public boolean onMalformed(
            final DecodeResult reason, final DirectBuffer buffer, final int offset, final int length)
        {
            if (channel != null)
            {
                lose("malformed frame from server: " + reason);
            }
            return true;
        }

        @Override
        public void onFramingError(final DecodeResult reason, final int frameLength)
        {
            if (channel != null)
            {
                lose("unframeable stream from server: " + reason + " length=" + frameLength);
            }
        }
    }
}
