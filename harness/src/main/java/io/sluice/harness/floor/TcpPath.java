package io.sluice.harness.floor;

import io.sluice.wire.FrameDecoder;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The TCP path on loopback: the client writes a {@code NewOrder} frame and reads the reply; the echo side, in
 * another JVM, reads the frame in a blocking read (its thread sleeps until the kernel wakes it, the least a reader can
 * wait) and writes an execution report and a {@code BatchEnd} back. Nagle is off on both sides, as in Sluice.
 */
final class TcpPath implements Pacer.RoundTrip, AutoCloseable
{
    private final SocketChannel channel;
    private final ByteBuffer request;
    private final ByteBuffer reply;

    private TcpPath(final SocketChannel channel)
    {
        final byte[] requestBytes = FloorMessages.tcpRequest();
        this.channel = channel;
        this.request = ByteBuffer.allocateDirect(requestBytes.length).put(requestBytes);
        this.reply = ByteBuffer.allocateDirect(FloorMessages.tcpReply().length);
    }

    /**
     * @param echo where the echo side listens.
     * @return the client, connected (blocking mode).
     * @throws IOException if it cannot connect.
     */
    static TcpPath connect(final InetSocketAddress echo) throws IOException
    {
        final SocketChannel channel = SocketChannel.open(echo);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return new TcpPath(channel);
    }

    @Override
    public void run() throws IOException
    {
        request.clear();
        while (request.hasRemaining())
        {
            channel.write(request);
        }
        reply.clear();
        readFully(channel, reply);
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }

    /**
     * The echo side: answer every request frame on each connection, one connection at a time, until the process
     * ends.
     *
     * @param server bound, in blocking mode.
     * @throws IOException if accepting fails.
     */
    static void serve(final ServerSocketChannel server) throws IOException
    {
        final byte[] replyBytes = FloorMessages.tcpReply();
        final ByteBuffer reply = ByteBuffer.allocateDirect(replyBytes.length).put(replyBytes);
        final ByteBuffer length = ByteBuffer.allocateDirect(FrameDecoder.LENGTH_FIELD_LENGTH)
            .order(ByteOrder.LITTLE_ENDIAN);
        final int maxBodyLength = FloorMessages.tcpRequest().length;
        final ByteBuffer body = ByteBuffer.allocateDirect(maxBodyLength);
        while (true)
        {
            try (SocketChannel client = server.accept())
            {
                client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                while (true)
                {
                    length.clear();
                    readFully(client, length);
                    final int bodyLength = length.getInt(0);
                    if (bodyLength < 0 || bodyLength > maxBodyLength)
                    {
                        throw new IOException("a request frame of " + bodyLength + " bytes is not a floor request");
                    }
                    body.clear().limit(bodyLength);
                    readFully(client, body);
                    reply.clear();
                    while (reply.hasRemaining())
                    {
                        client.write(reply);
                    }
                }
            }
            catch (final EOFException ex)
            {
                // The client closed its connection; wait for the next one.
            }
        }
    }

    private static void readFully(final SocketChannel channel, final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer) < 0)
            {
                throw new EOFException("the connection closed");
            }
        }
    }
}
