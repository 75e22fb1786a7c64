package io.sluice.replication;

import io.sluice.journal.SnapshotInfo;

import java.io.IOException;

/**
 * What a replica does with a snapshot it received and verified: replace its journal and state with one that starts
 * at the snapshot. The node that owns the journal and its journal agent implements it (the agent cannot swap a
 * journal another thread appends to); see {@code io.sluice.journal.SnapshotInstall} for the crash-safe file steps.
 */
@FunctionalInterface
public interface SnapshotInstaller
{
    /**
     * Called on a thread of its own (named {@code sluice-snapshot-install}), not the replica agent's, with nothing in
     * the journal ring and everything applied already synced. Until it returns or throws, the replica agent touches
     * neither the journal ring nor the journal nor the state machine (its duty cycle goes on: it heartbeats), and
     * afterwards it sees everything the installer wrote. It may take seconds. When it returns: the old journal is set
     * aside (renamed, never deleted); a journal starting at {@code snapshot.wireSeq() + 1} is open with a journal
     * agent consuming the same ring; the persisted cursor reads {@code snapshot.wireSeq()}; and the state machine the
     * agent applies to holds the snapshot's state.
     *
     * @param snapshot    the received file, checked ({@link SnapshotInfo#isValid()}); it is moved, not copied.
     * @param entryCrc32c stored CRC32C of the primary's journal entry at {@code snapshot.wireSeq()}, kept so the
     *                    replica can handshake from there before it journals an entry.
     * @throws IOException if it failed; the agent then stops, and on disk the node holds either its previous
     *                     journal or the new one, never a mix.
     */
    void install(SnapshotInfo snapshot, long entryCrc32c) throws IOException;
}
