package io.sluice.pipeline.sequencer;

import io.sluice.matching.MatchingEngine;
import io.sluice.sbe.client.BookSnapshotQueryDecoder;
import io.sluice.sbe.client.CancelOrderDecoder;
import io.sluice.sbe.client.MassCancelDecoder;
import io.sluice.sbe.client.NewOrderDecoder;
import io.sluice.sbe.client.OrderStatusQueryDecoder;
import io.sluice.sbe.client.ReplaceOrderDecoder;
import io.sluice.sbe.client.BooleanType;
import io.sluice.sbe.journal.AddInstrumentDecoder;
import io.sluice.sbe.journal.EndOfDayDecoder;
import io.sluice.sbe.journal.EntryType;
import io.sluice.sbe.journal.InstrumentStatusChangeDecoder;
import io.sluice.sbe.journal.KillSwitchDecoder;
import io.sluice.sbe.journal.KillTarget;
import io.sluice.sbe.journal.SessionCommandDecoder;
import io.sluice.sbe.client.BookSnapshotEncoder;
import io.sluice.wire.FrameDecoder;
import io.sluice.wire.MessageValidator;
import org.agrona.DirectBuffer;

/**
 * Decodes a command and applies it to the matching engine. The one decode path shared by live sequencing, journal
 * recovery and replicas, so all three apply exactly the same thing. Client commands arrive as validated
 * client-protocol messages (SBE header and body); admin commands as journal-schema bodies. Allocation free.
 */
public final class CommandApplier
{
    /**
     * Most book levels per side a snapshot reply carries, so that a reply with both sides full still fits the
     * client protocol's default 4 KiB frame (header, fixed block, two 4-byte group headers, 20 bytes per level).
     */
    public static final int MAX_BOOK_LEVELS_PER_SIDE = (FrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH -
        MessageValidator.HEADER_LENGTH - BookSnapshotEncoder.BLOCK_LENGTH - 2 * 4) /
        (2 * BookSnapshotEncoder.BidsEncoder.sbeBlockLength());

    private final MatchingEngine engine;
    private final NewOrderDecoder newOrder = new NewOrderDecoder();
    private final CancelOrderDecoder cancel = new CancelOrderDecoder();
    private final ReplaceOrderDecoder replace = new ReplaceOrderDecoder();
    private final MassCancelDecoder massCancel = new MassCancelDecoder();
    private final OrderStatusQueryDecoder orderStatusQuery = new OrderStatusQueryDecoder();
    private final BookSnapshotQueryDecoder bookQuery = new BookSnapshotQueryDecoder();
    private final AddInstrumentDecoder addInstrument = new AddInstrumentDecoder();
    private final InstrumentStatusChangeDecoder statusChange = new InstrumentStatusChangeDecoder();
    private final EndOfDayDecoder endOfDay = new EndOfDayDecoder();
    private final KillSwitchDecoder killSwitch = new KillSwitchDecoder();
    private final SessionCommandDecoder sessionCommand = new SessionCommandDecoder();
    private final StringBuilder symbol = new StringBuilder(16);

    public CommandApplier(final MatchingEngine engine)
    {
        this.engine = engine;
    }

    public MatchingEngine engine()
    {
        return engine;
    }

    /**
     * Apply a state-changing client command.
     *
     * @return false if the template is not a state-changing command (nothing applied).
     */
    public boolean applyClientCommand(
        final long wireSeq,
        final long timestampNs,
        final long sessionId,
        final long accountId,
        final DirectBuffer buffer,
        final int offset)
    {
        final int templateId = MessageValidator.templateId(buffer, offset);
        final int blockLength = MessageValidator.blockLength(buffer, offset);
        final int version = MessageValidator.version(buffer, offset);
        final int body = offset + MessageValidator.HEADER_LENGTH;
        switch (templateId)
        {
            case NewOrderDecoder.TEMPLATE_ID:
                newOrder.wrap(buffer, body, blockLength, version);
                engine.newOrder(wireSeq, timestampNs, sessionId, accountId, newOrder.requestSeq(),
                    newOrder.clientOrderId(), newOrder.instrumentId(), newOrder.side(), newOrder.orderType(),
                    newOrder.timeInForce(), newOrder.postOnly() == BooleanType.TRUE, newOrder.price(),
                    newOrder.quantity());
                return true;
            case CancelOrderDecoder.TEMPLATE_ID:
                cancel.wrap(buffer, body, blockLength, version);
                engine.cancelOrder(wireSeq, timestampNs, sessionId, accountId, cancel.requestSeq(),
                    cancel.clientOrderId());
                return true;
            case ReplaceOrderDecoder.TEMPLATE_ID:
                replace.wrap(buffer, body, blockLength, version);
                engine.replaceOrder(wireSeq, timestampNs, sessionId, accountId, replace.requestSeq(),
                    replace.clientOrderId(), replace.newPrice(), replace.newQuantity());
                return true;
            case MassCancelDecoder.TEMPLATE_ID:
                massCancel.wrap(buffer, body, blockLength, version);
                engine.massCancel(wireSeq, timestampNs, sessionId, accountId, massCancel.requestSeq(),
                    massCancel.instrumentId());
                return true;
            default:
                return false;
        }
    }

