package io.sluice.node.primary;

import io.sluice.node.admin.AdminServer;
import io.sluice.durability.DurabilityControl;
import io.sluice.durability.InvalidPolicyException;
import io.sluice.durability.Policy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes what an operator's admin connection feeds a primary.
 * <ul>
 *     <li>The {@code DURABILITY} argument parser ({@link Policy#resolve}, through {@link DurabilityControl#swap}):
 *     a mutated mode or clause expression either resolves to a policy of 1 to 3 nodes or is refused with
 *     {@link InvalidPolicyException}; a refused swap leaves the very same policy in force.</li>
 *     <li>One real admin session against a running standalone primary (its {@link AdminServer} and
 *     {@code PrimaryAdminCommands}), fed mutated command lines as raw bytes: not UTF-8, control characters, lines
 *     over the length limit, QUIT. Every line that is not blank gets an answer within the timeout, no answer is an
 *     internal error, a refused command ({@code ERR}) changes neither the policy, nor the operator halt, nor the
 *     journal, and the server keeps serving (reconnecting where it closed the connection on purpose).</li>
 * </ul>
 * {@code SHUTDOWN} is never sent: it exits the JVM by design. Tries scale with {@code -Dsluice.fuzz.scale=N};
 * {@code -Dsluice.fuzz.seed=S} changes the inputs.
 */
class PrimaryAdminFuzzTest
{
    private static final long SEED = Long.getLong("sluice.fuzz.seed", 0xAD_3171L);
    private static final int SCALE = Integer.getInteger("sluice.fuzz.scale", 1);
    private static final int PARSER_TRIES = 10_000 * SCALE;
    private static final int SESSION_TRIES = 1_500 * SCALE;
    private static final int ANSWER_TIMEOUT_MS = 10_000;

    private static final String[] EXPRESSIONS = {
        "local", "hybrid", "durably-replicated", "replicated", "persisted>=1", "in_memory>=2",
        "persisted>=1 && in_memory>=2", "in_memory>=3 && persisted>=1", " PERSISTED >= 2 ", "persisted>=1&&persisted>=2",
        "in_memory>=1 && in_memory>=1 && persisted>=1" };
    private static final String[] TOKENS = {
        "&&", ">=", "=", ">", "&", "persisted", "in_memory", "IN_MEMORY", "0", "1", "2", "3", "4", "-1", "01",
        "2147483648", "99999999999", " ", "\t", "local", "hybrid", "durably-replicated", "\u0000", "\u00a0", "\uFFFD",
        "\u2265", "\u0130", "\u017f" };
    private static final String[] COMMANDS = {
        "STATUS", "HELP", "DURABILITY", "DURABILITY local", "DURABILITY hybrid", "durability durably-replicated",
        "DURABILITY replicated", "DURABILITY persisted>=1", "DURABILITY persisted>=1 && in_memory>=2",
        "Durability   in_memory>=3 && persisted>=1", "HALT", "RESUME", "SNAPSHOT", "QUIT", "status extra words",
        "DURABILITY local trailing" };

    @TempDir
    Path dir;

    @Test
    void shouldResolveOrRefuseEveryMutatedDurabilityArgumentLeavingARefusedSwapWithoutEffect()
    {
        assertTimeoutPreemptively(Duration.ofMinutes(2L * SCALE), () ->
        {
            final SplittableRandom random = new SplittableRandom(SEED);
            final DurabilityControl control = new DurabilityControl();
            int resolved = 0;
            int refused = 0;
            for (int i = 0; i < PARSER_TRIES; i++)
            {
                final String text = mutateText(random, EXPRESSIONS[random.nextInt(EXPRESSIONS.length)]);
                final String what = "try " + i + " seed " + SEED + " argument '" + escape(text) + "'";
                Policy policy = null;
                try
                {
                    policy = Policy.resolve(text);
                    assertNotNull(policy, what);
                    assertTrue(policy.requiredNodes() >= 1 && policy.requiredNodes() <= 3, what);
                    assertFalse(policy.description().isBlank(), what);
                    resolved++;
                }
                catch (final InvalidPolicyException ex)
                {
                    assertTrue(ex.getMessage() != null && !ex.getMessage().isBlank(), what);
                    refused++;
                }
                catch (final RuntimeException ex)
                {
                    throw new AssertionError("Policy.resolve threw " + ex + ": " + what, ex);
                }

                final Policy before = control.policy();
                final DurabilityControl.SwapResult result = control.swap(text);
                assertEquals(policy != null, result.ok(), what);
                if (result.ok())
                {
                    assertTrue(control.policy().sameRequirementAs(policy), what);
                    assertTrue(result.message().startsWith("OK "), what);
                }
                else
                {
                    assertSame(before, control.policy(), "a refused swap changed the policy: " + what);
                    assertTrue(result.message().startsWith("ERR "), what);
                }
            }
            System.out.println("fuzz durability-argument: seed=" + SEED + " tries=" + PARSER_TRIES + " resolved=" +
                resolved + " refused=" + refused);
            assertTrue(resolved > PARSER_TRIES / 20 && refused > PARSER_TRIES / 4,
                "mutations both keep and break expressions: resolved " + resolved + ", refused " + refused);
        });
    }

    @Test
    void shouldAnswerEveryMutatedAdminLineAndChangeNothingOnRefusal()
    {
        assertTimeoutPreemptively(Duration.ofMinutes(3L * SCALE), () ->
        {
            final SplittableRandom random = new SplittableRandom(SEED + 1);
            try (PrimaryNode node = PrimaryNode.start(TestNodes.config(
                TestNodes.standaloneConfig(dir.resolve("data")), dir)))
            {
                final long lastWireSeq = node.lastWireSeq();
                Session session = new Session(node);
                int answered = 0;
                int refusals = 0;
                int reconnects = 0;
                for (int i = 0; i < SESSION_TRIES; i++)
                {
                    final byte[] line = mutateLine(random);
                    final String what = "try " + i + " seed " + SEED + " line '" +
                        escape(new String(line, StandardCharsets.UTF_8)) + "'";
                    final String decoded = new String(line, StandardCharsets.UTF_8).replace("\r", "");
                    final String trimmed = decoded.trim();
                    final int space = trimmed.indexOf(' ');
                    final String command = (space < 0 ? trimmed : trimmed.substring(0, space)).toUpperCase(Locale.ROOT);

                    final Object policyBefore = node.durabilityControl().policy();
                    final boolean haltBefore = node.orderEntryGate().operatorHalt();
                    session.send(line);
                    if (decoded.length() > AdminServer.MAX_LINE_LENGTH)
                    {
                        assertTrue(session.closedByServer(), "an over-long line closes the connection: " + what);
                        session = reconnect(session, node);
                        reconnects++;
                        continue;
                    }
                    if (trimmed.isEmpty())
                    {
                        continue;
                    }
                    final List<String> answer = session.answer(what);
                    assertFalse(answer.isEmpty(), "an empty answer: " + what);
                    answered++;
                    for (final String answerLine : answer)
                    {
                        assertFalse(answerLine.contains("internal error"), "the command failed inside: " + what +
                            " -> " + answer);
                    }
                    if (answer.get(0).startsWith("ERR"))
                    {
                        refusals++;
                        assertSame(policyBefore, node.durabilityControl().policy(), "a refused command swapped the " +
                            "policy: " + what + " -> " + answer);
                        assertEquals(haltBefore, node.orderEntryGate().operatorHalt(), "a refused command changed the " +
                            "operator halt: " + what + " -> " + answer);
                    }
                    assertEquals(lastWireSeq, node.lastWireSeq(), "an admin command reached the journal: " + what);
                    if ("QUIT".equals(command) || "EXIT".equals(command))
                    {
                        assertEquals(List.of("OK bye"), answer, what);
                        assertTrue(session.closedByServer(), "QUIT closes the connection: " + what);
                        session = reconnect(session, node);
                        reconnects++;
                    }
                }
                assertEquals("OK role=primary", session.execute("STATUS").get(0).split(" epoch")[0],
                    "the server still serves after the fuzz");
                session.close();
                System.out.println("fuzz admin-session: seed=" + SEED + " tries=" + SESSION_TRIES + " answered=" +
                    answered + " refused=" + refusals + " reconnects=" + reconnects);
                assertTrue(answered > SESSION_TRIES / 2 && refusals > SESSION_TRIES / 10 && reconnects > 0,
                    "answered " + answered + ", refused " + refusals + ", reconnected " + reconnects);
            }
        });
    }

    private static Session reconnect(final Session old, final PrimaryNode node) throws IOException
    {
        old.close();
        return new Session(node);
    }

    /** A mutated command line, without its newline; one in sixty is over the length limit. */
    private static byte[] mutateLine(final SplittableRandom random)
    {
        String text = COMMANDS[random.nextInt(COMMANDS.length)];
        if (random.nextInt(60) == 0)
        {
            final String padding = "x".repeat(AdminServer.MAX_LINE_LENGTH + 1 - text.length());
            return (text + " " + padding).getBytes(StandardCharsets.UTF_8);
        }
        if (random.nextInt(8) != 0)
        {
            text = mutateText(random, text);
        }
        text = text.replace('\n', ' ');
        final String trimmed = text.replace("\r", "").trim();
        final int space = trimmed.indexOf(' ');
        if ((space < 0 ? trimmed : trimmed.substring(0, space)).toUpperCase(Locale.ROOT).equals("SHUTDOWN"))
        {
            text = "STATUS";
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (random.nextInt(20) == 0 && bytes.length > 0)
        {
            // Not UTF-8: a stray continuation or lead byte.
            bytes = Arrays.copyOf(bytes, bytes.length);
            bytes[random.nextInt(bytes.length)] = (byte)(0x80 + random.nextInt(0x80));
        }
        if (new String(bytes, StandardCharsets.UTF_8).length() > AdminServer.MAX_LINE_LENGTH)
        {
            bytes = Arrays.copyOf(bytes, AdminServer.MAX_LINE_LENGTH / 2);
        }
        return bytes;
    }

    private static String mutateText(final SplittableRandom random, final String original)
    {
        final StringBuilder text = new StringBuilder(original);
        final int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++)
        {
            final int at = random.nextInt(text.length() + 1);
            switch (random.nextInt(7))
            {
                case 0:
                    text.insert(at, TOKENS[random.nextInt(TOKENS.length)]);
                    break;
                case 1:
                    if (at < text.length())
                    {
                        text.delete(at, Math.min(text.length(), at + 1 + random.nextInt(4)));
                    }
                    break;
                case 2:
                    if (at < text.length())
                    {
                        text.setCharAt(at, (char)(text.charAt(at) ^ (1 << random.nextInt(8))));
                    }
                    break;
                case 3:
                    if (at < text.length())
                    {
                        text.setCharAt(at, (char)random.nextInt(0x80));
                    }
                    break;
                case 4:
                {
                    // Splice in a piece of another expression: plausible tokens, wrong places.
                    final String other = EXPRESSIONS[random.nextInt(EXPRESSIONS.length)];
                    final int from = random.nextInt(other.length());
                    text.insert(at, other, from, from + 1 + random.nextInt(other.length() - from));
                    break;
                }
                case 5:
                {
                    final String swapped = random.nextBoolean() ? text.toString().toUpperCase(Locale.ROOT) :
                        text.toString().toLowerCase(Locale.ROOT);
                    text.setLength(0);
                    text.append(swapped);
                    break;
                }
                default:
                    text.insert(at, (char)random.nextInt(0x20, 0xD800));
                    break;
            }
        }
        return text.toString();
    }

    private static String escape(final String text)
    {
        final StringBuilder out = new StringBuilder();
        for (final char c : text.toCharArray())
        {
            if (c < 0x20 || c > 0x7E)
            {
                out.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** A raw admin connection: bytes out, answer lines (up to the empty line) in. */
    private static final class Session implements AutoCloseable
    {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;

        Session(final PrimaryNode node) throws IOException
        {
            socket = new Socket(node.adminAddress().getAddress(), node.adminAddress().getPort());
            socket.setSoTimeout(ANSWER_TIMEOUT_MS);
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            in = socket.getInputStream();
            assertEquals(List.of(AdminServer.GREETING), answer("greeting"));
        }

        void send(final byte[] line) throws IOException
        {
            // One write per line: a line and its newline in two segments would wait on delayed acks.
            final byte[] terminated = Arrays.copyOf(line, line.length + 1);
            terminated[line.length] = '\n';
            out.write(terminated);
            out.flush();
        }

        List<String> execute(final String line) throws IOException
        {
            send(line.getBytes(StandardCharsets.UTF_8));
            return answer(line);
        }

        List<String> answer(final String what) throws IOException
        {
            final List<String> lines = new ArrayList<>();
            while (true)
            {
                final String line;
                try
                {
                    line = readLine();
                }
                catch (final SocketTimeoutException ex)
                {
                    throw new AssertionError("no answer within " + ANSWER_TIMEOUT_MS + " ms: " + what, ex);
                }
                if (line == null)
                {
                    fail("connection closed before the answer ended: " + what + " after " + lines);
                }
                if (line.isEmpty())
                {
                    return lines;
                }
                lines.add(line);
            }
        }

        boolean closedByServer() throws IOException
        {
            try
            {
                return in.read() == -1;
            }
            catch (final IOException ex)
            {
                // A reset is the server closing with unread input still queued: closed all the same.
                return true;
            }
        }

        private String readLine() throws IOException
        {
            final ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1)
            {
                if (b == '\n')
                {
                    return line.toString(StandardCharsets.UTF_8);
                }
                line.write(b);
            }
            return null;
        }

        public void close() throws IOException
        {
            socket.close();
        }
    }
}
