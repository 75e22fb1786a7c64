package io.sluice.pipeline.sequencer;

import io.sluice.concurrent.Waker;
import io.sluice.journal.JournalPublisher;
import io.sluice.matching.MatchingEngine;
import io.sluice.matching.MatchingListener;
import io.sluice.pipeline.ingest.IngestHandler;
import io.sluice.pipeline.ingest.IngestRecord;
import io.sluice.pipeline.ingest.IngestRings;
import io.sluice.pipeline.net.ClientReplies;
import io.sluice.pipeline.net.CloseReason;
import io.sluice.response.OutputRingPublisher;
import io.sluice.response.OutputSlot;
import io.sluice.sbe.client.BookSnapshotEncoder;
import io.sluice.sbe.client.CancelOnDisconnect;
import io.sluice.sbe.client.EngineErrorCode;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.HaltedEncoder;
import io.sluice.sbe.client.Liquidity;
import io.sluice.sbe.client.LogonDecoder;
import io.sluice.sbe.client.LogoutDecoder;
import io.sluice.sbe.client.MessageHeaderEncoder;
import io.sluice.sbe.client.OrderState;
import io.sluice.sbe.client.OrderStatusEncoder;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.journal.EntryType;
import io.sluice.sbe.journal.KillTarget;
import io.sluice.wire.ClientProtocol;
import io.sluice.wire.MessageValidator;
import org.HdrHistogram.Recorder;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongPredicate;

/**
 * The one thread that changes exchange state. Each duty cycle it drains the ingest rings round-robin (a bounded
 * batch per ring), gives each state-changing command the next {@code wireSeq}, puts it on the journal ring, applies
 * it to the matching engine and publishes the replies to the output ring. Queries are answered without a
 * {@code wireSeq}. While the {@link TradingGate} is closed, state-changing commands are answered {@code Halted}
 * before anything is journaled; queries are still served.
 * <p>
 * The sequencer also owns the session table: which connection each logged-on session's reports go to, and which
 * account it logged on with. A logon naming another account than the session's (that of its first applied command,
 * or of its live connection) is refused; a logon that takes a session over from a live connection tells that
 * connection, which is then closed. A report caused by the request being handled goes to the connection that sent
 * it, with its requestSeq; any other report (a fill of a resting order, an expiry) goes to the owning session's
 * connection as unsolicited, with requestSeq 0, and is not sent at all while that session is offline (the client
 * recovers it with an order-status query after it logs on again). Answers the readers made themselves (to frames
 * they refused, and connections' last messages) are passed on in ring order.
 * <p>
 * Back-pressure never blocks this thread: it takes a batch only when the journal ring has room for the whole batch,
 * and replies that do not fit the output ring wait in a spill, in order, before any new command is taken.
 * <p>
 * Two kinds of command start here rather than at a client, and are journaled like any other that changes state, so
 * replicas and recovery apply them as this node did: an operator's {@link KillSwitchCommand} (queued from an admin
 * thread), and cancel-on-disconnect: a Logon that changes whether its session wants it (asked for, or the listener's
 * default) is journaled as CANCEL_ON_DISCONNECT_ON or _OFF, and CANCEL_SESSION_DAY_ORDERS is journaled when such a
 * session has been gone for the grace period without logging on again. A sequencer starting its term (after a
 * restart or a promotion) starts the grace period of every session that wants it: none is logged on to it yet.
 */
public final class SequencerAgent implements Agent, IngestHandler, MatchingListener
{
    private static final long NO_CONNECTION = -1;
    /** Why a request from a connection its session has replaced is refused. */
    public static final String SUPERSEDED = "this connection was replaced by a newer logon of the session";
    /** Why a request is refused after an earlier one on its connection was. */
    public static final String AFTER_REFUSAL = "an earlier request on this connection was refused: log on again " +
        "and resend from it";
    /** Start of the reason a request is refused when handling it threw before anything was journaled. */
    public static final String INTERNAL_ERROR = "internal error, request not applied: ";
    private static final byte[] REPLACED = "this session logged on again on another connection"
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int SCRATCH_BYTES = 64 * 1024;
    private static final int KILL_SWITCH_QUEUE_CAPACITY = 64;
    private static final int MAX_ERROR_REASON_CHARS = 200;

