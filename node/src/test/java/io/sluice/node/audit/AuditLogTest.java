package io.sluice.node.audit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuditLogTest
{
    @TempDir
    Path dir;

    @Test
    void shouldWriteOneKeyValueLinePerEventQuotingWhatWouldBeAmbiguous() throws Exception
    {
        try (AuditLog audit = AuditLog.open(dir, 7, 1 << 20, 3))
        {
            audit.record("admin_command", "operator", "SHA256:abc", "command", "DURABILITY", "args",
                "persisted>=1 && in_memory>=2", "result", "OK \"hybrid\" -> local\nsecond line");
        }
        final List<String> lines = Files.readAllLines(dir.resolve(AuditLog.FILE_NAME));
        assertEquals(1, lines.size());
        final String line = lines.get(0);
        assertTrue(line.matches("time=\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z node=7 event=admin_command .*"), line);
        assertTrue(line.endsWith(" operator=SHA256:abc command=DURABILITY args=\"persisted>=1 && in_memory>=2\" " +
            "result=\"OK \\\"hybrid\\\" -> local second line\""), line);
    }

    @Test
    void shouldFingerprintAKeyAsSshKeygenDoesAndNoKeyAsNone() throws Exception
    {
        // A key ssh-keygen made: its .pub holds this raw key, and `ssh-keygen -lf` printed this fingerprint.
        final byte[] key = HexFormat.of().parseHex("c7d314cdd7bbe8b95972681de0cb1206fd850cf2b44491e7880c3660c6b0d1ce");
        assertEquals("SHA256:xqp49qVEGiVQw7IUEqTzDLF7hnTQ0dce9LEi2Q7NZkw", AuditLog.fingerprint(key));
        assertEquals(AuditLog.NO_KEY, AuditLog.fingerprint(new byte[32]));
        assertEquals(AuditLog.NO_KEY, AuditLog.fingerprint(null));
    }

    @Test
    void shouldRotateAtTheSizeKeepingTheConfiguredNumberOfFiles() throws Exception
    {
        try (AuditLog audit = AuditLog.open(dir, 1, 4096, 3))
        {
            for (int i = 0; i < 400; i++)
            {
                audit.record("client_logon", "session", i, "padding", "x".repeat(40));
            }
        }
        assertTrue(Files.exists(dir.resolve("audit.log")));
        assertTrue(Files.exists(dir.resolve("audit.log.1")));
        assertTrue(Files.exists(dir.resolve("audit.log.2")));
        assertFalse(Files.exists(dir.resolve("audit.log.3")), "three files kept, the current one included");
        assertTrue(Files.size(dir.resolve("audit.log.1")) <= 4096 + 200);
        final List<String> newest = Files.readAllLines(dir.resolve("audit.log"));
        assertTrue(newest.get(newest.size() - 1).contains(" session=399 "), "the last event is in the current file");
    }

    @Test
    void shouldAppendToTheFileAnEarlierRunLeft() throws Exception
    {
        try (AuditLog audit = AuditLog.open(dir, 1, 1 << 20, 2))
        {
            audit.record("node_started");
        }
        try (AuditLog audit = AuditLog.open(dir, 1, 1 << 20, 2))
        {
            audit.record("node_stopped");
            assertEquals(0, audit.dropped());
        }
        final List<String> lines = Files.readAllLines(dir.resolve(AuditLog.FILE_NAME));
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).endsWith("event=node_started") && lines.get(1).endsWith("event=node_stopped"));
    }
}
