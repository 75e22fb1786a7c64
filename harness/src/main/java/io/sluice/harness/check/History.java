package io.sluice.harness.check;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonEOFException;
import org.agrona.collections.Long2ObjectHashMap;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One or more client histories, read back and folded into one record per request: what was sent (how many times,
 * counting resends after a reconnect), how it was answered and at which {@code wireSeq}. See {@link HistoryWriter}
 * for the line format.
 * <p>
 * Several files may share sessions (the bench run again against the same node continues each session's requestSeq
 * from the node's high-water mark). A requestSeq that an earlier run left unanswered may be reused by a later run:
 * the later send takes its place and both sends count as copies the journal may hold.
 */
public final class History
{
    /**
     * How a request was answered, as far as the client knows.
     */
    public enum Outcome
    {
        /** No BatchEnd arrived: in doubt. */
        UNANSWERED,
        /** Answered without a reject. */
        ACCEPTED,
        /** Answered with a reject (an execution report REJECTED, Halted or ServerBusy). */
        REJECTED,
        /** Answered with an EngineError. */
        ERROR
    }

    /**
     * Everything the history says about one request of one session.
     */
    public static final class Request
    {
        private final long sessionId;
        private final long requestSeq;
        private long clientOrderId;
        private String kind;
        private int historyIndex;
        private long firstSentNs;
        private int sends;
        private Outcome outcome = Outcome.UNANSWERED;
        private String reason;
        private long wireSeq;
        private long answeredNs;

        Request(final long sessionId, final long requestSeq)
        {
            this.sessionId = sessionId;
            this.requestSeq = requestSeq;
        }

        public long sessionId()
        {
            return sessionId;
        }

        public long requestSeq()
        {
            return requestSeq;
        }

        public long clientOrderId()
        {
            return clientOrderId;
        }

        /**
         * @return {@link HistoryWriter#NEW_ORDER}, {@link HistoryWriter#CANCEL}, ...
         */
        public String kind()
        {
            return kind;
        }

        /**
         * @return which history file (in the order given) recorded its latest send; times compare only within one.
         */
        public int historyIndex()
        {
            return historyIndex;
        }

        public long firstSentNs()
        {
            return firstSentNs;
        }

        /**
         * @return times the client put it on a connection: the first send plus every resend.
         */
        public int sends()
        {
            return sends;
        }

        public Outcome outcome()
        {
            return outcome;
        }

        /**
         * @return the RejectReason name or EngineError code of a refusal; null when accepted or unanswered.
         */
        public String reason()
        {
            return reason;
        }

        /**
         * @return the wireSeq its BatchEnd carried; 0 if none (unanswered, or refused before sequencing).
         */
        public long wireSeq()
        {
            return wireSeq;
        }

        public long answeredNs()
        {
            return answeredNs;
        }

        /**
         * @return answered with a wireSeq: the node sequenced it and the durability gate released the answer.
         */
        public boolean isSequenced()
        {
            return outcome != Outcome.UNANSWERED && wireSeq > 0;
        }

        /**
         * @return answered accepted with a wireSeq: a state change the client was promised.
         */
        public boolean isAcknowledged()
        {
            return outcome == Outcome.ACCEPTED && wireSeq > 0;
        }

        /**
         * @return answered without a wireSeq, and not DUPLICATE_REQUEST: the node says it was not applied.
         */
        public boolean isRefused()
        {
            return outcome != Outcome.UNANSWERED && wireSeq == 0 && !isAnsweredDuplicate();
        }

        /**
         * @return answered DUPLICATE_REQUEST: the node says an earlier copy was applied. The node answers a resend
         * without journaling it, so the answer carries no wireSeq (BatchEnd wireSeq 0); the original is what the
         * journal must hold.
         */
        public boolean isAnsweredDuplicate()
        {
            return outcome == Outcome.REJECTED && "DUPLICATE_REQUEST".equals(reason);
        }

        @Override
        public String toString()
        {
            return "Request{session=" + sessionId + ", requestSeq=" + requestSeq + ", kind=" + kind + ", sends=" +
                sends + ", outcome=" + outcome + (reason != null ? " " + reason : "") + ", wireSeq=" + wireSeq + '}';
        }
    }

    private final List<Path> files;
    private final List<Request> requests;
    private final Long2ObjectHashMap<Long2ObjectHashMap<Request>> bySession;
    private final List<Violation> anomalies;
    private final List<String> notes;
    private final long connects;
    private final long disconnects;

    private History(final Reader reader)
    {
        this.files = List.copyOf(reader.files);
        this.bySession = reader.bySession;
        final List<Request> all = new ArrayList<>();
        bySession.values().forEach((session) -> all.addAll(session.values()));
        all.sort(Comparator.comparingLong(Request::sessionId).thenComparingLong(Request::requestSeq));
        this.requests = Collections.unmodifiableList(all);
        this.anomalies = List.copyOf(reader.anomalies);
        this.notes = List.copyOf(reader.notes);
        this.connects = reader.connects;
        this.disconnects = reader.disconnects;
    }

    /**
     * @param files histories written by {@code sluice bench --history} or a {@link HistoryWriter}.
     * @return them folded together.
     * @throws IOException if a file cannot be read or a line (other than a torn last line) is not an event.
     */
    public static History read(final Path... files) throws IOException
    {
        return read(List.of(files));
    }

    /**
     * @param files histories written by {@code sluice bench --history} or a {@link HistoryWriter}.
     * @return them folded together.
     * @throws IOException if a file cannot be read or a line (other than a torn last line) is not an event.
     */
    public static History read(final List<Path> files) throws IOException
    {
        final Reader reader = new Reader();
        for (final Path file : files)
        {
            reader.read(file);
        }
        return new History(reader);
    }

    public List<Path> files()
    {
        return files;
    }

    /**
     * @return every request, by session then requestSeq.
     */
    public List<Request> requests()
    {
        return requests;
    }

    /**
     * @return the request, or null if the history has no such send.
     */
    public Request request(final long sessionId, final long requestSeq)
    {
        final Long2ObjectHashMap<Request> session = bySession.get(sessionId);
        return session == null ? null : session.get(requestSeq);
    }

    /**
     * @return the sessions the history recorded, ascending.
     */
    public long[] sessions()
    {
        final long[] sessions = new long[bySession.size()];
        int i = 0;
        final Long2ObjectHashMap<Long2ObjectHashMap<Request>>.KeyIterator keys = bySession.keySet().iterator();
        while (keys.hasNext())
        {
            sessions[i++] = keys.nextLong();
        }
        java.util.Arrays.sort(sessions);
        return sessions;
    }

    /**
     * @return connects and logons, first ones included.
     */
    public long connects()
    {
        return connects;
    }

    public long disconnects()
    {
        return disconnects;
    }

    /**
     * @return inconsistencies within the history itself (a reply to a request never sent, a second reply).
     */
    public List<Violation> anomalies()
    {
        return anomalies;
    }

    /**
     * @return what reading noticed that is not wrong but limits the check (a file without an end line).
     */
    public List<String> notes()
    {
        return notes;
    }

    /**
     * Folds lines into requests, file by file.
     */
    private static final class Reader
    {
        /** Strict JSON, one parser per line; shared by every file. */
        private static final JsonFactory JSON = new JsonFactory();

        final List<Path> files = new ArrayList<>();
        final Long2ObjectHashMap<Long2ObjectHashMap<Request>> bySession = new Long2ObjectHashMap<>();
        final List<Violation> anomalies = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        long connects;
        long disconnects;
        private int historyIndex;
        /** The line being applied, key to value as text; refilled for every line. */
        private final Map<String, String> event = new HashMap<>();

        void read(final Path file) throws IOException
        {
            historyIndex = files.size();
            files.add(file);
            boolean ended = false;
            try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8))
            {
                String line = in.readLine();
                long lineNumber = 0;
                while (line != null)
                {
                    lineNumber++;
                    final String next = in.readLine();
                    if (!line.isBlank())
                    {
                        try
                        {
                            parse(line, event);
                            ended |= apply(event);
                        }
                        catch (final IllegalArgumentException ex)
                        {
                            if (next != null)
                            {
                                throw new IOException(file + " line " + lineNumber + ": " + ex.getMessage());
                            }
                            notes.add(file + ": ignored a torn last line " + lineNumber + " (" + ex.getMessage() +
                                "); the recording client stopped while writing it");
                        }
                    }
                    line = next;
                }
            }
            if (!ended)
            {
                notes.add(file + " has no end line: the client did not finish, so its unanswered requests are in " +
                    "doubt and later events may be missing");
            }
        }

        /**
         * Read one line: a flat JSON object whose values are strings, numbers, booleans or null (no nesting). Values
         * go into {@code event} as text: strings unescaped, the rest as written.
         *
         * @throws IllegalArgumentException saying what is wrong and at which column, if it is not a flat JSON object.
         */
        private static void parse(final String line, final Map<String, String> event)
        {
            event.clear();
            try (JsonParser parser = JSON.createParser(line))
            {
                if (parser.nextToken() != JsonToken.START_OBJECT)
                {
                    throw new IllegalArgumentException("expected '{' at column " +
                        parser.currentTokenLocation().getColumnNr());
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME)
                {
                    final String key = parser.currentName();
                    if (parser.nextToken().isStructStart())
                    {
                        throw new IllegalArgumentException("nested values are not part of the history format at " +
                            "column " + parser.currentTokenLocation().getColumnNr());
                    }
                    event.put(key, parser.getText());
                }
                if (parser.nextToken() != null)
                {
                    throw new IllegalArgumentException("text after the object at column " +
                        parser.currentTokenLocation().getColumnNr());
                }
            }
            catch (final JsonEOFException ex)
            {
                throw new IllegalArgumentException("unexpected end of line at column " +
                    ex.getLocation().getColumnNr());
            }
            catch (final JsonProcessingException ex)
            {
                throw new IllegalArgumentException(ex.getOriginalMessage() +
                    (ex.getLocation() == null ? "" : " at column " + ex.getLocation().getColumnNr()));
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("reading a String does no I/O", ex);
            }
        }

        /**
         * @return true for the end line.
         */
        private boolean apply(final Map<String, String> event)
        {
            final String type = event.get("type");
            if (type == null)
            {
                throw new IllegalArgumentException("no \"type\"");
            }
            switch (type)
            {
                case "start":
                    final long version = number(event, "version");
                    if (version != HistoryWriter.FORMAT_VERSION)
                    {
                        throw new IllegalArgumentException("history format version " + version + ", this build " +
                            "reads " + HistoryWriter.FORMAT_VERSION);
                    }
                    return false;
                case "send":
                    onSend(event);
                    return false;
                case "resend":
                    onResend(event);
                    return false;
                case "reply":
                    onReply(event);
                    return false;
                case "connect":
                    connects++;
                    return false;
                case "disconnect":
                    disconnects++;
                    return false;
                case "end":
                    return true;
                default:
                    throw new IllegalArgumentException("unknown event type \"" + type + "\"");
            }
        }

        private void onSend(final Map<String, String> event)
        {
            final long sessionId = number(event, "session");
            final long requestSeq = number(event, "request_seq");
            final Long2ObjectHashMap<Request> session = bySession.computeIfAbsent(sessionId,
                (id) -> new Long2ObjectHashMap<>());
            Request request = session.get(requestSeq);
            if (request != null && request.outcome != Outcome.UNANSWERED)
            {
                anomalies.add(new Violation(Violation.Kind.HISTORY_ANOMALY, sessionId, requestSeq, 0,
                    "requestSeq sent again as a new request after it was answered " + request.outcome));
                return;
            }
            if (request == null)
            {
                request = new Request(sessionId, requestSeq);
                session.put(requestSeq, request);
            }
            request.clientOrderId = number(event, "client_order_id");
            request.kind = text(event, "kind");
            request.historyIndex = historyIndex;
            request.firstSentNs = number(event, "time_ns");
            request.sends++;
        }

        private void onResend(final Map<String, String> event)
        {
            final long sessionId = number(event, "session");
            final long requestSeq = number(event, "request_seq");
            final Request request = find(sessionId, requestSeq);
            if (request == null)
            {
                anomalies.add(new Violation(Violation.Kind.HISTORY_ANOMALY, sessionId, requestSeq, 0,
                    "resend of a request never sent"));
                return;
            }
            request.sends++;
        }

        private void onReply(final Map<String, String> event)
        {
            final long sessionId = number(event, "session");
            final long requestSeq = number(event, "request_seq");
            final Request request = find(sessionId, requestSeq);
            if (request == null)
            {
                anomalies.add(new Violation(Violation.Kind.HISTORY_ANOMALY, sessionId, requestSeq, 0,
                    "reply to a request never sent"));
                return;
            }
            final String outcome = text(event, "outcome");
            final Outcome parsed = switch (outcome)
            {
                case HistoryWriter.ACCEPTED -> Outcome.ACCEPTED;
                case HistoryWriter.REJECTED -> Outcome.REJECTED;
                case HistoryWriter.ERROR -> Outcome.ERROR;
                default -> throw new IllegalArgumentException("unknown outcome \"" + outcome + "\"");
            };
            final long wireSeq = number(event, "wire_seq");
            if (request.outcome != Outcome.UNANSWERED)
            {
                anomalies.add(new Violation(Violation.Kind.HISTORY_ANOMALY, sessionId, requestSeq, wireSeq,
                    "second reply (" + outcome + ") after " + request.outcome + " at wireSeq " + request.wireSeq));
                return;
            }
            request.outcome = parsed;
            request.reason = event.get("reason");
            request.wireSeq = wireSeq;
            request.answeredNs = number(event, "time_ns");
            if (request.historyIndex != historyIndex)
            {
                // Answered in a later file than its send: its times cannot be compared with that file's.
                request.historyIndex = -1;
            }
        }

        private Request find(final long sessionId, final long requestSeq)
        {
            final Long2ObjectHashMap<Request> session = bySession.get(sessionId);
            return session == null ? null : session.get(requestSeq);
        }

        private static long number(final Map<String, String> event, final String key)
        {
            final String value = event.get(key);
            if (value == null)
            {
                throw new IllegalArgumentException("no \"" + key + "\"");
            }
            try
            {
                return Long.parseLong(value);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("\"" + key + "\" is not a whole number: " + value);
            }
        }

        private static String text(final Map<String, String> event, final String key)
        {
            final String value = event.get(key);
            if (value == null)
            {
                throw new IllegalArgumentException("no \"" + key + "\"");
            }
            return value;
        }
    }
}