    private final IngestRings ingestRings;
    private final int maxPerRing;
    private final JournalPublisher journal;
    private final RingBuffer journalRing;
    private final int journalRecordBytes;
    private final OutputRingPublisher output;
    private final TradingGate tradingGate;
    /** Wake the journal agent and the response stage after a duty cycle that gave them work. */
    private final Waker journalWaker;
    private final Waker outputWaker;
    private final EpochNanoClock epochClock;
    private final NanoClock nanoClock;
    private final MatchingEngine engine;
    private final CommandApplier applier;
    private final OutputSpill spill = new OutputSpill();
    private final Long2LongHashMap connectionBySession = new Long2LongHashMap(NO_CONNECTION);
    /** The account each session in {@link #connectionBySession} logged on with. */
    private final Long2LongHashMap accountBySession = new Long2LongHashMap(0);
    /**
     * Per session, the wireSeq of its last request applied since this node started (0 for none): its LogonAck, which
     * tells the client that request's requestSeq, waits behind the durability gate until that wireSeq is as durable as
     * the policy in force asks. Requests recovered from the journal are as durable as a restarted node can vouch for.
     */
    private final Long2LongHashMap lastWireSeqBySession = new Long2LongHashMap(0);
    /**
     * Connections that had a request refused without it being applied (HALTED, ServerBusy). Their later requests are
     * refused too, until the session logs on again: a session's requests are applied in requestSeq order, and
     * applying one after a refused one would leave a hole the requestSeq high-water mark cannot see, so a resend of
     * the refused request would be answered DUPLICATE_REQUEST without ever having been applied. Entries go when the
     * session logs on again: from then on the old connection's requests are refused as superseded anyway.
     */
    private final LongHashSet refusedConnections = new LongHashSet();
    /** Admin threads offer, the sequencer polls: the one way an operator's kill switch reaches the state. */
    private final ManyToOneConcurrentArrayQueue<KillSwitchCommand> killSwitchCommands =
        new ManyToOneConcurrentArrayQueue<>(KILL_SWITCH_QUEUE_CAPACITY);
    private final boolean cancelOnDisconnectDefault;
    private final CancelOnDisconnectTimers cancelOnDisconnect;
    /** Allocated once: journals and applies the cancel of an expired session, false if the journal ring is full. */
    private final LongPredicate cancelSessionDayOrders = this::cancelSessionDayOrders;
    private final LogonDecoder logonDecoder = new LogonDecoder();
    /** The killed accounts and sessions as of the last kill switch change, for STATUS; any thread reads. */
    private volatile KilledView killedView = new KilledView(new long[0], new long[0]);
    /** Sequencer thread only: false until the first duty cycle has started the term's grace periods. */
    private boolean termStarted;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[SCRATCH_BYTES]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ExecutionReportWriter reportWriter = new ExecutionReportWriter();
    private final OrderStatusEncoder orderStatusEncoder = new OrderStatusEncoder();
    private final BookSnapshotEncoder bookEncoder = new BookSnapshotEncoder();
    private final HaltedEncoder haltedEncoder = new HaltedEncoder();
    private final ClientReplies replies = new ClientReplies();
    private final AtomicLong publishedWireSeq = new AtomicLong();
    private final AtomicLong commandsApplied = new AtomicLong();
    private final AtomicLong haltedRejects = new AtomicLong();
    /** Execution reports of type REJECTED, by reject reason ordinal; sequencer thread writes, metrics read. */
    private final AtomicLongArray rejectsByReason = new AtomicLongArray(RejectReason.values().length);

    /** Sequencer thread only: last wireSeq given out; also mirrored to {@link #publishedWireSeq} for readers. */
    private long lastWireSeq;
    /** Written by the sequencer thread (or before it starts); read by replication senders for handshakes. */
    private volatile long epoch;

    /** Null unless tracing: then ingest-ring wait and matching execute times are recorded per command. */
    private Recorder ingestWaitTrace;
    private Recorder executeTrace;

    /**
     * Sequencer thread only: the wireSeq journaled for the record being handled until the engine has applied it, 0
     * otherwise. A failure while it is set leaves the engine's state possibly part-applied.
     */
    private long applyingWireSeq;
    /** Set once by the sequencer thread when a command failed part way through being applied; any thread reads. */
    private volatile String failureReason;
    private final AtomicLong internalErrors = new AtomicLong();

    /** The request being handled: where its replies go. */
    private long currentConnectionId = NO_CONNECTION;
    private long currentSessionId;
    private long currentRequestSeq;
    private long currentRecvTs;
    /**
     * While a request the engine will not apply (a resend, an invalid requestSeq) is answered: the wireSeq its
     * answer waits for, so "already applied" is released only once the original is as durable as the policy asks.
     * 0 otherwise.
     */
    private long gateWireSeq;

    /** A book snapshot being assembled from level callbacks; encoded in {@link #scratch}. */
    private boolean bookOpen;
    private int bookBidsRemaining;
    private int bookAsksRemaining;
    private int bookAskCount;
    private BookSnapshotEncoder.BidsEncoder bids;
    private BookSnapshotEncoder.AsksEncoder asks;

