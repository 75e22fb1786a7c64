package io.sluice.matching;

import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.Liquidity;
import io.sluice.sbe.client.OrderState;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The deterministic exchange state machine: instruments, central limit order books with price-time priority,
 * per-session request de-duplication, pre-trade risk and self-trade prevention.
 * <p>
 * Single-threaded and deterministic: every method is called by one thread (the sequencer, a replica's applier or
 * recovery); there is no I/O, clock, randomness or dependence on hash iteration order, so the same commands in the
 * same order give the same reports and the same {@link #stateHash()}. Steady-state commands allocate nothing: orders
 * and price levels are pooled, maps are Agrona primitive maps (they grow, and allocate, only when they hold more
 * than ever before).
 *
 * <h2>Commands</h2>
 * State-changing client commands ({@link #newOrder}, {@link #cancelOrder}, {@link #replaceOrder},
 * {@link #massCancel}) are checked in this order:
 * <ol>
 *     <li>the global {@link #halted(boolean) halt}: REJECTED HALTED, nothing changes;</li>
 *     <li>the requestSeq: below 1, or more than {@link #MAX_REQUEST_SEQ_STEP} above the session's high-water
 *     mark, is REJECTED INVALID_FIELD and nothing changes (a session could otherwise jump to the top of the range
 *     and never be able to send again);</li>
 *     <li>the session's requestSeq high-water mark: a requestSeq not above {@link #lastRequestSeq(long)} is
 *     REJECTED DUPLICATE_REQUEST, nothing changes; otherwise the high-water mark moves to requestSeq, whatever the
 *     outcome of the remaining checks, and a session seen for the first time is bound to the command's account
 *     ({@link #accountOf(long)});</li>
 *     <li>the kill switch: a new order or replace from a {@link #killAccount killed account} or
 *     {@link #killSession killed session} is REJECTED KILLED (cancels and mass cancels still run: cancelling is
 *     always safe);</li>
 *     <li>command-specific validation and risk, each failure a REJECTED report with its reason.</li>
 * </ol>
 * Orders are identified by (accountId, clientOrderId) among live orders; another account's order is UNKNOWN_ORDER.
 * How each order of the trading day ended (filled, cancelled, expired, or a new order rejected by the checks after
 * the requestSeq) is kept, within {@link MatchingContext#terminalOrderCapacity(int)} records, for {@link #orderStatus}.
 * A cancel, replace or mass cancel makes the requesting session the owner of the orders it touches, so its reply
 * goes to the session that asked; fills and expiries go to the owner.
 *
 * <h2>Output</h2>
 * Each command, including queries and admin commands, calls the {@link MatchingListener} zero or more times and then
 * {@link MatchingListener#onCommandComplete(long, long, long)} exactly once.
 *
 * <h2>State</h2>
 * The state is the instruments (parameters and halt status), the books, the live orders, the sessions' high-water
 * marks and accounts, the day's ended orders, the killed accounts and sessions, the sessions with
 * cancel-on-disconnect and the order id and trade id counters. The global halt flag is not
 * part of it: the pipeline sets it from the durability policy, HALTED rejections are never journaled and change
 * nothing, so replicas and recovery need not know it. {@link #stateHash()} digests the state;
 * {@link #snapshot(MutableDirectBuffer, int)} writes it and {@link #restore(DirectBuffer, int, int)} rebuilds it (see
 * {@link StateSnapshot} for the layout).
 */
public final class MatchingEngine
{
    /**
     * Session id reported for admin commands (they belong to no client session).
     */
    public static final long ADMIN_SESSION_ID = 0;

    /**
     * Most levels per side a book snapshot returns (the client protocol's group limit).
     */
    public static final int MAX_BOOK_DEPTH = 1024;

    /**
     * Furthest a state-changing request's requestSeq may be above its session's high-water mark (2^32).
     */
    public static final long MAX_REQUEST_SEQ_STEP = 1L << 32;

    private final MatchingListener listener;
    private final long configDigest;
    private final long maxOrderNotional;
    private final int maxOpenOrdersPerAccount;
    private final SelfTradePrevention defaultSelfTradePrevention;
    private final Long2ObjectHashMap<SelfTradePrevention> selfTradePreventionByAccount = new Long2ObjectHashMap<>();

    // State. Package-private for StateSnapshot and tests; written only by the engine thread.
    final Int2ObjectHashMap<Instrument> instrumentById = new Int2ObjectHashMap<>();
    /** Instruments in ascending id order, the one order in which they are ever walked. */
    Instrument[] instruments = new Instrument[16];
    int instrumentCount;
    /** Per session the highest requestSeq applied; 0 (the missing value) for a session never seen. */
    final Long2LongHashMap lastRequestSeqBySession = new Long2LongHashMap(1024, 0.65f, 0);
    /** Per session the account of its first applied command; 0 (the missing value) for a session never seen. */
    final Long2LongHashMap accountBySession = new Long2LongHashMap(1024, 0.65f, 0);
    final TerminalOrders terminalOrders;
    final OrderIndex orderIndex;
    /** Accounts and sessions an operator has killed: their new orders and replaces are REJECTED KILLED. */
    final IdSet killedAccounts = new IdSet();
    final IdSet killedSessions = new IdSet();
    /** Sessions whose DAY orders are to be cancelled when they go away; the sequencer's timers act on it. */
    final IdSet cancelOnDisconnectSessions = new IdSet();
    long lastOrderId;
    long lastTradeId;

    // Derived from the orders, never snapshotted.
    final Long2ObjectHashMap<Account> accountById = new Long2ObjectHashMap<>();
    final OrderPool orderPool;
    final PriceLevelPool priceLevelPool;

    /** Not part of the state; see the class description. */
    private boolean halted;

    // The command being applied, echoed in every report it causes.
    private long commandRequestSeq;
    private long commandWireSeq;
    private long commandTimestampNs;

    private final StateSnapshot stateSnapshot = new StateSnapshot(this);

    /**
     * Build an engine, with the start-up instruments of the context already added.
     *
     * @param ctx      options; validated here.
     * @param listener receives every report.
     * @throws IllegalArgumentException naming the option if the context is invalid.
     */
    public MatchingEngine(final MatchingContext ctx, final MatchingListener listener)
    {
        ctx.conclude();
        if (null == listener)
        {
            throw new IllegalArgumentException("listener must not be null");
        }

        this.listener = listener;
        this.maxOrderNotional = ctx.maxOrderNotional();
        this.maxOpenOrdersPerAccount = ctx.maxOpenOrdersPerAccount();
        this.defaultSelfTradePrevention = ctx.defaultSelfTradePrevention();
        for (final Map.Entry<Long, SelfTradePrevention> entry : ctx.selfTradePreventionByAccount.entrySet())
        {
            selfTradePreventionByAccount.put(entry.getKey().longValue(), entry.getValue());
        }
        this.orderPool = new OrderPool(ctx.orderPoolCapacity());
        this.priceLevelPool = new PriceLevelPool(ctx.priceLevelPoolCapacity());
        this.orderIndex = new OrderIndex(ctx.orderPoolCapacity());
        this.terminalOrders = new TerminalOrders(ctx.terminalOrderCapacity());
        this.configDigest = ctx.digest();

        for (final MatchingContext.InstrumentSpec spec : ctx.instruments.values())
        {
            putInstrument(new Instrument(
                spec.instrumentId(), spec.symbol(), spec.tickSize(), spec.lotSize(), spec.minQuantity(),
                spec.maxQuantity(), spec.referencePrice(), spec.priceBandBps(), priceLevelPool));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Client commands
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Enter a new order.
     * <p>
     * LIMIT GTC and DAY orders rest once they stop matching; IOC and MARKET orders never rest, their unfilled rest
     * is EXPIRED; FOK orders fill completely or are REJECTED FOK_NOT_FILLABLE before any fill; a post-only order
     * that would take liquidity is REJECTED POST_ONLY_WOULD_TRADE. A MARKET order meeting an empty opposite side is
     * REJECTED NO_LIQUIDITY. An accepted order gets NEW, then its fills (taker report before the maker's, per
     * trade), then EXPIRED or CANCELED for a rest that does not rest.
     *
     * @param wireSeq       assigned by the sequencer.
     * @param timestampNs   assigned by the sequencer.
     * @param sessionId     session that sent it.
     * @param accountId     account of the session.
     * @param requestSeq    the session's request sequence.
     * @param clientOrderId the account's id for the order; must not be the id of a live order of the account.
     * @param instrumentId  instrument.
     * @param side          BUY or SELL.
     * @param orderType     LIMIT or MARKET.
     * @param timeInForce   GTC, DAY, IOC or FOK (a MARKET order never rests, whatever its time in force).
     * @param postOnly      only with a LIMIT GTC or DAY order.
     * @param price         limit price (ignored for MARKET): a positive multiple of the tick size within the band.
     * @param quantity      a positive multiple of the lot size within the instrument's min and max quantity.
     */
    public void newOrder(
        final long wireSeq,
        final long timestampNs,
        final long sessionId,
        final long accountId,
        final long requestSeq,
        final long clientOrderId,
        final int instrumentId,
        final Side side,
        final OrderType orderType,
        final TimeInForce timeInForce,
        final boolean postOnly,
        final long price,
        final long quantity)
    {
        beginCommand(requestSeq, wireSeq, timestampNs);

        RejectReason reason = admit(sessionId, accountId, requestSeq);
        final boolean admitted = RejectReason.NONE == reason;
        Instrument instrument = null;
        if (admitted && isKilled(sessionId, accountId))
        {
            reason = RejectReason.KILLED;
        }
        else if (admitted)
        {
            instrument = instrumentById.get(instrumentId);
            reason = checkNewOrder(
                instrument, accountId, clientOrderId, side, orderType, timeInForce, postOnly, price, quantity);
        }

        if (RejectReason.NONE == reason)
        {
            acceptNewOrder(
                instrument, sessionId, accountId, clientOrderId, side, orderType, timeInForce, postOnly, price,
                quantity);
        }
        else
        {
            if (admitted)
            {
                terminalOrders.record(accountId, clientOrderId, 0, instrumentId, side, OrderState.REJECTED, reason,
                    price, quantity, 0);
            }
            reportRejected(
                sessionId, accountId, clientOrderId, 0, instrumentId, side, reason, price, quantity, 0, 0);
        }

        listener.onCommandComplete(sessionId, requestSeq, wireSeq);
    }

    /**
     * Cancel a live order of the account. Allowed while the instrument is halted.
     *
     * @param wireSeq       assigned by the sequencer.
     * @param timestampNs   assigned by the sequencer.
     * @param sessionId     session that sent it.
     * @param accountId     account of the session.
     * @param requestSeq    the session's request sequence.
     * @param clientOrderId the account's id for the order.
     */
    public void cancelOrder(
        final long wireSeq,
        final long timestampNs,
        final long sessionId,
        final long accountId,
        final long requestSeq,
        final long clientOrderId)
    {
        beginCommand(requestSeq, wireSeq, timestampNs);

        RejectReason reason = admit(sessionId, accountId, requestSeq);
        Order order = null;
        if (RejectReason.NONE == reason)
        {
            order = orderIndex.get(accountId, clientOrderId);
            if (null == order)
            {
                reason = RejectReason.UNKNOWN_ORDER;
            }
        }

        if (RejectReason.NONE == reason)
        {
            order.sessionId = sessionId;
            cancelResting(order, ExecType.CANCELED, RejectReason.NONE);
        }
        else
        {
            reportRejected(sessionId, accountId, clientOrderId, 0, 0, Side.NULL_VAL, reason, 0, 0, 0, 0);
        }

        listener.onCommandComplete(sessionId, requestSeq, wireSeq);
    }

    /**
     * Replace the price and/or total quantity of a live order of the account.
     * <p>
     * {@code newQuantity} is the new total quantity, filled part included. At the same price, a quantity down (or
     * unchanged) keeps the order's time priority; a price change or a quantity up loses it, and the order is matched
     * again at its new price before resting at the back of its level. A new quantity not above the filled quantity
     * cancels the rest of the order. A post-only order whose new price would trade is REJECTED
     * POST_ONLY_WOULD_TRADE and left as it was.
     *
     * @param wireSeq       assigned by the sequencer.
     * @param timestampNs   assigned by the sequencer.
     * @param sessionId     session that sent it.
     * @param accountId     account of the session.
     * @param requestSeq    the session's request sequence.
     * @param clientOrderId the account's id for the order.
     * @param newPrice      new limit price.
     * @param newQuantity   new total quantity.
     */
    public void replaceOrder(
        final long wireSeq,
        final long timestampNs,
        final long sessionId,
        final long accountId,
        final long requestSeq,
        final long clientOrderId,
        final long newPrice,
        final long newQuantity)
    {
        beginCommand(requestSeq, wireSeq, timestampNs);

        RejectReason reason = admit(sessionId, accountId, requestSeq);
        Order order = null;
        if (RejectReason.NONE == reason && isKilled(sessionId, accountId))
        {
            reason = RejectReason.KILLED;
        }
        else if (RejectReason.NONE == reason)
        {
            order = orderIndex.get(accountId, clientOrderId);
            reason = null == order ? RejectReason.UNKNOWN_ORDER : checkReplace(order, newPrice, newQuantity);
        }

        if (RejectReason.NONE == reason)
        {
            order.sessionId = sessionId;
            applyReplace(order, newPrice, newQuantity);
        }
        else if (null == order)
        {
            reportRejected(
                sessionId, accountId, clientOrderId, 0, 0, Side.NULL_VAL, reason, newPrice, newQuantity, 0, 0);
        }
        else
        {
            reportRejected(
                sessionId, accountId, clientOrderId, order.orderId, order.instrumentId, order.side, reason, newPrice,
                newQuantity, order.leavesQuantity, order.cumQuantity);
        }

        listener.onCommandComplete(sessionId, requestSeq, wireSeq);
    }

    /**
     * Cancel every live order of the account, or only those on one instrument, oldest order first. Allowed while
     * the instrument is halted. No order to cancel is not an error: the command then reports nothing.
     *
     * @param wireSeq      assigned by the sequencer.
     * @param timestampNs  assigned by the sequencer.
     * @param sessionId    session that sent it.
     * @param accountId    account of the session.
     * @param requestSeq   the session's request sequence.
     * @param instrumentId instrument to limit the cancel to, or 0 for every instrument.
     */
    public void massCancel(
        final long wireSeq,
        final long timestampNs,
        final long sessionId,
        final long accountId,
        final long requestSeq,
        final int instrumentId)
    {
        beginCommand(requestSeq, wireSeq, timestampNs);

        RejectReason reason = admit(sessionId, accountId, requestSeq);
        if (RejectReason.NONE == reason && 0 != instrumentId && null == instrumentById.get(instrumentId))
        {
            reason = RejectReason.UNKNOWN_INSTRUMENT;
        }

        if (RejectReason.NONE == reason)
        {
            final Account account = accountById.get(accountId);
            if (null != account)
            {
                Order order = account.head;
                while (null != order)
                {
                    final Order next = order.nextInAccount;
                    if (0 == instrumentId || order.instrumentId == instrumentId)
                    {
                        order.sessionId = sessionId;
                        cancelResting(order, ExecType.CANCELED, RejectReason.NONE);
                    }
                    order = next;
                }
            }
        }
        else
        {
            reportRejected(sessionId, accountId, 0, 0, instrumentId, Side.NULL_VAL, reason, 0, 0, 0, 0);
        }

        listener.onCommandComplete(sessionId, requestSeq, wireSeq);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Admin commands: journaled, part of the state, applied whether or not the engine is halted.
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Add an instrument.
     *
     * @param wireSeq        assigned by the sequencer.
     * @param timestampNs    assigned by the sequencer.
     * @param instrumentId   &gt; 0, not already in use.
     * @param symbol         1..16 printable US-ASCII characters.
     * @param tickSize       &gt; 0.
     * @param lotSize        &gt; 0.
     * @param minQuantity    a positive multiple of lotSize.
     * @param maxQuantity    &ge; minQuantity.
     * @param referencePrice positive multiple of tickSize; the centre of the price band.
     * @param priceBandBps   0..10000 basis points around the reference price; 0 disables the band.
     * @return NONE if added; INVALID_FIELD if a parameter is invalid or the id is in use.
     */
    public RejectReason addInstrument(
        final long wireSeq,
        final long timestampNs,
        final int instrumentId,
        final String symbol,
        final long tickSize,
        final long lotSize,
        final long minQuantity,
        final long maxQuantity,
        final long referencePrice,
        final int priceBandBps)
    {
        beginCommand(0, wireSeq, timestampNs);

        RejectReason reason = RejectReason.NONE;
        if (null != Instrument.validate(
            instrumentId, symbol, tickSize, lotSize, minQuantity, maxQuantity, referencePrice, priceBandBps) ||
            null != instrumentById.get(instrumentId))
        {
            reason = RejectReason.INVALID_FIELD;
        }
        else
        {
            putInstrument(new Instrument(
                instrumentId, symbol, tickSize, lotSize, minQuantity, maxQuantity, referencePrice, priceBandBps,
                priceLevelPool));
        }

        listener.onCommandComplete(ADMIN_SESSION_ID, 0, wireSeq);

        return reason;
    }

    /**
     * Halt trading in an instrument: new orders and replaces are REJECTED INSTRUMENT_HALTED, cancels still work,
     * resting orders stay.
     *
     * @param wireSeq      assigned by the sequencer.
     * @param timestampNs  assigned by the sequencer.
     * @param instrumentId instrument.
     * @return NONE, or UNKNOWN_INSTRUMENT.
     */
    public RejectReason haltInstrument(final long wireSeq, final long timestampNs, final int instrumentId)
    {
        return setInstrumentHalted(wireSeq, timestampNs, instrumentId, true);
    }

    /**
     * Resume trading in a halted instrument.
     *
     * @param wireSeq      assigned by the sequencer.
     * @param timestampNs  assigned by the sequencer.
     * @param instrumentId instrument.
     * @return NONE, or UNKNOWN_INSTRUMENT.
     */
    public RejectReason resumeInstrument(final long wireSeq, final long timestampNs, final int instrumentId)
    {
        return setInstrumentHalted(wireSeq, timestampNs, instrumentId, false);
    }

    /**
     * End the trading day: the ended orders of the day are forgotten, then every resting DAY order is EXPIRED (and
     * remembered as the first ended orders of the new day), walking instruments by ascending id, bids then asks,
     * best level first, oldest order first.
     *
     * @param wireSeq     assigned by the sequencer.
     * @param timestampNs assigned by the sequencer.
     */
    public void endOfDay(final long wireSeq, final long timestampNs)
    {
        beginCommand(0, wireSeq, timestampNs);
        terminalOrders.clear();

        for (int i = 0; i < instrumentCount; i++)
        {
            final Instrument instrument = instruments[i];
            expireDayOrders(instrument.bids);
            expireDayOrders(instrument.asks);
        }

        listener.onCommandComplete(ADMIN_SESSION_ID, 0, wireSeq);
    }

    /**
     * Kill an account: from now on its new orders and replaces, from any session, are REJECTED KILLED, and every live
     * order of the account is CANCELED with reason KILLED now, oldest first. Its cancels still work. Killing an
     * account already killed cancels what it has (nothing, unless it was killed before this engine's history) and is
     * otherwise a no-op. Lifted by {@link #unkillAccount}.
     *
     * @param wireSeq     assigned by the sequencer.
     * @param timestampNs assigned by the sequencer.
     * @param accountId   account; one never seen may be killed too, before it trades.
     * @return the number of orders cancelled.
     */
    public int killAccount(final long wireSeq, final long timestampNs, final long accountId)
    {
        beginCommand(0, wireSeq, timestampNs);
        killedAccounts.add(accountId);
        final int cancelled = cancelOrdersOf(accountById.get(accountId), 0, false, RejectReason.KILLED);
        listener.onCommandComplete(ADMIN_SESSION_ID, 0, wireSeq);

        return cancelled;
    }

    /**
     * Kill a session: from now on its new orders and replaces are REJECTED KILLED, and every live order it owns
     * (placed, or last cancelled or replaced, by it) is CANCELED with reason KILLED now, oldest first. Its cancels
     * still work; the account's other sessions trade on. Lifted by {@link #unkillSession}.
     *
     * @param wireSeq     assigned by the sequencer.
     * @param timestampNs assigned by the sequencer.
     * @param sessionId   session; one never seen may be killed too, before it trades.
     * @return the number of orders cancelled.
     */
    public int killSession(final long wireSeq, final long timestampNs, final long sessionId)
    {
        beginCommand(0, wireSeq, timestampNs);
        killedSessions.add(sessionId);
        final int cancelled = cancelOrdersOf(sessionAccount(sessionId), sessionId, false, RejectReason.KILLED);
        listener.onCommandComplete(ADMIN_SESSION_ID, 0, wireSeq);

        return cancelled;
    }

    /**
     * Lift the kill of an account; its orders cancelled by the kill stay cancelled.
     *
     * @param wireSeq     assigned by the sequencer.
     * @param timestampNs assigned by the sequencer.
     * @param accountId   account.
     * @return true if it was killed.
     */
    public boolean unkillAccount(final long wireSeq, final long timestampNs, final long accountId)
    {
        beginCommand(0, wireSeq, timestampNs);
        final boolean wasKilled = killedAccounts.remove(accountId);
        listener.onCommandComplete(ADMIN_SESSION_ID, 0, wireSeq);

        return wasKilled;
    }

    /**
     * Lift the kill of a session; its orders cancelled by the kill stay cancelled.
     *
     * @param wireSeq     assigned by the sequencer.
     * @param timestampNs assigned by the sequencer.
     * @param sessionId   session.
     * @return true if it was killed.
     */
    public boolean unkillSession(final long wireSeq, final long timestampNs, final long sessionId)
    {
        beginCommand(0, wireSeq, timestampNs);
        final boolean wasKilled = killedSessions.remove(sessionId);
        listener.onCommandComplete(ADMIN_SESSION_ID, 0, wireSeq);

        return wasKilled;
    }

    /**
     * Record whether a session wants cancel-on-disconnect, as its latest logon asked. The engine only keeps it: the
     * primary's sequencer times the grace period, and it is state so that a new primary, after a failover or a
     * restart, knows which sessions to start a grace period for.
     *
     * @param wireSeq            assigned by the sequencer.
     * @param timestampNs        assigned by the sequencer.
     * @param sessionId          session.
     * @param cancelOnDisconnect true to want it.
     */
    public void cancelOnDisconnect(
        final long wireSeq, final long timestampNs, final long sessionId, final boolean cancelOnDisconnect)
    {
        beginCommand(0, wireSeq, timestampNs);
        if (cancelOnDisconnect)
        {
            cancelOnDisconnectSessions.add(sessionId);
        }
        else
        {
            cancelOnDisconnectSessions.remove(sessionId);
        }
        listener.onCommandComplete(ADMIN_SESSION_ID, 0, wireSeq);
    }

    /**
     * Cancel-on-disconnect: CANCEL every live DAY order the session owns (placed, or last cancelled or replaced, by
     * it), oldest first; GTC orders stay. The sequencer journals it once a session that asked for it has been gone
     * for its grace period.
     *
     * @param wireSeq     assigned by the sequencer.
     * @param timestampNs assigned by the sequencer.
     * @param sessionId   session.
     * @return the number of orders cancelled.
     */
    public int cancelSessionDayOrders(final long wireSeq, final long timestampNs, final long sessionId)
    {
        beginCommand(0, wireSeq, timestampNs);
        final int cancelled = cancelOrdersOf(sessionAccount(sessionId), sessionId, true, RejectReason.NONE);
        listener.onCommandComplete(ADMIN_SESSION_ID, 0, wireSeq);

        return cancelled;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Queries: no state change, answered even when halted.
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Status of an order of the account, through {@link MatchingListener#onOrderStatus}: a live order's (NEW or
     * PARTIALLY_FILLED); else how the last order of the day with that clientOrderId ended (FILLED, CANCELED, EXPIRED,
     * or REJECTED with its reason), while it is among the kept records; else UNKNOWN (never existed, another
     * account's, ended on an earlier day, or forgotten to make room).
     *
     * @param sessionId     session that asked.
     * @param accountId     account of the session.
     * @param requestSeq    request sequence of the query (not checked against the high-water mark).
     * @param clientOrderId the account's id for the order.
     */
    public void orderStatus(final long sessionId, final long accountId, final long requestSeq, final long clientOrderId)
    {
        final Order order = orderIndex.get(accountId, clientOrderId);
        final int ended = null == order ? terminalOrders.find(accountId, clientOrderId) : -1;
        if (null != order)
        {
            listener.onOrderStatus(
                sessionId,
                accountId,
                requestSeq,
                clientOrderId,
                order.orderId,
                order.instrumentId,
                order.side,
                0 == order.cumQuantity ? OrderState.NEW : OrderState.PARTIALLY_FILLED,
                RejectReason.NONE,
                order.price,
                order.quantity,
                order.leavesQuantity,
                order.cumQuantity);
        }
        else if (ended >= 0)
        {
            listener.onOrderStatus(
                sessionId,
                accountId,
                requestSeq,
                clientOrderId,
                terminalOrders.orderId(ended),
                terminalOrders.instrumentId(ended),
                terminalOrders.side(ended),
                terminalOrders.state(ended),
                terminalOrders.reason(ended),
                terminalOrders.price(ended),
                terminalOrders.quantity(ended),
                0,
                terminalOrders.cumQuantity(ended));
        }
        else
        {
            listener.onOrderStatus(sessionId, accountId, requestSeq, clientOrderId, 0, 0, Side.NULL_VAL,
                OrderState.UNKNOWN, RejectReason.NONE, 0, 0, 0, 0);
        }

        listener.onCommandComplete(sessionId, requestSeq, 0);
    }

    /**
     * Top of an instrument's book, aggregated per price, through {@link MatchingListener#onBookSnapshot} and
     * {@link MatchingListener#onBookLevel}. An unknown instrument gets a REJECTED UNKNOWN_INSTRUMENT report, a depth
     * below 1 a REJECTED INVALID_FIELD report.
     *
     * @param sessionId    session that asked.
     * @param accountId    account of the session (only echoed in a reject).
     * @param requestSeq   request sequence of the query (not checked against the high-water mark).
     * @param instrumentId instrument.
     * @param depth        levels per side wanted, at least 1; more than {@link #MAX_BOOK_DEPTH} gives that many.
     */
    public void bookSnapshot(
        final long sessionId, final long accountId, final long requestSeq, final int instrumentId, final int depth)
    {
        final Instrument instrument = instrumentById.get(instrumentId);
        final RejectReason reason = null == instrument ? RejectReason.UNKNOWN_INSTRUMENT :
            depth < 1 ? RejectReason.INVALID_FIELD : RejectReason.NONE;
        if (RejectReason.NONE != reason)
        {
            beginCommand(requestSeq, 0, 0);
            reportRejected(sessionId, accountId, 0, 0, instrumentId, Side.NULL_VAL, reason, 0, 0, 0, 0);
        }
        else
        {
            final int maxLevels = Math.min(depth, MAX_BOOK_DEPTH);
            final int bidLevels = Math.min(maxLevels, instrument.bids.levelCount());
            final int askLevels = Math.min(maxLevels, instrument.asks.levelCount());
            listener.onBookSnapshot(sessionId, requestSeq, instrumentId, bidLevels, askLevels);
            reportLevels(sessionId, requestSeq, instrumentId, instrument.bids, bidLevels);
            reportLevels(sessionId, requestSeq, instrumentId, instrument.asks, askLevels);
        }

        listener.onCommandComplete(sessionId, requestSeq, 0);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Engine status, digests and snapshots
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Highest requestSeq applied for a session, for the logon acknowledgement.
     *
     * @param sessionId session.
     * @return the high-water mark, 0 for a session never seen.
     */
    public long lastRequestSeq(final long sessionId)
    {
        return lastRequestSeqBySession.get(sessionId);
    }

    /**
     * The account a session is bound to: that of its first applied state-changing command. Every later logon of
     * the session must name it.
     *
     * @param sessionId session.
     * @return the account, or 0 for a session that has applied nothing.
     */
    public long accountOf(final long sessionId)
    {
        return accountBySession.get(sessionId);
    }

    /**
     * @param accountId account.
     * @return true while the account is killed.
     */
    public boolean isAccountKilled(final long accountId)
    {
        return killedAccounts.contains(accountId);
    }

    /**
     * @param sessionId session.
     * @return true while the session is killed.
     */
    public boolean isSessionKilled(final long sessionId)
    {
        return killedSessions.contains(sessionId);
    }

    /**
     * @param sessionId session.
     * @return true if its latest logon asked for cancel-on-disconnect.
     */
    public boolean isCancelOnDisconnect(final long sessionId)
    {
        return cancelOnDisconnectSessions.contains(sessionId);
    }

    /**
     * @return the sessions with cancel-on-disconnect, ascending, in a new array: for a sequencer starting its term.
     */
    public long[] cancelOnDisconnectSessions()
    {
        return cancelOnDisconnectSessions.toSortedArray();
    }

    /**
     * @return the killed accounts, ascending, in a new array: for an operator's view, not for the hot path.
     */
    public long[] killedAccounts()
    {
        return killedAccounts.toSortedArray();
    }

    /**
     * @return the killed sessions, ascending, in a new array: for an operator's view, not for the hot path.
     */
    public long[] killedSessions()
    {
        return killedSessions.toSortedArray();
    }

    /**
     * Would a state-changing request with this requestSeq be applied (rather than answered DUPLICATE_REQUEST or
     * INVALID_FIELD without changing anything)? The sequencer asks before journaling it.
     *
     * @param sessionId  session.
     * @param requestSeq of the request.
     * @return true if it is above the session's high-water mark by at least 1 and at most
     * {@link #MAX_REQUEST_SEQ_STEP}.
     */
    public boolean isNextRequest(final long sessionId, final long requestSeq)
    {
        final long last = lastRequestSeqBySession.get(sessionId);
        return requestSeq > last && requestSeq - last <= MAX_REQUEST_SEQ_STEP;
    }

    /**
     * Set or clear the global halt: while set, every state-changing client command is REJECTED HALTED and changes
     * nothing; queries and admin commands still run. Not part of the state.
     *
     * @param halted true to halt.
     */
    public void halted(final boolean halted)
    {
        this.halted = halted;
    }

    /**
     * Is the global halt set?
     *
     * @return true if state-changing client commands are being rejected.
     */
    public boolean halted()
    {
        return halted;
    }

    /**
     * Stable digest of the engine's options and start-up instruments; two engines that must behave alike have the
     * same digest. Snapshots carry it and {@link #restore} refuses a snapshot written under another configuration.
     *
     * @return the digest.
     */
    public long configDigest()
    {
        return configDigest;
    }

    /**
     * Digest of the whole state: instruments and their status, every live order in book order with all its fields,
     * the sessions' high-water marks and the id counters. Equal states give equal digests on any JVM. Walks the
     * state: O(orders + sessions).
     *
     * @return the digest.
     */
    public long stateHash()
    {
        return stateSnapshot.hash();
    }

    /**
     * Exact number of bytes {@link #snapshot(MutableDirectBuffer, int)} writes for the current state.
     *
     * @return length in bytes.
     */
    public int snapshotLength()
    {
        return stateSnapshot.length();
    }

    /**
     * Write the whole state to a buffer (layout in {@link StateSnapshot}).
     *
     * @param buffer to write to; needs {@link #snapshotLength()} bytes from offset unless it is expandable.
     * @param offset where to start.
     * @return bytes written.
     */
    public int snapshot(final MutableDirectBuffer buffer, final int offset)
    {
        return stateSnapshot.write(buffer, offset);
    }

    /**
     * Replace the whole state with one written by {@link #snapshot(MutableDirectBuffer, int)}. The halt flag is left
     * as it is. The header, version, length, CRC32C and config digest are checked before anything changes; the state
     * hash recorded in the snapshot is checked after the rebuild.
     *
     * @param buffer holding the snapshot.
     * @param offset where it starts.
     * @param length bytes available.
     * @throws IllegalArgumentException if the snapshot is malformed, corrupt or from another configuration.
     * @throws IllegalStateException    if a snapshot that passed those checks cannot be rebuilt or the rebuilt state
     *                                  does not match the snapshot's hash; the engine is then left empty or
     *                                  inconsistent and must be discarded.
     */
    public void restore(final DirectBuffer buffer, final int offset, final int length)
    {
        stateSnapshot.read(buffer, offset, length);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------------

    private void beginCommand(final long requestSeq, final long wireSeq, final long timestampNs)
    {
        commandRequestSeq = requestSeq;
        commandWireSeq = wireSeq;
        commandTimestampNs = timestampNs;
    }

    private RejectReason admit(final long sessionId, final long accountId, final long requestSeq)
    {
        if (halted)
        {
            return RejectReason.HALTED;
        }

        final long last = lastRequestSeqBySession.get(sessionId);
        if (requestSeq < 1 || (requestSeq > last && requestSeq - last > MAX_REQUEST_SEQ_STEP))
        {
            return RejectReason.INVALID_FIELD;
        }
        if (requestSeq <= last)
        {
            return RejectReason.DUPLICATE_REQUEST;
        }
        lastRequestSeqBySession.put(sessionId, requestSeq);
        if (0 != accountId && 0 == accountBySession.get(sessionId))
        {
            accountBySession.put(sessionId, accountId);
        }

        return RejectReason.NONE;
    }

    private boolean isKilled(final long sessionId, final long accountId)
    {
        return killedAccounts.contains(accountId) || killedSessions.contains(sessionId);
    }

    private Account sessionAccount(final long sessionId)
    {
        final long accountId = accountBySession.get(sessionId);
        return 0 == accountId ? null : accountById.get(accountId);
    }

    /**
     * Cancel the account's live orders, oldest first: all of them, or only those the session owns
     * ({@code sessionId} not 0), or only their DAY orders.
     *
     * @return the number cancelled.
     */
    private int cancelOrdersOf(
        final Account account, final long sessionId, final boolean dayOnly, final RejectReason reason)
    {
        int cancelled = 0;
        Order order = null == account ? null : account.head;
        while (null != order)
        {
            final Order next = order.nextInAccount;
            if ((0 == sessionId || order.sessionId == sessionId) &&
                (!dayOnly || TimeInForce.DAY == order.timeInForce))
            {
                cancelResting(order, ExecType.CANCELED, reason);
                cancelled++;
            }
            order = next;
        }

        return cancelled;
    }

    private RejectReason checkNewOrder(
        final Instrument instrument,
        final long accountId,
        final long clientOrderId,
        final Side side,
        final OrderType orderType,
        final TimeInForce timeInForce,
        final boolean postOnly,
        final long price,
        final long quantity)
    {
        if ((Side.BUY != side && Side.SELL != side) ||
            (OrderType.LIMIT != orderType && OrderType.MARKET != orderType) ||
            null == timeInForce || TimeInForce.NULL_VAL == timeInForce)
        {
            return RejectReason.INVALID_FIELD;
        }

        final boolean market = OrderType.MARKET == orderType;
        if (postOnly && (market || TimeInForce.IOC == timeInForce || TimeInForce.FOK == timeInForce))
        {
            return RejectReason.INVALID_FIELD;
        }

        if (null == instrument)
        {
            return RejectReason.UNKNOWN_INSTRUMENT;
        }

        if (instrument.halted)
        {
            return RejectReason.INSTRUMENT_HALTED;
        }

        RejectReason reason = instrument.checkQuantity(quantity);
        if (RejectReason.NONE != reason)
        {
            return reason;
        }

        if (!market)
        {
            reason = instrument.checkPrice(price);
            if (RejectReason.NONE != reason)
            {
                return reason;
            }
        }

        if (quantity > maxOrderNotional / (market ? instrument.marketNotionalPrice() : price))
        {
            return RejectReason.RISK_LIMIT;
        }

        if (null != orderIndex.get(accountId, clientOrderId))
        {
            return RejectReason.DUPLICATE_ORDER_ID;
        }

        final Account account = accountById.get(accountId);
        if (mayRest(orderType, timeInForce) && null != account && account.openOrders >= maxOpenOrdersPerAccount)
        {
            return RejectReason.MAX_OPEN_ORDERS;
        }

        final BookSide opposite = instrument.oppositeOf(side);
        final PriceLevel best = opposite.best();
        if (market && null == best)
        {
            return RejectReason.NO_LIQUIDITY;
        }

        if (postOnly && null != best && opposite.crosses(best, price))
        {
            return RejectReason.POST_ONLY_WOULD_TRADE;
        }

        if (TimeInForce.FOK == timeInForce && !fillable(opposite, account, market, price, quantity))
        {
            return RejectReason.FOK_NOT_FILLABLE;
        }

        return RejectReason.NONE;
    }

    private static boolean mayRest(final OrderType orderType, final TimeInForce timeInForce)
    {
        return OrderType.LIMIT == orderType && (TimeInForce.GTC == timeInForce || TimeInForce.DAY == timeInForce);
    }

    /**
     * Could an order fill completely right now? Walks the opposite side as matching would, so that self-trade
     * prevention is taken into account: an own order stops the fill unless it would be cancelled as the oldest.
     */
    private boolean fillable(
        final BookSide opposite, final Account account, final boolean market, final long price, final long quantity)
    {
        final boolean mayMeetOwnOrder = null != account && account.openOrders > 0;
        final boolean skipOwn = mayMeetOwnOrder && SelfTradePrevention.CANCEL_OLDEST == account.selfTradePrevention;
        long available = 0;
        for (PriceLevel level = opposite.best(); null != level; level = level.worse)
        {
            if (!market && !opposite.crosses(level, price))
            {
                return false;
            }

            if (!mayMeetOwnOrder)
            {
                available += level.totalQuantity;
                if (available >= quantity)
                {
                    return true;
                }
                continue;
            }

            for (Order order = level.head; null != order; order = order.nextInLevel)
            {
                if (order.account == account)
                {
                    if (skipOwn)
                    {
                        continue;
                    }
                    return false;
                }

                available += order.leavesQuantity;
                if (available >= quantity)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private void acceptNewOrder(
        final Instrument instrument,
        final long sessionId,
        final long accountId,
        final long clientOrderId,
        final Side side,
        final OrderType orderType,
        final TimeInForce timeInForce,
        final boolean postOnly,
        final long price,
        final long quantity)
    {
        final boolean market = OrderType.MARKET == orderType;
        final Order order = orderPool.acquire();
        order.orderId = ++lastOrderId;
        order.accountId = accountId;
        order.sessionId = sessionId;
        order.clientOrderId = clientOrderId;
        order.instrumentId = instrument.instrumentId;
        order.instrument = instrument;
        order.side = side;
        order.timeInForce = timeInForce;
        order.postOnly = postOnly;
        order.price = market ? 0 : price;
        order.quantity = quantity;
        order.leavesQuantity = quantity;
        order.cumQuantity = 0;
        order.account = accountFor(accountId);

        report(order, ExecType.NEW, RejectReason.NONE, Liquidity.NONE, 0, 0, 0);

        final boolean selfTradeStop = match(instrument, order, market, price);
        if (0 == order.leavesQuantity)
        {
            retire(order, OrderState.FILLED, RejectReason.NONE);
        }
        else if (selfTradeStop)
        {
            order.leavesQuantity = 0;
            report(order, ExecType.CANCELED, RejectReason.SELF_TRADE_PREVENTED, Liquidity.NONE, 0, 0, 0);
            retire(order, OrderState.CANCELED, RejectReason.SELF_TRADE_PREVENTED);
        }
        else if (mayRest(orderType, timeInForce))
        {
            instrument.sideOf(side).add(order);
            index(order);
        }
        else
        {
            order.leavesQuantity = 0;
            report(order, ExecType.EXPIRED, RejectReason.NONE, Liquidity.NONE, 0, 0, 0);
            retire(order, OrderState.EXPIRED, RejectReason.NONE);
        }
    }

    /**
     * Match an order that is not resting against the opposite side until it is filled, the prices no longer cross,
     * or self-trade prevention stops it.
     *
     * @return true if self-trade prevention says the taker must be cancelled; the caller reports that.
     */
    private boolean match(final Instrument instrument, final Order taker, final boolean market, final long limitPrice)
    {
        final BookSide opposite = instrument.oppositeOf(taker.side);
        while (taker.leavesQuantity > 0)
        {
            final PriceLevel level = opposite.best();
            if (null == level || (!market && !opposite.crosses(level, limitPrice)))
            {
                return false;
            }

            final Order maker = level.head;
            if (maker.account == taker.account)
            {
                final SelfTradePrevention mode = taker.account.selfTradePrevention;
                if (SelfTradePrevention.CANCEL_NEWEST != mode)
                {
                    cancelResting(maker, ExecType.CANCELED, RejectReason.SELF_TRADE_PREVENTED);
                }
                if (SelfTradePrevention.CANCEL_OLDEST != mode)
                {
                    return true;
                }
                continue;
            }

            final long fillQuantity = Math.min(taker.leavesQuantity, maker.leavesQuantity);
            final long tradePrice = level.price;
            final long tradeId = ++lastTradeId;

            taker.leavesQuantity -= fillQuantity;
            taker.cumQuantity += fillQuantity;
            BookSide.reduce(maker, fillQuantity);
            maker.cumQuantity += fillQuantity;

            report(taker, 0 == taker.leavesQuantity ? ExecType.FILL : ExecType.PARTIAL_FILL, RejectReason.NONE,
                Liquidity.TAKER, tradePrice, fillQuantity, tradeId);
            report(maker, 0 == maker.leavesQuantity ? ExecType.FILL : ExecType.PARTIAL_FILL, RejectReason.NONE,
                Liquidity.MAKER, tradePrice, fillQuantity, tradeId);

            if (0 == maker.leavesQuantity)
            {
                opposite.remove(maker);
                unindex(maker);
                retire(maker, OrderState.FILLED, RejectReason.NONE);
            }
        }

        return false;
    }

    private RejectReason checkReplace(final Order order, final long newPrice, final long newQuantity)
    {
        final Instrument instrument = order.instrument;
        if (instrument.halted)
        {
            return RejectReason.INSTRUMENT_HALTED;
        }

        RejectReason reason = instrument.checkQuantity(newQuantity);
        if (RejectReason.NONE != reason)
        {
            return reason;
        }

        reason = instrument.checkPrice(newPrice);
        if (RejectReason.NONE != reason)
        {
            return reason;
        }

        if (newQuantity > maxOrderNotional / newPrice)
        {
            return RejectReason.RISK_LIMIT;
        }

        if (order.postOnly && newPrice != order.price && newQuantity > order.cumQuantity)
        {
            final BookSide opposite = instrument.oppositeOf(order.side);
            final PriceLevel best = opposite.best();
            if (null != best && opposite.crosses(best, newPrice))
            {
                return RejectReason.POST_ONLY_WOULD_TRADE;
            }
        }

        return RejectReason.NONE;
    }

    private void applyReplace(final Order order, final long newPrice, final long newQuantity)
    {
        if (newQuantity <= order.cumQuantity)
        {
            cancelResting(order, ExecType.CANCELED, RejectReason.NONE);
            return;
        }

        if (newPrice == order.price && newQuantity <= order.quantity)
        {
            final long reduction = order.quantity - newQuantity;
            order.quantity = newQuantity;
            BookSide.reduce(order, reduction);
            report(order, ExecType.REPLACED, RejectReason.NONE, Liquidity.NONE, 0, 0, 0);
            return;
        }

        final Instrument instrument = order.instrument;
        final BookSide side = instrument.sideOf(order.side);
        side.remove(order);
        order.price = newPrice;
        order.quantity = newQuantity;
        order.leavesQuantity = newQuantity - order.cumQuantity;
        report(order, ExecType.REPLACED, RejectReason.NONE, Liquidity.NONE, 0, 0, 0);

        final boolean selfTradeStop = match(instrument, order, false, newPrice);
        if (0 == order.leavesQuantity)
        {
            unindex(order);
            retire(order, OrderState.FILLED, RejectReason.NONE);
        }
        else if (selfTradeStop)
        {
            unindex(order);
            order.leavesQuantity = 0;
            report(order, ExecType.CANCELED, RejectReason.SELF_TRADE_PREVENTED, Liquidity.NONE, 0, 0, 0);
            retire(order, OrderState.CANCELED, RejectReason.SELF_TRADE_PREVENTED);
        }
        else
        {
            side.add(order);
        }
    }

    /**
     * Take a resting order out of the book, report it as cancelled or expired with no leaves, and retire it.
     */
    private void cancelResting(final Order order, final ExecType execType, final RejectReason reason)
    {
        order.instrument.sideOf(order.side).remove(order);
        unindex(order);
        order.leavesQuantity = 0;
        report(order, execType, reason, Liquidity.NONE, 0, 0, 0);
        retire(order, ExecType.EXPIRED == execType ? OrderState.EXPIRED : OrderState.CANCELED, reason);
    }

    /**
     * An order has ended: remember how for status queries, and pool it.
     */
    private void retire(final Order order, final OrderState state, final RejectReason reason)
    {
        terminalOrders.record(order.accountId, order.clientOrderId, order.orderId, order.instrumentId, order.side,
            state, reason, order.price, order.quantity, order.cumQuantity);
        orderPool.release(order);
    }

    private void expireDayOrders(final BookSide side)
    {
        PriceLevel level = side.best();
        while (null != level)
        {
            final PriceLevel nextLevel = level.worse;
            Order order = level.head;
            while (null != order)
            {
                final Order next = order.nextInLevel;
                if (TimeInForce.DAY == order.timeInForce)
                {
                    cancelResting(order, ExecType.EXPIRED, RejectReason.NONE);
                }
                order = next;
            }
            level = nextLevel;
        }
    }

    private void index(final Order order)
    {
        orderIndex.add(order);
        order.account.append(order);
        order.indexed = true;
    }

    private void unindex(final Order order)
    {
        if (order.indexed)
        {
            orderIndex.remove(order);
            order.account.remove(order);
            order.indexed = false;
        }
    }

    Account accountFor(final long accountId)
    {
        Account account = accountById.get(accountId);
        if (null == account)
        {
            final SelfTradePrevention override = selfTradePreventionByAccount.get(accountId);
            account = new Account(accountId, null != override ? override : defaultSelfTradePrevention);
            accountById.put(accountId, account);
        }

        return account;
    }

    /**
     * Rest a restored order at the back of its level and index it; accounts are linked by the caller.
     */
    void restoreOrder(final Order order)
    {
        order.instrument.sideOf(order.side).add(order);
        orderIndex.add(order);
        order.indexed = true;
    }

    void putInstrument(final Instrument instrument)
    {
        instrumentById.put(instrument.instrumentId, instrument);
        if (instrumentCount == instruments.length)
        {
            instruments = java.util.Arrays.copyOf(instruments, instrumentCount * 2);
        }

        int i = instrumentCount;
        while (i > 0 && instruments[i - 1].instrumentId > instrument.instrumentId)
        {
            instruments[i] = instruments[i - 1];
            i--;
        }
        instruments[i] = instrument;
        instrumentCount++;
    }

    /**
     * Forget every order, instrument and session, returning orders and levels to their pools.
     */
    void clearState()
    {
        for (int i = 0; i < instrumentCount; i++)
        {
            final Instrument instrument = instruments[i];
            releaseOrders(instrument.bids);
            releaseOrders(instrument.asks);
            instrument.bids.clear();
            instrument.asks.clear();
            instruments[i] = null;
        }
        instrumentCount = 0;
        instrumentById.clear();
        orderIndex.clear();
        for (final Account account : accountById.values())
        {
            account.head = null;
            account.tail = null;
            account.openOrders = 0;
        }
        lastRequestSeqBySession.clear();
        accountBySession.clear();
        terminalOrders.clear();
        killedAccounts.clear();
        killedSessions.clear();
        cancelOnDisconnectSessions.clear();
        lastOrderId = 0;
        lastTradeId = 0;
    }

    private void releaseOrders(final BookSide side)
    {
        for (PriceLevel level = side.best(); null != level; level = level.worse)
        {
            Order order = level.head;
            while (null != order)
            {
                final Order next = order.nextInLevel;
                orderPool.release(order);
                order = next;
            }
        }
    }

    private RejectReason setInstrumentHalted(
        final long wireSeq, final long timestampNs, final int instrumentId, final boolean halt)
    {
        beginCommand(0, wireSeq, timestampNs);

        final Instrument instrument = instrumentById.get(instrumentId);
        if (null != instrument)
        {
            instrument.halted = halt;
        }

        listener.onCommandComplete(ADMIN_SESSION_ID, 0, wireSeq);

        return null == instrument ? RejectReason.UNKNOWN_INSTRUMENT : RejectReason.NONE;
    }

    private void reportLevels(
        final long sessionId, final long requestSeq, final int instrumentId, final BookSide side, final int levels)
    {
        PriceLevel level = side.best();
        for (int i = 0; i < levels; i++)
        {
            listener.onBookLevel(
                sessionId, requestSeq, instrumentId, side.side(), level.price, level.totalQuantity, level.orderCount);
            level = level.worse;
        }
    }

    private void report(
        final Order order,
        final ExecType execType,
        final RejectReason reason,
        final Liquidity liquidity,
        final long lastPrice,
        final long lastQuantity,
        final long tradeId)
    {
        listener.onExecutionReport(
            order.sessionId,
            order.accountId,
            commandRequestSeq,
            commandWireSeq,
            commandTimestampNs,
            order.clientOrderId,
            order.orderId,
            order.instrumentId,
            order.side,
            execType,
            reason,
            liquidity,
            order.price,
            order.quantity,
            order.leavesQuantity,
            order.cumQuantity,
            lastPrice,
            lastQuantity,
            tradeId);
    }

    private void reportRejected(
        final long sessionId,
        final long accountId,
        final long clientOrderId,
        final long orderId,
        final int instrumentId,
        final Side side,
        final RejectReason reason,
        final long price,
        final long quantity,
        final long leavesQuantity,
        final long cumQuantity)
    {
        listener.onExecutionReport(
            sessionId,
            accountId,
            commandRequestSeq,
            commandWireSeq,
            commandTimestampNs,
            clientOrderId,
            orderId,
            instrumentId,
            null == side ? Side.NULL_VAL : side,
            ExecType.REJECTED,
            reason,
            Liquidity.NONE,
            price,
            quantity,
            leavesQuantity,
            cumQuantity,
            0,
            0,
            0);
    }
}
