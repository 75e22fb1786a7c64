package io.sluice.client;

import io.sluice.sbe.client.AuthChallengeEncoder;
import io.sluice.sbe.client.BatchEndEncoder;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.ExecutionReportEncoder;
import io.sluice.sbe.client.HaltedEncoder;
import io.sluice.sbe.client.Liquidity;
import io.sluice.sbe.client.LogonAckEncoder;
import io.sluice.sbe.client.LogonDecoder;
import io.sluice.sbe.client.LogonStatus;
import io.sluice.sbe.client.MessageHeaderDecoder;
import io.sluice.sbe.client.NewOrderDecoder;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;
import io.sluice.wire.ClientProtocol;
import io.sluice.wire.DecodeResult;
import io.sluice.wire.FrameDecoder;
import io.sluice.wire.FrameEncoder;
import io.sluice.wire.FrameHandler;
import io.sluice.wire.LogonSignatures;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scripted stand-in for a Sluice node: sends a challenge, accepts the logon, answers each request with an
 * execution report (for orders) and a BatchEnd. It can drop a connection after a number of requests without
 * answering them, to exercise the client's resend.
 */
final class FakeServer implements AutoCloseable
{
    final List<List<Long>> requestSeqsPerConnection = new CopyOnWriteArrayList<>();
    final List<Boolean> signatureValidPerConnection = new CopyOnWriteArrayList<>();
    volatile long lastRequestSeqForLogon;
    /** Answer this many requests on the first connection, then close it; -1 to never drop. */
    volatile int dropFirstConnectionAfter = -1;
    volatile boolean answer = true;
    /** Answer every request Halted (and a BatchEnd without a wireSeq), as a fenced or halted node does. */
    volatile boolean halt;
    /** Stop listening when the first connection is dropped, as a crashed node does: later connects are refused. */
    volatile boolean crashOnDrop;

    private final ServerSocket serverSocket;
    private final Thread thread;
    private final byte[] nonce = new byte[LogonSignatures.NONCE_LENGTH];
    private volatile boolean running = true;

    FakeServer() throws IOException
    {
        serverSocket = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        nonce[0] = 42;
        thread = new Thread(this::run, "fake-sluice-server");
        thread.setDaemon(true);
        thread.start();
    }