    /**
     * @param context what the sequencer reads, writes, asks and owns; concluded here.
     */
    public SequencerAgent(final SequencerContext context)
    {
        context.conclude();
        this.ingestRings = context.ingestRings();
        this.maxPerRing = context.batchPerRing();
        this.journalRing = context.journalRing();
        this.journal = new JournalPublisher(journalRing);
        this.journalRecordBytes = align(JournalPublisher.MAX_COMMAND_LENGTH_BYTES + 256);
        this.output = context.output();
        this.tradingGate = context.tradingGate();
        this.journalWaker = context.journalWaker();
        this.outputWaker = context.outputWaker();
        this.epochClock = context.epochClock();
        this.nanoClock = context.nanoClock();
        this.engine = new MatchingEngine(context.engineContext(), this);
        this.applier = new CommandApplier(engine);
        this.cancelOnDisconnectDefault = context.cancelOnDisconnectDefault();
        this.cancelOnDisconnect = new CancelOnDisconnectTimers(context.cancelOnDisconnectGraceNs());
    }

    private static int align(final int length)
    {
        return (length + 63) & ~63;
    }

    @Override
    public String roleName()
    {
        return "sequencer";
    }

    /**
     * The matching engine; touch it only from the sequencer thread, or before the agent starts (recovery).
     */
    public MatchingEngine engine()
    {
        return engine;
    }

    public CommandApplier applier()
    {
        return applier;
    }

    /**
     * Set where sequencing resumes after recovery; before the agent starts.
     *
     * @param lastWireSeq last wireSeq in the journal (0 for an empty one).
     * @param epoch       current epoch.
     */
    public void resumeFrom(final long lastWireSeq, final long epoch)
    {
        this.lastWireSeq = lastWireSeq;
        this.epoch = epoch;
        publishedWireSeq.set(lastWireSeq);
        publishKilledView();
    }

    /**
     * Journal an epoch bump as the next entry and sequence everything after it in the new epoch: how a promoted
     * replica opens its term. Replicas that follow it adopt the epoch as they apply the entry, and from then on
     * refuse the old primary. Before the agent starts, after {@link #resumeFrom}.
     *
     * @param nodeId of this node, recorded in the entry.
     * @return the new epoch.
     * @throws IllegalStateException if the journal ring has no room (it is empty before the agent starts).
     */
    public long bumpEpoch(final int nodeId)
    {
        final long wireSeq = lastWireSeq + 1;
        final long newEpoch = epoch + 1;
        if (!journal.offerEpochBump(wireSeq, epochClock.nanoTime(), newEpoch, nodeId))
        {
            throw new IllegalStateException("journal ring refused the epoch bump at wireSeq " + wireSeq);
        }
        lastWireSeq = wireSeq;
        epoch = newEpoch;
        publishedWireSeq.set(wireSeq);
        return newEpoch;
    }

    /**
     * Record, for every state-changing command, the time from the reader's receive stamp to the sequencer taking it
     * ({@code ingestWait}) and the time to journal-publish and apply it ({@code execute}), in nanoseconds of the
     * sequencer's nano clock (which must be the reader's clock), and stamp each reply's {@code matchCompleteTs} for
     * the response stage's trace (0 when not tracing). Before the agent starts.
     */
    public void trace(final Recorder ingestWait, final Recorder execute)
    {
        this.ingestWaitTrace = ingestWait;
        this.executeTrace = execute;
    }

    /**
     * @return the last wireSeq given out; any thread.
     */
    public long lastWireSeq()
    {
        return publishedWireSeq.get();
    }

    /**
     * @return the epoch stamped on new journal entries.
     */
    public long epoch()
    {
        return epoch;
    }

    public long commandsApplied()
    {
        return commandsApplied.get();
    }

    public long haltedRejects()
    {
        return haltedRejects.get();
    }

    /**
     * @param reason a reject reason.
     * @return execution reports rejected for it, including during recovery replay; any thread.
     */
    public long rejects(final RejectReason reason)
    {
        return rejectsByReason.get(reason.ordinal());
    }

    @Override
    public int doWork()
    {
        int work = 0;
        if (!termStarted)
        {
            termStarted = true;
            work += startGracePeriods();
        }
        if (!spill.isEmpty())
        {
            work += spill.drainTo(output);
            if (!spill.isEmpty())
            {
                outputWaker.wake();
                return work;
            }
        }
        final long journaledBefore = lastWireSeq;
        final int rings = Math.max(1, ingestRings.ringCount());
        final long journalFree = journalRing.capacity() - journalRing.size();
        final int batch = (int)Math.min(maxPerRing, journalFree / ((long)journalRecordBytes * rings));
        if (batch > 0)
        {
            work += ingestRings.poll(this, batch);
        }
        work += pollKillSwitchCommands();
        work += cancelOnDisconnect.poll(nanoClock.nanoTime(), cancelSessionDayOrders);
        if (work > 0)
        {
            if (lastWireSeq != journaledBefore)
            {
                journalWaker.wake();
            }
            outputWaker.wake();
        }
        return work;
    }

