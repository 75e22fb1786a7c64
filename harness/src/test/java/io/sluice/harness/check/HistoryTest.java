package io.sluice.harness.check;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistoryTest
{
    @TempDir
    Path dir;

    @Test
    void shouldFoldSendsResendsAndRepliesIntoRequests() throws IOException
    {
        final Path file = dir.resolve("h.jsonl");
        try (HistoryWriter writer = HistoryWriter.open(file))
        {
            writer.start(1_700_000_000_000L, 5, "127.0.0.1:7001,127.0.0.1:7002")
                .connect(6, 1, "127.0.0.1:7001", 0, 0)
                .send(10, 1, 1, 501, HistoryWriter.NEW_ORDER)
                .send(11, 1, 2, 501, HistoryWriter.CANCEL)
                .disconnect(12, 1, "closed by server \"bye\"")
                .resend(13, 1, 1)
                .resend(13, 1, 2)
                .connect(13, 1, "127.0.0.1:7002", 1, 2)
                .reply(14, 1, 1, HistoryWriter.REJECTED, "DUPLICATE_REQUEST", 9)
                .reply(15, 1, 2, HistoryWriter.ACCEPTED, null, 10)
                .end(16);
        }

        final History history = History.read(file);

        assertEquals(2, history.requests().size());
        final History.Request first = history.request(1, 1);
        assertEquals(2, first.sends());
        assertTrue(first.isAnsweredDuplicate());
        assertTrue(first.isSequenced());
        assertEquals(9, first.wireSeq());
        assertEquals(10, first.firstSentNs());
        final History.Request cancel = history.request(1, 2);
        assertEquals(HistoryWriter.CANCEL, cancel.kind());
        assertTrue(cancel.isAcknowledged());
        assertNull(cancel.reason());
        assertEquals(15, cancel.answeredNs());
        assertEquals(2, history.connects());
        assertEquals(1, history.disconnects());
        assertTrue(history.notes().isEmpty(), history.notes().toString());
    }

    @Test
    void shouldIgnoreTornLastLineAndNoteMissingEnd() throws IOException
    {
        final Path file = dir.resolve("torn.jsonl");
        Files.writeString(file, "{\"type\":\"start\",\"version\":1,\"epoch_ms\":0,\"time_ns\":0,\"endpoints\":\"x:1\"}\n" +
            "{\"type\":\"send\",\"time_ns\":1,\"session\":1,\"request_seq\":1,\"client_order_id\":1,\"kind\":\"new\"}\n" +
            "{\"type\":\"reply\",\"time_ns\":2,\"sess", StandardCharsets.UTF_8);

        final History history = History.read(file);

        assertEquals(History.Outcome.UNANSWERED, history.request(1, 1).outcome());
        assertEquals(2, history.notes().size(), history.notes().toString());
        assertTrue(history.notes().get(0).contains("torn last line"), history.notes().toString());
        assertTrue(history.notes().get(1).contains("no end line"), history.notes().toString());
    }

    @Test
    void shouldRefuseUnreadableLineBeforeTheEnd() throws IOException
    {
        final Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, "{\"type\":\"start\",\"version\":1}\n{\"type\":\"send\",\"session\":1}\n" +
            "{\"type\":\"end\",\"time_ns\":3}\n", StandardCharsets.UTF_8);

        final IOException ex = assertThrows(IOException.class, () -> History.read(file));

        assertTrue(ex.getMessage().contains("line 2") && ex.getMessage().contains("request_seq"), ex.getMessage());
    }

    @Test
    void shouldRefuseOtherFormatVersion() throws IOException
    {
        final Path file = dir.resolve("v2.jsonl");
        Files.writeString(file, "{\"type\":\"start\",\"version\":2}\n{\"type\":\"end\",\"time_ns\":3}\n",
            StandardCharsets.UTF_8);

        assertThrows(IOException.class, () -> History.read(file));
    }

    @Test
    void shouldLetALaterRunReuseARequestSeqLeftUnanswered() throws IOException
    {
        final Path first = dir.resolve("run1.jsonl");
        final Path second = dir.resolve("run2.jsonl");
        try (HistoryWriter writer = HistoryWriter.open(first))
        {
            writer.start(0, 0, "x:1").send(1, 7, 5, 1, HistoryWriter.NEW_ORDER).end(2);
        }
        try (HistoryWriter writer = HistoryWriter.open(second))
        {
            writer.start(0, 0, "x:1").send(1, 7, 5, 2, HistoryWriter.NEW_ORDER)
                .reply(2, 7, 5, HistoryWriter.ACCEPTED, null, 40).end(3);
        }

        final History history = History.read(first, second);

        final History.Request request = history.request(7, 5);
        assertEquals(2, request.sends(), "both sends may have reached the journal");
        assertEquals(1, request.historyIndex());
        assertEquals(40, request.wireSeq());
        assertTrue(history.anomalies().isEmpty());
    }

    @Test
    void shouldReadBackEveryFieldTheWriterWrote() throws IOException
    {
        final Path file = dir.resolve("round-trip.jsonl");
        final String reason = "REASON \"quoted\" \\ with\na line break, a tab\t, \u0001 and \u00e9";
        try (HistoryWriter writer = HistoryWriter.open(file))
        {
            writer.start(1_700_000_000_000L, Long.MIN_VALUE, "127.0.0.1:7001")
                .connect(Long.MIN_VALUE + 1, Long.MAX_VALUE, "127.0.0.1:7001", 0, 0)
                .send(100, Long.MAX_VALUE, 1, Long.MIN_VALUE, HistoryWriter.NEW_ORDER)
                .send(101, Long.MAX_VALUE, 2, 0, HistoryWriter.CANCEL)
                .send(102, Long.MAX_VALUE, 3, -1, HistoryWriter.REPLACE)
                .send(103, Long.MAX_VALUE, 4, Long.MAX_VALUE, HistoryWriter.MASS_CANCEL)
                .disconnect(104, Long.MAX_VALUE, "lost \"it\"\n")
                .resend(105, Long.MAX_VALUE, 2)
                .connect(106, Long.MAX_VALUE, "127.0.0.1:7002", 1, 1)
                .reply(107, Long.MAX_VALUE, 1, HistoryWriter.ACCEPTED, null, Long.MAX_VALUE)
                .reply(108, Long.MAX_VALUE, 2, HistoryWriter.REJECTED, reason, 0)
                .reply(109, Long.MAX_VALUE, 3, HistoryWriter.ERROR, "SHUTTING_DOWN", 0)
                .end(Long.MAX_VALUE);
        }

        final History history = History.read(file);

        assertEquals(List.of(), history.notes());
        assertEquals(List.of(), history.anomalies());
        assertEquals(2, history.connects());
        assertEquals(1, history.disconnects());
        assertEquals(4, history.requests().size());
        assertRequest(history.request(Long.MAX_VALUE, 1), Long.MIN_VALUE, HistoryWriter.NEW_ORDER, 100, 1,
            History.Outcome.ACCEPTED, null, Long.MAX_VALUE, 107);
        assertRequest(history.request(Long.MAX_VALUE, 2), 0, HistoryWriter.CANCEL, 101, 2,
            History.Outcome.REJECTED, reason, 0, 108);
        assertRequest(history.request(Long.MAX_VALUE, 3), -1, HistoryWriter.REPLACE, 102, 1,
            History.Outcome.ERROR, "SHUTTING_DOWN", 0, 109);
        assertRequest(history.request(Long.MAX_VALUE, 4), Long.MAX_VALUE, HistoryWriter.MASS_CANCEL, 103, 1,
            History.Outcome.UNANSWERED, null, 0, 0);
    }

    @Test
    void shouldRefuseALineThatIsNotOneFlatObjectUnlessItIsTheLast() throws IOException
    {
        final String start = "{\"type\":\"start\",\"version\":1,\"epoch_ms\":0,\"time_ns\":0," +
            "\"endpoints\":\"x:1\"}\n";
        final String send = "{\"type\":\"send\",\"time_ns\":1,\"session\":1,\"request_seq\":1," +
            "\"client_order_id\":1,\"kind\":\"new\"}\n";
        final List<String> unreadable = List.of(
            "{\"type\":\"reply\",\"time_ns\":2,\"session\":1,\"request_seq\":1,\"outcome\":[\"accepted\"]}",
            "{\"type\":\"end\",\"time_ns\":3} {}",
            "{\"type\":\"reply\",\"time_ns\":2,\"sess",
            "[\"type\",\"end\"]",
            "{\"type\":\"end\",\"time_ns\":3,}",
            "{\"type\":\"e\\qnd\",\"time_ns\":3}",
            "{\"type\":\"end\",\"time_ns\":3]",
            "end");
        for (final String line : unreadable)
        {
            final Path middle = dir.resolve("middle.jsonl");
            Files.writeString(middle, start + send + line + "\n{\"type\":\"end\",\"time_ns\":4}\n",
                StandardCharsets.UTF_8);

            final IOException ex = assertThrows(IOException.class, () -> History.read(middle), line);

            assertTrue(ex.getMessage().startsWith(middle + " line 3: "), ex.getMessage());
            assertFalse(ex.getMessage().contains("\n"), "one line: " + ex.getMessage());

            final Path last = dir.resolve("last.jsonl");
            Files.writeString(last, start + send + line, StandardCharsets.UTF_8);

            final History history = History.read(last);

            assertEquals(History.Outcome.UNANSWERED, history.request(1, 1).outcome(), line);
            assertTrue(history.notes().get(0).startsWith(last + ": ignored a torn last line 3 ("),
                history.notes().toString());
            assertFalse(history.notes().get(0).contains("\n"), "one line: " + history.notes());
        }
    }

    @Test
    void shouldReadValuesAsWrittenWhateverTheSpacingAndEscapes() throws IOException
    {
        final Path file = dir.resolve("spaced.jsonl");
        Files.writeString(file, "{\"type\":\"start\",\"version\":1}\n\n" +
            "  { \"type\" : \"send\" , \"time_ns\" : 7 , \"session\" : 2 , \"request_seq\" : 3 ," +
            " \"client_order_id\" : -4 , \"kind\" : \"n\\u0065w\" , \"ignored\" : null }  \n" +
            "{\"type\":\"reply\",\"time_ns\":8,\"session\":2,\"request_seq\":3,\"outcome\":\"rejected\"," +
            "\"reason\":\"A\\/B\\\"C\\\\\",\"wire_seq\":0,\"extra\":true}\n" +
            "{\"type\":\"end\",\"time_ns\":9}\n", StandardCharsets.UTF_8);

        final History.Request request = History.read(file).request(2, 3);

        assertEquals(HistoryWriter.NEW_ORDER, request.kind());
        assertEquals(-4, request.clientOrderId());
        assertEquals(7, request.firstSentNs());
        assertEquals("A/B\"C\\", request.reason());
    }

    private static void assertRequest(
        final History.Request request, final long clientOrderId, final String kind, final long firstSentNs,
        final int sends, final History.Outcome outcome, final String reason, final long wireSeq, final long answeredNs)
    {
        assertEquals(clientOrderId, request.clientOrderId(), request.toString());
        assertEquals(kind, request.kind(), request.toString());
        assertEquals(firstSentNs, request.firstSentNs(), request.toString());
        assertEquals(sends, request.sends(), request.toString());
        assertEquals(outcome, request.outcome(), request.toString());
        assertEquals(reason, request.reason(), request.toString());
        assertEquals(wireSeq, request.wireSeq(), request.toString());
        assertEquals(answeredNs, request.answeredNs(), request.toString());
        assertEquals(0, request.historyIndex(), request.toString());
    }
}
