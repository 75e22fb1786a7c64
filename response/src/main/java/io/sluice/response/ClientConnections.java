package io.sluice.response;

import java.nio.channels.WritableByteChannel;

/**
 * The write side of client connections, as the response stage sees it. The pipeline implements it over the
 * {@code SocketChannel}s its acceptor registers; tests implement it with fakes.
 * <p>
 * Both methods are called on the response stage's thread only.
 */
public interface ClientConnections
{
    /**
     * The channel to write a connection's replies to. It must be non-blocking: the response stage writes what the
     * socket takes and keeps the rest for later, and never waits.
     * <p>
     * Connection ids are never reused. Once a connection has closed, or has been passed to {@link #onDropped}, this
     * must return null or a closed channel for it from then on, so no reply can follow a gap.
     *
     * @param connectionId as stamped in the output slot.
     * @return the channel, or null if the connection is unknown or gone.
     */
    WritableByteChannel channel(long connectionId);

    /**
     * The response stage has given up on a connection and will send nothing more to it: close it and forget it.
     *
     * @param connectionId connection given up on.
     * @param reason       why.
     */
    void onDropped(long connectionId, DropReason reason);

    /**
     * A connection's last message ({@link OutputSlot#CLOSE_AFTER_FLAG}) has been written in full; the response stage
     * will send nothing more to it. Close it gracefully (the bytes already written still reach the client) and
     * forget it.
     *
     * @param connectionId connection the message went to.
     * @param closeCode    the code its slot carried ({@link OutputSlot#closeAfter(int)}).
     */
    void onFarewellWritten(long connectionId, int closeCode);
}