    /**
     * Journal and apply an admin command (add instrument at start-up, halt or resume an instrument, end of day).
     * Sequencer thread only, or before the agent starts.
     *
     * @return the wireSeq it took, or 0 if the journal ring had no room (try again).
     */
    public long addInstrument(
        final int instrumentId, final String symbol, final long tickSize, final long lotSize, final long minQuantity,
        final long maxQuantity, final long referencePrice, final int priceBandBps)
    {
        final long wireSeq = lastWireSeq + 1;
        final long timestampNs = epochClock.nanoTime();
        if (!journal.offerAddInstrument(wireSeq, timestampNs, epoch, instrumentId, symbol, tickSize, lotSize,
            minQuantity, maxQuantity, referencePrice, priceBandBps))
        {
            return 0;
        }
        advance(wireSeq);
        currentConnectionId = NO_CONNECTION;
        currentSessionId = MatchingEngine.ADMIN_SESSION_ID;
        engine.addInstrument(wireSeq, timestampNs, instrumentId, symbol, tickSize, lotSize, minQuantity, maxQuantity,
            referencePrice, priceBandBps);
        return wireSeq;
    }

    /**
     * Queue an operator's kill switch change for the sequencer to journal and apply on its next duty cycle; any
     * thread. Wake the sequencer's thread after, or it takes the command when it next wakes.
     *
     * @return false if too many are queued already (try again).
     */
    public boolean submit(final KillSwitchCommand command)
    {
        return killSwitchCommands.offer(command);
    }

    /**
     * @return the killed accounts, ascending, as of the last kill switch change (or recovery); any thread.
     */
    public long[] killedAccounts()
    {
        return killedView.accounts().clone();
    }

    /**
     * @return the killed sessions, ascending, as of the last kill switch change (or recovery); any thread.
     */
    public long[] killedSessions()
    {
        return killedView.sessions().clone();
    }

    private int pollKillSwitchCommands()
    {
        int work = 0;
        KillSwitchCommand command;
        while (hasJournalRoom() && null != (command = killSwitchCommands.poll()))
        {
            final String refusal = nodeCommandRefusal();
            if (refusal != null)
            {
                command.reply().complete("ERR not applied: " + refusal);
                continue;
            }
            final long wireSeq = lastWireSeq + 1;
            final long timestampNs = epochClock.nanoTime();
            if (!journal.offerKillSwitch(command.isKill(), wireSeq, timestampNs, epoch, command.target(),
                command.targetId()))
            {
                throw new IllegalStateException("journal ring full after capacity check at wireSeq " + wireSeq);
            }
            startAdminCommand(wireSeq);
            try
            {
                final String reply;
                if (command.isKill())
                {
                    final boolean killedBefore = isKilled(command);
                    final int cancelled = applier.kill(wireSeq, timestampNs, command.target(), command.targetId());
                    reply = command.applied(!killedBefore, cancelled, wireSeq);
                }
                else
                {
                    final boolean wasKilled =
                        applier.unkill(wireSeq, timestampNs, command.target(), command.targetId());
                    reply = command.applied(wasKilled, 0, wireSeq);
                }
                applyingWireSeq = 0;
                publishKilledView();
                command.reply().complete(reply);
            }
            catch (final RuntimeException ex)
            {
                onAdminCommandFailed(ex);
                command.reply().complete("ERR " + failureReason);
                throw ex;
            }
            work++;
        }

        return work;
    }

    private boolean isKilled(final KillSwitchCommand command)
    {
        return command.target() == KillTarget.ACCOUNT ?
            engine.isAccountKilled(command.targetId()) : engine.isSessionKilled(command.targetId());
    }

    /**
     * Journal and apply cancel-on-disconnect for a session whose grace period ended.
     *
     * @return false if the journal ring has no room or the node may not journal now: the timer is kept and tried
     * again.
     */
    private boolean cancelSessionDayOrders(final long sessionId)
    {
        if (!hasJournalRoom() || nodeCommandRefusal() != null)
        {
            return false;
        }
        final long wireSeq = lastWireSeq + 1;
        final long timestampNs = epochClock.nanoTime();
        if (!journal.offerSessionCommand(EntryType.CANCEL_SESSION_DAY_ORDERS, wireSeq, timestampNs, epoch, sessionId))
        {
            return false;
        }
        startAdminCommand(wireSeq);
        try
        {
            engine.cancelSessionDayOrders(wireSeq, timestampNs, sessionId);
            applyingWireSeq = 0;
        }
        catch (final RuntimeException ex)
        {
            onAdminCommandFailed(ex);
            throw ex;
        }

        return true;
    }

    /**
     * The term's first duty cycle: every session that wants cancel-on-disconnect is gone as far as this sequencer
     * knows, so each starts its grace period; one that logs on within it keeps its orders.
     */
    private int startGracePeriods()
    {
        final long nowNs = nanoClock.nanoTime();
        final long[] sessions = engine.cancelOnDisconnectSessions();
        for (final long sessionId : sessions)
        {
            cancelOnDisconnect.start(sessionId, nowNs);
        }

        return sessions.length;
    }

