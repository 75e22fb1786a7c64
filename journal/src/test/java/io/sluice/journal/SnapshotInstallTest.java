package io.sluice.journal;

import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotInstallTest
{
    @TempDir
    Path dir;

    @Test
    void shouldSeedANewJournalFromASnapshotAndSetTheOldOneAsideIntact() throws IOException
    {
        final Path primaryDir = dir.resolve("primary");
        final long[] hashes;
        final long crcAt60;
        final long crcAt100;
        final Path transferred = dir.resolve("replica").resolve(SnapshotStore.fileName(60) + ".part");
        try (JournalTestSupport.Writer primary = new JournalTestSupport.Writer(JournalTestSupport.context(primaryDir)))
        {
            primary.append(1, 100);
            hashes = JournalTestSupport.prefixHashes(primary.journal, 100);
            final SnapshotInfo written = new SnapshotStore(primary.journal.snapshotDirectory())
                .write(60, TestEntries.EPOCH, JournalRecoveryTest.stateAt(primary.journal, 60));
            crcAt60 = primary.journal.entryCrc32c(60);
            crcAt100 = primary.journal.entryCrc32c(100);
            Files.createDirectories(transferred.getParent());
            Files.copy(written.file(), transferred);
        }
        assertTrue(crcAt60 >= 0);

        final Path replicaJournal = dir.resolve("replica").resolve("journal");
        try (JournalTestSupport.Writer replica =
            new JournalTestSupport.Writer(JournalTestSupport.context(replicaJournal)))
        {
            replica.append(1, 20);
        }

        final SnapshotInfo verified = SnapshotStore.verify(transferred);
        assertTrue(verified.isValid(), verified::toString);
        assertEquals(60, verified.wireSeq());
        final Path setAside = SnapshotInstall.install(JournalTestSupport.context(replicaJournal), verified, crcAt60);

        assertTrue(setAside.getFileName().toString().startsWith("journal" + SnapshotInstall.BEHIND_INFIX));
        assertFalse(Files.exists(transferred), "the snapshot is moved into the new journal");
        assertEquals(20, JournalTestSupport.recover(setAside).result.lastWireSeq(), "old journal intact");

        try (JournalTestSupport.Writer replica =
            new JournalTestSupport.Writer(JournalTestSupport.context(replicaJournal)))
        {
            assertEquals(61, replica.journal.firstWireSeq());
            assertEquals(60, replica.recovery.snapshotWireSeq());
            assertEquals(60, replica.recovery.lastWireSeq());
            assertEquals(hashes[60], replica.state.stateHash());
            assertEquals(crcAt60, replica.journal.entryCrc32c(60), "seed CRC stands in for the missing entry");
            assertEquals(-1, replica.journal.entryCrc32c(59));

            replica.append(61, 100);
            assertEquals(crcAt100, replica.journal.entryCrc32c(100));
        }
        final JournalTestSupport.Recovered again = JournalTestSupport.recover(replicaJournal);
        assertEquals(100, again.result.lastWireSeq());
        assertEquals(hashes[100], again.state.stateHash());
    }

    @Test
    void shouldRefuseADamagedSnapshot() throws IOException
    {
        final Path file;
        try (JournalTestSupport.Writer primary =
            new JournalTestSupport.Writer(JournalTestSupport.context(dir.resolve("primary"))))
        {
            primary.append(1, 30);
            file = new SnapshotStore(primary.journal.snapshotDirectory())
                .write(30, TestEntries.EPOCH, JournalRecoveryTest.stateAt(primary.journal, 30)).file();
        }
        JournalRecoveryTest.flipByte(file, SnapshotStore.STATE_OFFSET + 1);
        final SnapshotInfo info = SnapshotStore.verify(file);
        assertFalse(info.isValid());
        assertThrows(IllegalArgumentException.class,
            () -> SnapshotInstall.install(JournalTestSupport.context(dir.resolve("journal")), info, 0));
        assertFalse(Files.exists(dir.resolve("journal")));
    }

    @Test
    void shouldFinishAnInstallInterruptedAfterTheOldJournalWasSetAside() throws IOException
    {
        final Path journalDir = installedAt30();
        // As if killed between the two renames: the old journal is aside, the complete new one not yet in place.
        Files.move(journalDir, journalDir.resolveSibling("journal" + SnapshotInstall.INCOMING_SUFFIX));
        assertTrue(SnapshotInstall.completeInterrupted(journalDir));
        final JournalTestSupport.Recovered recovered = JournalTestSupport.recover(journalDir);
        assertEquals(30, recovered.result.lastWireSeq());
        assertEquals(30, recovered.result.snapshotWireSeq());
    }

    @Test
    void shouldDiscardStagingWhenTheOldJournalWasNeverSetAside() throws IOException
    {
        final Path journalDir = dir.resolve("journal");
        try (JournalTestSupport.Writer writer = new JournalTestSupport.Writer(JournalTestSupport.context(journalDir)))
        {
            writer.append(1, 20);
        }
        final Path installing = dir.resolve("journal" + SnapshotInstall.INSTALLING_SUFFIX);
        final Path incoming = dir.resolve("journal" + SnapshotInstall.INCOMING_SUFFIX);
        Files.createDirectories(installing.resolve("snapshots"));
        Files.writeString(installing.resolve("snapshots").resolve("half"), "x");
        Files.createDirectories(incoming.resolve("queue"));

        assertFalse(SnapshotInstall.completeInterrupted(journalDir));
        assertFalse(Files.exists(installing));
        assertFalse(Files.exists(incoming));
        assertEquals(20, JournalTestSupport.recover(journalDir).result.lastWireSeq());
    }

    @Test
    void shouldKeepTheEntryAtTheSnapshotWireSeqWhenDeletingCycles() throws IOException
    {
        final SetTimeProvider clock = new SetTimeProvider(TestEntries.BASE_TIME_NS / 1_000_000_000 * 1_000_000_000);
        try (JournalTestSupport.Writer writer = new JournalTestSupport.Writer(
            JournalTestSupport.secondlyContext(dir, clock)))
        {
            for (int c = 0; c < 4; c++)
            {
                writer.append(c * 10 + 1, c * 10 + 10);
                clock.advanceMillis(1_000);
            }
            new SnapshotStore(writer.journal.snapshotDirectory())
                .write(20, TestEntries.EPOCH, JournalRecoveryTest.stateAt(writer.journal, 20));
            final long crcAt20 = writer.journal.entryCrc32c(20);
            assertEquals(1, writer.journal.deleteCyclesCoveredBy(20, Long.MAX_VALUE));
            assertEquals(11, writer.journal.firstWireSeq());
            assertEquals(crcAt20, writer.journal.entryCrc32c(20));
            assertNotEquals(-1, crcAt20);
            assertEquals(-1, writer.journal.entryCrc32c(10));
        }
    }

    private Path installedAt30() throws IOException
    {
        final Path snapshot;
        final long crc;
        try (JournalTestSupport.Writer primary =
            new JournalTestSupport.Writer(JournalTestSupport.context(dir.resolve("primary"))))
        {
            primary.append(1, 30);
            snapshot = new SnapshotStore(primary.journal.snapshotDirectory())
                .write(30, TestEntries.EPOCH, JournalRecoveryTest.stateAt(primary.journal, 30)).file();
            crc = primary.journal.entryCrc32c(30);
        }
        final Path journalDir = dir.resolve("journal");
        try (JournalTestSupport.Writer old = new JournalTestSupport.Writer(JournalTestSupport.context(journalDir)))
        {
            old.append(1, 5);
        }
        SnapshotInstall.install(JournalTestSupport.context(journalDir), SnapshotStore.verify(snapshot), crc);
        return journalDir;
    }
}
