package io.sluice.harness.check;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The history's bytes, as docs/reliability.md shows them and as files recorded by earlier builds hold them.
 */
class HistoryWriterTest
{
    @Test
    void shouldWriteOneFlatObjectPerLineAsDocumented() throws IOException
    {
        final StringWriter text = new StringWriter();
        try (HistoryWriter writer = new HistoryWriter(text))
        {
            writer.start(1_700_000_000_000L, 5, "127.0.0.1:7001,127.0.0.1:7002")
                .connect(6, 1000001, "127.0.0.1:7001", 0, 0)
                .send(812345, 1000001, 42, 1700000000042L, HistoryWriter.NEW_ORDER)
                .reply(913002, 1000001, 42, HistoryWriter.ACCEPTED, null, 311)
                .send(913003, 1000001, 43, 1700000000042L, HistoryWriter.REPLACE)
                .send(913004, 1000001, 44, 1700000000042L, HistoryWriter.CANCEL)
                .send(913005, 1000001, 45, 0, HistoryWriter.MASS_CANCEL)
                .disconnect(913006, 1000001, "closed by server")
                .resend(913007, 1000001, 43)
                .connect(913008, 1000001, "127.0.0.1:7002", 42, 3)
                .reply(913009, 1000001, 43, HistoryWriter.REJECTED, "DUPLICATE_REQUEST", 312)
                .reply(913010, 1000001, 44, HistoryWriter.ERROR, "SHUTTING_DOWN", 0)
                .end(Long.MAX_VALUE);
        }

        assertEquals(
            "{\"type\":\"start\",\"version\":1,\"epoch_ms\":1700000000000,\"time_ns\":5," +
                "\"endpoints\":\"127.0.0.1:7001,127.0.0.1:7002\"}\n" +
            "{\"type\":\"connect\",\"time_ns\":6,\"session\":1000001,\"endpoint\":\"127.0.0.1:7001\"," +
                "\"last_request_seq\":0,\"resent\":0}\n" +
            "{\"type\":\"send\",\"time_ns\":812345,\"session\":1000001,\"request_seq\":42," +
                "\"client_order_id\":1700000000042,\"kind\":\"new\"}\n" +
            "{\"type\":\"reply\",\"time_ns\":913002,\"session\":1000001,\"request_seq\":42,\"outcome\":\"accepted\"," +
                "\"wire_seq\":311}\n" +
            "{\"type\":\"send\",\"time_ns\":913003,\"session\":1000001,\"request_seq\":43," +
                "\"client_order_id\":1700000000042,\"kind\":\"replace\"}\n" +
            "{\"type\":\"send\",\"time_ns\":913004,\"session\":1000001,\"request_seq\":44," +
                "\"client_order_id\":1700000000042,\"kind\":\"cancel\"}\n" +
            "{\"type\":\"send\",\"time_ns\":913005,\"session\":1000001,\"request_seq\":45,\"client_order_id\":0," +
                "\"kind\":\"mass_cancel\"}\n" +
            "{\"type\":\"disconnect\",\"time_ns\":913006,\"session\":1000001,\"reason\":\"closed by server\"}\n" +
            "{\"type\":\"resend\",\"time_ns\":913007,\"session\":1000001,\"request_seq\":43}\n" +
            "{\"type\":\"connect\",\"time_ns\":913008,\"session\":1000001,\"endpoint\":\"127.0.0.1:7002\"," +
                "\"last_request_seq\":42,\"resent\":3}\n" +
            "{\"type\":\"reply\",\"time_ns\":913009,\"session\":1000001,\"request_seq\":43,\"outcome\":\"rejected\"," +
                "\"reason\":\"DUPLICATE_REQUEST\",\"wire_seq\":312}\n" +
            "{\"type\":\"reply\",\"time_ns\":913010,\"session\":1000001,\"request_seq\":44,\"outcome\":\"error\"," +
                "\"reason\":\"SHUTTING_DOWN\",\"wire_seq\":0}\n" +
            "{\"type\":\"end\",\"time_ns\":9223372036854775807}\n",
            text.toString());
    }

    @Test
    void shouldEscapeQuotesBackslashesAndEveryControlCharacterAsUnicode() throws IOException
    {
        final StringWriter text = new StringWriter();
        try (HistoryWriter writer = new HistoryWriter(text))
        {
            writer.disconnect(Long.MIN_VALUE, -1, "a\"b\\c\nd\re\tf\bg\fh\u0001i\u001fj/k\u007fl\u00e9m\ud83d\ude00");
        }

        assertEquals("{\"type\":\"disconnect\",\"time_ns\":-9223372036854775808,\"session\":-1,\"reason\":" +
            "\"a\\\"b\\\\c\\u000ad\\u000de\\u0009f\\u0008g\\u000ch\\u0001i\\u001fj/k\u007fl\u00e9m\ud83d\ude00\"}\n",
            text.toString());
    }
}
