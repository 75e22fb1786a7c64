package io.sluice.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataDirLockTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRefuseASecondHolderNamingTheDirectoryAndThePid() throws Exception
    {
        final Path dataDir = dir.resolve("data");
        try (DataDirLock first = DataDirLock.acquire(dataDir))
        {
            final long pid = ProcessHandle.current().pid();
            assertEquals("pid=" + pid + "\n", Files.readString(dataDir.resolve(DataDirLock.FILE_NAME)));
            final DataDirLock.InUseException refused = assertThrows(DataDirLock.InUseException.class,
                () -> DataDirLock.acquire(dataDir));
            assertTrue(refused.getMessage().startsWith("data.dir " + dataDir.toAbsolutePath() +
                " is in use by another node (pid " + pid + ")"), refused.getMessage());
            assertEquals(first.dataDir(), dataDir);
        }
    }

    @Test
    void shouldBeTakenAgainOnceReleasedWhatEverTheFileHolds() throws Exception
    {
        final Path dataDir = dir.resolve("data");
        DataDirLock.acquire(dataDir).close();
        Files.writeString(dataDir.resolve(DataDirLock.FILE_NAME), "pid=999999999 and more text than a pid\n");

        try (DataDirLock lock = DataDirLock.acquire(dataDir))
        {
            assertEquals("pid=" + ProcessHandle.current().pid() + "\n",
                Files.readString(dataDir.resolve(DataDirLock.FILE_NAME)));
        }
    }
}
