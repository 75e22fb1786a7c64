package io.sluice.node.admin;

import io.sluice.node.audit.AuditLog;
import io.sluice.wire.LogonSignatures;
import org.agrona.CloseHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The admin listener: a line-oriented text protocol for operators, on its own port (loopback by default), far from
 * the order path. Each command is one line; each answer is one or more lines followed by an empty line. A few
 * connections at a time, each on its own thread: admin traffic is rare and must not share a thread with trading.
 */
public final class AdminServer implements AutoCloseable
{
    /** Longest command line accepted; longer lines close the connection. */
    public static final int MAX_LINE_LENGTH = 1024;
    static final int MAX_CONNECTIONS = 4;
    static final int IDLE_TIMEOUT_MS = 300_000;
    /** First line a client sees when no key is required. */
    public static final String GREETING = "SLUICE ADMIN";
    /** First word of the first line when an operator key is required; a base64 nonce follows. */
    public static final String CHALLENGE = "CHALLENGE";

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final ServerSocket serverSocket;
    /** Swapped when the node changes role (a replica promoted to primary); read by every connection thread. */
    private volatile AdminCommandHandler handler;
    private final OperatorCheck operatorCheck;
    /** Records every command but a query (STATUS, HELP, DURABILITY alone) and every refused operator; or null. */
    private final AuditLog audit;
    private final SecureRandom random = new SecureRandom();
    private final Thread acceptThread;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong refusedConnections = new AtomicLong();
    private final AtomicLong authFailures = new AtomicLong();
    private volatile boolean running = true;

    public AdminServer(final InetSocketAddress bind, final AdminCommandHandler handler) throws IOException
    {
        this(bind, handler, null, null);
    }

    /**
     * @param bind          address to listen on (loopback by default).
     * @param handler       executes commands.
     * @param operatorCheck verifies the operator's signed challenge; null to accept connections without a key.
     * @param audit         records each command that is not a query, with the operator key's fingerprint and the
     *                      result, and each refused operator; null for none.
     * @throws IOException if the address cannot be bound.
     */
    public AdminServer(final InetSocketAddress bind, final AdminCommandHandler handler,
        final OperatorCheck operatorCheck, final AuditLog audit) throws IOException
    {
        this.handler = handler;
        this.operatorCheck = operatorCheck;
        this.audit = audit;
        this.serverSocket = new ServerSocket();
        serverSocket.setReuseAddress(true);
        serverSocket.bind(bind, MAX_CONNECTIONS);
        this.acceptThread = new Thread(this::acceptLoop, "sluice-admin-accept");
        acceptThread.setDaemon(true);
        acceptThread.start();
    }

    /**
     * Hands the listener to a new set of commands, keeping its address, keys and open sessions: a promoted replica
     * answers as the primary it became, on the same port.
     *
     * @param handler executes commands from now on.
     */
    public void handler(final AdminCommandHandler handler)
    {
        this.handler = handler;
    }

    public InetSocketAddress localAddress()
    {
        return (InetSocketAddress)serverSocket.getLocalSocketAddress();
    }

    public long refusedConnections()
    {
        return refusedConnections.get();
    }

    private void acceptLoop()
    {
        while (running)
        {
            final Socket socket;
            try
            {
                socket = serverSocket.accept();
            }
            catch (final IOException ex)
            {
                if (running)
                {
                    LOG.warn("admin accept failed reason=\"{}\"", ex.getMessage());
                }
                continue;
            }
            if (connections.incrementAndGet() > MAX_CONNECTIONS)
            {
                connections.decrementAndGet();
                refusedConnections.incrementAndGet();
                LOG.warn("admin connection refused remote={} reason=too_many_connections", socket.getRemoteSocketAddress());
                CloseHelper.quietClose(socket);
                continue;
            }
            final Thread thread = new Thread(() -> serve(socket), "sluice-admin-" + socket.getPort());
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void serve(final Socket socket)
    {
        LOG.info("admin connected remote={}", socket.getRemoteSocketAddress());
        try (socket)
        {
            socket.setSoTimeout(IDLE_TIMEOUT_MS);
            final BufferedReader in = new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8), MAX_LINE_LENGTH + 2);
            final OutputStream out = socket.getOutputStream();
            final String operator = greet(in, out, socket);
            if (operator == null)
            {
                return;
            }
            String line;
            while (running && (line = readLine(in)) != null)
            {
                final String trimmed = line.trim();
                if (trimmed.isEmpty())
                {
                    continue;
                }
                final int space = trimmed.indexOf(' ');
                final String command = (space < 0 ? trimmed : trimmed.substring(0, space)).toUpperCase(Locale.ROOT);
                final String args = space < 0 ? "" : trimmed.substring(space + 1).trim();
                if ("QUIT".equals(command) || "EXIT".equals(command))
                {
                    write(out, List.of("OK bye"));
                    return;
                }
                List<String> answer;
                try
                {
                    answer = handler.execute(command, args);
                }
                catch (final RuntimeException ex)
                {
                    LOG.error("admin command failed command={} reason=\"{}\"", command, ex.toString(), ex);
                    answer = List.of("ERR internal error: " + ex.getMessage());
                }
                if (audit != null && !isQuery(command, args))
                {
                    audit.record("admin_command", "operator", operator, "remote", socket.getRemoteSocketAddress(),
                        "command", command, "args", args, "result", answer.isEmpty() ? "" : answer.get(0));
                }
                write(out, answer);
            }
        }
        catch (final SocketTimeoutException ex)
        {
            LOG.info("admin connection idle, closing remote={}", socket.getRemoteSocketAddress());
        }
        catch (final LineTooLongException ex)
        {
            LOG.debug("admin connection closed remote={} reason=line_too_long", socket.getRemoteSocketAddress());
        }
        catch (final IOException ex)
        {
            LOG.debug("admin connection closed remote={} reason=\"{}\"", socket.getRemoteSocketAddress(), ex.getMessage());
        }
        finally
        {
            connections.decrementAndGet();
        }
    }

