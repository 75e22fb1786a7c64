package io.sluice.node.auth;

import io.sluice.node.admin.AdminServer;
import io.sluice.wire.LogonSignatures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes the operator's way in: the {@code authorized_keys} file and the admin listener's challenge.
 * <ul>
 *     <li>{@link AuthorizedKeys} over mutated files: it loads, and then every key line it accepted grants its
 *     role to that key, or it refuses with {@link IllegalArgumentException} naming the file and the line. Nothing
 *     else escapes.</li>
 *     <li>The admin listener with an operator key check, answered with mutated {@code AUTH} lines (the operator's
 *     valid answer with its text, key or signature damaged, another role's key, or an answer to an earlier
 *     challenge): it authenticates exactly when the line, read as the server reads it, carries the operator's key
 *     and a valid signature over this connection's nonce; otherwise it answers ERR, closes the connection, counts
 *     the failure, and no command ever reaches the handler.</li>
 * </ul>
 * Tries scale with {@code -Dsluice.fuzz.scale=N}; {@code -Dsluice.fuzz.seed=S} changes the inputs. The bug this
 * found (N4 in {@code docs/fuzzing.md}) has a regression test below with the input that found it.
 */
class AdminAuthFuzzTest
{
    private static final long SEED = Long.getLong("sluice.fuzz.seed", 0xA07_4L);
    private static final int SCALE = Integer.getInteger("sluice.fuzz.scale", 1);
    private static final int FILE_TRIES = 3_000 * SCALE;
    private static final int AUTH_TRIES = 100 * SCALE;
    private static final int TIMEOUT_MS = 10_000;

    private final List<String> executed = new CopyOnWriteArrayList<>();
    private final SeededKeys keys = new SeededKeys(SEED);
    private AdminServer server;

    @AfterEach
    void stop()
    {
        if (server != null)
        {
            server.close();
        }
    }

    @Test
    void shouldLoadOrNameTheLineOfEveryMutatedAuthorizedKeysFile()
    {
        assertTimeoutPreemptively(Duration.ofMinutes(2L * SCALE), this::fuzzAuthorizedKeys);
    }

    private void fuzzAuthorizedKeys() throws Exception
    {
        final List<String> corpus = List.of(
            "# desk A",
            KeyFiles.publicKeyBase64(keys.next().getPublic()) + " trader account=42   # trader",
            "",
            KeyFiles.publicKeyBase64(keys.next().getPublic()) + " operator",
            KeyFiles.publicKeyBase64(keys.next().getPublic()) + "\tread-only\taccount=7",
            KeyFiles.publicKeyBase64(keys.next().getPublic()) + " replication",
            KeyFiles.publicKeyBase64(keys.next().getPublic()) + " read-only");
        final SplittableRandom random = new SplittableRandom(SEED);
        int loaded = 0;
        int refused = 0;
        for (int i = 0; i < FILE_TRIES; i++)
        {
            final List<String> lines = mutateLines(random, corpus);
            final String what = "try " + i + " seed " + SEED + " file " + lines;
            try
            {
                final AuthorizedKeys parsed = AuthorizedKeys.parse(lines, "f");
                for (final String line : lines)
                {
                    final String content = (line.indexOf('#') >= 0 ? line.substring(0, line.indexOf('#')) : line)
                        .trim();
                    if (!content.isEmpty())
                    {
                        final String text = content.split("\\s+")[0];
                        final byte[] key = Base64.getDecoder().decode(text);
                        assertNotNull(parsed.grant(key), "an accepted key line grants nothing: '" + line + "' in " +
                            what);
                    }
                }
                loaded++;
            }
            catch (final IllegalArgumentException ex)
            {
                assertTrue(ex.getMessage().matches("(?s)f:[0-9]+: .+"), "names the line: " + ex.getMessage());
                final int lineNumber = Integer.parseInt(ex.getMessage().substring(2, ex.getMessage().indexOf(':', 2)));
                assertTrue(lineNumber >= 1 && lineNumber <= lines.size(), ex.getMessage());
                refused++;
            }
            catch (final RuntimeException ex)
            {
                throw new AssertionError("parse threw " + ex + ": " + what, ex);
            }
        }
        System.out.println("fuzz authorized-keys: seed=" + SEED + " tries=" + FILE_TRIES + " loaded=" + loaded +
            " refused=" + refused);
        assertTrue(loaded > FILE_TRIES / 20 && refused > FILE_TRIES / 4, "loaded " + loaded + ", refused " + refused);
    }

    @Test
    void shouldAuthenticateOnlyTheOperatorsSignatureOverThisConnectionsNonce()
    {
        assertTimeoutPreemptively(Duration.ofMinutes(3L * SCALE), this::fuzzAuthentication);
    }

