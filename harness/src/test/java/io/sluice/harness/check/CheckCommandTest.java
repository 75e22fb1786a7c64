package io.sluice.harness.check;

import io.sluice.harness.HarnessCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sluice check} as a user runs it: exit codes, the violation lines and the summary line.
 */
class CheckCommandTest
{
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;

    @BeforeEach
    void captureOut()
    {
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreOut()
    {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    private String printed()
    {
        return out.toString(StandardCharsets.UTF_8);
    }

    private Path history(final long lastAckedWireSeq) throws IOException
    {
        final Path file = dir.resolve("history-" + lastAckedWireSeq + ".jsonl");
        try (HistoryWriter writer = HistoryWriter.open(file))
        {
            writer.start(0, 0, "127.0.0.1:7001");
            for (long requestSeq = 1; requestSeq <= lastAckedWireSeq; requestSeq++)
            {
                writer.send(requestSeq * 10, 5, requestSeq, requestSeq, HistoryWriter.NEW_ORDER);
                writer.reply(requestSeq * 10 + 1, 5, requestSeq, HistoryWriter.ACCEPTED, null, requestSeq);
            }
            writer.end(1_000);
        }
        return file;
    }

    private void journalOfTwo() throws IOException
    {
        try (TestJournal journal = new TestJournal(dir.resolve("data").resolve("journal"), 1))
        {
            journal.order(5, 1);
            journal.order(5, 2);
        }
    }

    @Test
    void shouldExitZeroWithSummaryWhenHistoryAgrees() throws Exception
    {
        journalOfTwo();

        final int exit = HarnessCommands.run("check", history(2).toString(), "--against", dir.resolve("data").toString(),
            "--policy", "local");

        assertEquals(0, exit, printed());
        assertTrue(printed().contains("check: OK requests 2 acknowledged 2"), printed());
    }

    @Test
    void shouldExitOneListingEachViolation() throws Exception
    {
        journalOfTwo();

        final int exit = HarnessCommands.run("check", history(3).toString(), "--against", dir.resolve("data").toString());

        assertEquals(1, exit, printed());
        assertTrue(printed().contains("VIOLATION ACK_MISSING session=5 requestSeq=3 wireSeq=3"), printed());
        assertTrue(printed().contains("check: FAIL requests 3 acknowledged 3 sequenced 3 refused 0 unanswered 0 " +
            "violations 1"), printed());
    }

    @Test
    void shouldExitTwoOnUnusableOptions() throws Exception
    {
        journalOfTwo();
        final String history = history(2).toString();
        final String data = dir.resolve("data").toString();

        assertEquals(2, HarnessCommands.run("check", history));
        assertEquals(2, HarnessCommands.run("check", history, "--against", data, "--policy", "sometimes"));
        assertEquals(2, HarnessCommands.run("check", history, "--against", data, "--policy", "durably-replicated"));
        assertEquals(2, HarnessCommands.run("check", dir.resolve("missing.jsonl").toString(), "--against", data));
        assertEquals(2, HarnessCommands.run("check", history, "--against", dir.toString()), "not a journal");
    }

    @Test
    void shouldExitTwoWithOneLineNamingAnUnreadableHistoryLine() throws Exception
    {
        journalOfTwo();
        final Path history = dir.resolve("broken.jsonl");
        final String[] lines = Files.readString(history(2), StandardCharsets.UTF_8).split("\n");
        lines[2] = lines[2].substring(0, lines[2].length() / 2);
        Files.writeString(history, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);

        final int exit = HarnessCommands.run("check", history.toString(), "--against", dir.resolve("data").toString());

        final String printed = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, exit, printed);
        assertTrue(printed.startsWith("sluice check: " + history + " line 3: unexpected end of line at column "),
            printed);
        assertEquals(1, printed.lines().count(), printed);
    }
}
