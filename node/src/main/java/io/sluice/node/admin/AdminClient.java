package io.sluice.node.admin;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Speaks the admin protocol from the operator's side: sends a command line, returns the answer lines.
 */
public final class AdminClient implements AutoCloseable
{
    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;

    public AdminClient(final InetSocketAddress endpoint, final int timeoutMs) throws IOException
    {
        socket = new Socket();
        socket.connect(endpoint, timeoutMs);
        socket.setSoTimeout(timeoutMs);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        out = socket.getOutputStream();
    }

    /**
     * @param commandLine e.g. {@code DURABILITY local}.
     * @return the answer lines, without the terminating empty line.
     * @throws IOException if the node closed the connection or did not answer in time.
     */
    public List<String> execute(final String commandLine) throws IOException
    {
        out.write((commandLine + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        final List<String> lines = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null)
        {
            if (line.isEmpty())
            {
                return lines;
            }
            lines.add(line);
        }
        throw new IOException("node closed the admin connection" + (lines.isEmpty() ? "" : ": " + lines));
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
