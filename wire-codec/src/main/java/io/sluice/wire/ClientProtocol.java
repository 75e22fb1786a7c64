package io.sluice.wire;

import io.sluice.sbe.client.AuthChallengeDecoder;
import io.sluice.sbe.client.BatchEndDecoder;
import io.sluice.sbe.client.BookSnapshotDecoder;
import io.sluice.sbe.client.BookSnapshotQueryDecoder;
import io.sluice.sbe.client.BooleanType;
import io.sluice.sbe.client.CancelOnDisconnect;
import io.sluice.sbe.client.CancelOrderDecoder;
import io.sluice.sbe.client.EngineErrorCode;
import io.sluice.sbe.client.EngineErrorDecoder;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.ExecutionReportDecoder;
import io.sluice.sbe.client.HaltedDecoder;
import io.sluice.sbe.client.HeartbeatDecoder;
import io.sluice.sbe.client.Liquidity;
import io.sluice.sbe.client.LogonAckDecoder;
import io.sluice.sbe.client.LogonDecoder;
import io.sluice.sbe.client.LogonStatus;
import io.sluice.sbe.client.LogoutDecoder;
import io.sluice.sbe.client.MassCancelDecoder;
import io.sluice.sbe.client.NewOrderDecoder;
import io.sluice.sbe.client.OrderState;
import io.sluice.sbe.client.OrderStatusDecoder;
import io.sluice.sbe.client.OrderStatusQueryDecoder;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.ReplaceOrderDecoder;
import io.sluice.sbe.client.ServerBusyDecoder;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Facts about the client protocol (SBE schema id 1) that the pipeline needs without decoding a whole message: the
 * validator for it, which templates are requests, which change state, and where a request's {@code requestSeq} is.
 */
public final class ClientProtocol
{
    public static final int SCHEMA_ID = NewOrderDecoder.SCHEMA_ID;
    public static final int SCHEMA_VERSION = NewOrderDecoder.SCHEMA_VERSION;

    /** Longest text in an EngineError detail or a Halted reason; matches the schema's varAsciiEncoding maxValue. */
    public static final int MAX_TEXT_LENGTH = 1024;
    /** Most levels per side in a BookSnapshot; matches the schema's groupSizeEncoding maxValue. */
    public static final int MAX_BOOK_LEVELS = 1024;

    /**
     * Every client request begins its body with int64 {@code requestSeq}; a test checks each request template.
     */
    static final int REQUEST_SEQ_BODY_OFFSET = 0;

    private static final MessageValidator VALIDATOR = new MessageValidator(
        SCHEMA_ID,
        SCHEMA_VERSION,
        MessageLayout.message(AuthChallengeDecoder.TEMPLATE_ID, AuthChallengeDecoder.BLOCK_LENGTH).build(),
        MessageLayout.message(LogonDecoder.TEMPLATE_ID, LogonDecoder.BLOCK_LENGTH)
            .grewIn(3, LogonDecoder.cancelOnDisconnectEncodingOffset())
            .optionalEnumField(LogonDecoder.cancelOnDisconnectEncodingOffset(), CancelOnDisconnect.values(),
                CancelOnDisconnect::value)
            .build(),
        MessageLayout.message(LogonAckDecoder.TEMPLATE_ID, LogonAckDecoder.BLOCK_LENGTH)
            .enumField(LogonAckDecoder.statusEncodingOffset(), LogonStatus.values(), LogonStatus::value)
            .enumField(LogonAckDecoder.rejectReasonEncodingOffset(), RejectReason.values(), RejectReason::value)
            .build(),
        MessageLayout.message(LogoutDecoder.TEMPLATE_ID, LogoutDecoder.BLOCK_LENGTH).build(),
        MessageLayout.message(NewOrderDecoder.TEMPLATE_ID, NewOrderDecoder.BLOCK_LENGTH)
            .enumField(NewOrderDecoder.sideEncodingOffset(), Side.values(), Side::value)
            .enumField(NewOrderDecoder.orderTypeEncodingOffset(), OrderType.values(), OrderType::value)
            .enumField(NewOrderDecoder.timeInForceEncodingOffset(), TimeInForce.values(), TimeInForce::value)
            .enumField(NewOrderDecoder.postOnlyEncodingOffset(), BooleanType.values(), BooleanType::value)
            .build(),
        MessageLayout.message(CancelOrderDecoder.TEMPLATE_ID, CancelOrderDecoder.BLOCK_LENGTH).build(),
        MessageLayout.message(ReplaceOrderDecoder.TEMPLATE_ID, ReplaceOrderDecoder.BLOCK_LENGTH).build(),
        MessageLayout.message(MassCancelDecoder.TEMPLATE_ID, MassCancelDecoder.BLOCK_LENGTH).build(),
        MessageLayout.message(OrderStatusQueryDecoder.TEMPLATE_ID, OrderStatusQueryDecoder.BLOCK_LENGTH).build(),
        MessageLayout.message(BookSnapshotQueryDecoder.TEMPLATE_ID, BookSnapshotQueryDecoder.BLOCK_LENGTH).build(),
        MessageLayout.message(ExecutionReportDecoder.TEMPLATE_ID, ExecutionReportDecoder.BLOCK_LENGTH)
            .optionalEnumField(ExecutionReportDecoder.sideEncodingOffset(), Side.values(), Side::value)
            .enumField(ExecutionReportDecoder.execTypeEncodingOffset(), ExecType.values(), ExecType::value)
            .enumField(ExecutionReportDecoder.rejectReasonEncodingOffset(), RejectReason.values(), RejectReason::value)
            .enumField(ExecutionReportDecoder.liquidityEncodingOffset(), Liquidity.values(), Liquidity::value)
            .build(),
        MessageLayout.message(BookSnapshotDecoder.TEMPLATE_ID, BookSnapshotDecoder.BLOCK_LENGTH)
            .group(BookSnapshotDecoder.BidsDecoder.sbeBlockLength(), MAX_BOOK_LEVELS)
            .group(BookSnapshotDecoder.AsksDecoder.sbeBlockLength(), MAX_BOOK_LEVELS)
            .build(),
        MessageLayout.message(OrderStatusDecoder.TEMPLATE_ID, OrderStatusDecoder.BLOCK_LENGTH)
            .grewIn(2, OrderStatusDecoder.rejectReasonEncodingOffset())
            .optionalEnumField(OrderStatusDecoder.sideEncodingOffset(), Side.values(), Side::value)
            .enumField(OrderStatusDecoder.stateEncodingOffset(), OrderState.values(), OrderState::value)
            .enumField(OrderStatusDecoder.rejectReasonEncodingOffset(), RejectReason.values(), RejectReason::value)
            .build(),
        MessageLayout.message(HeartbeatDecoder.TEMPLATE_ID, HeartbeatDecoder.BLOCK_LENGTH).build(),
        MessageLayout.message(BatchEndDecoder.TEMPLATE_ID, BatchEndDecoder.BLOCK_LENGTH).build(),
        MessageLayout.message(EngineErrorDecoder.TEMPLATE_ID, EngineErrorDecoder.BLOCK_LENGTH)
            .enumField(EngineErrorDecoder.codeEncodingOffset(), EngineErrorCode.values(), EngineErrorCode::value)
            .varData(MAX_TEXT_LENGTH)
            .build(),
        MessageLayout.message(ServerBusyDecoder.TEMPLATE_ID, ServerBusyDecoder.BLOCK_LENGTH).build(),
        MessageLayout.message(HaltedDecoder.TEMPLATE_ID, HaltedDecoder.BLOCK_LENGTH)
            .varData(MAX_TEXT_LENGTH)
            .build());

