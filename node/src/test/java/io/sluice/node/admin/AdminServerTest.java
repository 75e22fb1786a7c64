package io.sluice.node.admin;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AdminServerTest
{
    private final List<String> executed = new CopyOnWriteArrayList<>();
    private AdminServer server;

    private AdminServer start(final AdminCommandHandler handler) throws IOException
    {
        server = new AdminServer(new InetSocketAddress("127.0.0.1", 0), handler);
        return server;
    }

    @AfterEach
    void stop()
    {
        server.close();
    }

    @Test
    void shouldPassCommandAndArgumentsAndReturnAnswerLines() throws IOException
    {
        start((command, args) ->
        {
            executed.add(command + "|" + args);
            return List.of("OK a -> b", "second line");
        });

        try (AdminClient client = new AdminClient(server.localAddress(), 5_000))
        {
            assertEquals(List.of("OK a -> b", "second line"), client.execute("durability   persisted>=1 && in_memory>=2 "));
            assertEquals(List.of("OK a -> b", "second line"), client.execute("STATUS"));
        }
        assertEquals(List.of("DURABILITY|persisted>=1 && in_memory>=2", "STATUS|"), executed);
    }

    @Test
    void shouldAnswerErrWhenHandlerFailsAndKeepServing() throws IOException
    {
        start((command, args) ->
        {
            if ("BOOM".equals(command))
            {
                throw new IllegalStateException("kaput");
            }
            return List.of("OK");
        });

        try (AdminClient client = new AdminClient(server.localAddress(), 5_000))
        {
            assertEquals(List.of("ERR internal error: kaput"), client.execute("boom"));
            assertEquals(List.of("OK"), client.execute("STATUS"));
        }
    }

    @Test
    void shouldCloseConnectionOnOverlongLineAndKeepServingOthers() throws IOException
    {
        start((command, args) -> List.of("OK"));

        try (Socket socket = new Socket())
        {
            socket.connect(server.localAddress());
            final OutputStream out = socket.getOutputStream();
            out.write(("X".repeat(AdminServer.MAX_LINE_LENGTH + 10) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            socket.setSoTimeout(5_000);
            final byte[] greeting = (AdminServer.GREETING + "\n\n").getBytes(StandardCharsets.UTF_8);
            assertEquals(new String(greeting, StandardCharsets.UTF_8),
                new String(socket.getInputStream().readNBytes(greeting.length), StandardCharsets.UTF_8));
            assertEquals(-1, socket.getInputStream().read());
        }
        try (AdminClient client = new AdminClient(server.localAddress(), 5_000))
        {
            assertEquals(List.of("OK"), client.execute("STATUS"));
        }
    }

    @Test
    void shouldSayByeOnQuit() throws IOException
    {
        start((command, args) -> List.of("OK"));

        try (AdminClient client = new AdminClient(server.localAddress(), 5_000))
        {
            assertEquals(List.of("OK bye"), client.execute("quit"));
            assertThrows(IOException.class, () -> client.execute("STATUS"));
        }
    }
}
