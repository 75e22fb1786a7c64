package io.sluice.harness.bench;

import io.sluice.harness.check.History;
import io.sluice.harness.check.HistoryWriter;
import io.sluice.sbe.client.EngineErrorCode;
import io.sluice.sbe.client.RejectReason;
import org.agrona.concurrent.NanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistoryRecorderTest
{
    @TempDir
    Path dir;

    /** A clock that moves one nanosecond per read, so every event has its own time. */
    private final NanoClock clock = new NanoClock()
    {
        private long nowNs = 1_000;

        public long nanoTime()
        {
            return nowNs++;
        }
    };

    @Test
    void shouldRecordEveryKindOfEventForTheChecker() throws Exception
    {
        final Path file = dir.resolve("history.jsonl");
        try (HistoryRecorder recorder = HistoryRecorder.open(file, "127.0.0.1:7001,127.0.0.1:7002", clock))
        {
            recorder.connected(9, "127.0.0.1:7001", 0, 0);
            recorder.sent(9, 1, 101, HistoryRecorder.NEW_ORDER);
            recorder.sent(9, 2, 101, HistoryRecorder.REPLACE);
            recorder.sent(9, 3, 101, HistoryRecorder.CANCEL);
            recorder.sent(9, 4, 102, HistoryRecorder.NEW_ORDER);
            recorder.replied(9, 1, HistoryRecorder.ACCEPTED, RejectReason.NONE.value(), 41);
            recorder.disconnected(9, "closed by server");
            recorder.resent(9, 2);
            recorder.resent(9, 3);
            recorder.resent(9, 4);
            recorder.connected(9, "127.0.0.1:7002", 2, 3);
            recorder.replied(9, 2, HistoryRecorder.REJECTED, RejectReason.DUPLICATE_REQUEST.value(), 50);
            recorder.replied(9, 3, HistoryRecorder.REJECTED, RejectReason.HALTED.value(), 0);
            recorder.replied(9, 4, HistoryRecorder.ERROR, EngineErrorCode.SHUTTING_DOWN.value(), 0);
        }

        final History history = History.read(file);

        assertTrue(history.notes().isEmpty(), "complete, with its end line: " + history.notes());
        assertEquals(4, history.requests().size());
        assertEquals(2, history.connects());
        assertEquals(1, history.disconnects());
        final History.Request accepted = history.request(9, 1);
        assertTrue(accepted.isAcknowledged());
        assertEquals(41, accepted.wireSeq());
        assertEquals(HistoryWriter.NEW_ORDER, accepted.kind());
        assertEquals(101, accepted.clientOrderId());
        final History.Request duplicate = history.request(9, 2);
        assertEquals(HistoryWriter.REPLACE, duplicate.kind());
        assertEquals(2, duplicate.sends());
        assertTrue(duplicate.isAnsweredDuplicate());
        assertEquals(50, duplicate.wireSeq());
        final History.Request halted = history.request(9, 3);
        assertEquals(HistoryWriter.CANCEL, halted.kind());
        assertTrue(halted.isRefused());
        assertEquals("HALTED", halted.reason());
        final History.Request error = history.request(9, 4);
        assertEquals(History.Outcome.ERROR, error.outcome());
        assertEquals("SHUTTING_DOWN", error.reason());
        assertTrue(error.answeredNs() > error.firstSentNs(), "times in recording order");
    }

    @Test
    void shouldKeepEveryEventWhenTheBenchOutrunsTheWriter() throws Exception
    {
        final int requests = 200_000;
        final Path file = dir.resolve("many.jsonl");
        try (HistoryRecorder recorder = HistoryRecorder.open(file, "127.0.0.1:7001", clock))
        {
            for (int requestSeq = 1; requestSeq <= requests; requestSeq++)
            {
                recorder.sent(1, requestSeq, requestSeq, HistoryRecorder.NEW_ORDER);
                recorder.replied(1, requestSeq, HistoryRecorder.ACCEPTED, RejectReason.NONE.value(), requestSeq);
            }
        }

        final History history = History.read(file);

        assertEquals(requests, history.requests().size());
        assertEquals(requests, history.request(1, requests).wireSeq());
        assertTrue(history.requests().stream().allMatch(History.Request::isAcknowledged));
    }
}