    /**
     * Answer a read-only query; takes no wireSeq and changes nothing.
     *
     * @return false if the template is not a query.
     */
    public boolean query(final long sessionId, final long accountId, final DirectBuffer buffer, final int offset)
    {
        final int templateId = MessageValidator.templateId(buffer, offset);
        final int blockLength = MessageValidator.blockLength(buffer, offset);
        final int version = MessageValidator.version(buffer, offset);
        final int body = offset + MessageValidator.HEADER_LENGTH;
        switch (templateId)
        {
            case OrderStatusQueryDecoder.TEMPLATE_ID:
                orderStatusQuery.wrap(buffer, body, blockLength, version);
                engine.orderStatus(sessionId, accountId, orderStatusQuery.requestSeq(),
                    orderStatusQuery.clientOrderId());
                return true;
            case BookSnapshotQueryDecoder.TEMPLATE_ID:
                bookQuery.wrap(buffer, body, blockLength, version);
                engine.bookSnapshot(sessionId, accountId, bookQuery.requestSeq(), bookQuery.instrumentId(),
                    Math.min(bookQuery.depth(), MAX_BOOK_LEVELS_PER_SIDE));
                return true;
            default:
                return false;
        }
    }

    /**
     * Apply an admin command journaled as {@code entryType} with a journal-schema body (header included).
     *
     * @return false if the entry type is not one the matching engine applies (for example an epoch bump).
     */
    public boolean applyAdmin(
        final EntryType entryType, final long wireSeq, final long timestampNs, final DirectBuffer buffer,
        final int offset)
    {
        final int blockLength = MessageValidator.blockLength(buffer, offset);
        final int version = MessageValidator.version(buffer, offset);
        final int body = offset + MessageValidator.HEADER_LENGTH;
        switch (entryType)
        {
            case ADD_INSTRUMENT:
                addInstrument.wrap(buffer, body, blockLength, version);
                symbol.setLength(0);
                addInstrument.getSymbol(symbol);
                engine.addInstrument(wireSeq, timestampNs, addInstrument.instrumentId(), symbol.toString(),
                    addInstrument.tickSize(), addInstrument.lotSize(), addInstrument.minQuantity(),
                    addInstrument.maxQuantity(), addInstrument.referencePrice(), addInstrument.priceBandBps());
                return true;
            case HALT_INSTRUMENT:
                statusChange.wrap(buffer, body, blockLength, version);
                engine.haltInstrument(wireSeq, timestampNs, statusChange.instrumentId());
                return true;
            case RESUME_INSTRUMENT:
                statusChange.wrap(buffer, body, blockLength, version);
                engine.resumeInstrument(wireSeq, timestampNs, statusChange.instrumentId());
                return true;
            case END_OF_DAY:
                endOfDay.wrap(buffer, body, blockLength, version);
                engine.endOfDay(wireSeq, timestampNs);
                return true;
            case KILL:
                killSwitch.wrap(buffer, body, blockLength, version);
                kill(wireSeq, timestampNs, killSwitch.targetType(), killSwitch.targetId());
                return true;
            case UNKILL:
                killSwitch.wrap(buffer, body, blockLength, version);
                unkill(wireSeq, timestampNs, killSwitch.targetType(), killSwitch.targetId());
                return true;
            case CANCEL_SESSION_DAY_ORDERS:
                sessionCommand.wrap(buffer, body, blockLength, version);
                engine.cancelSessionDayOrders(wireSeq, timestampNs, sessionCommand.sessionId());
                return true;
            case CANCEL_ON_DISCONNECT_ON:
            case CANCEL_ON_DISCONNECT_OFF:
                sessionCommand.wrap(buffer, body, blockLength, version);
                engine.cancelOnDisconnect(wireSeq, timestampNs, sessionCommand.sessionId(),
                    entryType == EntryType.CANCEL_ON_DISCONNECT_ON);
                return true;
            default:
                return false;
        }
    }

    /**
     * Kill an account or a session; the one mapping of a {@link KillTarget} to the engine, for the sequencer and
     * for replay alike.
     *
     * @return orders cancelled.
     * @throws IllegalArgumentException for a target that is neither an account nor a session.
     */
    public int kill(final long wireSeq, final long timestampNs, final KillTarget target, final long targetId)
    {
        switch (target)
        {
            case ACCOUNT:
                return engine.killAccount(wireSeq, timestampNs, targetId);
            case SESSION:
                return engine.killSession(wireSeq, timestampNs, targetId);
            default:
                throw new IllegalArgumentException("no kill target: " + target);
        }
    }

    /**
     * Lift the kill of an account or a session.
     *
     * @return true if it was killed.
     * @throws IllegalArgumentException for a target that is neither an account nor a session.
     */
    public boolean unkill(final long wireSeq, final long timestampNs, final KillTarget target, final long targetId)
    {
        switch (target)
        {
            case ACCOUNT:
                return engine.unkillAccount(wireSeq, timestampNs, targetId);
            case SESSION:
                return engine.unkillSession(wireSeq, timestampNs, targetId);
            default:
                throw new IllegalArgumentException("no kill target: " + target);
        }
    }
}