    InetSocketAddress endpoint()
    {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), serverSocket.getLocalPort());
    }

    private void run()
    {
        int connection = 0;
        while (running)
        {
            try (Socket socket = serverSocket.accept())
            {
                serve(socket, connection++);
                if (crashOnDrop)
                {
                    running = false;
                    serverSocket.close();
                }
            }
            catch (final IOException ignore)
            {
                // next connection, or closed
            }
        }
    }

    private void serve(final Socket socket, final int connection) throws IOException
    {
        final List<Long> seen = new CopyOnWriteArrayList<>();
        requestSeqsPerConnection.add(seen);
        final OutputStream out = socket.getOutputStream();
        final InputStream in = socket.getInputStream();
        final FrameEncoder encoder = new FrameEncoder();
        final UnsafeBuffer sendBuffer = new UnsafeBuffer(new byte[4096]);

        final AuthChallengeEncoder challenge = encoder.begin(sendBuffer, 0, new AuthChallengeEncoder());
        challenge.putNonce(nonce, 0, nonce.length).protocolVersion(1);
        write(out, sendBuffer, encoder.end(sendBuffer, 0, challenge));

        final byte[] receive = new byte[65536];
        final UnsafeBuffer receiveBuffer = new UnsafeBuffer(receive);
        final FrameDecoder decoder = new FrameDecoder(ClientProtocol.validator(), 4096);
        final int[] held = { 0 };
        final boolean[] loggedOn = { false };
        final boolean[] drop = { false };

        final FrameHandler handler = new FrameHandler()
        {
            public boolean onMessage(final DirectBuffer buffer, final int offset, final int length, final int templateId)
            {
                final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
                if (templateId == LogonDecoder.TEMPLATE_ID)
                {
                    final LogonDecoder logon = new LogonDecoder().wrap(buffer, body, LogonDecoder.BLOCK_LENGTH, 1);
                    final byte[] key = new byte[32];
                    final byte[] signature = new byte[64];
                    logon.getPublicKey(key, 0, 32);
                    logon.getSignature(signature, 0, 64);
                    signatureValidPerConnection.add(LogonSignatures.verify(key, nonce, signature));
                    final LogonAckEncoder ack = encoder.begin(sendBuffer, 0, new LogonAckEncoder());
                    ack.sessionId(logon.sessionId()).status(LogonStatus.ACCEPTED).rejectReason(RejectReason.NONE)
                        .lastRequestSeq(lastRequestSeqForLogon);
                    writeQuietly(out, sendBuffer, encoder.end(sendBuffer, 0, ack));
                    loggedOn[0] = true;
                    return true;
                }
                if (!loggedOn[0] || !ClientProtocol.isRequest(templateId) || drop[0])
                {
                    return true;
                }
                final long requestSeq = ClientProtocol.requestSeq(buffer, offset);
                seen.add(requestSeq);
                if (connection == 0 && dropFirstConnectionAfter >= 0 && seen.size() > dropFirstConnectionAfter)
                {
                    drop[0] = true;
                    return true;
                }
                if (!answer)
                {
                    return true;
                }
                int position = 0;
                if (halt)
                {
                    final HaltedEncoder halted = encoder.begin(sendBuffer, 0, new HaltedEncoder());
                    halted.requestSeq(requestSeq).reason("halted by test");
                    position += encoder.end(sendBuffer, 0, halted);
                    final BatchEndEncoder end = encoder.begin(sendBuffer, position, new BatchEndEncoder());
                    end.requestSeq(requestSeq).wireSeq(0);
                    position += encoder.end(sendBuffer, position, end);
                    writeQuietly(out, sendBuffer, position);
                    return true;
                }
                if (templateId == NewOrderDecoder.TEMPLATE_ID)
                {
                    final NewOrderDecoder order = new NewOrderDecoder().wrap(buffer, body, NewOrderDecoder.BLOCK_LENGTH, 1);
                    final ExecutionReportEncoder report = encoder.begin(sendBuffer, 0, new ExecutionReportEncoder());
                    report.requestSeq(requestSeq).wireSeq(requestSeq).clientOrderId(order.clientOrderId())
                        .side(Side.BUY).execType(ExecType.NEW).rejectReason(RejectReason.NONE)
                        .liquidity(Liquidity.NONE).price(order.price()).quantity(order.quantity())
                        .leavesQuantity(order.quantity());
                    position += encoder.end(sendBuffer, 0, report);
                }
                final BatchEndEncoder end = encoder.begin(sendBuffer, position, new BatchEndEncoder());
                end.requestSeq(requestSeq).wireSeq(requestSeq);
                position += encoder.end(sendBuffer, position, end);
                writeQuietly(out, sendBuffer, position);
                return true;
            }

            public boolean onMalformed(
                final DecodeResult reason, final DirectBuffer buffer, final int offset, final int length)
            {
                return true;
            }

            public void onFramingError(final DecodeResult reason, final int frameLength)
            {
                drop[0] = true;
            }
        };

        while (running && !drop[0])
        {
            final int read = in.read(receive, held[0], receive.length - held[0]);
            if (read < 0)
            {
                return;
            }
            held[0] += read;
            final int consumed = decoder.decode(receiveBuffer, 0, held[0], handler);
            System.arraycopy(receive, consumed, receive, 0, held[0] - consumed);
            held[0] -= consumed;
        }
    }

    private static void write(final OutputStream out, final UnsafeBuffer buffer, final int length) throws IOException
    {
        out.write(buffer.byteArray(), 0, length);
        out.flush();
    }

    private static void writeQuietly(final OutputStream out, final UnsafeBuffer buffer, final int length)
    {
        try
        {
            write(out, buffer, length);
        }
        catch (final IOException ignore)
        {
            // the client went away; the read loop ends
        }
    }

    @Override
    public void close() throws Exception
    {
        running = false;
        serverSocket.close();
        thread.join(5_000);
    }
}
