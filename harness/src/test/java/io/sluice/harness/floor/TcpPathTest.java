package io.sluice.harness.floor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.TimeUnit;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TcpPathTest
{
    @Test
    void shouldGetTheWholeReplyToEachRequestOnEveryConnection() throws IOException
    {
        try (ServerSocketChannel server = ServerSocketChannel.open()
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            final Thread echo = new Thread(() ->
            {
                try
                {
                    TcpPath.serve(server);
                }
                catch (final IOException ex)
                {
                    // The server socket closed: the test is over.
                }
            }, "tcp-echo");
            echo.setDaemon(true);
            echo.start();
            for (int connection = 0; connection < 2; connection++)
            {
                try (TcpPath tcp = TcpPath.connect((InetSocketAddress)server.getLocalAddress()))
                {
                    for (int request = 0; request < 100; request++)
                    {
                        // Returns only once every byte of the reply is in: a short or lost reply would hang here.
                        tcp.run();
                    }
                }
            }
        }
    }
}
