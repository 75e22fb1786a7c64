package io.sluice.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalToolsTest
{
    @TempDir
    Path root;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String output()
    {
        final String text = bytes.toString(StandardCharsets.UTF_8);
        bytes.reset();
        return text;
    }

    private Path journalWithSnapshot() throws IOException
    {
        final Path dir = root.resolve("journal");
        try (JournalTestSupport.Writer writer = new JournalTestSupport.Writer(JournalTestSupport.context(dir)))
        {
            writer.append(1, 120);
            new SnapshotStore(writer.journal.snapshotDirectory())
                .write(100, TestEntries.EPOCH, JournalRecoveryTest.stateAt(writer.journal, 100));
        }
        return dir;
    }

    @Test
    void shouldVerifyASoundJournalWithExitCodeZero() throws IOException
    {
        final Path dir = journalWithSnapshot();
        assertEquals(JournalVerifier.OK, JournalVerifier.verify(dir, out));
        final String text = output();
        assertTrue(text.contains("120 entries, wireSeq 1..120"), text);
        assertTrue(text.contains("wireSeq=100"), text);
        assertTrue(text.trim().endsWith("OK"), text);
    }

    @Test
    void shouldFailVerificationOfACorruptedCopyWithTheReason() throws IOException
    {
        final Path dir = journalWithSnapshot();
        final Path copy = root.resolve("copy");
        JournalTestSupport.copyTree(dir, copy);
        final Path cycleFile = JournalTestSupport.cycleFiles(copy).get(0);
        final List<Long> offsets = JournalTestSupport.entryOffsets(cycleFile);
        JournalRecoveryTest.flipByte(cycleFile, offsets.get(59) + 30);

        assertEquals(JournalVerifier.PROBLEMS_FOUND, JournalVerifier.verify(copy, out));
        final String text = output();
        assertTrue(text.contains("PROBLEM: journal corrupt"), text);
        assertTrue(text.contains("CRC mismatch"), text);
        assertTrue(text.contains("after wireSeq 59"), text);
        assertTrue(text.contains(cycleFile.toString()), text);

        assertEquals(JournalVerifier.OK, JournalVerifier.verify(dir, out));
    }

    @Test
    void shouldReportADamagedSnapshot() throws IOException
    {
        final Path dir = journalWithSnapshot();
        final Path snapshot = new SnapshotStore(dir.resolve(Journal.SNAPSHOT_DIRECTORY)).snapshotFiles().get(0);
        JournalRecoveryTest.flipByte(snapshot, 20);
        assertEquals(JournalVerifier.PROBLEMS_FOUND, JournalVerifier.verify(dir, out));
        final String text = output();
        assertTrue(text.contains("is damaged"), text);
    }

    @Test
    void shouldNoteATornTailWithoutFailingVerification() throws IOException
    {
        final Path dir = journalWithSnapshot();
        final Path cycleFile = JournalTestSupport.cycleFiles(dir).get(0);
        final List<Long> offsets = JournalTestSupport.entryOffsets(cycleFile);
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(cycleFile,
            java.nio.file.StandardOpenOption.WRITE))
        {
            channel.truncate(offsets.get(119) + 20);
        }
        assertEquals(JournalVerifier.OK, JournalVerifier.verify(dir, out));
        final String text = output();
        assertTrue(text.contains("torn final entry"), text);
        assertTrue(text.contains("wireSeq 1..119"), text);
    }

    @Test
    void shouldRejectADirectoryThatIsNotAJournal()
    {
        assertEquals(JournalVerifier.NOT_A_JOURNAL, JournalVerifier.verify(root.resolve("nothing"), out));
        assertEquals(JournalInspector.NOT_A_JOURNAL,
            JournalInspector.inspect(root.resolve("nothing"), 1, 10, JournalInspector.ALL_SESSIONS, out));
    }

    @Test
    void shouldInspectARangeDecodingClientAndAdminCommands() throws IOException
    {
        final Path dir = journalWithSnapshot();
        assertEquals(JournalInspector.OK, JournalInspector.inspect(dir, 49, 53, JournalInspector.ALL_SESSIONS, out));
        final String text = output();
        assertTrue(text.contains("wireSeq=49 "), text);
        assertTrue(text.contains("wireSeq=53 "), text);
        assertFalse(text.contains("wireSeq=48 "), text);
        assertFalse(text.contains("wireSeq=54 "), text);
        assertTrue(text.contains("ADD_INSTRUMENT AddInstrument instrument=2 symbol=SYM51"), text);
        assertTrue(text.contains("CLIENT_COMMAND NewOrder requestSeq=52 clientOrderId=520 instrument=2 BUY LIMIT GTC" +
            " price=10002 quantity=4"), text);
        assertTrue(text.contains("5 entries printed"), text);
    }

    @Test
    void shouldInspectOnlyTheRequestedSession() throws IOException
    {
        final Path dir = journalWithSnapshot();
        assertEquals(JournalInspector.OK, JournalInspector.inspect(dir, 1, Long.MAX_VALUE, 3, out));
        final String text = output();
        for (final String line : text.split("\n"))
        {
            if (line.startsWith("wireSeq="))
            {
                assertTrue(line.contains(" session=3 "), line);
            }
        }
        assertTrue(text.contains("wireSeq=2 "), text);
        assertTrue(text.contains("wireSeq=6 "), text);
    }

    @Test
    void shouldInspectUpToTheDamageAndSayWhere() throws IOException
    {
        final Path dir = journalWithSnapshot();
        final Path cycleFile = JournalTestSupport.cycleFiles(dir).get(0);
        final List<Long> offsets = JournalTestSupport.entryOffsets(cycleFile);
        JournalRecoveryTest.flipByte(cycleFile, offsets.get(9) + 40);
        assertEquals(JournalInspector.DAMAGED,
            JournalInspector.inspect(dir, 1, Long.MAX_VALUE, JournalInspector.ALL_SESSIONS, out));
        final String text = output();
        assertTrue(text.contains("wireSeq=9 "), text);
        assertFalse(text.contains("wireSeq=10 "), text);
        assertTrue(text.contains("# DAMAGED"), text);
    }
}
