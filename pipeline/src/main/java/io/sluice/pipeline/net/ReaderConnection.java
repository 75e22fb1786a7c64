package io.sluice.pipeline.net;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * Read-side state of one client connection. Owned by exactly one reader shard's thread.
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
    SelectionKey key;
    /** The same channel's key in the thread's idle selector, if the reader has one; follows {@link #key}. */
    SelectionKey idleKey;
    /** Bytes received and not yet consumed, from offset 0 of the receive buffer. */
    int held;
    boolean loggedOn;
    boolean readOnly;
    long sessionId;
    long accountId;
    /** requestSeq of a refused request whose ServerBusy could not be queued yet; reading pauses until it is. */
    long pendingBusyRequestSeq = NO_PENDING_BUSY;
    long pendingBusyRecvTsNs;
    /** The synthetic Logout telling the sequencer this session went away could not be queued yet. */
    boolean pendingLogout;
    boolean closed;

    ReaderConnection(
        final long connectionId, final SocketChannel channel, final byte[] nonce, final long acceptedNs,
        final int receiveBufferBytes)
    {
        this.connectionId = connectionId;
        this.channel = channel;
        this.nonce = nonce;
        this.acceptedNs = acceptedNs;
        this.receiveByteBuffer = ByteBuffer.allocateDirect(receiveBufferBytes);
        this.receiveBuffer = new UnsafeBuffer(receiveByteBuffer);
    }
}