    private ClientProtocol()
    {
    }

    /**
     * @return the validator for client-protocol messages.
     */
    public static MessageValidator validator()
    {
        return VALIDATOR;
    }

    /**
     * @param templateId of a client-protocol message.
     * @return true for the requests that change exchange state and so take a {@code wireSeq} and are journaled.
     */
    public static boolean isStateChanging(final int templateId)
    {
        return templateId == NewOrderDecoder.TEMPLATE_ID ||
            templateId == CancelOrderDecoder.TEMPLATE_ID ||
            templateId == ReplaceOrderDecoder.TEMPLATE_ID ||
            templateId == MassCancelDecoder.TEMPLATE_ID;
    }

    /**
     * @param templateId of a client-protocol message.
     * @return true for the read-only requests: answered without a {@code wireSeq}, never journaled.
     */
    public static boolean isQuery(final int templateId)
    {
        return templateId == OrderStatusQueryDecoder.TEMPLATE_ID ||
            templateId == BookSnapshotQueryDecoder.TEMPLATE_ID;
    }

    /**
     * @param templateId of a client-protocol message.
     * @return true for requests a logged-on client may send that carry a {@code requestSeq}.
     */
    public static boolean isRequest(final int templateId)
    {
        return isStateChanging(templateId) || isQuery(templateId);
    }

    /**
     * @param buffer        holding a validated request (see {@link #isRequest}).
     * @param messageOffset of its SBE header.
     * @return the request's {@code requestSeq}.
     */
    public static long requestSeq(final DirectBuffer buffer, final int messageOffset)
    {
        return buffer.getLong(
            messageOffset + MessageValidator.HEADER_LENGTH + REQUEST_SEQ_BODY_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @param buffer        holding a validated MassCancel.
     * @param messageOffset of its SBE header.
     * @return the account whose orders it asks to cancel.
     */
    public static long massCancelAccountId(final DirectBuffer buffer, final int messageOffset)
    {
        return buffer.getLong(messageOffset + MessageValidator.HEADER_LENGTH +
            MassCancelDecoder.accountIdEncodingOffset(), ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @param buffer        holding a validated Logout.
     * @param messageOffset of its SBE header.
     * @return the session it names.
     */
    public static long logoutSessionId(final DirectBuffer buffer, final int messageOffset)
    {
        return buffer.getLong(messageOffset + MessageValidator.HEADER_LENGTH + LogoutDecoder.sessionIdEncodingOffset(),
            ByteOrder.LITTLE_ENDIAN);
    }
}
