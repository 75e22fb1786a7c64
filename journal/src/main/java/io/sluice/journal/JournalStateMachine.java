package io.sluice.journal;

import org.agrona.DirectBuffer;

/**
 * The deterministic state machine recovery rebuilds: it is loaded from the newest valid snapshot, then every entry
 * after it is applied in {@code wireSeq} order. The journal does not know what the entries mean.
 */
public interface JournalStateMachine extends SnapshotSource
{
    /**
     * Replaces the whole state with the one in {@code buffer}, as written by {@link #writeState}. The buffer is
     * only valid during the call.
     */
    void loadState(DirectBuffer buffer, int offset, int length);

    /**
     * Applies one verified entry. The view is only valid during the call.
     */
    void apply(JournalEntryView entry);
}
