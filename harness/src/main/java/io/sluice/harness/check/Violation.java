package io.sluice.harness.check;

/**
 * One thing the checker found wrong: what kind, which request or {@code wireSeq} it concerns, and why.
 *
 * @param kind       what was violated.
 * @param sessionId  the client session concerned, or 0 when the violation is about the journal as a whole.
 * @param requestSeq the session's request concerned, or 0.
 * @param wireSeq    the journal position concerned, or 0.
 * @param detail     a sentence for a person.
 */
public record Violation(Kind kind, long sessionId, long requestSeq, long wireSeq, String detail)
{
    /**
     * What was violated. Each names the guarantee in docs/reliability.md that it breaks.
     */
    public enum Kind
    {
        /** A request the client saw sequenced (a reply with a wireSeq) has no copy in the surviving journal. */
        ACK_MISSING,
        /** The journal entry at the wireSeq the client was told is another request, or none. */
        WIRE_SEQ_MISMATCH,
        /** The client got a non-duplicate answer for a copy the journal shows was applied before: applied twice. */
        APPLIED_TWICE,
        /** The journal holds more copies of a request than the client ever put on a connection. */
        EXTRA_COPIES,
        /** The journal holds a request of a recorded session that the client never sent. */
        PHANTOM_REQUEST,
        /**
         * A session's request was first journaled after a higher requestSeq of the same session: the engine would
         * answer it DUPLICATE_REQUEST although it was never applied.
         */
        SESSION_ORDER,
        /** The client was answered DUPLICATE_REQUEST but the journal holds no earlier copy that was applied. */
        DUPLICATE_WITHOUT_ORIGINAL,
        /** A request the client was told was not applied (halted, busy, engine error) was applied. */
        REFUSED_BUT_APPLIED,
        /** A request sent after another's reply arrived was sequenced before it. */
        REAL_TIME_ORDER,
        /** An acknowledged wireSeq is on fewer of the given journals than the policy's persisted count. */
        UNDER_REPLICATED,
        /** A replica's entry differs from the primary's at the same wireSeq. */
        DIVERGENT_ENTRY,
        /** A replica's state hash differs from the primary's at the same wireSeq. */
        STATE_HASH_MISMATCH,
        /** A journal could not be read to its end (corrupt entry, gap, unreadable header). */
        JOURNAL_DAMAGED,
        /** The history itself is inconsistent: a reply to a request never sent, or a second reply. */
        HISTORY_ANOMALY
    }

    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder(96).append(kind);
        if (sessionId != 0)
        {
            text.append(" session=").append(sessionId);
        }
        if (requestSeq != 0)
        {
            text.append(" requestSeq=").append(requestSeq);
        }
        if (wireSeq != 0)
        {
            text.append(" wireSeq=").append(wireSeq);
        }
        return text.append(": ").append(detail).toString();
    }
}
