package io.sluice.pipeline.net;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * Read-side state of one client connection. Owned by exactly one reader shard's thread, except the two fields the
 * response stage sets through the {@link ConnectionRegistry} when it is done writing to the connection.
 * <p>
 * A connection ends in one of two ways. The reader closes it at once when there is nobody to tell (end of stream,
 * a read error, a slow consumer the response stage dropped). Otherwise the node says why first: the reader (or the
 * sequencer) queues the connection's last message, the reader stops taking its requests ({@link #closing}), the
 * response stage writes the message, shuts the socket's output and hands the connection back; the reader then reads
 * and discards until the client closes its side or {@link #drainDeadlineNs}, so the client is not reset before it has
 * read the message ({@link #draining}), and only then closes the socket.
 */
final class ReaderConnection
{
    static final long NO_PENDING_BUSY = Long.MIN_VALUE;

    final long connectionId;
    final SocketChannel channel;
    final byte[] nonce;
    final long acceptedNs;
    final ByteBuffer receiveByteBuffer;
    final UnsafeBuffer receiveBuffer;
    /** The reader that owns this connection; woken when the response stage hands the connection back. */
    final ReaderAgent reader;
    SelectionKey key;
    /** The same channel's key in the thread's idle selector, if the reader has one; follows {@link #key}. */
    SelectionKey idleKey;
    /** Bytes received and not yet consumed, from offset 0 of the receive buffer. */
    int held;
    /** Reader's nano clock when bytes last arrived, for the idle timeout. */
    long lastReceivedNs;
    boolean loggedOn;
    boolean readOnly;
    long sessionId;
    long accountId;
    /** The session's rate limit, from its logon on; null without one. */
    SessionThrottle throttle;
    /** Requests of the session refused THROTTLED on this connection. */
    long throttledRequests;
    /** Its entry in the reader's {@link ThrottledSessions}, from its first refusal; or none. */
    int throttledEntry = ThrottledSessions.NO_ENTRY;
    /** requestSeq of a refused request whose ServerBusy could not be queued yet; reading pauses until it is. */
    long pendingBusyRequestSeq = NO_PENDING_BUSY;
    long pendingBusyRecvTsNs;
    /** An answer the reader made could not be queued (ring full): reading pauses and the frame is decoded again. */
    boolean stalled;
    /** In the reader's list of connections with something to retry. */
    boolean inPending;
    /** The synthetic Logout telling the sequencer this session went away could not be queued yet. */
    boolean pendingLogout;
    /** Its last message is queued: nothing more is read from it, and it is closed once the message is written. */
    boolean closing;
    /** Why it is closing, as the reader decided; the reason the response stage hands back wins. */
    CloseReason closeReason;
    /** Closed even if the response stage never hands it back by then. */
    long closeDeadlineNs;
    /** The last message is written and the output shut: reading and discarding until the client closes. */
    boolean draining;
    long drainDeadlineNs;
    boolean closed;

    /** Set by the response stage's thread, then {@link #endedByWriter}: the last message was written in full. */
    volatile boolean farewellWritten;
    /** Set last by the response stage's thread: 1 + the ordinal of the {@link CloseReason}; 0 while it writes on. */
    volatile int endedByWriter;

    ReaderConnection(
        final long connectionId, final SocketChannel channel, final byte[] nonce, final long acceptedNs,
        final int receiveBufferBytes, final ReaderAgent reader)
    {
        this.connectionId = connectionId;
        this.channel = channel;
        this.nonce = nonce;
        this.acceptedNs = acceptedNs;
        this.lastReceivedNs = acceptedNs;
        this.receiveByteBuffer = ByteBuffer.allocateDirect(receiveBufferBytes);
        this.receiveBuffer = new UnsafeBuffer(receiveByteBuffer);
        this.reader = reader;
    }
}
