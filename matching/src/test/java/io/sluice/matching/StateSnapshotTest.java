package io.sluice.matching;

import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.List;

import static io.sluice.matching.Reports.describe;
import static io.sluice.matching.TestExchange.INSTRUMENT;
import static io.sluice.matching.TestExchange.sessionOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StateSnapshotTest
{
    private final TestExchange exchange = new TestExchange();

    private void populate()
    {
        exchange.buy(1, 11, 9_990, 50);
        exchange.buy(2, 21, 9_990, 30);
        exchange.order(2, 22, INSTRUMENT, Side.BUY, OrderType.LIMIT, TimeInForce.DAY, true, 9_985, 20);
        exchange.sell(3, 31, 10_010, 40);
        exchange.sell(1, 12, 10_005, 10);
        exchange.buy(3, 32, 9_990, 10);
        exchange.sell(4, 41, 9_990, 20);
        exchange.order(4, 42, TestExchange.OTHER_INSTRUMENT, Side.SELL, OrderType.LIMIT, TimeInForce.GTC, false,
            510, 7);
        exchange.haltInstrument(TestExchange.OTHER_INSTRUMENT);
    }

    private UnsafeBuffer snapshot(final MatchingEngine engine)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[engine.snapshotLength()]);
        assertEquals(buffer.capacity(), engine.snapshot(buffer, 0));
        return buffer;
    }

    @Test
    void shouldRestoreToTheSameHashAndBehaviour()
    {
        populate();
        final UnsafeBuffer buffer = snapshot(exchange.engine);
        final TestExchange copy = new TestExchange();
        copy.engine.restore(buffer, 0, buffer.capacity());

        assertEquals(exchange.engine.stateHash(), copy.engine.stateHash());
        assertEquals(exchange.book(), copy.book());

        // Same next command on both: same reports, including the ids the counters hand out next.
        final List<RecordingListener.Report> original = exchange.order(
            5, 51, INSTRUMENT, Side.SELL, OrderType.MARKET, TimeInForce.IOC, false, 0, 200);
        copy.wireSeq = exchange.wireSeq - 1;
        final List<RecordingListener.Report> restored = copy.order(
            5, 51, INSTRUMENT, Side.SELL, OrderType.MARKET, TimeInForce.IOC, false, 0, 200);
        assertEquals(original, restored);
        assertEquals(exchange.engine.stateHash(), copy.engine.stateHash());
    }

    @Test
    void shouldKeepSessionHighWaterMarksAndInstrumentStatusAcrossRestore()
    {
        populate();
        final UnsafeBuffer buffer = snapshot(exchange.engine);
        final TestExchange copy = new TestExchange();
        copy.engine.restore(buffer, 0, buffer.capacity());

        assertEquals(exchange.engine.lastRequestSeq(sessionOf(2)), copy.engine.lastRequestSeq(sessionOf(2)));
        copy.listener.clear();
        copy.engine.cancelOrder(1, 0, sessionOf(2), 2, 1, 21);
        assertEquals(RejectReason.DUPLICATE_REQUEST, copy.listener.reports().get(0).rejectReason());
        assertEquals(RejectReason.INSTRUMENT_HALTED, copy.order(
            4, 43, TestExchange.OTHER_INSTRUMENT, Side.SELL, OrderType.LIMIT, TimeInForce.GTC, false, 510, 7)
            .get(0).rejectReason());
    }

    @Test
    void shouldRebuildAccountsSoMassCancelKeepsEntryOrder()
    {
        exchange.sell(1, 11, 10_010, 10);
        exchange.buy(1, 12, 9_990, 20);
        exchange.sell(1, 13, 10_005, 10);
        exchange.replace(1, 11, 10_015, 10);
        final UnsafeBuffer buffer = snapshot(exchange.engine);
        final TestExchange copy = new TestExchange();
        copy.engine.restore(buffer, 0, buffer.capacity());

        assertEquals(List.of("CANCELED 11 leaves=0 cum=0", "CANCELED 12 leaves=0 cum=0", "CANCELED 13 leaves=0 cum=0"),
            describe(copy.massCancel(1, 0)));
    }

    @Test
    void shouldRestoreAnEmptyStateOverAFullOne()
    {
        final UnsafeBuffer empty = snapshot(exchange.engine);
        final long emptyHash = exchange.engine.stateHash();
        populate();

        exchange.engine.restore(empty, 0, empty.capacity());

        assertEquals(emptyHash, exchange.engine.stateHash());
        assertEquals(List.of(), exchange.book());
        EngineInvariants.check(exchange.engine);
    }

    @Test
    void shouldNotCarryTheGlobalHaltFlag()
    {
        populate();
        final long hash = exchange.engine.stateHash();
        exchange.engine.halted(true);

        assertEquals(hash, exchange.engine.stateHash());
        final UnsafeBuffer buffer = snapshot(exchange.engine);
        final TestExchange copy = new TestExchange();
        copy.engine.restore(buffer, 0, buffer.capacity());
        assertEquals(false, copy.engine.halted());
    }

    @Test
    void shouldWriteAtAnOffsetWithTheDocumentedHeader()
    {
        populate();
        final int length = exchange.engine.snapshotLength();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length + 10]);

        exchange.engine.snapshot(buffer, 10);

        assertEquals(StateSnapshot.MAGIC, buffer.getInt(10, ByteOrder.LITTLE_ENDIAN));
        assertEquals(StateSnapshot.VERSION, buffer.getByte(14));
        assertEquals(length, buffer.getInt(18, ByteOrder.LITTLE_ENDIAN));
        assertEquals(exchange.engine.configDigest(), buffer.getLong(26, ByteOrder.LITTLE_ENDIAN));
        assertEquals(exchange.engine.stateHash(), buffer.getLong(34, ByteOrder.LITTLE_ENDIAN));
        final TestExchange copy = new TestExchange();
        copy.engine.restore(buffer, 10, length);
        assertEquals(exchange.engine.stateHash(), copy.engine.stateHash());
    }

    @Test
    void shouldRefuseCorruptSnapshotAndKeepCurrentState()
    {
        populate();
        final UnsafeBuffer buffer = snapshot(exchange.engine);
        buffer.putByte(buffer.capacity() - 3, (byte)(buffer.getByte(buffer.capacity() - 3) ^ 0x10));
        final TestExchange target = new TestExchange();
        target.buy(9, 91, 9_990, 10);
        final long hash = target.engine.stateHash();

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> target.engine.restore(buffer, 0, buffer.capacity()));

        assertTrue(ex.getMessage().contains("CRC32C"), ex.getMessage());
        assertEquals(hash, target.engine.stateHash());
    }

    @Test
    void shouldStillRestoreAVersionOneSnapshotWithoutAccountsOrEndedOrders()
    {
        populate();
        exchange.cancel(1, 11);
        final UnsafeBuffer v2 = snapshot(exchange.engine);
        final UnsafeBuffer v1 = toVersionOne(v2, new StateSnapshot(exchange.engine).hash(StateSnapshot.VERSION_1));
        final TestExchange copy = new TestExchange();

        copy.engine.restore(v1, 0, v1.capacity());

        assertEquals(exchange.book(), copy.book());
        assertEquals(exchange.engine.lastRequestSeq(sessionOf(2)), copy.engine.lastRequestSeq(sessionOf(2)));
        assertEquals(0, copy.engine.accountOf(sessionOf(2)));
        assertEquals(io.sluice.sbe.client.OrderState.UNKNOWN, copy.status(1, 11).state());
    }

    @Test
    void shouldStillRestoreAVersionTwoSnapshotWithNothingKilled()
    {
        populate();
        final UnsafeBuffer v3 = snapshot(exchange.engine);
        final ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        // A version 2 snapshot is a version 3 one without the three empty id-set counts at its end.
        final int length = v3.capacity() - 12;
        final UnsafeBuffer v2 = new UnsafeBuffer(java.util.Arrays.copyOf(v3.byteArray(), length));
        v2.putByte(StateSnapshot.VERSION_OFFSET, StateSnapshot.VERSION_2);
        v2.putInt(StateSnapshot.LENGTH_OFFSET, length, order);
        v2.putLong(StateSnapshot.STATE_HASH_OFFSET,
            new StateSnapshot(exchange.engine).hash(StateSnapshot.VERSION_2), order);
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(v2.byteArray(), StateSnapshot.CRC_OFFSET + 4, length - StateSnapshot.CRC_OFFSET - 4);
        v2.putInt(StateSnapshot.CRC_OFFSET, (int)crc.getValue(), order);
        final TestExchange copy = new TestExchange();

        copy.engine.restore(v2, 0, length);

        assertEquals(exchange.book(), copy.book());
        assertEquals(exchange.engine.stateHash(), copy.engine.stateHash());
        assertEquals(0, copy.engine.killedAccounts().length);
    }

    /**
     * The version 1 layout of a version 2 snapshot: sessions without their account, no ended orders.
     */
    private static UnsafeBuffer toVersionOne(final UnsafeBuffer v2, final long v1StateHash)
    {
        final ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        final UnsafeBuffer v1 = new UnsafeBuffer(new byte[v2.capacity()]);
        int from = StateSnapshot.HEADER_LENGTH + 16;
        final int instrumentCount = v2.getInt(from, order);
        from += 4;
        for (int i = 0; i < instrumentCount; i++)
        {
            from += StateSnapshot.INSTRUMENT_FIXED_LENGTH + (v2.getByte(from + 49) & 0xFF);
        }
        v1.putBytes(0, v2, 0, from);
        int to = from;
        final int sessionCount = v2.getInt(from, order);
        v1.putInt(to, sessionCount, order);
        from += 4;
        to += 4;
        for (int i = 0; i < sessionCount; i++)
        {
            v1.putBytes(to, v2, from, StateSnapshot.SESSION_LENGTH_V1);
            from += StateSnapshot.SESSION_LENGTH;
            to += StateSnapshot.SESSION_LENGTH_V1;
        }
        for (int i = 0; i < instrumentCount; i++)
        {
            final int orders = 4 + v2.getInt(from, order) * StateSnapshot.ORDER_LENGTH;
            v1.putBytes(to, v2, from, orders);
            from += orders;
            to += orders;
        }
        final int length = to;
        v1.putByte(StateSnapshot.VERSION_OFFSET, StateSnapshot.VERSION_1);
        v1.putInt(StateSnapshot.LENGTH_OFFSET, length, order);
        v1.putLong(StateSnapshot.STATE_HASH_OFFSET, v1StateHash, order);
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(v1.byteArray(), StateSnapshot.CRC_OFFSET + 4, length - StateSnapshot.CRC_OFFSET - 4);
        v1.putInt(StateSnapshot.CRC_OFFSET, (int)crc.getValue(), order);
        return new UnsafeBuffer(v1.byteArray(), 0, length);
    }

    @Test
    void shouldRefuseUnknownVersionBadMagicAndTruncation()
    {
        populate();
        final UnsafeBuffer buffer = snapshot(exchange.engine);
        final MatchingEngine target = new TestExchange().engine;

        assertThrows(IllegalArgumentException.class, () -> target.restore(buffer, 0, buffer.capacity() - 1));
        assertThrows(IllegalArgumentException.class, () -> target.restore(buffer, 0, 8));

        buffer.putByte(StateSnapshot.VERSION_OFFSET, (byte)(StateSnapshot.VERSION + 1));
        final IllegalArgumentException version = assertThrows(IllegalArgumentException.class,
            () -> target.restore(buffer, 0, buffer.capacity()));
        assertTrue(version.getMessage().contains("version"), version.getMessage());

        buffer.putInt(StateSnapshot.MAGIC_OFFSET, 0x12345678);
        assertThrows(IllegalArgumentException.class, () -> target.restore(buffer, 0, buffer.capacity()));
    }

    @Test
    void shouldRefuseSnapshotFromAnotherConfiguration()
    {
        populate();
        final UnsafeBuffer buffer = snapshot(exchange.engine);
        final MatchingEngine other = new TestExchange(new MatchingContext().maxOpenOrdersPerAccount(3)).engine;

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> other.restore(buffer, 0, buffer.capacity()));

        assertTrue(ex.getMessage().contains("config digest"), ex.getMessage());
    }

    @Test
    void shouldChangeHashWithEveryKindOfStateChange()
    {
        populate();
        final MatchingEngine engine = exchange.engine;
        final long initial = engine.stateHash();

        exchange.replace(1, 11, 9_990, 40);
        final long afterReplace = engine.stateHash();
        exchange.cancel(4, 99);
        final long afterRejectedCancel = engine.stateHash();
        exchange.resumeInstrument(TestExchange.OTHER_INSTRUMENT);
        final long afterResume = engine.stateHash();

        assertNotEquals(initial, afterReplace);
        assertNotEquals(afterReplace, afterRejectedCancel, "a rejected command still moves the high-water mark");
        assertNotEquals(afterRejectedCancel, afterResume);
    }

    @Test
    void shouldHashSameStateTheSameWhateverTheSessionHistory()
    {
        final TestExchange a = new TestExchange();
        final TestExchange b = new TestExchange();
        a.engine.cancelOrder(1, 0, 7, 1, 1, 1);
        a.engine.cancelOrder(2, 0, 8, 1, 1, 1);
        b.engine.cancelOrder(1, 0, 8, 1, 1, 1);
        b.engine.cancelOrder(2, 0, 7, 1, 1, 1);

        assertEquals(a.engine.stateHash(), b.engine.stateHash());
    }
}