    /**
     * Journal and apply what a logon asked for when it changes whether the session wants cancel-on-disconnect. The
     * logon's own connection gets no reply for it: it is not the session's request.
     */
    private void recordCancelOnDisconnect(final long sessionId, final boolean wanted)
    {
        if (wanted == engine.isCancelOnDisconnect(sessionId) || nodeCommandRefusal() != null)
        {
            return;
        }
        final long wireSeq = lastWireSeq + 1;
        final long timestampNs = epochClock.nanoTime();
        final EntryType type = wanted ? EntryType.CANCEL_ON_DISCONNECT_ON : EntryType.CANCEL_ON_DISCONNECT_OFF;
        if (!journal.offerSessionCommand(type, wireSeq, timestampNs, epoch, sessionId))
        {
            throw new IllegalStateException("journal ring full after capacity check at wireSeq " + wireSeq);
        }
        final long connectionId = currentConnectionId;
        advance(wireSeq);
        currentConnectionId = NO_CONNECTION;
        applyingWireSeq = wireSeq;
        engine.cancelOnDisconnect(wireSeq, timestampNs, sessionId, wanted);
        applyingWireSeq = 0;
        currentConnectionId = connectionId;
    }

    /**
     * @return why the node may not journal a command of its own now (the sequencer failed, or the gate says so), or
     * null.
     */
    private String nodeCommandRefusal()
    {
        return failureReason != null ? failureReason : tradingGate.nodeCommandHaltReason();
    }

    /** A command with no client: its reports go unsolicited to the sessions that own the orders it touches. */
    private void startAdminCommand(final long wireSeq)
    {
        advance(wireSeq);
        currentConnectionId = NO_CONNECTION;
        currentSessionId = MatchingEngine.ADMIN_SESSION_ID;
        currentRequestSeq = 0;
        currentRecvTs = 0;
        applyingWireSeq = wireSeq;
    }

    /** Journaled but not (fully) applied: as for a client command, the state may be part-applied. */
    private void onAdminCommandFailed(final RuntimeException ex)
    {
        internalErrors.lazySet(internalErrors.get() + 1);
        failureReason = "sequencer failed applying wireSeq " + applyingWireSeq + " (" + oneLine(ex) +
            "): state may be part-applied, fail over to a replica";
        applyingWireSeq = 0;
    }

    private boolean hasJournalRoom()
    {
        return journalRing.capacity() - journalRing.size() >= journalRecordBytes;
    }

    private void publishKilledView()
    {
        killedView = new KilledView(engine.killedAccounts(), engine.killedSessions());
    }

    /**
     * @return sessions whose cancel-on-disconnect grace period is running; sequencer thread only (tests).
     */
    int cancelOnDisconnectPending()
    {
        return cancelOnDisconnect.pendingCount();
    }

    /**
     * @return why the sequencer stopped taking state-changing commands for good (a command threw after it was
     * journaled, so the state may be part-applied and only a fail-over is safe), or null; any thread.
     */
    public String failureReason()
    {
        return failureReason;
    }

    /**
     * @return records whose handling threw (a bug); any thread.
     */
    public long internalErrors()
    {
        return internalErrors.get();
    }

    /**
     * Handles one ingest record. A record that throws (a bug, never bad input: the readers validated it) is never
     * left silently unanswered, which would let the next request of its session take its place: see
     * {@link #onRecordFailed}. The exception still goes to the agent's error handler to be logged and counted.
     */
    @Override
    public void onRecord(final IngestRecord record)
    {
        try
        {
            handle(record);
        }
        catch (final RuntimeException | Error ex)
        {
            onRecordFailed(record, ex);
            throw ex;
        }
    }

    /**
     * Nothing journaled yet: the request is answered HALTED and its connection refused, so no later request of the
     * session overtakes it; the client logs on again and resends, and the node goes on. Journaled but not (fully)
     * applied: the engine's state may be part-applied while replicas will apply the whole entry, so the sequencer
     * stops taking state-changing commands for good ({@link #failureReason}) and the operator fails over.
     */
    private void onRecordFailed(final IngestRecord record, final Throwable ex)
    {
        internalErrors.lazySet(internalErrors.get() + 1);
        final String detail = oneLine(ex);
        if (applyingWireSeq != 0)
        {
            failureReason = "sequencer failed applying wireSeq " + applyingWireSeq + " (" + detail +
                "): state may be part-applied, fail over to a replica";
            applyingWireSeq = 0;
            refusedConnections.add(currentConnectionId);
        }
        else if (!record.isBusyNotice() &&
            (ClientProtocol.isStateChanging(record.templateId()) || ClientProtocol.isQuery(record.templateId())))
        {
            refusedConnections.add(currentConnectionId);
            replyHalted(INTERNAL_ERROR + detail);
        }
    }

