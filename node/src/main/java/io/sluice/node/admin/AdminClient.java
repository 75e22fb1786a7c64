package io.sluice.node.admin;

import io.sluice.wire.LogonSignatures;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Base64;
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
        this(endpoint, timeoutMs, null);
    }

    /**
     * Connect and, if the node asks, answer its challenge with an operator key.
     *
     * @param endpoint  admin listener.
     * @param timeoutMs for connecting and for each answer.
     * @param keyPair   operator key, or null when the node requires none.
     * @throws IOException if the node refuses or does not answer.
     */
    public AdminClient(final InetSocketAddress endpoint, final int timeoutMs, final KeyPair keyPair) throws IOException
    {
        socket = new Socket();
        socket.connect(endpoint, timeoutMs);
        socket.setSoTimeout(timeoutMs);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        out = socket.getOutputStream();
        final List<String> greeting = readAnswer();
        if (!greeting.isEmpty() && greeting.get(0).startsWith(AdminServer.CHALLENGE + " "))
        {
            if (keyPair == null)
            {
                socket.close();
                throw new IOException("node requires an operator key (--key FILE)");
            }
            final byte[] nonce = Base64.getDecoder().decode(greeting.get(0).substring(AdminServer.CHALLENGE.length() + 1));
            final byte[] signature;
            try
            {
                signature = LogonSignatures.sign(keyPair.getPrivate(), nonce);
            }
            catch (final GeneralSecurityException ex)
            {
                throw new IOException("cannot sign admin challenge: " + ex.getMessage(), ex);
            }
            final List<String> answer = execute("AUTH " +
                Base64.getEncoder().encodeToString(LogonSignatures.rawPublicKey(keyPair.getPublic())) + " " +
                Base64.getEncoder().encodeToString(signature));
            if (answer.isEmpty() || !answer.get(0).startsWith("OK"))
            {
                socket.close();
                throw new IOException("node refused the operator key: " + answer);
            }
        }
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
        return readAnswer();
    }

    private List<String> readAnswer() throws IOException
    {
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