    private void fuzzAuthentication() throws Exception
    {
        final KeyPair operator = keys.next();
        final KeyPair trader = keys.next();
        final AuthorizedKeys authorized = AuthorizedKeys.parse(List.of(
            KeyFiles.publicKeyBase64(operator.getPublic()) + " operator",
            KeyFiles.publicKeyBase64(trader.getPublic()) + " trader account=1"), "keys");
        final byte[] operatorKey = LogonSignatures.rawPublicKey(operator.getPublic());
        server = new AdminServer(new InetSocketAddress("127.0.0.1", 0), (command, args) ->
        {
            executed.add(command);
            return List.of("OK");
        }, OperatorKeys.check(authorized), null);

        final SplittableRandom random = new SplittableRandom(SEED + 1);
        String earlierAnswer = null;
        int authenticated = 0;
        int refused = 0;
        for (int i = 0; i < AUTH_TRIES; i++)
        {
            try (Connection connection = new Connection(server.localAddress()))
            {
                final byte[] nonce = connection.challenge();
                final String valid = "AUTH " + Base64.getEncoder().encodeToString(operatorKey) + " " +
                    Base64.getEncoder().encodeToString(LogonSignatures.sign(operator.getPrivate(), nonce));
                final String line;
                switch (random.nextInt(6))
                {
                    case 0:
                        line = earlierAnswer != null ? earlierAnswer : valid;
                        break;
                    case 1:
                        line = "AUTH " + Base64.getEncoder().encodeToString(LogonSignatures.rawPublicKey(
                            trader.getPublic())) + " " + Base64.getEncoder().encodeToString(
                            LogonSignatures.sign(trader.getPrivate(), nonce));
                        break;
                    case 2:
                        line = valid;
                        break;
                    default:
                        line = mutateText(random, valid);
                        break;
                }
                earlierAnswer = valid;
                final boolean shouldPass = carriesValidProof(line, operatorKey, nonce);
                final String what = "try " + i + " seed " + SEED + " line '" + line + "'";

                final long failuresBefore = server.authFailures();
                final int executedBefore = executed.size();
                final List<String> answer = connection.send(line);
                if (shouldPass)
                {
                    assertEquals(List.of("OK authenticated"), answer, what);
                    assertEquals(List.of("OK"), connection.send("STATUS"), what);
                    assertEquals(executedBefore + 1, executed.size(), what);
                    authenticated++;
                }
                else
                {
                    assertEquals(1, answer.size(), what);
                    assertTrue(answer.get(0).startsWith("ERR "), what + " -> " + answer);
                    assertTrue(connection.closedByServer(), "a refused connection is closed: " + what);
                    assertEquals(failuresBefore + 1, server.authFailures(), what);
                    assertEquals(executedBefore, executed.size(), "a command ran unauthenticated: " + what);
                    refused++;
                }
            }
        }
        System.out.println("fuzz admin-auth: seed=" + SEED + " tries=" + AUTH_TRIES + " authenticated=" +
            authenticated + " refused=" + refused);
        assertTrue(authenticated > 0 && refused > AUTH_TRIES / 2, "authenticated " + authenticated + ", refused " +
            refused);
    }