    /** Shown in STATUS, /healthz JSON and a Halted reply: short, one line, no quotes or backslashes. */
    private static String oneLine(final Throwable ex)
    {
        final String detail = ex.toString().replaceAll("[\"\\\\\\p{Cntrl}]", " ");
        return detail.length() > MAX_ERROR_REASON_CHARS ? detail.substring(0, MAX_ERROR_REASON_CHARS) : detail;
    }

    private void handle(final IngestRecord record)
    {
        currentConnectionId = record.connectionId();
        currentSessionId = record.sessionId();
        currentRecvTs = record.recvTsNs();
        final DirectBuffer buffer = record.buffer();
        final int offset = record.messageOffset();

        if (record.isBusyNotice())
        {
            refusedConnections.add(currentConnectionId);
            currentRequestSeq = record.busyNoticeRequestSeq();
            emit(currentConnectionId, 0, currentRequestSeq,
                OutputSlot.DURABILITY_BYPASS_FLAG | OutputSlot.LAST_IN_REQUEST_FLAG, buffer, offset,
                record.messageLength());
            return;
        }
        if (record.isReply())
        {
            // A final answer to a frame the reader refused: nothing was applied, nothing later waits on it.
            currentRequestSeq = ClientProtocol.requestSeq(buffer, offset);
            emit(currentConnectionId, 0, currentRequestSeq,
                OutputSlot.DURABILITY_BYPASS_FLAG | OutputSlot.LAST_IN_REQUEST_FLAG, buffer, offset,
                record.messageLength());
            return;
        }
        if (record.isFarewell())
        {
            currentRequestSeq = 0;
            emit(currentConnectionId, 0, 0, OutputSlot.DURABILITY_BYPASS_FLAG |
                OutputSlot.closeAfter(CloseReason.ofFarewell(buffer, offset).ordinal()), buffer, offset,
                record.messageLength());
            return;
        }

        final int templateId = record.templateId();
        final long sessionId = record.sessionId();
        if (ClientProtocol.isStateChanging(templateId))
        {
            currentRequestSeq = ClientProtocol.requestSeq(buffer, offset);
            if (connectionBySession.get(sessionId) != currentConnectionId)
            {
                // Still in a ring from a connection the session has since replaced with a new logon (readers are
                // sharded by connection, so it can arrive after the new one's requests): the client resends what
                // it did not see answered on its current connection, so applying this too could put it after
                // a later request, or twice. Refused unapplied.
                replyHalted(SUPERSEDED);
                return;
            }
            if (!engine.isNextRequest(sessionId, currentRequestSeq))
            {
                // A request the engine already applied, resent after a reconnect or failover, or one whose requestSeq
                // it never applies. Answered (DUPLICATE_REQUEST, INVALID_FIELD) whether or not trading is halted
                // (HALTED would say it was not applied yet), and not journaled; it takes no wireSeq. Its answer waits
                // for the last wireSeq, which covers the original, so "already applied" is released only once the
                // original is as durable as the policy asks.
                gateWireSeq = lastWireSeq;
                applier.applyClientCommand(0, epochClock.nanoTime(), sessionId, record.accountId(), buffer, offset);
                gateWireSeq = 0;
                return;
            }
            if (refusedConnections.contains(currentConnectionId))
            {
                replyHalted(AFTER_REFUSAL);
                return;
            }
            final String haltReason = failureReason != null ? failureReason : tradingGate.haltReason();
            if (haltReason != null)
            {
                refusedConnections.add(currentConnectionId);
                replyHalted(haltReason);
                return;
            }
            final long startNs = ingestWaitTrace == null ? 0 : nanoClock.nanoTime();
            final long wireSeq = lastWireSeq + 1;
            final long timestampNs = epochClock.nanoTime();
            if (!journal.offerClientCommand(wireSeq, timestampNs, sessionId, record.accountId(), currentRequestSeq,
                epoch, buffer, offset, record.messageLength()))
            {
                throw new IllegalStateException("journal ring full after capacity check at wireSeq " + wireSeq);
            }
            advance(wireSeq);
            lastWireSeqBySession.put(sessionId, wireSeq);
            applyingWireSeq = wireSeq;
            applier.applyClientCommand(wireSeq, timestampNs, sessionId, record.accountId(), buffer, offset);
            applyingWireSeq = 0;
            commandsApplied.lazySet(commandsApplied.get() + 1);
            if (ingestWaitTrace != null)
            {
                ingestWaitTrace.recordValue(Math.max(0, startNs - currentRecvTs));
                executeTrace.recordValue(Math.max(0, nanoClock.nanoTime() - startNs));
            }
        }
        else if (ClientProtocol.isQuery(templateId))
        {
            currentRequestSeq = ClientProtocol.requestSeq(buffer, offset);
            applier.query(sessionId, record.accountId(), buffer, offset);
        }
        else if (templateId == LogonDecoder.TEMPLATE_ID)
        {
            logon(sessionId, record.accountId(), buffer, offset);
        }
        else if (templateId == LogoutDecoder.TEMPLATE_ID)
        {
            if (connectionBySession.get(sessionId) == currentConnectionId)
            {
                refusedConnections.remove(currentConnectionId);
                connectionBySession.remove(sessionId);
                accountBySession.remove(sessionId);
                if (engine.isCancelOnDisconnect(sessionId))
                {
                    cancelOnDisconnect.start(sessionId, nanoClock.nanoTime());
                }
            }
        }
    }

