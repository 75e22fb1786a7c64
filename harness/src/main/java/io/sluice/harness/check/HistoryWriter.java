package io.sluice.harness.check;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a client history in the format {@link History} reads: JSON Lines, one event per line, every line a flat
 * object with a {@code type}. The bench's recorder formats with it on its writer thread; tests write hand-made
 * histories with it. See docs/reliability.md for the fields.
 * <pre>
 * {"type":"start","version":1,"epoch_ms":1700000000000,"time_ns":5,"endpoints":"127.0.0.1:7001"}
 * {"type":"send","time_ns":10,"session":1000001,"request_seq":1,"client_order_id":77,"kind":"new"}
 * {"type":"reply","time_ns":20,"session":1000001,"request_seq":1,"outcome":"accepted","wire_seq":12}
 * {"type":"connect","time_ns":30,"session":1000001,"endpoint":"127.0.0.1:7002","last_request_seq":1,"resent":0}
 * </pre>
 * Times are one process's monotonic nanoseconds, comparable only within one file. Not thread safe.
 */
public final class HistoryWriter implements AutoCloseable
{
    public static final int FORMAT_VERSION = 1;

    /** Request kinds. */
    public static final String NEW_ORDER = "new";
    public static final String CANCEL = "cancel";
    public static final String REPLACE = "replace";
    public static final String MASS_CANCEL = "mass_cancel";

    /** Reply outcomes: accepted (no reject), rejected (with a RejectReason name), error (an EngineError). */
    public static final String ACCEPTED = "accepted";
    public static final String REJECTED = "rejected";
    public static final String ERROR = "error";

    /** Every control character as <code>&#92;u00xx</code>, as the format has always been written. */
    private static final JsonFactory JSON = CompactJson.factory("");

    /** One generator for every line, so a line costs no allocation; used by one thread at a time. */
    private final JsonGenerator out;

    /**
     * @param out where lines go; closed by {@link #close()}.
     * @throws IOException if no generator can be made on it.
     */
    public HistoryWriter(final Writer out) throws IOException
    {
        this.out = JSON.createGenerator(out);
    }

    /**
     * @param file created or truncated.
     * @return a writer on it, buffered.
     * @throws IOException if it cannot be opened.
     */
    public static HistoryWriter open(final Path file) throws IOException
    {
        final Path parent = file.toAbsolutePath().getParent();
        if (parent != null)
        {
            Files.createDirectories(parent);
        }
        return new HistoryWriter(new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16));
    }

    /**
     * The first line of a history.
     *
     * @param epochMs   wall-clock time, for people.
     * @param timeNs    the monotonic clock at the same moment.
     * @param endpoints the endpoints the client was given, comma separated.
     */
    public HistoryWriter start(final long epochMs, final long timeNs, final String endpoints) throws IOException
    {
        begin("start");
        number("version", FORMAT_VERSION);
        number("epoch_ms", epochMs);
        number("time_ns", timeNs);
        text("endpoints", endpoints);
        return end();
    }

    /**
     * A request handed to the client (it is sent now, or on the next connection).
     *
     * @param kind one of {@link #NEW_ORDER}, {@link #CANCEL}, {@link #REPLACE}, {@link #MASS_CANCEL}.
     */
    public HistoryWriter send(
        final long timeNs, final long sessionId, final long requestSeq, final long clientOrderId, final String kind)
        throws IOException
    {
        begin("send");
        number("time_ns", timeNs);
        number("session", sessionId);
        number("request_seq", requestSeq);
        number("client_order_id", clientOrderId);
        text("kind", kind);
        return end();
    }

    /**
     * A request sent again on a new connection because it was not answered on the one lost.
     */
    public HistoryWriter resend(final long timeNs, final long sessionId, final long requestSeq) throws IOException
    {
        begin("resend");
        number("time_ns", timeNs);
        number("session", sessionId);
        number("request_seq", requestSeq);
        return end();
    }

    /**
     * The end of the answer to a request (its BatchEnd).
     *
     * @param outcome {@link #ACCEPTED}, {@link #REJECTED} or {@link #ERROR}.
     * @param reason  the RejectReason name (e.g. {@code HALTED}, {@code DUPLICATE_REQUEST}) or the EngineError
     *                code; null when accepted.
     * @param wireSeq the BatchEnd's wireSeq; 0 when the request took none.
     */
    public HistoryWriter reply(
        final long timeNs, final long sessionId, final long requestSeq, final String outcome, final String reason,
        final long wireSeq) throws IOException
    {
        begin("reply");
        number("time_ns", timeNs);
        number("session", sessionId);
        number("request_seq", requestSeq);
        text("outcome", outcome);
        if (reason != null)
        {
            text("reason", reason);
        }
        number("wire_seq", wireSeq);
        return end();
    }

    /**
     * The client connected and logged on (the first time, or again after a loss).
     *
     * @param lastRequestSeq the session's high-water mark the node reported in its LogonAck.
     * @param resent         requests sent again on this connection.
     */
    public HistoryWriter connect(
        final long timeNs, final long sessionId, final String endpoint, final long lastRequestSeq, final int resent)
        throws IOException
    {
        begin("connect");
        number("time_ns", timeNs);
        number("session", sessionId);
        text("endpoint", endpoint);
        number("last_request_seq", lastRequestSeq);
        number("resent", resent);
        return end();
    }

    /**
     * The connection was lost, or left because the node was halted.
     */
    public HistoryWriter disconnect(final long timeNs, final long sessionId, final String reason) throws IOException
    {
        begin("disconnect");
        number("time_ns", timeNs);
        number("session", sessionId);
        text("reason", reason);
        return end();
    }

    /**
     * The last line of a complete history.
     */
    public HistoryWriter end(final long timeNs) throws IOException
    {
        begin("end");
        number("time_ns", timeNs);
        return end();
    }

    public void flush() throws IOException
    {
        out.flush();
    }

    @Override
    public void close() throws IOException
    {
        out.close();
    }

    private void begin(final String type) throws IOException
    {
        out.writeStartObject();
        out.writeStringField("type", type);
    }

    private void number(final String key, final long value) throws IOException
    {
        out.writeNumberField(key, value);
    }

    private void text(final String key, final String value) throws IOException
    {
        out.writeStringField(key, value);
    }

    private HistoryWriter end() throws IOException
    {
        out.writeEndObject();
        out.writeRaw('\n');
        return this;
    }
}