    /**
     * N4: an operator key written without its {@code =} padding, another spelling of the same 32 bytes. It grants
     * the role to a logon presenting those bytes, and listing the key again in its usual spelling is refused.
     */
    @Test
    void shouldMatchAKeySpelledWithoutPaddingAndRefuseItListedTwiceInAnotherSpelling() throws GeneralSecurityException
    {
        final KeyPair operator = keys.next();
        final byte[] rawKey = LogonSignatures.rawPublicKey(operator.getPublic());
        final String padded = KeyFiles.publicKeyBase64(operator.getPublic());
        final String unpadded = padded.substring(0, padded.indexOf('='));
        assertEquals(43, unpadded.length(), padded);

        final AuthorizedKeys parsed = AuthorizedKeys.parse(List.of(unpadded + " operator"), "f");
        assertEquals(new AuthorizedKeys.Grant(Role.OPERATOR, AuthorizedKeys.NO_ACCOUNT), parsed.grant(rawKey));
        final byte[] nonce = new byte[LogonSignatures.NONCE_LENGTH];
        new SplittableRandom(SEED).nextBytes(nonce);
        assertNull(OperatorKeys.check(parsed).refusal(rawKey, nonce, LogonSignatures.sign(operator.getPrivate(),
            nonce)), "the operator key, as a logon presents it, authenticates");

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () ->
            AuthorizedKeys.parse(List.of(padded + " operator", unpadded + " trader account=1"), "f"));
        assertEquals("f:2: key listed twice", ex.getMessage());
    }

    /** Ed25519 key pairs from a seeded generator, so the same seed fuzzes the same keys. */
    private static final class SeededKeys
    {
        private final KeyPairGenerator generator;

        SeededKeys(final long seed)
        {
            try
            {
                final SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
                random.setSeed(seed);
                generator = KeyPairGenerator.getInstance("Ed25519");
                generator.initialize(255, random);
            }
            catch (final GeneralSecurityException ex)
            {
                throw new IllegalStateException(ex);
            }
        }

        KeyPair next()
        {
            return generator.generateKeyPair();
        }
    }

    /** Reads the line as the admin listener does and checks the proof it carries. */
    private static boolean carriesValidProof(final String line, final byte[] operatorKey, final byte[] nonce)
    {
        final String[] words = line.trim().split("\\s+");
        if (words.length != 3 || !"AUTH".equalsIgnoreCase(words[0]))
        {
            return false;
        }
        try
        {
            final byte[] key = Base64.getDecoder().decode(words[1]);
            final byte[] signature = Base64.getDecoder().decode(words[2]);
            return Arrays.equals(key, operatorKey) && LogonSignatures.verify(key, nonce, signature);
        }
        catch (final IllegalArgumentException ex)
        {
            return false;
        }
    }

    private static List<String> mutateLines(final SplittableRandom random, final List<String> corpus)
    {
        final List<String> lines = new ArrayList<>(corpus);
        final int rounds = 1 + random.nextInt(3);
        for (int r = 0; r < rounds; r++)
        {
            final int index = random.nextInt(lines.size());
            switch (random.nextInt(6))
            {
                case 0:
                    lines.remove(index);
                    if (lines.isEmpty())
                    {
                        lines.add("");
                    }
                    break;
                case 1:
                    lines.add(random.nextInt(lines.size() + 1), lines.get(index));
                    break;
                default:
                    lines.set(index, mutateText(random, lines.get(index)));
                    break;
            }
        }
        return lines;
    }

    private static String mutateText(final SplittableRandom random, final String original)
    {
        final String specials = " \t#=+/-_AZaz09\u00e9\u0000";
        final String[] tokens = { "account=", "account=-1", "account=99999999999999999999", "trader", "operator",
            "read-only", "replication", "admin", "=", "==", "AUTH", "auth", "  ", "#" };
        final StringBuilder text = new StringBuilder(original);
        final int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++)
        {
            final int at = random.nextInt(text.length() + 1);
            switch (random.nextInt(6))
            {
                case 0:
                    text.insert(at, specials.charAt(random.nextInt(specials.length())));
                    break;
                case 1:
                    if (at < text.length())
                    {
                        text.delete(at, Math.min(text.length(), at + 1 + random.nextInt(3)));
                    }
                    break;
                case 2:
                    if (at < text.length())
                    {
                        text.setCharAt(at, specials.charAt(random.nextInt(specials.length())));
                    }
                    break;
                case 3:
                    text.insert(at, tokens[random.nextInt(tokens.length)]);
                    break;
                case 4:
                    if (at < text.length())
                    {
                        // Flip a letter's case: still base64, another value.
                        final char c = text.charAt(at);
                        text.setCharAt(at, Character.isUpperCase(c) ? Character.toLowerCase(c) :
                            Character.toUpperCase(c));
                    }
                    break;
                default:
                    if (text.length() > 0)
                    {
                        text.setLength(random.nextInt(text.length()));
                    }
                    break;
            }
        }
        return text.toString().replace('\n', ' ').replace('\r', ' ');
    }

    /** One admin connection, up to and after the challenge. */
    private static final class Connection implements AutoCloseable
    {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        private final List<String> greeting;

        Connection(final InetSocketAddress address) throws IOException
        {
            // The listener takes a few connections at a time and counts one down only after closing it: retry
            // a connection refused in that window.
            Socket connected = null;
            List<String> first = null;
            for (int attempt = 0; attempt < 100 && first == null; attempt++)
            {
                connected = new Socket(address.getAddress(), address.getPort());
                connected.setSoTimeout(TIMEOUT_MS);
                connected.setTcpNoDelay(true);
                try
                {
                    first = readAnswer(connected.getInputStream());
                }
                catch (final IOException ex)
                {
                    first = null;
                }
                if (first == null)
                {
                    connected.close();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                }
            }
            assertNotNull(first, "the listener keeps accepting connections");
            socket = connected;
            out = socket.getOutputStream();
            in = socket.getInputStream();
            greeting = first;
        }

        byte[] challenge()
        {
            assertEquals(1, greeting.size());
            assertTrue(greeting.get(0).startsWith(AdminServer.CHALLENGE + " "), greeting.get(0));
            final byte[] nonce = Base64.getDecoder().decode(
                greeting.get(0).substring(AdminServer.CHALLENGE.length() + 1));
            assertEquals(LogonSignatures.NONCE_LENGTH, nonce.length);
            return nonce;
        }

        List<String> send(final String line) throws IOException
        {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            final List<String> answer = readAnswer(in);
            if (answer == null)
            {
                fail("connection closed without an answer to '" + line + "'");
            }
            return answer;
        }

        boolean closedByServer()
        {
            try
            {
                return in.read() == -1;
            }
            catch (final IOException ex)
            {
                return true;
            }
        }

        /** Lines up to the empty line, or null if the connection closed first. */
        private static List<String> readAnswer(final InputStream in) throws IOException
        {
            final List<String> lines = new ArrayList<>();
            final ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1)
            {
                if (b != '\n')
                {
                    line.write(b);
                    continue;
                }
                final String text = line.toString(StandardCharsets.UTF_8);
                line.reset();
                if (text.isEmpty())
                {
                    return lines;
                }
                lines.add(text);
            }
            return null;
        }

        public void close() throws IOException
        {
            socket.close();
        }
    }
}