    /**
     * A logon the reader authenticated: refused if it names another account than the session's; otherwise the
     * session's reports go to this connection from now on, and a connection it replaces is told and closed.
     */
    private void logon(final long sessionId, final long accountId, final DirectBuffer buffer, final int offset)
    {
        final long previousConnectionId = connectionBySession.get(sessionId);
        final long boundAccountId = engine.accountOf(sessionId) != 0 ? engine.accountOf(sessionId) :
            accountBySession.get(sessionId);
        if (boundAccountId != 0 && boundAccountId != accountId)
        {
            emit(currentConnectionId, 0, 0,
                OutputSlot.DURABILITY_BYPASS_FLAG | OutputSlot.closeAfter(CloseReason.LOGON_REFUSED.ordinal()),
                replies.buffer(), 0, replies.logonRejected(sessionId, RejectReason.NOT_AUTHORIZED));
            return;
        }
        connectionBySession.put(sessionId, currentConnectionId);
        accountBySession.put(sessionId, accountId);
        recordCancelOnDisconnect(sessionId, asksCancelOnDisconnect(buffer, offset));
        cancelOnDisconnect.onLogon(sessionId);
        if (previousConnectionId != NO_CONNECTION && previousConnectionId != currentConnectionId)
        {
            refusedConnections.remove(previousConnectionId);
            emit(previousConnectionId, 0, 0,
                OutputSlot.DURABILITY_BYPASS_FLAG | OutputSlot.closeAfter(CloseReason.SESSION_REPLACED.ordinal()),
                replies.buffer(), 0, replies.engineError(0, EngineErrorCode.SESSION_REPLACED, REPLACED));
        }
        replyLogonAccepted(sessionId);
    }

    /**
     * What the Logon asks for; a Logon of schema version 1 or 2 (no field) or with the null value takes the
     * listener's default.
     */
    private boolean asksCancelOnDisconnect(final DirectBuffer buffer, final int offset)
    {
        logonDecoder.wrap(buffer, offset + MessageValidator.HEADER_LENGTH, MessageValidator.blockLength(buffer, offset),
            MessageValidator.version(buffer, offset));
        final CancelOnDisconnect asked = logonDecoder.cancelOnDisconnect();
        return CancelOnDisconnect.NULL_VAL == asked ? cancelOnDisconnectDefault : CancelOnDisconnect.ON == asked;
    }

    /**
     * The LogonAck carries the session's last applied requestSeq; it is released only once the request behind it is
     * durable under the policy in force, so a client never learns of a request that a failover could still lose. If
     * it is durable already (or the session applied nothing since start) it goes at once, not queued behind other
     * sessions' replies the gate holds; otherwise it waits in the gate at that request's wireSeq (which only gates it:
     * a LogonAck has no BatchEnd).
     */
    private void replyLogonAccepted(final long sessionId)
    {
        final long wireSeq = lastWireSeqBySession.get(sessionId);
        final boolean durable = wireSeq == 0 || wireSeq <= tradingGate.durableWireSeq();
        emit(currentConnectionId, durable ? 0 : wireSeq, 0,
            durable ? OutputSlot.DURABILITY_BYPASS_FLAG : OutputSlot.GATE_ONLY_WIRE_SEQ_FLAG, replies.buffer(), 0,
            replies.logonAccepted(sessionId, engine.lastRequestSeq(sessionId)));
    }

    private void advance(final long wireSeq)
    {
        lastWireSeq = wireSeq;
        publishedWireSeq.lazySet(wireSeq);
    }

