package io.sluice.harness.check;

import io.sluice.node.config.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static io.sluice.harness.check.Violation.Kind.ACK_MISSING;
import static io.sluice.harness.check.Violation.Kind.APPLIED_TWICE;
import static io.sluice.harness.check.Violation.Kind.DIVERGENT_ENTRY;
import static io.sluice.harness.check.Violation.Kind.DUPLICATE_WITHOUT_ORIGINAL;
import static io.sluice.harness.check.Violation.Kind.EXTRA_COPIES;
import static io.sluice.harness.check.Violation.Kind.HISTORY_ANOMALY;
import static io.sluice.harness.check.Violation.Kind.JOURNAL_DAMAGED;
import static io.sluice.harness.check.Violation.Kind.PHANTOM_REQUEST;
import static io.sluice.harness.check.Violation.Kind.REAL_TIME_ORDER;
import static io.sluice.harness.check.Violation.Kind.REFUSED_BUT_APPLIED;
import static io.sluice.harness.check.Violation.Kind.SESSION_ORDER;
import static io.sluice.harness.check.Violation.Kind.STATE_HASH_MISMATCH;
import static io.sluice.harness.check.Violation.Kind.UNDER_REPLICATED;
import static io.sluice.harness.check.Violation.Kind.WIRE_SEQ_MISMATCH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistoryCheckerTest
{
    private static final long ALICE = 11;
    private static final long BOB = 22;

    @TempDir
    Path dir;

    private Path primaryDir()
    {
        return dir.resolve("primary");
    }

    private TestJournal primary() throws IOException
    {
        return new TestJournal(primaryDir(), 1);
    }

    private HistoryChecker checker()
    {
        return new HistoryChecker().primary(primaryDir());
    }

    private NodeConfig config()
    {
        return NodeConfig.parse(TestJournal.config(dir.resolve("node")), dir);
    }

    @Test
    void shouldPassCleanHistoryAndCountWhatItChecked() throws Exception
    {
        try (TestJournal journal = primary())
        {
            journal.order(ALICE, 1);
            journal.order(ALICE, 2);
            journal.order(BOB, 1);
            journal.order(ALICE, 3);
        }
        final Path history = new HistoryFile("clean")
            .send(ALICE, 1).send(ALICE, 2).send(BOB, 1)
            .accepted(ALICE, 1, 1).accepted(ALICE, 2, 2).accepted(BOB, 1, 3)
            .send(ALICE, 3).accepted(ALICE, 3, 4)
            .send(ALICE, 4)
            .done();

        final CheckResult result = checker().config(config()).check(List.of(history));

        assertTrue(result.passed(), result.violations().toString());
        assertEquals(5, result.requests());
        assertEquals(4, result.acknowledged());
        assertEquals(1, result.unanswered());
        assertTrue(result.summary().startsWith("OK requests 5 acknowledged 4"), result.summary());
        assertTrue(result.notes().stream().anyMatch((note) -> note.contains("in_memory>=2 cannot be checked")),
            result.notes().toString());
    }

    @Test
    void shouldFindAcknowledgedRequestMissingFromJournal() throws Exception
    {
        try (TestJournal journal = primary())
        {
            journal.order(ALICE, 1);
        }
        final Path history = new HistoryFile("lost")
            .send(ALICE, 1).accepted(ALICE, 1, 1)
            .send(ALICE, 2).accepted(ALICE, 2, 2)
            .done();

        final CheckResult result = checker().check(List.of(history));

        assertEquals(List.of(ACK_MISSING), kinds(result));
        assertEquals(2, result.violations().get(0).requestSeq());
        assertEquals("FAIL requests 2 acknowledged 2 sequenced 2 refused 0 unanswered 0 violations 1",
            result.summary());
    }

    @Test
    void shouldFindAnswerAtWrongWireSeq() throws Exception
    {
        try (TestJournal journal = primary())
        {
            journal.order(BOB, 1);
            journal.order(ALICE, 1);
        }
        final Path history = new HistoryFile("mismatch")
            .send(ALICE, 1).send(BOB, 1).accepted(ALICE, 1, 1).accepted(BOB, 1, 1)
            .done();

        final CheckResult result = checker().check(List.of(history));

        assertEquals(List.of(WIRE_SEQ_MISMATCH), kinds(result));
        assertEquals(ALICE, result.violations().get(0).sessionId());
    }

    @Test
    void shouldAcceptResentCopyAnsweredDuplicateAndConfirmItByReplay() throws Exception
    {
        try (TestJournal journal = primary())
        {
            journal.order(ALICE, 1);
            journal.order(ALICE, 2);
            journal.order(ALICE, 2);
        }
        final Path history = new HistoryFile("resent")
            .send(ALICE, 1).accepted(ALICE, 1, 1)
            .send(ALICE, 2).resend(ALICE, 2).rejected(ALICE, 2, "DUPLICATE_REQUEST", 3)
            .done();

        final CheckResult result = checker().config(config()).check(List.of(history));

        assertTrue(result.passed(), result.violations().toString());
        assertEquals(2, result.sequenced());
        assertEquals(1, result.acknowledged());
    }

    @Test
    void shouldAcceptUnjournaledDuplicateAnswerCarryingALaterWireSeqButNotAnEarlierOne() throws Exception
    {
        try (TestJournal journal = primary())
        {
            journal.order(ALICE, 1);
            journal.order(ALICE, 2);
            journal.order(BOB, 1);
        }
        // After a failover ALICE resends 1 and 2; the sequencer answers both DUPLICATE_REQUEST without journaling
        // them. 1 carries the last wireSeq (3, BOB's order), which covers its original at 1; 2 carries a wireSeq
        // below its original at 2, so that answer could have been released before the original was covered.
        final Path history = new HistoryFile("unjournaled-duplicate")
            .send(ALICE, 1).send(ALICE, 2).send(BOB, 1).accepted(BOB, 1, 3)
            .resend(ALICE, 1).resend(ALICE, 2)
            .rejected(ALICE, 1, "DUPLICATE_REQUEST", 3).rejected(ALICE, 2, "DUPLICATE_REQUEST", 1)
            .done();

        final CheckResult result = checker().config(config()).check(List.of(history));

        assertEquals(List.of(WIRE_SEQ_MISMATCH), kinds(result), result.violations().toString());
        assertEquals(2, result.violations().get(0).requestSeq());
        assertEquals(3, result.sequenced());
    }

    @Test
    void shouldAcceptDuplicateAnswerToAResendOfTheLastJournaledRequestAtItsOwnWireSeq() throws Exception
    {
        try (TestJournal journal = primary())
        {
            journal.order(ALICE, 1);
            journal.order(ALICE, 2);
        }
        // ALICE 2 was applied at 2 but its answer was lost with the connection; the resend is answered
        // DUPLICATE_REQUEST with the last wireSeq, still 2.
        final Path history = new HistoryFile("resent-last")
            .send(ALICE, 1).accepted(ALICE, 1, 1)
            .send(ALICE, 2).resend(ALICE, 2).rejected(ALICE, 2, "DUPLICATE_REQUEST", 2)
            .done();

        final CheckResult result = checker().config(config()).check(List.of(history));

        assertTrue(result.passed(), result.violations().toString());
    }

    @Test
    void shouldAcceptADuplicateAnswerWithoutWireSeqWhenTheOriginalWasAppliedButNotWhenItWasNot() throws Exception
    {
        try (TestJournal journal = primary())
        {
            journal.order(ALICE, 1);
        }
        // The node answers a resend DUPLICATE_REQUEST without journaling it: its BatchEnd carries wireSeq 0.
        final Path history = new HistoryFile("duplicate-without-wire-seq")
            .send(ALICE, 1).resend(ALICE, 1).rejected(ALICE, 1, "DUPLICATE_REQUEST", 0)
            .send(ALICE, 2).rejected(ALICE, 2, "DUPLICATE_REQUEST", 0)
            .done();

        final CheckResult result = checker().config(config()).check(List.of(history));

        assertEquals(List.of(DUPLICATE_WITHOUT_ORIGINAL), kinds(result), result.violations().toString());
        assertEquals(2, result.violations().get(0).requestSeq());
    }

    @Test
    void shouldFindMoreCopiesInJournalThanTheClientSent() throws Exception
    {
        try (TestJournal journal = primary())
        {
            journal.order(ALICE, 1);
            journal.order(ALICE, 1);
        }
        final Path history = new HistoryFile("extra").send(ALICE, 1).accepted(ALICE, 1, 1).done();

        final CheckResult result = checker().check(List.of(history));

        assertEquals(List.of(EXTRA_COPIES), kinds(result));
    }

    @Test
    void shouldFindRequestToldAppliedAgainAtLaterCopy() throws Exception
    {
        try (TestJournal journal = primary())
        {
            journal.order(ALICE, 1);
            journal.order(ALICE, 1);
        }
        final Path history = new HistoryFile("twice")
            .send(ALICE, 1).resend(ALICE, 1).accepted(ALICE, 1, 2)
            .done();

        final CheckResult result = checker().check(List.of(history));

        assertEquals(List.of(APPLIED_TWICE), kinds(result));
        assertEquals(2, result.violations().get(0).wireSeq());
    }

    @Test
    void shouldFindRequestJournaledOutOfSessionOrder() throws Exception
    {
        try (TestJournal journal = primary())
        {
            journal.order(ALICE, 2);
            journal.order(ALICE, 1);
        }
        final Path history = new HistoryFile("reordered")
            .send(ALICE, 1).send(ALICE, 2)
            .accepted(ALICE, 2, 1).rejected(ALICE, 1, "DUPLICATE_REQUEST", 2)
            .done();

        final CheckResult result = checker().check(List.of(history));

        assertEquals(List.of(SESSION_ORDER), kinds(result), "reported once, not again as a duplicate answer");
        assertEquals(1, result.violations().get(0).requestSeq());
    }

    @Test
    void shouldFindDuplicateAnswerWithoutAnAppliedOriginal() throws Exception
    {
        try (TestJournal journal = primary())
        {
            journal.order(ALICE, 1);
        }
        final Path history = new HistoryFile("no-original")
            .send(ALICE, 1).rejected(ALICE, 1, "DUPLICATE_REQUEST", 1)
            .done();

        final CheckResult result = checker().check(List.of(history));

        assertEquals(List.of(DUPLICATE_WITHOUT_ORIGINAL), kinds(result));
    }

    @Test
    void shouldFindRefusedRequestThatWasApplied() throws Exception
    {
        try (TestJournal journal = primary())
        {
            journal.order(ALICE, 1);
        }
        final Path history = new HistoryFile("refused")
            .send(ALICE, 1).rejected(ALICE, 1, "HALTED", 0)
            .done();

        final CheckResult result = checker().check(List.of(history));

        assertEquals(List.of(REFUSED_BUT_APPLIED), kinds(result));
        assertEquals(1, result.refused());
    }

    @Test
    void shouldFindJournaledRequestTheClientNeverSent() throws Exception
    {
        try (TestJournal journal = primary())
        {
            journal.order(ALICE, 1);
            journal.order(ALICE, 2);
            journal.order(ALICE, 3);
        }
        final Path history = new HistoryFile("phantom")
            .send(ALICE, 1).accepted(ALICE, 1, 1)
            .send(ALICE, 3).accepted(ALICE, 3, 3)
            .done();

        final CheckResult result = checker().check(List.of(history));

        assertEquals(List.of(PHANTOM_REQUEST), kinds(result));
        assertEquals(2, result.violations().get(0).requestSeq());
    }

    @Test
    void shouldFindRequestSequencedBeforeOneWhoseReplyPrecededItsSend() throws Exception
    {
        try (TestJournal journal = primary())
        {
            journal.order(BOB, 1);
            journal.order(ALICE, 1);
        }
        final Path history = new HistoryFile("real-time")
            .send(ALICE, 1).accepted(ALICE, 1, 2)
            .send(BOB, 1).accepted(BOB, 1, 1)
            .done();

        final CheckResult result = checker().check(List.of(history));

        assertEquals(List.of(REAL_TIME_ORDER), kinds(result));
        assertEquals(BOB, result.violations().get(0).sessionId());
    }

    @Test
    void shouldRequireAsManyPersistedCopiesAsThePolicy() throws Exception
    {
        try (TestJournal journal = primary(); TestJournal replica = new TestJournal(dir.resolve("replica"), 2))
        {
            journal.order(ALICE, 1);
            replica.order(ALICE, 1);
            journal.order(ALICE, 2);
        }
        final Path history = new HistoryFile("coverage")
            .send(ALICE, 1).accepted(ALICE, 1, 1)
            .send(ALICE, 2).accepted(ALICE, 2, 2)
            .done();

        final CheckResult durable = checker().replica(dir.resolve("replica")).policy("durably-replicated")
            .check(List.of(history));
        final CheckResult hybrid = checker().replica(dir.resolve("replica")).policy("hybrid")
            .check(List.of(history));

        assertEquals(List.of(UNDER_REPLICATED), kinds(durable));
        assertEquals(2, durable.violations().get(0).wireSeq());
        assertTrue(hybrid.passed(), hybrid.violations().toString());
    }

    @Test
    void shouldRefuseAPolicyNeedingMoreJournalsThanGiven()
    {
        assertThrows(IllegalArgumentException.class,
            () -> checker().policy("persisted>=2").check(List.of(new HistoryFile("empty").done())));
        assertThrows(IllegalArgumentException.class,
            () -> new HistoryChecker().check(List.of(new HistoryFile("no-primary").done())));
    }

    @Test
    void shouldCompareReplicaStateHashAtCommonWireSeq() throws Exception
    {
        try (TestJournal journal = primary();
            TestJournal same = new TestJournal(dir.resolve("same"), 2);
            TestJournal different = new TestJournal(dir.resolve("different"), 3))
        {
            journal.order(ALICE, 1);
            journal.order(ALICE, 2);
            journal.order(ALICE, 3);
            same.order(ALICE, 1);
            same.order(ALICE, 2);
            different.order(ALICE, 1);
            different.order(ALICE, 2, TestJournal.PRICE + 1);
            different.order(ALICE, 3);
        }
        final Path history = new HistoryFile("replicas")
            .send(ALICE, 1).send(ALICE, 2).send(ALICE, 3)
            .accepted(ALICE, 1, 1).accepted(ALICE, 2, 2).accepted(ALICE, 3, 3)
            .done();

        final CheckResult clean = checker().replica(dir.resolve("same")).config(config()).check(List.of(history));
        final CheckResult divergent = checker().replica(dir.resolve("same")).replica(dir.resolve("different"))
            .config(config()).check(List.of(history));

        assertTrue(clean.passed(), clean.violations().toString());
        assertTrue(clean.notes().stream().anyMatch((note) -> note.contains("state hash equals the primary's at " +
            "wireSeq 2")), clean.notes().toString());
        assertEquals(List.of(DIVERGENT_ENTRY, STATE_HASH_MISMATCH), kinds(divergent));
        assertEquals(2, divergent.violations().get(0).wireSeq());
        assertTrue(divergent.violations().get(1).detail().contains("replica 2"), divergent.violations().toString());
    }

    @Test
    void shouldCheckEarlyHistoryATrimmedPrimaryNoLongerHoldsInAReplicaThatSharesIt() throws Exception
    {
        try (TestJournal seeded = new TestJournal(primaryDir(), 1, 3);
            TestJournal full = new TestJournal(dir.resolve("full"), 2);
            TestJournal other = new TestJournal(dir.resolve("other"), 3))
        {
            seeded.order(ALICE, 3);
            seeded.order(BOB, 1);
            full.order(ALICE, 1);
            full.order(ALICE, 2);
            full.order(ALICE, 3);
            full.order(BOB, 1);
            other.order(ALICE, 1);
            other.order(ALICE, 2);
            other.order(ALICE, 3, TestJournal.PRICE + 1);
        }
        final Path history = new HistoryFile("trimmed")
            .send(ALICE, 1).send(ALICE, 2).send(ALICE, 3).send(BOB, 1)
            .accepted(ALICE, 1, 1).accepted(ALICE, 2, 2).accepted(ALICE, 3, 3).accepted(BOB, 1, 4)
            .done();
        final Path lostEarly = new HistoryFile("lost-early")
            .send(ALICE, 1).send(ALICE, 2).accepted(ALICE, 1, 1).accepted(ALICE, 2, 2)
            .send(BOB, 7).accepted(BOB, 7, 2)
            .done();

        final CheckResult alone = checker().check(List.of(history));
        final CheckResult withReplica = checker().replica(dir.resolve("full")).check(List.of(history));
        final CheckResult divergedDonor = checker().replica(dir.resolve("other")).check(List.of(history));
        final CheckResult lost = checker().replica(dir.resolve("full")).check(List.of(lostEarly));

        assertTrue(alone.passed(), alone.violations().toString());
        assertEquals(2, alone.notCheckable(), "alone, the primary cannot show wireSeq 1 and 2");
        assertTrue(withReplica.passed(), withReplica.violations().toString());
        assertEquals(0, withReplica.notCheckable());
        assertTrue(withReplica.notes().stream().anyMatch((note) -> note.contains("wireSeq 1..2 checked in replica 1")),
            withReplica.notes().toString());
        assertEquals(2, divergedDonor.notCheckable(), "a journal that differs at the primary's first entry is no donor");
        assertEquals(List.of(ACK_MISSING), kinds(lost), "an early request the replica does not hold either is lost");
    }

    @Test
    void shouldCheckEarlyHistoryInAJournalSetAsideByAResyncEvenThoughItsTailDiverged() throws Exception
    {
        try (TestJournal seeded = new TestJournal(primaryDir(), 1, 3);
            TestJournal setAside = new TestJournal(dir.resolve("journal.diverged-1"), 1))
        {
            seeded.order(ALICE, 3);
            seeded.order(BOB, 1);
            setAside.order(ALICE, 1);
            setAside.order(ALICE, 2);
            setAside.order(ALICE, 3);
            setAside.order(BOB, 2); // the tail the old primary journaled and nobody acknowledged
        }
        final Path history = new HistoryFile("resynced")
            .send(ALICE, 1).send(ALICE, 2).send(ALICE, 3).send(BOB, 1)
            .accepted(ALICE, 1, 1).accepted(ALICE, 2, 2).accepted(ALICE, 3, 3).accepted(BOB, 1, 4)
            .done();

        final CheckResult result = checker().earlierJournal(dir.resolve("journal.diverged-1"))
            .check(List.of(history));

        assertTrue(result.passed(), "an earlier journal is not compared as a replica: " + result.violations());
        assertEquals(0, result.notCheckable());
        assertTrue(result.notes().stream().anyMatch((note) -> note.contains("wireSeq 1..2 checked in the earlier " +
            "journal")), result.notes().toString());
    }

    @Test
    void shouldReportDamagedJournalAndCheckWhatCouldBeRead() throws Exception
    {
        try (TestJournal journal = primary())
        {
            journal.order(ALICE, 1);
            journal.order(ALICE, 2);
            journal.order(0x5A5A_5A5A_5A5AL, 1);
        }
        corruptEntryOfSession(primaryDir(), 0x5A5A_5A5A_5A5AL);
        final Path history = new HistoryFile("damaged")
            .send(ALICE, 1).send(ALICE, 2).accepted(ALICE, 1, 1).accepted(ALICE, 2, 2)
            .done();

        final CheckResult result = checker().check(List.of(history));

        assertEquals(List.of(JOURNAL_DAMAGED), kinds(result));
        assertEquals(3, result.violations().get(0).wireSeq(), "read up to the damaged entry");
    }

    @Test
    void shouldReportInconsistentHistory() throws Exception
    {
        try (TestJournal journal = primary())
        {
            journal.order(ALICE, 1);
        }
        final Path history = new HistoryFile("anomaly")
            .send(ALICE, 1).accepted(ALICE, 1, 1).accepted(ALICE, 1, 1)
            .accepted(BOB, 9, 0)
            .done();

        final CheckResult result = checker().check(List.of(history));

        assertEquals(List.of(HISTORY_ANOMALY, HISTORY_ANOMALY), kinds(result));
    }

    private static List<Violation.Kind> kinds(final CheckResult result)
    {
        return result.violations().stream().map(Violation::kind).toList();
    }

    /**
     * Flip a byte of the command of the one entry carrying this session id, so its CRC no longer matches.
     */
    private static void corruptEntryOfSession(final Path journalDir, final long sessionId) throws IOException
    {
        final byte[] pattern = new byte[8];
        for (int i = 0; i < 8; i++)
        {
            pattern[i] = (byte)(sessionId >>> (8 * i));
        }
        try (Stream<Path> files = Files.list(journalDir.resolve("queue")))
        {
            for (final Path file : files.filter((p) -> p.toString().endsWith(".cq4")).toList())
            {
                final byte[] bytes = Files.readAllBytes(file);
                for (int i = 0; i + 8 <= bytes.length; i++)
                {
                    if (java.util.Arrays.equals(bytes, i, i + 8, pattern, 0, 8))
                    {
                        bytes[i + 40] ^= 0x01;
                        Files.write(file, bytes);
                        return;
                    }
                }
            }
        }
        throw new AssertionError("no entry of session " + sessionId + " found");
    }

    /**
     * A hand-made history: each event one tick after the previous.
     */
    private final class HistoryFile
    {
        private final Path file;
        private final HistoryWriter writer;
        private long timeNs;

        HistoryFile(final String name) throws IOException
        {
            file = dir.resolve(name + ".jsonl");
            writer = HistoryWriter.open(file);
            writer.start(0, timeNs, "127.0.0.1:7001");
        }

        HistoryFile send(final long sessionId, final long requestSeq) throws IOException
        {
            writer.send(++timeNs, sessionId, requestSeq, sessionId * 1_000 + requestSeq, HistoryWriter.NEW_ORDER);
            return this;
        }

        HistoryFile resend(final long sessionId, final long requestSeq) throws IOException
        {
            writer.resend(++timeNs, sessionId, requestSeq);
            return this;
        }

        HistoryFile accepted(final long sessionId, final long requestSeq, final long wireSeq) throws IOException
        {
            writer.reply(++timeNs, sessionId, requestSeq, HistoryWriter.ACCEPTED, null, wireSeq);
            return this;
        }

        HistoryFile rejected(final long sessionId, final long requestSeq, final String reason, final long wireSeq)
            throws IOException
        {
            writer.reply(++timeNs, sessionId, requestSeq, HistoryWriter.REJECTED, reason, wireSeq);
            return this;
        }

        Path done() throws IOException
        {
            writer.end(++timeNs);
            writer.close();
            return file;
        }
    }
}
