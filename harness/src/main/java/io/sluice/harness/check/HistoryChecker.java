package io.sluice.harness.check;

import io.sluice.matching.MatchingContext;
import io.sluice.node.wiring.StageContexts;
import io.sluice.matching.MatchingListener;
import io.sluice.matching.SilentListener;
import io.sluice.node.config.NodeConfig;
import io.sluice.durability.Clause;
import io.sluice.durability.DurabilityMode;
import io.sluice.durability.Level;
import io.sluice.durability.Policy;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.Liquidity;
import io.sluice.sbe.client.OrderState;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Proves, after a run, that what clients were told agrees with what the nodes kept. Given the histories the clients
 * recorded and the journal of the surviving primary (and of its replicas), it checks:
 * <ol>
 *     <li>every request answered with a {@code wireSeq} (acknowledged, business-rejected or answered duplicate) is
 *     in the primary's journal, at the {@code wireSeq} the client was told, and its first copy there is the one
 *     applied;</li>
 *     <li>no request is applied twice: later copies of a request (resends after a lost connection) are no-ops under
 *     the session's requestSeq high-water mark, the journal holds no more copies than the client sent, and, with a
 *     configuration to replay with, the engine indeed answered each later copy DUPLICATE_REQUEST;</li>
 *     <li>order: per session, requests are first journaled in requestSeq order; across sessions of one history, a
 *     request sent after another's reply arrived is sequenced after it; a request refused without a
 *     {@code wireSeq} was not applied;</li>
 *     <li>coverage: every acknowledged {@code wireSeq} is present, with the primary's CRC, on at least as many of
 *     the given journals as the policy's persisted count, and replicas never hold an entry that differs from the
 *     primary's;</li>
 *     <li>with a configuration: each replica's state hash equals the primary's at the lowest last {@code wireSeq}
 *     they share, by replaying every journal to that point.</li>
 * </ol>
 * What cannot be checked after the fact is said in {@link CheckResult#notes()}: an in-memory copy leaves no trace,
 * and a copy present now may have been written after the reply was released. See docs/reliability.md.
 * <p>
 * Journals are read as files: check stopped nodes, or copies.
 */
public final class HistoryChecker
{
    private Path primary;
    private final List<Path> replicas = new ArrayList<>();
    private final List<Path> earlierJournals = new ArrayList<>();
    private NodeConfig config;
    private Policy policy = DurabilityMode.DEFAULT.policy();

    /**
     * @param dir the surviving primary's data directory or journal directory.
     * @return this.
     */
    public HistoryChecker primary(final Path dir)
    {
        this.primary = dir;
        return this;
    }

    /**
     * @param dir a replica's (following the primary) data directory or journal directory.
     * @return this.
     */
    public HistoryChecker replica(final Path dir)
    {
        replicas.add(dir);
        return this;
    }

    /**
     * A journal that holds history the primary's no longer does, used only for that: one set aside by a resync
     * ({@code journal.diverged-*}, {@code journal.behind-*}) or an archived copy. It is never compared with the
     * primary as a replica is (a diverged one differs at its tail by definition); its entries count only up to where
     * the primary's, or an earlier donor's, begin, and only if it holds that first entry with the same CRC.
     *
     * @param dir a journal directory or a data directory holding {@code journal/}.
     * @return this.
     */
    public HistoryChecker earlierJournal(final Path dir)
    {
        earlierJournals.add(dir);
        return this;
    }

    /**
     * @param config any node's configuration (the matching options and instruments are the same cluster-wide); with
     *               it, every journal is replayed and state hashes compared. Null to skip.
     * @return this.
     */
    public HistoryChecker config(final NodeConfig config)
    {
        this.config = config;
        return this;
    }

    /**
     * @param policy the weakest durability policy in force during the run (default {@code hybrid}).
     * @return this.
     */
    public HistoryChecker policy(final Policy policy)
    {
        this.policy = policy;
        return this;
    }

    /**
     * @param modeOrExpression a mode name or clause expression, as {@code DURABILITY} takes.
     * @return this.
     * @throws io.sluice.durability.InvalidPolicyException if it is not a policy.
     */
    public HistoryChecker policy(final String modeOrExpression)
    {
        return policy(Policy.resolve(modeOrExpression));
    }

    /**
     * @param historyFiles written by {@code sluice bench --history} or a {@link HistoryWriter}.
     * @return what was found.
     * @throws IOException              if a history cannot be read.
     * @throws IllegalArgumentException if no primary is set, or the policy asks for more persisted copies than
     *                                  journals were given.
     */
    public CheckResult check(final List<Path> historyFiles) throws IOException
    {
        return check(History.read(historyFiles));
    }

    /**
     * @param history the clients' record of the run.
     * @return what was found.
     * @throws IOException              if a snapshot needed for replay cannot be read.
     * @throws IllegalArgumentException if no primary is set, a directory is not a journal, or the policy asks for
     *                                  more persisted copies than journals were given.
     */
    public CheckResult check(final History history) throws IOException
    {
        if (primary == null)
        {
            throw new IllegalArgumentException("the primary's journal directory is required");
        }
        final int persistedCopies = requiredCount(policy, Level.PERSISTED);
        if (persistedCopies > 1 + replicas.size())
        {
            throw new IllegalArgumentException("policy " + policy.description() + " needs " + persistedCopies +
                " persisted copies but only " + (1 + replicas.size()) + " journal(s) were given: add --replica " +
                "directories or check against a weaker --policy");
        }
        requireJournal(primary);
        replicas.forEach(HistoryChecker::requireJournal);
        final List<JournalImage> replicaImages = new ArrayList<>();
        for (int i = 0; i < replicas.size(); i++)
        {
            replicaImages.add(JournalImage.read("replica " + (i + 1), replicas.get(i)));
        }
        final List<JournalImage> donors = new ArrayList<>(replicaImages);
        for (final Path dir : earlierJournals)
        {
            requireJournal(dir);
            donors.add(JournalImage.read("the earlier journal " + JournalImage.journalDirectory(dir), dir));
        }
        return new Run(history, JournalImage.read("primary", primary), replicaImages, donors, persistedCopies).run();
    }

    private static void requireJournal(final Path dir)
    {
        if (!Files.isRegularFile(JournalImage.journalDirectory(dir).resolve(JournalImage.HEADER_FILE)))
        {
            throw new IllegalArgumentException("not a journal directory: " + dir + " (no " +
                JournalImage.HEADER_FILE + " in it or in its journal/ directory)");
        }
    }

    static int requiredCount(final Policy policy, final Level level)
    {
        int count = 0;
        for (final Clause clause : policy.clauses())
        {
            if (clause.level() == level)
            {
                count = Math.max(count, clause.count());
            }
        }
        return count;
    }

    /**
     * Copies of one session's requests in the primary's journal.
     */
    private static final class SessionCopies
    {
        /** Highest requestSeq applied so far while scanning; the engine's duplicate rule. */
        long highWaterMark;
        /** requestSeq to the wireSeq of the copy that was applied (the first, when in order). */
        final Long2LongHashMap appliedAt = new Long2LongHashMap(0);
        /** requestSeq to the wireSeq of its first copy when that came after a higher requestSeq (never applied). */
        final Long2LongHashMap outOfOrderAt = new Long2LongHashMap(0);
        /** requestSeq to how many copies the journal holds. */
        final Long2LongHashMap copies = new Long2LongHashMap(0);
    }

    /**
     * One check: the state of the comparison between one history and one set of journals.
     */
    private final class Run
    {
        private final History history;
        /** The primary's journal as it is on disk: replayed from its snapshot for the state hash. */
        private final JournalImage primaryJournal;
        /** The same, with any early history it no longer holds taken from a replica's journal: what is checked. */
        private final JournalImage primaryImage;
        private final List<JournalImage> replicaImages;
        private final int persistedCopies;
        private final Long2ObjectHashMap<SessionCopies> sessions = new Long2ObjectHashMap<>();
        /** Primary entries that are later copies of an applied request, by wireSeq - first. */
        private final BitSet laterCopy = new BitSet();
        private final List<Violation> violations = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();
        private long requests;
        private long acknowledged;
        private long sequenced;
        private long refused;
        private long unanswered;
        private long notCheckable;

        Run(final History history, final JournalImage primaryImage, final List<JournalImage> replicaImages,
            final List<JournalImage> donors, final int persistedCopies)
        {
            this.history = history;
            this.primaryJournal = primaryImage;
            this.primaryImage = primaryImage.withPrefixFrom(donors, notes);
            this.replicaImages = replicaImages;
            this.persistedCopies = persistedCopies;
        }

        CheckResult run() throws IOException
        {
            violations.addAll(history.anomalies());
            describeJournals();
            scanPrimary();
            checkRequests();
            checkPhantoms();
            checkRealTimeOrder();
            checkReplicas();
            if (config != null)
            {
                replayAndCompare();
            }
            else
            {
                notes.add("state hashes not compared and the engine's duplicate answers not replayed: give the " +
                    "configuration (--config) to replay the journals");
            }
            describeLimits();
            return new CheckResult(requests, acknowledged, sequenced, refused, unanswered, notCheckable, violations,
                notes);
        }

        private void describeJournals()
        {
            for (final JournalImage image : images())
            {
                notes.add(image.name() + " journal " + image.directory() + ": wireSeq " + image.range());
                if (image.problem() != null)
                {
                    violations.add(new Violation(Violation.Kind.JOURNAL_DAMAGED, 0, 0, image.lastWireSeq() + 1,
                        image.name() + " journal could not be read past wireSeq " + image.lastWireSeq() + ": " +
                        image.problem()));
                }
            }
        }

        private List<JournalImage> images()
        {
            final List<JournalImage> all = new ArrayList<>();
            all.add(primaryJournal);
            all.addAll(replicaImages);
            return all;
        }

        /**
         * Walk the primary's journal as the engine's duplicate rule does: per session, a requestSeq above the
         * high-water mark is applied and raises it; one at or below it is a later copy of an applied request, or,
         * if it was never applied, out of session order.
         */
        private void scanPrimary()
        {
            final JournalImage image = primaryImage;
            for (long wireSeq = image.firstWireSeq(); wireSeq <= image.lastWireSeq(); wireSeq++)
            {
                if (!image.isClientCommand(wireSeq))
                {
                    continue;
                }
                final long sessionId = image.sessionId(wireSeq);
                final long requestSeq = image.requestSeq(wireSeq);
                final SessionCopies session = sessions.computeIfAbsent(sessionId, (id) -> new SessionCopies());
                session.copies.put(requestSeq, session.copies.get(requestSeq) + 1);
                if (requestSeq > session.highWaterMark)
                {
                    session.appliedAt.put(requestSeq, wireSeq);
                    session.highWaterMark = requestSeq;
                }
                else if (session.appliedAt.containsKey(requestSeq))
                {
                    laterCopy.set(index(wireSeq));
                }
                else if (!session.outOfOrderAt.containsKey(requestSeq))
                {
                    session.outOfOrderAt.put(requestSeq, wireSeq);
                    violations.add(new Violation(Violation.Kind.SESSION_ORDER, sessionId, requestSeq, wireSeq,
                        "first journaled after requestSeq " + session.highWaterMark + " of the same session, so the " +
                        "engine answered it DUPLICATE_REQUEST although it was never applied"));
                }
            }
        }

        private void checkRequests()
        {
            for (final History.Request request : history.requests())
            {
                requests++;
                final SessionCopies session = sessions.get(request.sessionId());
                final long appliedAt = session == null ? 0 : session.appliedAt.get(request.requestSeq());
                final long copies = session == null ? 0 : session.copies.get(request.requestSeq());
                if (copies > request.sends())
                {
                    add(Violation.Kind.EXTRA_COPIES, request, appliedAt, "the journal holds " + copies +
                        " copies but the client sent it " + request.sends() + " time(s)");
                }
                if (request.isSequenced())
                {
                    sequenced++;
                    if (request.isAcknowledged())
                    {
                        acknowledged++;
                    }
                    checkSequenced(request, session, appliedAt, copies);
                }
                else if (request.isAnsweredDuplicate())
                {
                    checkUnsequencedDuplicate(request, session, appliedAt);
                }
                else if (request.isRefused())
                {
                    refused++;
                    if (appliedAt != 0)
                    {
                        add(Violation.Kind.REFUSED_BUT_APPLIED, request, appliedAt, "answered " +
                            request.outcome() + " " + request.reason() + " without a wireSeq (not applied), but " +
                            "the journal applied it at wireSeq " + appliedAt);
                    }
                }
                else
                {
                    unanswered++;
                }
            }
        }

        private void checkSequenced(
            final History.Request request, final SessionCopies session, final long appliedAt, final long copies)
        {
            final JournalImage image = primaryImage;
            final long wireSeq = request.wireSeq();
            if (wireSeq < image.firstWireSeq() && !image.isEmpty())
            {
                notCheckable++;
                return;
            }
            final String answer = request.outcome() == History.Outcome.ACCEPTED ? "accepted" :
                request.outcome() + " " + request.reason();
            final boolean atWireSeq = image.holds(wireSeq) && image.isClientCommand(wireSeq) &&
                image.sessionId(wireSeq) == request.sessionId() && image.requestSeq(wireSeq) == request.requestSeq();
            if (!atWireSeq && request.isAnsweredDuplicate() && appliedAt != 0 && appliedAt < wireSeq)
            {
                // The sequencer answers a resend of a request it already applied DUPLICATE_REQUEST without
                // journaling it, carrying its last wireSeq: released once that wireSeq is covered, which covers the
                // original. The original is what must be in the journal and covered.
                checkCoverage(request, appliedAt);
                return;
            }
            if (!atWireSeq)
            {
                if (copies == 0)
                {
                    add(Violation.Kind.ACK_MISSING, request, wireSeq, "answered " + answer + " at wireSeq " +
                        wireSeq + " but the primary's journal holds no copy (at " + wireSeq + ": " +
                        image.describe(wireSeq) + ")");
                }
                else
                {
                    add(Violation.Kind.WIRE_SEQ_MISMATCH, request, wireSeq, "answered " + answer + " at wireSeq " +
                        wireSeq + " where the journal holds " + image.describe(wireSeq) +
                        (appliedAt != 0 ? "; the request was applied at wireSeq " + appliedAt : ""));
                }
                return;
            }
            checkCoverage(request, wireSeq);
            if (request.isAnsweredDuplicate())
            {
                final boolean outOfOrder = session != null && session.outOfOrderAt.containsKey(request.requestSeq());
                // A resend answered with the last wireSeq while that is still the original's own is covered too.
                final boolean resentAfterLastEntry = appliedAt == wireSeq && request.sends() > 1;
                if ((appliedAt == 0 || appliedAt == wireSeq) && !resentAfterLastEntry && !outOfOrder)
                {
                    add(Violation.Kind.DUPLICATE_WITHOUT_ORIGINAL, request, wireSeq, "answered DUPLICATE_REQUEST " +
                        "at wireSeq " + wireSeq + " but the journal holds no earlier applied copy");
                }
            }
            else if (appliedAt != 0 && appliedAt != wireSeq)
            {
                add(Violation.Kind.APPLIED_TWICE, request, wireSeq, "answered " + answer + " at wireSeq " + wireSeq +
                    ", a later copy of the request the journal applied at wireSeq " + appliedAt + ": the client " +
                    "was told it took effect twice");
            }
        }

        /**
         * A resend answered DUPLICATE_REQUEST without a wireSeq: the sequencer applied nothing and released the
         * answer only once its last wireSeq, which covers the original, was as durable as the policy asks. The
         * original must be in the journal, applied, and covered.
         */
        private void checkUnsequencedDuplicate(
            final History.Request request, final SessionCopies session, final long appliedAt)
        {
            if (appliedAt == 0)
            {
                final boolean outOfOrder = session != null && session.outOfOrderAt.containsKey(request.requestSeq());
                if (!outOfOrder)
                {
                    add(Violation.Kind.DUPLICATE_WITHOUT_ORIGINAL, request, 0, "answered DUPLICATE_REQUEST but the " +
                        "journal holds no applied copy");
                }
                return;
            }
            if (appliedAt < primaryImage.firstWireSeq() && !primaryImage.isEmpty())
            {
                notCheckable++;
                return;
            }
            checkCoverage(request, appliedAt);
        }

        private void checkCoverage(final History.Request request, final long wireSeq)
        {
            if (persistedCopies <= 1)
            {
                return;
            }
            final int crc = primaryImage.crc(wireSeq);
            int copies = 1;
            for (final JournalImage replica : replicaImages)
            {
                if (replica.holds(wireSeq) && replica.crc(wireSeq) == crc)
                {
                    copies++;
                }
            }
            if (copies < persistedCopies)
            {
                add(Violation.Kind.UNDER_REPLICATED, request, wireSeq, "its reply was released, but wireSeq " +
                    wireSeq + " is on " + copies + " of the " + (1 + replicaImages.size()) + " journals given; " +
                    "policy " + policy.description() + " needs " + persistedCopies + " persisted copies");
            }
        }

        /**
         * A journal copy of a recorded session's request, within the requestSeq range one history sent on that
         * session, that the history never sent.
         */
        private void checkPhantoms()
        {
            final Long2ObjectHashMap<List<long[]>> rangesBySession = new Long2ObjectHashMap<>();
            for (final History.Request request : history.requests())
            {
                final List<long[]> ranges = rangesBySession.computeIfAbsent(request.sessionId(),
                    (id) -> new ArrayList<>());
                long[] range = null;
                for (final long[] candidate : ranges)
                {
                    if (candidate[0] == request.historyIndex())
                    {
                        range = candidate;
                    }
                }
                if (range == null)
                {
                    range = new long[]{ request.historyIndex(), request.requestSeq(), request.requestSeq() };
                    ranges.add(range);
                }
                range[1] = Math.min(range[1], request.requestSeq());
                range[2] = Math.max(range[2], request.requestSeq());
            }
            rangesBySession.forEach((sessionId, ranges) ->
            {
                final SessionCopies session = sessions.get(sessionId);
                if (session == null)
                {
                    return;
                }
                session.copies.forEachLong((requestSeq, copies) ->
                {
                    if (history.request(sessionId, requestSeq) != null)
                    {
                        return;
                    }
                    for (final long[] range : ranges)
                    {
                        if (requestSeq >= range[1] && requestSeq <= range[2])
                        {
                            final long at = session.appliedAt.get(requestSeq) != 0 ?
                                session.appliedAt.get(requestSeq) : session.outOfOrderAt.get(requestSeq);
                            violations.add(new Violation(Violation.Kind.PHANTOM_REQUEST, sessionId, requestSeq, at,
                                "the journal holds " + copies + " copy(ies) of a request this session never sent " +
                                "(the history sent requestSeq " + range[1] + ".." + range[2] + ")"));
                            return;
                        }
                    }
                });
            });
        }

        /**
         * Within one history (one clock), a request first handed to the client after another request's sequenced
         * reply arrived must have been applied after it.
         */
        private void checkRealTimeOrder()
        {
            for (int file = 0; file < history.files().size(); file++)
            {
                final List<History.Request> answered = new ArrayList<>();
                final List<History.Request> sent = new ArrayList<>();
                for (final History.Request request : history.requests())
                {
                    if (request.historyIndex() != file || appliedAt(request) == 0)
                    {
                        continue;
                    }
                    sent.add(request);
                    if (request.isSequenced())
                    {
                        answered.add(request);
                    }
                }
                answered.sort(Comparator.comparingLong(History.Request::answeredNs));
                sent.sort(Comparator.comparingLong(History.Request::firstSentNs));
                int next = 0;
                History.Request latest = null;
                long latestAppliedAt = 0;
                for (final History.Request request : sent)
                {
                    while (next < answered.size() && answered.get(next).answeredNs() < request.firstSentNs())
                    {
                        final History.Request before = answered.get(next++);
                        final long beforeAppliedAt = appliedAt(before);
                        if (beforeAppliedAt > latestAppliedAt)
                        {
                            latestAppliedAt = beforeAppliedAt;
                            latest = before;
                        }
                    }
                    final long appliedAt = appliedAt(request);
                    if (latest != null && appliedAt < latestAppliedAt)
                    {
                        add(Violation.Kind.REAL_TIME_ORDER, request, appliedAt, "sent after the reply to session " +
                            latest.sessionId() + " requestSeq " + latest.requestSeq() + " (applied at wireSeq " +
                            latestAppliedAt + ") arrived, yet applied before it, at wireSeq " + appliedAt);
                    }
                }
            }
        }

        private long appliedAt(final History.Request request)
        {
            final SessionCopies session = sessions.get(request.sessionId());
            return session == null ? 0 : session.appliedAt.get(request.requestSeq());
        }

        private void checkReplicas()
        {
            for (final JournalImage replica : replicaImages)
            {
                final long from = Math.max(primaryImage.firstWireSeq(), replica.firstWireSeq());
                final long to = Math.min(primaryImage.lastWireSeq(), replica.lastWireSeq());
                long differing = 0;
                long firstDifferent = 0;
                for (long wireSeq = from; wireSeq <= to; wireSeq++)
                {
                    if (replica.crc(wireSeq) != primaryImage.crc(wireSeq))
                    {
                        if (differing++ == 0)
                        {
                            firstDifferent = wireSeq;
                        }
                    }
                }
                if (differing > 0)
                {
                    violations.add(new Violation(Violation.Kind.DIVERGENT_ENTRY, 0, 0, firstDifferent,
                        replica.name() + " (" + replica.directory() + ") differs from the primary at " + differing +
                        " of the wireSeqs both hold, first at " + firstDifferent + ": primary has " +
                        primaryImage.describe(firstDifferent) + ", " + replica.name() + " has " +
                        replica.describe(firstDifferent)));
                }
                if (replica.lastWireSeq() > primaryImage.lastWireSeq())
                {
                    notes.add(replica.name() + " holds wireSeq up to " + replica.lastWireSeq() + ", beyond the " +
                        "primary's last " + primaryImage.lastWireSeq() + ": is it following this primary?");
                }
            }
        }

        /**
         * Replay every journal to the lowest last wireSeq they share and compare state hashes; replay the primary to
         * its end to confirm the engine answered every later copy of a request DUPLICATE_REQUEST.
         */
        private void replayAndCompare() throws IOException
        {
            long commonWireSeq = primaryImage.lastWireSeq();
            for (final JournalImage replica : replicaImages)
            {
                commonWireSeq = Math.min(commonWireSeq, replica.lastWireSeq());
            }

            // Answers are indexed like laterCopy (from the checked image's first wireSeq); the replay itself runs on
            // the journal as it is, from its own snapshot.
            final DuplicateAnswers duplicates = new DuplicateAnswers(primaryImage.firstWireSeq());
            final long primaryHash;
            try (StateReplay replay = new StateReplay(primaryJournal, engineContext(), duplicates))
            {
                final String problem = replay.start(commonWireSeq);
                if (problem != null)
                {
                    notes.add("state not replayed: " + problem);
                    return;
                }
                replay.applyTo(commonWireSeq);
                primaryHash = replay.stateHash();
                replay.applyTo(primaryImage.lastWireSeq());
                checkDuplicateAnswers(duplicates, replay.startWireSeq(), replay.appliedWireSeq());
            }
            if (replicaImages.isEmpty())
            {
                notes.add(String.format(Locale.ROOT, "primary replayed to wireSeq %d: state hash %016x",
                    commonWireSeq, primaryHash));
                return;
            }
            if (commonWireSeq < 1)
            {
                notes.add("state hashes not compared: a journal given is empty");
                return;
            }
            for (final JournalImage replica : replicaImages)
            {
                try (StateReplay replay = new StateReplay(replica, engineContext(), SilentListener.INSTANCE))
                {
                    final String problem = replay.start(commonWireSeq);
                    if (problem != null)
                    {
                        notes.add("state hash of " + replica.name() + " not compared: " + problem);
                        continue;
                    }
                    final long reached = replay.applyTo(commonWireSeq);
                    final long hash = replay.stateHash();
                    if (reached != commonWireSeq)
                    {
                        notes.add("state hash of " + replica.name() + " not compared: replay stopped at wireSeq " +
                            reached);
                    }
                    else if (hash != primaryHash)
                    {
                        violations.add(new Violation(Violation.Kind.STATE_HASH_MISMATCH, 0, 0, commonWireSeq,
                            String.format(Locale.ROOT, "at wireSeq %d the primary's state hash is %016x, %s's is " +
                            "%016x", commonWireSeq, primaryHash, replica.name(), hash)));
                    }
                    else
                    {
                        notes.add(String.format(Locale.ROOT, "%s state hash equals the primary's at wireSeq %d: " +
                            "%016x", replica.name(), commonWireSeq, hash));
                    }
                }
            }
        }

        private void checkDuplicateAnswers(
            final DuplicateAnswers duplicates, final long replayedFrom, final long replayedTo)
        {
            for (int i = laterCopy.nextSetBit(0); i >= 0; i = laterCopy.nextSetBit(i + 1))
            {
                final long wireSeq = primaryImage.firstWireSeq() + i;
                if (wireSeq <= replayedFrom)
                {
                    continue;
                }
                if (wireSeq > replayedTo)
                {
                    break;
                }
                if (!duplicates.answered.get(i))
                {
                    final long sessionId = primaryImage.sessionId(wireSeq);
                    final long requestSeq = primaryImage.requestSeq(wireSeq);
                    violations.add(new Violation(Violation.Kind.APPLIED_TWICE, sessionId, requestSeq, wireSeq,
                        "replaying the journal, the engine did not answer this later copy DUPLICATE_REQUEST (the " +
                        "request was applied at wireSeq " + sessions.get(sessionId).appliedAt.get(requestSeq) + ")"));
                }
            }
        }

        private MatchingContext engineContext()
        {
            return new StageContexts(config).engine();
        }

        private void describeLimits()
        {
            notes.add("policy " + policy.description() + ": " + (persistedCopies > 1 ?
                "every sequenced wireSeq was required on " + persistedCopies + " of the " +
                (1 + replicaImages.size()) + " journals given, with the primary's CRC" :
                "every sequenced wireSeq was required in the primary's journal") + "; a copy present now may have " +
                "been written after the reply was released, so this finds lost copies, not late ones");
            final int inMemoryCopies = requiredCount(policy, Level.IN_MEMORY);
            if (inMemoryCopies > 0)
            {
                notes.add("in_memory>=" + inMemoryCopies + " cannot be checked after the fact: an in-memory copy " +
                    "leaves no trace once a node stops");
            }
            if (notCheckable > 0)
            {
                notes.add(notCheckable + " sequenced replies are below the primary journal's first wireSeq " +
                    primaryImage.firstWireSeq() + " (deleted by retention) and were not checked");
            }
            if (unanswered > 0)
            {
                notes.add(unanswered + " requests were never answered: in doubt, each may be in the journal (at " +
                    "most as many times as it was sent) or not");
            }
            notes.addAll(history.notes());
        }

        private void add(
            final Violation.Kind kind, final History.Request request, final long wireSeq, final String detail)
        {
            violations.add(new Violation(kind, request.sessionId(), request.requestSeq(), wireSeq, detail));
        }

        private int index(final long wireSeq)
        {
            return (int)(wireSeq - primaryImage.firstWireSeq());
        }
    }

    /**
     * Records which replayed commands the engine answered REJECTED DUPLICATE_REQUEST; everything else is dropped.
     */
    private static final class DuplicateAnswers implements MatchingListener
    {
        private final long firstWireSeq;
        final BitSet answered = new BitSet();

        DuplicateAnswers(final long firstWireSeq)
        {
            this.firstWireSeq = firstWireSeq;
        }

        @Override
        public void onExecutionReport(
            final long sessionId, final long accountId, final long requestSeq, final long wireSeq,
            final long timestampNs, final long clientOrderId, final long orderId, final int instrumentId,
            final Side side, final ExecType execType, final RejectReason rejectReason, final Liquidity liquidity,
            final long price, final long quantity, final long leavesQuantity, final long cumQuantity,
            final long lastPrice, final long lastQuantity, final long tradeId)
        {
            if (execType == ExecType.REJECTED && rejectReason == RejectReason.DUPLICATE_REQUEST &&
                wireSeq >= firstWireSeq)
            {
                answered.set((int)(wireSeq - firstWireSeq));
            }
        }

        @Override
        public void onOrderStatus(
            final long sessionId, final long accountId, final long requestSeq, final long clientOrderId,
            final long orderId, final int instrumentId, final Side side, final OrderState state,
            final RejectReason rejectReason, final long price, final long quantity, final long leavesQuantity,
            final long cumQuantity)
        {
        }

        @Override
        public void onBookSnapshot(
            final long sessionId, final long requestSeq, final int instrumentId, final int bidLevelCount,
            final int askLevelCount)
        {
        }

        @Override
        public void onBookLevel(
            final long sessionId, final long requestSeq, final int instrumentId, final Side side, final long price,
            final long quantity, final int orderCount)
        {
        }

        @Override
        public void onCommandComplete(final long sessionId, final long requestSeq, final long wireSeq)
        {
        }
    }
}