    private void replyHalted(final String reason)
    {
        haltedRejects.lazySet(haltedRejects.get() + 1);
        haltedEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder).requestSeq(currentRequestSeq).reason(reason);
        emit(currentConnectionId, 0, currentRequestSeq,
            OutputSlot.DURABILITY_BYPASS_FLAG | OutputSlot.LAST_IN_REQUEST_FLAG, scratch, 0,
            MessageHeaderEncoder.ENCODED_LENGTH + haltedEncoder.encodedLength());
    }

    private void emit(
        final long connectionId, final long wireSeq, final long requestSeq, final int flags,
        final DirectBuffer payload, final int offset, final int length)
    {
        // matchCompleteTs feeds only the latency trace; without tracing the slot carries 0 and no clock is read.
        final long matchTs = ingestWaitTrace == null ? 0 : nanoClock.nanoTime();
        final boolean gateOnly = gateWireSeq != 0 && wireSeq == 0;
        final long slotWireSeq = gateOnly ? gateWireSeq : wireSeq;
        final int slotFlags = gateOnly ? flags | OutputSlot.GATE_ONLY_WIRE_SEQ_FLAG : flags;
        if (!spill.isEmpty() || !output.offer(
            connectionId, slotWireSeq, requestSeq, slotFlags, currentRecvTs, matchTs, payload, offset, length))
        {
            spill.add(
                connectionId, slotWireSeq, requestSeq, slotFlags, currentRecvTs, matchTs, payload, offset, length);
        }
    }

    @Override
    public void onExecutionReport(
        final long sessionId,
        final long accountId,
        final long requestSeq,
        final long wireSeq,
        final long timestampNs,
        final long clientOrderId,
        final long orderId,
        final int instrumentId,
        final Side side,
        final ExecType execType,
        final RejectReason rejectReason,
        final Liquidity liquidity,
        final long price,
        final long quantity,
        final long leavesQuantity,
        final long cumQuantity,
        final long lastPrice,
        final long lastQuantity,
        final long tradeId)
    {
        if (execType == ExecType.REJECTED)
        {
            final int reason = rejectReason.ordinal();
            rejectsByReason.lazySet(reason, rejectsByReason.get(reason) + 1);
        }
        final boolean solicited = currentConnectionId != NO_CONNECTION && sessionId == currentSessionId;
        final long connectionId = solicited ? currentConnectionId : connectionBySession.get(sessionId);
        if (connectionId == NO_CONNECTION)
        {
            return;
        }
        final long reportRequestSeq = solicited ? requestSeq : 0;
        emit(connectionId, wireSeq, reportRequestSeq, 0, scratch, 0, reportWriter.write(scratch, 0, accountId,
            reportRequestSeq, wireSeq, timestampNs, clientOrderId, orderId, instrumentId, side, execType, rejectReason,
            liquidity, price, quantity, leavesQuantity, cumQuantity, lastPrice, lastQuantity, tradeId));
    }

    @Override
    public void onOrderStatus(
        final long sessionId,
        final long accountId,
        final long requestSeq,
        final long clientOrderId,
        final long orderId,
        final int instrumentId,
        final Side side,
        final OrderState state,
        final RejectReason rejectReason,
        final long price,
        final long quantity,
        final long leavesQuantity,
        final long cumQuantity)
    {
        orderStatusEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder)
            .requestSeq(requestSeq)
            .clientOrderId(clientOrderId)
            .orderId(orderId)
            .instrumentId(instrumentId)
            .side(side)
            .state(state)
            .rejectReason(rejectReason)
            .price(price)
            .quantity(quantity)
            .leavesQuantity(leavesQuantity)
            .cumQuantity(cumQuantity);
        emit(currentConnectionId, 0, requestSeq, 0, scratch, 0,
            MessageHeaderEncoder.ENCODED_LENGTH + orderStatusEncoder.encodedLength());
    }

    @Override
    public void onBookSnapshot(
        final long sessionId, final long requestSeq, final int instrumentId, final int bidLevelCount,
        final int askLevelCount)
    {
        bookEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder).requestSeq(requestSeq).instrumentId(instrumentId);
        bids = bookEncoder.bidsCount(bidLevelCount);
        bookBidsRemaining = bidLevelCount;
        bookAsksRemaining = askLevelCount;
        bookAskCount = askLevelCount;
        asks = null;
        bookOpen = true;
        if (bookBidsRemaining == 0)
        {
            asks = bookEncoder.asksCount(bookAskCount);
        }
    }

    @Override
    public void onBookLevel(
        final long sessionId, final long requestSeq, final int instrumentId, final Side side, final long price,
        final long quantity, final int orderCount)
    {
        if (!bookOpen)
        {
            return;
        }
        if (side == Side.BUY && bookBidsRemaining > 0)
        {
            bids.next().price(price).quantity(quantity).orderCount(orderCount);
            if (--bookBidsRemaining == 0)
            {
                asks = bookEncoder.asksCount(bookAskCount);
            }
        }
        else if (side == Side.SELL && asks != null && bookAsksRemaining > 0)
        {
            asks.next().price(price).quantity(quantity).orderCount(orderCount);
            bookAsksRemaining--;
        }
    }

    @Override
    public void onCommandComplete(final long sessionId, final long requestSeq, final long wireSeq)
    {
        if (bookOpen)
        {
            bookOpen = false;
            emit(currentConnectionId, 0, requestSeq, 0, scratch, 0,
                MessageHeaderEncoder.ENCODED_LENGTH + bookEncoder.encodedLength());
        }
        if (currentConnectionId != NO_CONNECTION)
        {
            emit(currentConnectionId, wireSeq, requestSeq, OutputSlot.LAST_IN_REQUEST_FLAG, scratch, 0, 0);
        }
    }

    /** Killed accounts and sessions, ascending; immutable once published. */
    private record KilledView(long[] accounts, long[] sessions)
    {
    }
}
