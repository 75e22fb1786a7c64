package io.sluice.pipeline.net;

import io.sluice.sbe.client.AuthChallengeEncoder;
import io.sluice.wire.ClientProtocol;
import io.sluice.wire.FrameEncoder;
import io.sluice.wire.LogonSignatures;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Owns the order-entry listening socket. For each new connection: gives it a connection id (never reused), sends
 * the logon challenge, registers its write side with the response stage, and hands it to the reader shard the
 * router picks. Connection set-up allocates; nothing per message does.
 */
public final class AcceptorAgent implements Agent
{
    private static final Logger LOG = LoggerFactory.getLogger(AcceptorAgent.class);
    private static final int MAX_ACCEPTS_PER_CYCLE = 16;
    private static final long IDLE_ACCEPT_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final ServerSocketChannel serverChannel;
    /** Holds only the listening socket: the acceptor's thread may block on it until a client connects. */
    private final Selector selector;
    private final ConnectionRouter router;
    private final ConnectionRegistry registry;
    private final NanoClock clock;
    private final int receiveBufferBytes;
    private final int socketSendBufferBytes;
    private final SecureRandom random = new SecureRandom();
    private final FrameEncoder frameEncoder = new FrameEncoder();
    private final AuthChallengeEncoder challengeEncoder = new AuthChallengeEncoder();
    private final UnsafeBuffer challengeBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(128));
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile boolean accepting = true;
    private long nextConnectionId = 1;
    /** Acceptor thread only: when to look for new connections again. */
    private long nextAcceptNs;

    /**
     * @param bind               address to listen on.
     * @param router             picks the reader shard for each connection.
     * @param registry           where the response stage finds each connection's socket.
     * @param clock              for logon timeouts.
     * @param receiveBufferBytes    per-connection receive buffer the reader allocates.
     * @param socketSendBufferBytes the kernel send buffer (SO_SNDBUF) of each accepted socket, 0 for the system's:
     *                              bounded, so a client that does not read is caught by the slow-consumer rule
     *                              instead of filling kernel memory.
     * @throws IOException if the address cannot be bound.
     */
    public AcceptorAgent(
        final InetSocketAddress bind,
        final ConnectionRouter router,
        final ConnectionRegistry registry,
        final NanoClock clock,
        final int receiveBufferBytes,
        final int socketSendBufferBytes) throws IOException
    {
        this.router = router;
        this.registry = registry;
        this.clock = clock;
        this.receiveBufferBytes = receiveBufferBytes;
        this.socketSendBufferBytes = socketSendBufferBytes;
        this.serverChannel = ServerSocketChannel.open();
        serverChannel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        serverChannel.bind(bind, 1024);
        serverChannel.configureBlocking(false);
        selector = Selector.open();
        serverChannel.register(selector, SelectionKey.OP_ACCEPT);
    }

    /**
     * @return a selector that becomes ready when a client connects; for the idle strategy of the acceptor's thread.
     */
    public Selector selector()
    {
        return selector;
    }

    /**
     * Make connection attempts wake a thread that sleeps on another selector (the one the acceptor shares with the
     * readers); before the thread starts, from the thread that wires the node.
     *
     * @param idleSelector the selector the acceptor's thread sleeps on.
     * @throws IOException if the listening socket cannot be registered.
     */
    public void wakeOn(final Selector idleSelector) throws IOException
    {
        serverChannel.register(idleSelector, SelectionKey.OP_ACCEPT);
    }

    @Override
    public String roleName()
    {
        return "acceptor";
    }

    public InetSocketAddress localAddress() throws IOException
    {
        return (InetSocketAddress)serverChannel.getLocalAddress();
    }

    public long accepted()
    {
        return accepted.get();
    }

    public long refused()
    {
        return refused.get();
    }

    /**
     * Stop taking new connections (lossless shutdown): the listening socket is closed on the next duty cycle.
     */
    public void stopAccepting()
    {
        accepting = false;
    }

    @Override
    public int doWork()
    {
        if (!accepting)
        {
            if (serverChannel.isOpen())
            {
                CloseHelper.quietClose(serverChannel);
                return 1;
            }
            return 0;
        }
        // Accepting costs a system call even when no one is connecting, and the acceptor shares its thread with
        // every request's path: after an empty look, look again no sooner than a millisecond later.
        final long nowNs = clock.nanoTime();
        if (nowNs - nextAcceptNs < 0)
        {
            return 0;
        }
        int work = 0;
        for (int i = 0; i < MAX_ACCEPTS_PER_CYCLE; i++)
        {
            final SocketChannel channel;
            try
            {
                channel = serverChannel.accept();
            }
            catch (final IOException ex)
            {
                LOG.warn("accept failed reason=\"{}\"", ex.getMessage());
                break;
            }
            if (channel == null)
            {
                break;
            }
            work++;
            admit(channel);
        }
        nextAcceptNs = work > 0 ? nowNs : nowNs + IDLE_ACCEPT_INTERVAL_NS;
        return work;
    }

    private void admit(final SocketChannel channel)
    {
        final long connectionId = nextConnectionId++;
        final byte[] nonce = new byte[LogonSignatures.NONCE_LENGTH];
        random.nextBytes(nonce);
        try
        {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (socketSendBufferBytes > 0)
            {
                channel.setOption(StandardSocketOptions.SO_SNDBUF, socketSendBufferBytes);
            }
            if (!sendChallenge(channel, nonce))
            {
                refuse(channel, connectionId, "challenge not written");
                return;
            }
        }
        catch (final IOException ex)
        {
            refuse(channel, connectionId, ex.getMessage());
            return;
        }

        final ReaderAgent reader = router.route(connectionId);
        if (reader == null)
        {
            refuse(channel, connectionId, "no routable reader shard");
            return;
        }
        final ReaderConnection connection =
            new ReaderConnection(connectionId, channel, nonce, clock.nanoTime(), receiveBufferBytes, reader);
        if (!registry.register(connection))
        {
            reader.shard().releaseConnection();
            refuse(channel, connectionId, "registration queue full");
            return;
        }
        if (!reader.offer(connection))
        {
            reader.shard().releaseConnection();
            registry.closed(connection);
            refuse(channel, connectionId, "reader hand-off queue full");
            return;
        }
        reader.counters().onAccepted();
        accepted.incrementAndGet();
    }

    private boolean sendChallenge(final SocketChannel channel, final byte[] nonce) throws IOException
    {
        frameEncoder.begin(challengeBuffer, 0, challengeEncoder)
            .putNonce(nonce, 0, nonce.length)
            .protocolVersion(ClientProtocol.SCHEMA_VERSION);
        final int length = frameEncoder.end(challengeBuffer, 0, challengeEncoder);
        final ByteBuffer bytes = challengeBuffer.byteBuffer().duplicate().position(0).limit(length);
        channel.write(bytes);
        return !bytes.hasRemaining();
    }

    private void refuse(final SocketChannel channel, final long connectionId, final String reason)
    {
        refused.incrementAndGet();
        LOG.warn("connection refused connectionId={} reason=\"{}\"", connectionId, reason);
        CloseHelper.quietClose(channel);
    }

    @Override
    public void onClose()
    {
        CloseHelper.quietClose(serverChannel);
        CloseHelper.quietClose(selector);
    }
}
