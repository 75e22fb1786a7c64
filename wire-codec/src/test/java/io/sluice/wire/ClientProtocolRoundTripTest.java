package io.sluice.wire;

import io.sluice.sbe.client.*;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.constraints.CharRange;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every client-protocol message survives encode → frame → decode with every field intact.
 */
class ClientProtocolRoundTripTest
{
    private static final int TRIES = 200;

    private final FrameEncoder encoder = new FrameEncoder();
    private final FrameDecoder decoder = new FrameDecoder(ClientProtocol.validator(), 8192);
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16384]);

    private DirectBuffer roundTrip(final int frameLength, final int expectedTemplateId)
    {
        final CapturingHandler handler = new CapturingHandler();
        assertEquals(frameLength, decoder.decode(buffer, 0, frameLength, handler));
        assertNull(handler.framingError);
        assertTrue(handler.malformed.isEmpty(), () -> "malformed: " + handler.malformed);
        assertEquals(List.of(expectedTemplateId), handler.templateIds);
        return handler.messages.get(0);
    }

    private static <E extends Enum<E>> Arbitrary<E> nonNull(final E[] values)
    {
        return Arbitraries.of(Arrays.stream(values).filter(v -> !"NULL_VAL".equals(v.name())).toList());
    }

    @Provide
    Arbitrary<Side> sides()
    {
        return nonNull(Side.values());
    }

    @Provide
    Arbitrary<OrderType> orderTypes()
    {
        return nonNull(OrderType.values());
    }

    @Provide
    Arbitrary<TimeInForce> tifs()
    {
        return nonNull(TimeInForce.values());
    }

    @Provide
    Arbitrary<BooleanType> booleans()
    {
        return nonNull(BooleanType.values());
    }

    @Provide
    Arbitrary<ExecType> execTypes()
    {
        return nonNull(ExecType.values());
    }

    @Provide
    Arbitrary<RejectReason> rejectReasons()
    {
        return nonNull(RejectReason.values());
    }

    @Provide
    Arbitrary<Liquidity> liquidities()
    {
        return nonNull(Liquidity.values());
    }

    @Provide
    Arbitrary<OrderState> orderStates()
    {
        return nonNull(OrderState.values());
    }

    @Provide
    Arbitrary<LogonStatus> logonStatuses()
    {
        return nonNull(LogonStatus.values());
    }

    @Provide
    Arbitrary<EngineErrorCode> errorCodes()
    {
        return nonNull(EngineErrorCode.values());
    }

    @Property(tries = TRIES)
    void shouldRoundTripAuthChallenge(@ForAll @Size(32) final List<Byte> nonce, @ForAll final short version)
    {
        final AuthChallengeEncoder out = encoder.begin(buffer, 0, new AuthChallengeEncoder());
        for (int i = 0; i < 32; i++)
        {
            out.nonce(i, (short)(nonce.get(i) & 0xFF));
        }
        out.protocolVersion(version & 0xFFFF);
        final DirectBuffer message = roundTrip(encoder.end(buffer, 0, out), AuthChallengeDecoder.TEMPLATE_ID);

        final AuthChallengeDecoder in = new AuthChallengeDecoder().wrapAndApplyHeader(
            message, 0, new MessageHeaderDecoder());
        for (int i = 0; i < 32; i++)
        {
            assertEquals(nonce.get(i) & 0xFF, in.nonce(i));
        }
        assertEquals(version & 0xFFFF, in.protocolVersion());
    }

    @Property(tries = TRIES)
    void shouldRoundTripLogon(
        @ForAll final long sessionId,
        @ForAll final long accountId,
        @ForAll @Size(32) final byte[] publicKey,
        @ForAll @Size(64) final byte[] signature)
    {
        final LogonEncoder out = encoder.begin(buffer, 0, new LogonEncoder());
        out.sessionId(sessionId).accountId(accountId).putPublicKey(publicKey, 0, 32).putSignature(signature, 0, 64);
        final DirectBuffer message = roundTrip(encoder.end(buffer, 0, out), LogonDecoder.TEMPLATE_ID);

        final LogonDecoder in = new LogonDecoder().wrapAndApplyHeader(message, 0, new MessageHeaderDecoder());
        assertEquals(sessionId, in.sessionId());
        assertEquals(accountId, in.accountId());
        final byte[] key = new byte[32];
        final byte[] sig = new byte[64];
        in.getPublicKey(key, 0, 32);
        in.getSignature(sig, 0, 64);
        assertArrayEquals(publicKey, key);
        assertArrayEquals(signature, sig);
    }

    @Property(tries = TRIES)
    void shouldRoundTripLogonAck(
        @ForAll final long sessionId,
        @ForAll("logonStatuses") final LogonStatus status,
        @ForAll("rejectReasons") final RejectReason reason,
        @ForAll final long lastRequestSeq)
    {
        final LogonAckEncoder out = encoder.begin(buffer, 0, new LogonAckEncoder());
        out.sessionId(sessionId).status(status).rejectReason(reason).lastRequestSeq(lastRequestSeq);
        final DirectBuffer message = roundTrip(encoder.end(buffer, 0, out), LogonAckDecoder.TEMPLATE_ID);

        final LogonAckDecoder in = new LogonAckDecoder().wrapAndApplyHeader(message, 0, new MessageHeaderDecoder());
        assertEquals(sessionId, in.sessionId());
        assertEquals(status, in.status());
        assertEquals(reason, in.rejectReason());
        assertEquals(lastRequestSeq, in.lastRequestSeq());
    }

    @Property(tries = TRIES)
    void shouldRoundTripLogout(@ForAll final long sessionId)
    {
        final LogoutEncoder out = encoder.begin(buffer, 0, new LogoutEncoder());
        out.sessionId(sessionId);
        final DirectBuffer message = roundTrip(encoder.end(buffer, 0, out), LogoutDecoder.TEMPLATE_ID);

        assertEquals(sessionId, new LogoutDecoder().wrapAndApplyHeader(message, 0, new MessageHeaderDecoder())
            .sessionId());
    }

    @Property(tries = TRIES)
    void shouldRoundTripNewOrder(
        @ForAll final long requestSeq,
        @ForAll final long clientOrderId,
        @ForAll final int instrumentId,
        @ForAll("sides") final Side side,
        @ForAll("orderTypes") final OrderType orderType,
        @ForAll("tifs") final TimeInForce tif,
        @ForAll("booleans") final BooleanType postOnly,
        @ForAll final long price,
        @ForAll final long quantity)
    {
        final NewOrderEncoder out = encoder.begin(buffer, 0, new NewOrderEncoder());
        out.requestSeq(requestSeq).clientOrderId(clientOrderId).instrumentId(instrumentId).side(side)
            .orderType(orderType).timeInForce(tif).postOnly(postOnly).price(price).quantity(quantity);
        final DirectBuffer message = roundTrip(encoder.end(buffer, 0, out), NewOrderDecoder.TEMPLATE_ID);

        final NewOrderDecoder in = new NewOrderDecoder().wrapAndApplyHeader(message, 0, new MessageHeaderDecoder());
        assertEquals(requestSeq, in.requestSeq());
        assertEquals(requestSeq, ClientProtocol.requestSeq(message, 0));
        assertEquals(clientOrderId, in.clientOrderId());
        assertEquals(instrumentId, in.instrumentId());
        assertEquals(side, in.side());
        assertEquals(orderType, in.orderType());
        assertEquals(tif, in.timeInForce());
        assertEquals(postOnly, in.postOnly());
        assertEquals(price, in.price());
        assertEquals(quantity, in.quantity());
    }

    @Property(tries = TRIES)
    void shouldRoundTripCancelOrder(@ForAll final long requestSeq, @ForAll final long clientOrderId)
    {
        final CancelOrderEncoder out = encoder.begin(buffer, 0, new CancelOrderEncoder());
        out.requestSeq(requestSeq).clientOrderId(clientOrderId);
        final DirectBuffer message = roundTrip(encoder.end(buffer, 0, out), CancelOrderDecoder.TEMPLATE_ID);

        final CancelOrderDecoder in = new CancelOrderDecoder().wrapAndApplyHeader(
            message, 0, new MessageHeaderDecoder());
        assertEquals(requestSeq, in.requestSeq());
        assertEquals(requestSeq, ClientProtocol.requestSeq(message, 0));
        assertEquals(clientOrderId, in.clientOrderId());
    }

    @Property(tries = TRIES)
    void shouldRoundTripReplaceOrder(
        @ForAll final long requestSeq,
        @ForAll final long clientOrderId,
        @ForAll final long newPrice,
        @ForAll final long newQuantity)
    {
        final ReplaceOrderEncoder out = encoder.begin(buffer, 0, new ReplaceOrderEncoder());
        out.requestSeq(requestSeq).clientOrderId(clientOrderId).newPrice(newPrice).newQuantity(newQuantity);
        final DirectBuffer message = roundTrip(encoder.end(buffer, 0, out), ReplaceOrderDecoder.TEMPLATE_ID);

        final ReplaceOrderDecoder in = new ReplaceOrderDecoder().wrapAndApplyHeader(
            message, 0, new MessageHeaderDecoder());
        assertEquals(requestSeq, in.requestSeq());
        assertEquals(requestSeq, ClientProtocol.requestSeq(message, 0));
        assertEquals(clientOrderId, in.clientOrderId());
        assertEquals(newPrice, in.newPrice());
        assertEquals(newQuantity, in.newQuantity());
    }

    @Property(tries = TRIES)
    void shouldRoundTripMassCancel(
        @ForAll final long requestSeq, @ForAll final long accountId, @ForAll final int instrumentId)
    {
        final MassCancelEncoder out = encoder.begin(buffer, 0, new MassCancelEncoder());
        out.requestSeq(requestSeq).accountId(accountId).instrumentId(instrumentId);
        final DirectBuffer message = roundTrip(encoder.end(buffer, 0, out), MassCancelDecoder.TEMPLATE_ID);

        final MassCancelDecoder in = new MassCancelDecoder().wrapAndApplyHeader(
            message, 0, new MessageHeaderDecoder());
        assertEquals(requestSeq, in.requestSeq());
        assertEquals(requestSeq, ClientProtocol.requestSeq(message, 0));
        assertEquals(accountId, in.accountId());
        assertEquals(instrumentId, in.instrumentId());
    }

    @Property(tries = TRIES)
    void shouldRoundTripOrderStatusQuery(@ForAll final long requestSeq, @ForAll final long clientOrderId)
    {
        final OrderStatusQueryEncoder out = encoder.begin(buffer, 0, new OrderStatusQueryEncoder());
        out.requestSeq(requestSeq).clientOrderId(clientOrderId);
        final DirectBuffer message = roundTrip(encoder.end(buffer, 0, out), OrderStatusQueryDecoder.TEMPLATE_ID);

        final OrderStatusQueryDecoder in = new OrderStatusQueryDecoder().wrapAndApplyHeader(
            message, 0, new MessageHeaderDecoder());
        assertEquals(requestSeq, in.requestSeq());
        assertEquals(requestSeq, ClientProtocol.requestSeq(message, 0));
        assertEquals(clientOrderId, in.clientOrderId());
    }

    @Property(tries = TRIES)
    void shouldRoundTripBookSnapshotQuery(
        @ForAll final long requestSeq, @ForAll final int instrumentId, @ForAll @IntRange(max = 65535) final int depth)
    {
        final BookSnapshotQueryEncoder out = encoder.begin(buffer, 0, new BookSnapshotQueryEncoder());
        out.requestSeq(requestSeq).instrumentId(instrumentId).depth(depth);
        final DirectBuffer message = roundTrip(encoder.end(buffer, 0, out), BookSnapshotQueryDecoder.TEMPLATE_ID);

        final BookSnapshotQueryDecoder in = new BookSnapshotQueryDecoder().wrapAndApplyHeader(
            message, 0, new MessageHeaderDecoder());
        assertEquals(requestSeq, in.requestSeq());
        assertEquals(requestSeq, ClientProtocol.requestSeq(message, 0));
        assertEquals(instrumentId, in.instrumentId());
        assertEquals(depth, in.depth());
    }

    @Property(tries = TRIES)
    void shouldRoundTripExecutionReport(
        @ForAll final long requestSeq,
        @ForAll final long wireSeq,
        @ForAll final long accountId,
        @ForAll final long clientOrderId,
        @ForAll final int instrumentId,
        @ForAll("sides") final Side side,
        @ForAll("execTypes") final ExecType execType,
        @ForAll("rejectReasons") final RejectReason reason,
        @ForAll("liquidities") final Liquidity liquidity,
        @ForAll final long price,
        @ForAll final long quantity,
        @ForAll final long tradeId)
    {
        final ExecutionReportEncoder out = encoder.begin(buffer, 0, new ExecutionReportEncoder());
        out.requestSeq(requestSeq).wireSeq(wireSeq).timestampNs(~wireSeq).accountId(accountId)
            .clientOrderId(clientOrderId).orderId(clientOrderId ^ 0x5555).instrumentId(instrumentId).side(side)
            .execType(execType).rejectReason(reason).liquidity(liquidity).price(price).quantity(quantity)
            .leavesQuantity(quantity - 1).cumQuantity(quantity + 1).lastPrice(price + 1).lastQuantity(quantity / 2)
            .tradeId(tradeId);
        final DirectBuffer message = roundTrip(encoder.end(buffer, 0, out), ExecutionReportDecoder.TEMPLATE_ID);

        final ExecutionReportDecoder in = new ExecutionReportDecoder().wrapAndApplyHeader(
            message, 0, new MessageHeaderDecoder());
        assertEquals(requestSeq, in.requestSeq());
        assertEquals(wireSeq, in.wireSeq());
        assertEquals(~wireSeq, in.timestampNs());
        assertEquals(accountId, in.accountId());
        assertEquals(clientOrderId, in.clientOrderId());
        assertEquals(clientOrderId ^ 0x5555, in.orderId());
        assertEquals(instrumentId, in.instrumentId());
        assertEquals(side, in.side());
        assertEquals(execType, in.execType());
        assertEquals(reason, in.rejectReason());
        assertEquals(liquidity, in.liquidity());
        assertEquals(price, in.price());
        assertEquals(quantity, in.quantity());
        assertEquals(quantity - 1, in.leavesQuantity());
        assertEquals(quantity + 1, in.cumQuantity());
        assertEquals(price + 1, in.lastPrice());
        assertEquals(quantity / 2, in.lastQuantity());
        assertEquals(tradeId, in.tradeId());
    }

    @Property(tries = TRIES)
    void shouldRoundTripBookSnapshot(
        @ForAll final long requestSeq,
        @ForAll final int instrumentId,
        @ForAll @Size(max = 40) final List<Long> bidPrices,
        @ForAll @Size(max = 40) final List<Long> askPrices)
    {
        final BookSnapshotEncoder out = encoder.begin(buffer, 0, new BookSnapshotEncoder());
        out.requestSeq(requestSeq).instrumentId(instrumentId);
        final BookSnapshotEncoder.BidsEncoder bids = out.bidsCount(bidPrices.size());
        for (final long price : bidPrices)
        {
            bids.next().price(price).quantity(price ^ 1).orderCount((int)price);
        }
        final BookSnapshotEncoder.AsksEncoder asks = out.asksCount(askPrices.size());
        for (final long price : askPrices)
        {
            asks.next().price(price).quantity(price ^ 2).orderCount((int)(price >> 3));
        }
        final DirectBuffer message = roundTrip(encoder.end(buffer, 0, out), BookSnapshotDecoder.TEMPLATE_ID);

        final BookSnapshotDecoder in = new BookSnapshotDecoder().wrapAndApplyHeader(
            message, 0, new MessageHeaderDecoder());
        assertEquals(requestSeq, in.requestSeq());
        assertEquals(instrumentId, in.instrumentId());
        final BookSnapshotDecoder.BidsDecoder bidsIn = in.bids();
        assertEquals(bidPrices.size(), bidsIn.count());
        for (final long price : bidPrices)
        {
            bidsIn.next();
            assertEquals(price, bidsIn.price());
            assertEquals(price ^ 1, bidsIn.quantity());
            assertEquals((int)price, bidsIn.orderCount());
        }
        final BookSnapshotDecoder.AsksDecoder asksIn = in.asks();
        assertEquals(askPrices.size(), asksIn.count());
        for (final long price : askPrices)
        {
            asksIn.next();
            assertEquals(price, asksIn.price());
            assertEquals(price ^ 2, asksIn.quantity());
            assertEquals((int)(price >> 3), asksIn.orderCount());
        }
    }

    @Property(tries = TRIES)
    void shouldRoundTripOrderStatus(
        @ForAll final long requestSeq,
        @ForAll final long clientOrderId,
        @ForAll final int instrumentId,
        @ForAll("sides") final Side side,
        @ForAll("orderStates") final OrderState state,
        @ForAll final long price,
        @ForAll final long quantity)
    {
        final OrderStatusEncoder out = encoder.begin(buffer, 0, new OrderStatusEncoder());
        out.requestSeq(requestSeq).clientOrderId(clientOrderId).orderId(~clientOrderId).instrumentId(instrumentId)
            .side(side).state(state).price(price).quantity(quantity).leavesQuantity(quantity >> 1)
            .cumQuantity(quantity >> 2);
        final DirectBuffer message = roundTrip(encoder.end(buffer, 0, out), OrderStatusDecoder.TEMPLATE_ID);

        final OrderStatusDecoder in = new OrderStatusDecoder().wrapAndApplyHeader(
            message, 0, new MessageHeaderDecoder());
        assertEquals(requestSeq, in.requestSeq());
        assertEquals(clientOrderId, in.clientOrderId());
        assertEquals(~clientOrderId, in.orderId());
        assertEquals(instrumentId, in.instrumentId());
        assertEquals(side, in.side());
        assertEquals(state, in.state());
        assertEquals(price, in.price());
        assertEquals(quantity, in.quantity());
        assertEquals(quantity >> 1, in.leavesQuantity());
        assertEquals(quantity >> 2, in.cumQuantity());
    }

    @Property(tries = TRIES)
    void shouldRoundTripHeartbeat(@ForAll final long timestampNs)
    {
        final HeartbeatEncoder out = encoder.begin(buffer, 0, new HeartbeatEncoder());
        out.timestampNs(timestampNs);
        final DirectBuffer message = roundTrip(encoder.end(buffer, 0, out), HeartbeatDecoder.TEMPLATE_ID);

        assertEquals(timestampNs, new HeartbeatDecoder().wrapAndApplyHeader(message, 0, new MessageHeaderDecoder())
            .timestampNs());
    }

    @Property(tries = TRIES)
    void shouldRoundTripBatchEnd(@ForAll final long requestSeq, @ForAll final long wireSeq)
    {
        final BatchEndEncoder out = encoder.begin(buffer, 0, new BatchEndEncoder());
        out.requestSeq(requestSeq).wireSeq(wireSeq);
        final DirectBuffer message = roundTrip(encoder.end(buffer, 0, out), BatchEndDecoder.TEMPLATE_ID);

        final BatchEndDecoder in = new BatchEndDecoder().wrapAndApplyHeader(message, 0, new MessageHeaderDecoder());
        assertEquals(requestSeq, in.requestSeq());
        assertEquals(wireSeq, in.wireSeq());
    }

    @Property(tries = TRIES)
    void shouldRoundTripEngineError(
        @ForAll final long requestSeq,
        @ForAll("errorCodes") final EngineErrorCode code,
        @ForAll @StringLength(max = ClientProtocol.MAX_TEXT_LENGTH) @CharRange(from = ' ', to = '~') final String detail)
    {
        final EngineErrorEncoder out = encoder.begin(buffer, 0, new EngineErrorEncoder());
        out.requestSeq(requestSeq).code(code).detail(detail);
        final DirectBuffer message = roundTrip(encoder.end(buffer, 0, out), EngineErrorDecoder.TEMPLATE_ID);

        final EngineErrorDecoder in = new EngineErrorDecoder().wrapAndApplyHeader(
            message, 0, new MessageHeaderDecoder());
        assertEquals(requestSeq, in.requestSeq());
        assertEquals(code, in.code());
        assertEquals(detail, in.detail());
    }

    @Property(tries = TRIES)
    void shouldRoundTripServerBusy(@ForAll final long requestSeq)
    {
        final ServerBusyEncoder out = encoder.begin(buffer, 0, new ServerBusyEncoder());
        out.requestSeq(requestSeq);
        final DirectBuffer message = roundTrip(encoder.end(buffer, 0, out), ServerBusyDecoder.TEMPLATE_ID);

        assertEquals(requestSeq, new ServerBusyDecoder().wrapAndApplyHeader(message, 0, new MessageHeaderDecoder())
            .requestSeq());
    }

    @Property(tries = TRIES)
    void shouldRoundTripHalted(
        @ForAll final long requestSeq,
        @ForAll @StringLength(max = 200) @CharRange(from = ' ', to = '~') final String reason)
    {
        final HaltedEncoder out = encoder.begin(buffer, 0, new HaltedEncoder());
        out.requestSeq(requestSeq).reason(reason);
        final DirectBuffer message = roundTrip(encoder.end(buffer, 0, out), HaltedDecoder.TEMPLATE_ID);

        final HaltedDecoder in = new HaltedDecoder().wrapAndApplyHeader(message, 0, new MessageHeaderDecoder());
        assertEquals(requestSeq, in.requestSeq());
        assertEquals(reason, in.reason());
    }
}
