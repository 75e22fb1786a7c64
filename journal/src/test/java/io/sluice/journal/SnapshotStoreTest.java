package io.sluice.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotStoreTest
{
    @TempDir
    Path dir;

    private static HashingStateMachine state(final long wireSeq)
    {
        final HashingStateMachine state = new HashingStateMachine();
        state.lastWireSeq = wireSeq;
        state.hash = wireSeq * 7919;
        state.applied = wireSeq;
        return state;
    }

    @Test
    void shouldWriteAndLoadTheNewestSnapshotKeepingOnlyTheRetainedCount() throws IOException
    {
        final SnapshotStore store = new SnapshotStore(dir, 3);
        for (long wireSeq = 10; wireSeq <= 50; wireSeq += 10)
        {
            final SnapshotInfo info = store.write(wireSeq, 2, state(wireSeq));
            assertEquals(wireSeq, info.wireSeq());
            assertEquals(wireSeq * 7919, info.stateHash());
        }
        final List<SnapshotInfo> listed = store.list();
        assertEquals(3, listed.size());
        assertEquals(50, listed.get(0).wireSeq());
        assertEquals(30, listed.get(2).wireSeq());
        assertTrue(listed.stream().allMatch(SnapshotInfo::isValid));

        final HashingStateMachine loaded = new HashingStateMachine();
        final SnapshotInfo info = store.loadNewest(loaded);
        assertEquals(50, info.wireSeq());
        assertEquals(2, info.epoch());
        assertEquals(50, loaded.lastWireSeq);
        assertEquals(50 * 7919, loaded.stateHash());
    }

    @Test
    void shouldFallBackWhenTheNewestSnapshotIsTruncatedOrFlipped() throws IOException
    {
        final SnapshotStore store = new SnapshotStore(dir);
        store.write(10, 1, state(10));
        final Path newest = store.write(20, 1, state(20)).file();

        for (int offset = 0; offset < Files.size(newest); offset++)
        {
            final byte[] original = Files.readAllBytes(newest);
            JournalRecoveryTest.flipByte(newest, offset);
            final HashingStateMachine loaded = new HashingStateMachine();
            assertEquals(10, store.loadNewest(loaded).wireSeq(), "byte " + offset + " damaged");
            assertEquals(10, loaded.lastWireSeq);
            Files.write(newest, original);
        }
        try (FileChannel channel = FileChannel.open(newest, StandardOpenOption.WRITE))
        {
            channel.truncate(Files.size(newest) - 1);
        }
        assertEquals(10, store.loadNewest(new HashingStateMachine()).wireSeq());
        final SnapshotInfo damaged = store.list().get(0);
        assertFalse(damaged.isValid());
        assertTrue(damaged.problem().contains("length"), damaged.problem());
    }

    @Test
    void shouldIgnoreALeftoverTemporaryFileAndDeleteItOnTheNextWrite() throws IOException
    {
        final SnapshotStore store = new SnapshotStore(dir);
        store.write(10, 1, state(10));
        final Path temp = dir.resolve(SnapshotStore.fileName(20) + DurableFiles.TEMP_SUFFIX);
        Files.write(temp, new byte[] {1, 2, 3});
        assertEquals(10, store.loadNewest(new HashingStateMachine()).wireSeq());
        store.write(30, 1, state(30));
        assertFalse(Files.exists(temp));
    }

    @Test
    void shouldReturnNullWhenThereIsNoValidSnapshot() throws IOException
    {
        final SnapshotStore store = new SnapshotStore(dir);
        assertNull(store.loadNewest(new HashingStateMachine()));
        Files.write(dir.resolve(SnapshotStore.fileName(5)), new byte[100]);
        assertNull(store.loadNewest(new HashingStateMachine()));
    }

    @Test
    void shouldRefuseASnapshotWhoseLoadedStateHashesDifferently() throws IOException
    {
        final SnapshotStore store = new SnapshotStore(dir);
        store.write(10, 1, state(10));
        final HashingStateMachine lying = new HashingStateMachine()
        {
            public long stateHash()
            {
                return super.stateHash() + 1;
            }
        };
        final JournalCorruptionException ex = assertThrows(JournalCorruptionException.class,
            () -> store.loadNewest(lying));
        assertTrue(ex.getMessage().contains("hashes to"), ex.getMessage());
    }

    @Test
    void shouldRequireAtLeastTwoRetainedSnapshots()
    {
        assertThrows(IllegalArgumentException.class, () -> new SnapshotStore(dir, 1));
    }

    @Test
    void shouldTriggerSnapshotsByEntriesByTimeAndOnDemand()
    {
        final SnapshotPolicy policy = new SnapshotPolicy(100, 1_000);
        policy.reset(50, 0);
        assertFalse(policy.isDue(50, 5_000));
        assertFalse(policy.isDue(149, 999));
        assertTrue(policy.isDue(150, 999));
        assertTrue(policy.isDue(51, 1_000));
        policy.onSnapshotTaken(150, 1_000);
        assertFalse(policy.isDue(151, 1_500));
        policy.requestNow();
        assertTrue(policy.isDue(151, 1_500));
        assertFalse(policy.isDue(150, 1_500));
        policy.onSnapshotTaken(151, 1_500);
        assertFalse(policy.isDue(152, 1_600));
        assertEquals(151, policy.lastSnapshotWireSeq());

        final SnapshotPolicy onDemandOnly = new SnapshotPolicy(0, 0);
        assertFalse(onDemandOnly.isDue(1_000_000, Long.MAX_VALUE));
        onDemandOnly.requestNow();
        assertTrue(onDemandOnly.isDue(1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SnapshotPolicy(-1, 0));
    }
}
