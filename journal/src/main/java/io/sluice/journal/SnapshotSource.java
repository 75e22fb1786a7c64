package io.sluice.journal;

import org.agrona.MutableDirectBuffer;

/**
 * State that can be written to a snapshot. The journal treats the bytes as opaque; the owner of the state
 * machine decides their format.
 */
public interface SnapshotSource
{
    /**
     * Writes the complete state into {@code buffer} starting at {@code offset}. The buffer grows as needed
     * (it is expandable), so write with its put methods past its current capacity freely.
     *
     * @return number of bytes written.
     */
    int writeState(MutableDirectBuffer buffer, int offset);

    /** Hash of the current state; stored in the snapshot and compared after loading it. */
    long stateHash();
}
