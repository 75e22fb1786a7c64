package io.sluice.harness.floor;

import io.sluice.journal.DiskSpaceGuard;
import io.sluice.journal.Journal;
import io.sluice.journal.JournalSyncPolicy;
import io.sluice.journal.SnapshotStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SyncProbeTest
{
    @TempDir
    Path dir;

    private Journal.Context journalContext()
    {
        return new Journal.Context().directory(dir.resolve("journal")).nodeId(1)
            .syncPolicy(JournalSyncPolicy.EVERY_GROUP);
    }

    @Test
    void shouldJournalEveryGroupAndContinueWhereAReopenedJournalEnds() throws IOException
    {
        try (SyncProbe.JournalGroups groups = SyncProbe.JournalGroups.open(journalContext(),
            (journal) -> DiskSpaceGuard.of(journal.queueDirectory(), 0), 3))
        {
            groups.appendAndSync();
            groups.appendAndSync();
        }
        try (Journal journal = Journal.open(journalContext()))
        {
            journal.recover(new SnapshotStore(journal.snapshotDirectory()), SyncProbe.NoState.INSTANCE);
            assertEquals(6, journal.lastWireSeq(), "two groups of three");
        }
        try (SyncProbe.JournalGroups groups = SyncProbe.JournalGroups.open(journalContext(),
            (journal) -> DiskSpaceGuard.of(journal.queueDirectory(), 0), 1))
        {
            groups.appendAndSync();
        }
    }

    @Test
    void shouldWriteOverItsZeroFilledFileWithoutGrowingIt() throws IOException
    {
        final Path file = dir.resolve("raw.dat");
        final int entryBytes = SyncProbe.journalEntryBytes();

        try (SyncProbe.RawGroups raw = SyncProbe.RawGroups.open(file, entryBytes, 2, 3))
        {
            assertEquals(3L * 2 * entryBytes, Files.size(file), "filled up front");
            for (int group = 0; group < 10; group++)
            {
                raw.writeAndForce();
            }
            assertEquals(3L * 2 * entryBytes, Files.size(file), "written over from its start once full");
        }
    }
}