    /** Commands that only read: not audited. */
    private static boolean isQuery(final String command, final String args)
    {
        return "STATUS".equals(command) || "HELP".equals(command) || ("DURABILITY".equals(command) && args.isEmpty());
    }

    /**
     * Say hello; with an operator check, challenge the client and require {@code AUTH <key> <signature>} first.
     *
     * @return the operator key's fingerprint ({@link AuditLog#NO_KEY} without an operator check) if the connection
     * may send commands, else null.
     */
    private String greet(final Reader in, final OutputStream out, final Socket socket) throws IOException
    {
        if (operatorCheck == null)
        {
            write(out, List.of(GREETING));
            return AuditLog.NO_KEY;
        }
        final byte[] nonce = new byte[LogonSignatures.NONCE_LENGTH];
        random.nextBytes(nonce);
        write(out, List.of(CHALLENGE + " " + Base64.getEncoder().encodeToString(nonce)));
        final String line = readLine(in);
        final String[] words = line == null ? new String[0] : line.trim().split("\\s+");
        String refusal = "expected AUTH <base64 public key> <base64 signature>";
        String operator = AuditLog.NO_KEY;
        if (words.length == 3 && "AUTH".equalsIgnoreCase(words[0]))
        {
            try
            {
                final byte[] key = Base64.getDecoder().decode(words[1]);
                operator = AuditLog.fingerprint(key);
                refusal = operatorCheck.refusal(key, nonce, Base64.getDecoder().decode(words[2]));
            }
            catch (final IllegalArgumentException ex)
            {
                refusal = "key or signature is not base64";
            }
        }
        if (refusal != null)
        {
            authFailures.incrementAndGet();
            LOG.warn("admin authentication refused reason=\"{}\"", refusal);
            if (audit != null)
            {
                audit.record("admin_auth_failed", "operator", operator, "remote", socket.getRemoteSocketAddress(),
                    "reason", refusal);
            }
            write(out, List.of("ERR " + refusal));
            return null;
        }
        write(out, List.of("OK authenticated"));
        return operator;
    }

    public long authFailures()
    {
        return authFailures.get();
    }

    private static String readLine(final Reader in) throws IOException
    {
        final StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1)
        {
            if (c == '\n')
            {
                return line.toString();
            }
            if (c != '\r')
            {
                if (line.length() == MAX_LINE_LENGTH)
                {
                    throw new LineTooLongException();
                }
                line.append((char)c);
            }
        }
        return line.length() == 0 ? null : line.toString();
    }

    private static void write(final OutputStream out, final List<String> lines) throws IOException
    {
        final StringBuilder text = new StringBuilder();
        for (final String answerLine : lines)
        {
            text.append(answerLine).append('\n');
        }
        text.append('\n');
        out.write(text.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close()
    {
        running = false;
        CloseHelper.quietClose(serverSocket);
        try
        {
            acceptThread.join(2_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Verifies an operator's answer to the admin challenge.
     */
    @FunctionalInterface
    public interface OperatorCheck
    {
        /**
         * @return null if the key is an operator key and the signature over the nonce verifies, else why not.
         */
        String refusal(byte[] publicKey, byte[] nonce, byte[] signature);
    }

    private static final class LineTooLongException extends IOException
    {
        private static final long serialVersionUID = 1L;
    }
}
