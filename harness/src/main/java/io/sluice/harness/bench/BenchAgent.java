package io.sluice.harness.bench;

import io.sluice.client.flow.OrderFlowGenerator;
import io.sluice.client.flow.OrderFlowSink;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The duty cycle of a bench run, on one thread for every connection: generate the commands now due, send what the
 * connections take, read what arrived, print progress.
 * <p>
 * Phases by time since {@link #start}: warm-up (load, not recorded), measured, then drain (nothing new is due; the
 * run waits, up to the drain timeout, for every request to be sent and answered). Open loop, a command is due at
 * its slot of the {@link OpenLoopSchedule} and its latency counts from that slot, even when the connection pushed
 * back or this thread was late: it is sent as soon as it can be, never skipped. Closed loop, commands are generated
 * a little ahead of the connections and each connection sends while it has fewer than {@code window} in flight.
 * <p>
 * The generator picks an account for each command and the protocol binds one account to a session, so a command
 * goes to the connection of its account; cancels and replaces reach the connection that placed the order.
 * <p>
 * Not thread safe: everything here is owned by the one thread that calls {@link #doWork()}.
 */
final class BenchAgent implements Agent, OrderFlowSink
{
    /**
     * Most commands generated and not yet sent, over all connections; also each connection's queue capacity, so one
     * connection can hold them all. Open loop, a backlog beyond it is not lost: the generator pauses and the
     * schedule still says when each later request was due.
     */
    static final int PENDING_LIMIT = 4096;

    private final BenchContext context;
    private final OrderFlowGenerator generator;
    private final BenchConnection[] connections;
    private final BenchRecorder recorder;
    private final NanoClock clock;
    private final PrintStream progress;
    private final boolean openLoop;
    private final int pendingLimit;

    private OpenLoopSchedule schedule;
    private long startNs;
    private long measureStartNs;
    private long measureEndNs;
    private long drainDeadlineNs;
    private long nextProgressNs;
    private boolean started;
    private boolean draining;
    private boolean done;
    /** Commands generated and not yet sent, over all connections. */
    private int pendingTotal;
    /** Commands generated for a connection already lost for good; they are never sent. */
    private long unsendable;
    /** Due time and phase of the command the generator is producing, read by the sink methods. */
    private long generatingNs;
    private boolean generatingMeasured;

    /**
     * @param context  options of the run; validated.
     * @param entries  one connection per account, in session order ({@code firstSessionId + i}); not yet
     *                 connected: answers reach {@link #replyListener(int)}.
     * @param recorder where counts and latencies go.
     */
    BenchAgent(final BenchContext context, final OrderEntry[] entries, final BenchRecorder recorder)
    {
        this.context = context;
        this.recorder = recorder;
        this.clock = context.clock();
        this.progress = context.progress();
        this.openLoop = context.openLoop();
        this.pendingLimit = openLoop ? PENDING_LIMIT :
            Math.min(PENDING_LIMIT, entries.length * BenchContext.CLOSED_LOOP_LOOKAHEAD);
        this.generator = new OrderFlowGenerator(new OrderFlowGenerator.Config()
            .seed(context.seed())
            .instruments(context.instruments())
            .firstInstrumentId(context.firstInstrumentId())
            .accounts(entries.length)
            .firstAccountId(context.firstSessionId())
            .firstClientOrderId(context.firstClientOrderId())
            .referencePrice(context.referencePrice())
            .tickSize(context.tickSize())
            .lotSize(context.lotSize()));
        this.connections = new BenchConnection[entries.length];
        for (int i = 0; i < entries.length; i++)
        {
            connections[i] = new BenchConnection(i, entries[i], pendingLimit, context.maxInFlight(), recorder, clock);
        }
    }

    OrderEntry.ReplyListener replyListener(final int connection)
    {
        return connections[connection];
    }

    /**
     * Begin the warm-up now.
     *
     * @param nowNs the clock's current time.
     */
    void start(final long nowNs)
    {
        startNs = nowNs;
        measureStartNs = nowNs + context.warmupNs();
        measureEndNs = measureStartNs + context.durationNs();
        nextProgressNs = nowNs + context.progressIntervalNs();
        schedule = openLoop ? new OpenLoopSchedule(nowNs, context.ratePerSecond()) : null;
        recorder.measureStartNs(measureStartNs);
        started = true;
    }

    boolean isDone()
    {
        return done;
    }

    /**
     * @return commands generated and waiting to be sent, over all connections.
     */
    int pending()
    {
        return pendingTotal;
    }

    /**
     * @return when the bench next has something to do on its own (a request falls due, the measured phase ends, the
     * next progress line), in the clock's time; replies may come sooner.
     */
    long nextDeadlineNs()
    {
        long deadlineNs = draining ? drainDeadlineNs : measureEndNs;
        if (openLoop && !draining && pendingTotal < pendingLimit)
        {
            deadlineNs = Math.min(deadlineNs, schedule.nextScheduledNs());
        }
        return Math.min(deadlineNs, nextProgressNs);
    }

    @Override
    public int doWork()
    {
        if (!started || done)
        {
            return 0;
        }
        final long nowNs = clock.nanoTime();
        int workCount = 0;
        if (openLoop)
        {
            // Stops by itself at the end of the measured phase; what fell due before it is still generated when
            // this thread sees that end late.
            workCount += generateDue(nowNs);
        }
        else if (!draining)
        {
            workCount += generateAhead(nowNs);
        }
        if (!draining && nowNs - measureEndNs >= 0)
        {
            beginDrain(nowNs);
        }
        for (final BenchConnection connection : connections)
        {
            final int sent = connection.sendPending(openLoop, context.window(), measureStartNs);
            pendingTotal -= sent;
            workCount += sent;
        }
        for (final BenchConnection connection : connections)
        {
            workCount += connection.poll();
        }
        workCount += printProgress(nowNs);
        if (draining && (drained() || nowNs - drainDeadlineNs >= 0))
        {
            done = true;
        }
        return workCount;
    }

    @Override
    public String roleName()
    {
        return "sluice-bench";
    }

    private int generateDue(final long nowNs)
    {
        int generated = 0;
        while (pendingTotal < pendingLimit)
        {
            final long dueNs = schedule.nextScheduledNs();
            if (dueNs - nowNs > 0 || dueNs - measureEndNs >= 0)
            {
                break;
            }
            generatingNs = schedule.take();
            generatingMeasured = dueNs - measureStartNs >= 0;
            generator.next(this);
            generated++;
        }
        return generated;
    }

    private int generateAhead(final long nowNs)
    {
        int generated = 0;
        while (pendingTotal < pendingLimit)
        {
            generatingNs = nowNs;
            generatingMeasured = nowNs - measureStartNs >= 0;
            generator.next(this);
            generated++;
        }
        return generated;
    }

    private void beginDrain(final long nowNs)
    {
        draining = true;
        drainDeadlineNs = nowNs + context.drainTimeoutNs();
        if (!openLoop)
        {
            // Closed loop, a command waiting to be sent was never due: it is not part of the run.
            for (final BenchConnection connection : connections)
            {
                connection.discardPending();
            }
            pendingTotal = 0;
        }
    }

    private boolean drained()
    {
        if (openLoop && schedule.nextScheduledNs() - measureEndNs < 0)
        {
            return false;
        }
        for (final BenchConnection connection : connections)
        {
            if (!connection.failed() && (connection.inFlight() > 0 || !connection.pending().isEmpty()))
            {
                return false;
            }
        }
        return true;
    }

    private int printProgress(final long nowNs)
    {
        if (nowNs - nextProgressNs < 0)
        {
            return 0;
        }
        final double intervalS = context.progressIntervalNs() / 1e9;
        nextProgressNs += context.progressIntervalNs();
        if (nextProgressNs - nowNs <= 0)
        {
            // This thread stalled for more than an interval: one line for it, not a burst of catch-up lines.
            nextProgressNs = nowNs + context.progressIntervalNs();
        }
        if (progress != null)
        {
            int inFlight = 0;
            for (final BenchConnection connection : connections)
            {
                inFlight += connection.inFlight();
            }
            final String phase = draining ? "drain" : nowNs - measureStartNs < 0 ? "warm-up" : "measure";
            progress.printf(Locale.ROOT, "bench %6.1fs %-7s sent %,d answered %,d in flight %,d errors %,d | " +
                "last %.0fs: p99 %,.0f us max %,.0f us%n",
                (nowNs - startNs) / 1e9, phase, recorder.totalSent(), recorder.totalAnswered(), inFlight,
                recorder.errors(), intervalS,
                recorder.intervalLatencyNs.getValueAtPercentile(99) / 1e3,
                recorder.intervalLatencyNs.getMaxValue() / 1e3);
        }
        recorder.intervalLatencyNs.reset();
        return 1;
    }

    /**
     * @return commands due but never sent: not generated or left waiting when the drain timed out, or meant for a
     * connection lost for good.
     */
    long unsent()
    {
        long unsent = unsendable;
        if (openLoop)
        {
            for (long index = schedule.taken(); schedule.scheduledNs(index) - measureEndNs < 0; index++)
            {
                unsent++;
            }
        }
        for (final BenchConnection connection : connections)
        {
            unsent += connection.pending().size();
        }
        return unsent;
    }

    /**
     * @return commands generated by kind, warm-up included.
     */
    Map<String, Long> flowCounts()
    {
        final Map<String, Long> flow = new LinkedHashMap<>();
        flow.put("placements", generator.placements());
        flow.put("cancels", generator.cancels());
        flow.put("replaces", generator.replaces());
        flow.put("aggressive", generator.aggressiveOrders());
        return flow;
    }

    private BenchConnection connectionFor(final long accountId)
    {
        final BenchConnection connection = connections[(int)(accountId - context.firstSessionId())];
        if (connection.failed())
        {
            unsendable++;
            return null;
        }
        pendingTotal++;
        return connection;
    }

    public void newOrder(
        final long accountId,
        final long clientOrderId,
        final int instrumentId,
        final Side side,
        final OrderType orderType,
        final TimeInForce timeInForce,
        final long price,
        final long quantity)
    {
        final BenchConnection connection = connectionFor(accountId);
        if (connection != null)
        {
            connection.pending().addNewOrder(clientOrderId, instrumentId, side, orderType, timeInForce, price,
                quantity, generatingNs, generatingMeasured);
        }
    }

    public void cancelOrder(final long accountId, final long clientOrderId, final int instrumentId)
    {
        final BenchConnection connection = connectionFor(accountId);
        if (connection != null)
        {
            connection.pending().addCancel(clientOrderId, generatingNs, generatingMeasured);
        }
    }

    public void replaceOrder(
        final long accountId, final long clientOrderId, final int instrumentId, final long newPrice,
        final long newQuantity)
    {
        final BenchConnection connection = connectionFor(accountId);
        if (connection != null)
        {
            connection.pending().addReplace(clientOrderId, newPrice, newQuantity, generatingNs, generatingMeasured);
        }
    }
}
