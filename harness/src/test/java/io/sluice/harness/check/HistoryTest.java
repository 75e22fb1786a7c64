package io.sluice.harness.check;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
