package io.sluice.matching;

import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongLongConsumer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.zip.CRC32C;

/**
 * Hashes, writes and reads the state of a {@link MatchingEngine}.
 *
 * <h2>Snapshot layout, version 3</h2>
 * All integers little-endian; offsets relative to the start of the snapshot.
 * <pre>
 * header, 32 bytes:
 *    0 int32  magic 0x534C4D45
 *    4 uint8  format version (3; versions 1 and 2 are still read)
 *    5 uint8[3] reserved, zero
 *    8 int32  total length in bytes, header included
 *   12 int32  CRC32C of bytes [16, total length)
 *   16 int64  config digest of the engine that wrote it
 *   24 int64  state hash of the state it holds
 * body:
 *   int64 lastOrderId
 *   int64 lastTradeId
 *   int32 instrumentCount, then per instrument, ascending id:
 *       int32 instrumentId, int32 priceBandBps,
 *       int64 tickSize, int64 lotSize, int64 minQuantity, int64 maxQuantity, int64 referencePrice,
 *       uint8 halted (0|1), uint8 symbolLength, symbolLength bytes of US-ASCII symbol
 *   int32 sessionCount, then per session, ascending sessionId:
 *       int64 sessionId, int64 lastRequestSeq, int64 accountId (version 2 only; 0 for none)
 *   per instrument, in the same order as above:
 *       int32 orderCount, then each order: bids best level first, then asks best level first,
 *       oldest first within a level (restoring them in this order rebuilds time priority):
 *           int64 orderId, int64 accountId, int64 sessionId, int64 clientOrderId,
 *           int64 price, int64 quantity, int64 cumQuantity,
 *           uint8 side (SBE Side), uint8 timeInForce (SBE TimeInForce), uint8 postOnly (0|1)
 *   (version 2 only) the day's ended orders, oldest first:
 *       int32 slotCount, then per slot uint8 state (SBE OrderState; 0 for a forgotten slot), and for a live one:
 *           int64 accountId, int64 clientOrderId, int64 orderId, int64 price, int64 quantity, int64 cumQuantity,
 *           int32 instrumentId, uint8 side (SBE Side), uint8 rejectReason (SBE RejectReason)
 *   (version 3 only) the kill switch and cancel-on-disconnect:
 *       int32 killedAccountCount, then int64 accountId per killed account, ascending;
 *       int32 killedSessionCount, then int64 sessionId per killed session, ascending;
 *       int32 cancelOnDisconnectCount, then int64 sessionId per session with cancel-on-disconnect, ascending
 * </pre>
 * A version 1 snapshot restores with no session bound to an account and no ended orders, and is checked against
 * the version 1 state hash, which covers neither; a version 2 snapshot restores with nothing killed, checked against
 * the version 2 hash, which leaves the kill switch and cancel-on-disconnect out.
 * Accounts are not written: each account's order list is in ascending order id (orders are appended when
 * accepted and never move), so it is rebuilt by sorting the restored orders by id.
 * <p>
 * Not thread safe; used by the engine thread only.
 */
final class StateSnapshot
{
    static final int MAGIC = 0x534C4D45;
    static final byte VERSION = 3;
    static final byte VERSION_2 = 2;
    static final byte VERSION_1 = 1;
    static final int HEADER_LENGTH = 32;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int LENGTH_OFFSET = 8;
    static final int CRC_OFFSET = 12;
    static final int CONFIG_DIGEST_OFFSET = 16;
    static final int STATE_HASH_OFFSET = 24;
    static final int INSTRUMENT_FIXED_LENGTH = 4 + 4 + 5 * 8 + 1 + 1;
    static final int SESSION_LENGTH = 24;
    static final int SESSION_LENGTH_V1 = 16;
    static final int ORDER_LENGTH = 7 * 8 + 3;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final Comparator<Order> BY_ORDER_ID = Comparator.comparingLong((Order order) -> order.orderId);

    private final MatchingEngine engine;
    private final CRC32C crc = new CRC32C();
    private final byte[] crcChunk = new byte[4096];
    private final SessionDigest sessionDigest = new SessionDigest();
    private final SessionCollector sessionCollector = new SessionCollector();

    StateSnapshot(final MatchingEngine engine)
    {
        this.engine = engine;
    }

    long hash()
    {
        return hash(VERSION);
    }

    /**
     * @param version of the snapshot format whose state hash to compute: version 1 left out session accounts and
     *                ended orders, version 2 the kill switch and cancel-on-disconnect.
     */
    long hash(final byte version)
    {
        long h = Digest.update(Digest.SEED, version);
        h = Digest.update(h, engine.lastOrderId);
        h = Digest.update(h, engine.lastTradeId);
        h = Digest.update(h, engine.instrumentCount);
        for (int i = 0; i < engine.instrumentCount; i++)
        {
            final Instrument instrument = engine.instruments[i];
            h = Digest.update(h, instrument.instrumentId);
            h = Digest.update(h, instrument.symbol);
            h = Digest.update(h, instrument.tickSize);
            h = Digest.update(h, instrument.lotSize);
            h = Digest.update(h, instrument.minQuantity);
            h = Digest.update(h, instrument.maxQuantity);
            h = Digest.update(h, instrument.referencePrice);
            h = Digest.update(h, instrument.priceBandBps);
            h = Digest.update(h, instrument.halted ? 1 : 0);
            h = hash(h, instrument.bids);
            h = hash(h, instrument.asks);
        }

        // Map iteration order depends on insertion history, so sessions are combined order-independently.
        sessionDigest.reset(VERSION_1 == version ? null : engine.accountBySession);
        engine.lastRequestSeqBySession.forEachLong(sessionDigest);
        h = Digest.update(h, engine.lastRequestSeqBySession.size());
        h = Digest.update(h, sessionDigest.sum);
        h = Digest.update(h, sessionDigest.xor);

        if (VERSION_1 == version)
        {
            return h;
        }
        h = engine.terminalOrders.hash(h);

        if (VERSION_2 == version)
        {
            return h;
        }
        h = engine.killedAccounts.hash(h);
        h = engine.killedSessions.hash(h);

        return engine.cancelOnDisconnectSessions.hash(h);
    }

    private static long hash(final long digest, final BookSide side)
    {
        long h = Digest.update(digest, side.levelCount());
        for (PriceLevel level = side.best(); null != level; level = level.worse)
        {
            h = Digest.update(h, level.price);
            h = Digest.update(h, level.orderCount);
            h = Digest.update(h, level.totalQuantity);
            for (Order order = level.head; null != order; order = order.nextInLevel)
            {
                h = Digest.update(h, order.orderId);
                h = Digest.update(h, order.accountId);
                h = Digest.update(h, order.sessionId);
                h = Digest.update(h, order.clientOrderId);
                h = Digest.update(h, order.side.value());
                h = Digest.update(h, order.timeInForce.value());
                h = Digest.update(h, order.postOnly ? 1 : 0);
                h = Digest.update(h, order.price);
                h = Digest.update(h, order.quantity);
                h = Digest.update(h, order.leavesQuantity);
                h = Digest.update(h, order.cumQuantity);
            }
        }

        return h;
    }

    int length()
    {
        long length = HEADER_LENGTH + 8 + 8 + 4;
        for (int i = 0; i < engine.instrumentCount; i++)
        {
            length += INSTRUMENT_FIXED_LENGTH + engine.instruments[i].symbol.length() + 4;
        }
        length += 4 + (long)SESSION_LENGTH * engine.lastRequestSeqBySession.size();
        length += (long)ORDER_LENGTH * engine.orderIndex.size();
        length += engine.terminalOrders.length();
        length += engine.killedAccounts.length() + engine.killedSessions.length() +
            engine.cancelOnDisconnectSessions.length();
        if (length > Integer.MAX_VALUE)
        {
            throw new IllegalStateException("state too large for one snapshot buffer: " + length + " bytes");
        }

        return (int)length;
    }

    int write(final MutableDirectBuffer buffer, final int offset)
    {
        final int length = length();
        buffer.checkLimit(offset + length);

        int pos = offset + HEADER_LENGTH;
        buffer.putLong(pos, engine.lastOrderId, ORDER);
        pos += 8;
        buffer.putLong(pos, engine.lastTradeId, ORDER);
        pos += 8;

        buffer.putInt(pos, engine.instrumentCount, ORDER);
        pos += 4;
        for (int i = 0; i < engine.instrumentCount; i++)
        {
            final Instrument instrument = engine.instruments[i];
            buffer.putInt(pos, instrument.instrumentId, ORDER);
            buffer.putInt(pos + 4, instrument.priceBandBps, ORDER);
            buffer.putLong(pos + 8, instrument.tickSize, ORDER);
            buffer.putLong(pos + 16, instrument.lotSize, ORDER);
            buffer.putLong(pos + 24, instrument.minQuantity, ORDER);
            buffer.putLong(pos + 32, instrument.maxQuantity, ORDER);
            buffer.putLong(pos + 40, instrument.referencePrice, ORDER);
            buffer.putByte(pos + 48, (byte)(instrument.halted ? 1 : 0));
            final byte[] symbol = instrument.symbol.getBytes(StandardCharsets.US_ASCII);
            buffer.putByte(pos + 49, (byte)symbol.length);
            buffer.putBytes(pos + INSTRUMENT_FIXED_LENGTH, symbol);
            pos += INSTRUMENT_FIXED_LENGTH + symbol.length;
        }

        final int sessionCount = sessionCollector.collect(engine);
        buffer.putInt(pos, sessionCount, ORDER);
        pos += 4;
        for (int i = 0; i < sessionCount; i++)
        {
            final long sessionId = sessionCollector.sessionIds[i];
            buffer.putLong(pos, sessionId, ORDER);
            buffer.putLong(pos + 8, engine.lastRequestSeqBySession.get(sessionId), ORDER);
            buffer.putLong(pos + 16, engine.accountBySession.get(sessionId), ORDER);
            pos += SESSION_LENGTH;
        }

        for (int i = 0; i < engine.instrumentCount; i++)
        {
            final Instrument instrument = engine.instruments[i];
            final int countOffset = pos;
            pos += 4;
            final int startOfOrders = pos;
            pos = writeOrders(buffer, pos, instrument.bids);
            pos = writeOrders(buffer, pos, instrument.asks);
            buffer.putInt(countOffset, (pos - startOfOrders) / ORDER_LENGTH, ORDER);
        }
        pos = engine.terminalOrders.write(buffer, pos);
        pos = engine.killedAccounts.write(buffer, pos);
        pos = engine.killedSessions.write(buffer, pos);
        pos = engine.cancelOnDisconnectSessions.write(buffer, pos);

        if (pos - offset != length)
        {
            throw new IllegalStateException("snapshot wrote " + (pos - offset) + " bytes, expected " + length);
        }

        buffer.putInt(offset + MAGIC_OFFSET, MAGIC, ORDER);
        buffer.putByte(offset + VERSION_OFFSET, VERSION);
        buffer.putByte(offset + VERSION_OFFSET + 1, (byte)0);
        buffer.putShort(offset + VERSION_OFFSET + 2, (short)0, ORDER);
        buffer.putInt(offset + LENGTH_OFFSET, length, ORDER);
        buffer.putLong(offset + CONFIG_DIGEST_OFFSET, engine.configDigest(), ORDER);
        buffer.putLong(offset + STATE_HASH_OFFSET, hash(), ORDER);
        buffer.putInt(offset + CRC_OFFSET, crc32c(buffer, offset + CRC_OFFSET + 4, length - CRC_OFFSET - 4), ORDER);

        return length;
    }

    private static int writeOrders(final MutableDirectBuffer buffer, final int offset, final BookSide side)
    {
        int pos = offset;
        for (PriceLevel level = side.best(); null != level; level = level.worse)
        {
            for (Order order = level.head; null != order; order = order.nextInLevel)
            {
                buffer.putLong(pos, order.orderId, ORDER);
                buffer.putLong(pos + 8, order.accountId, ORDER);
                buffer.putLong(pos + 16, order.sessionId, ORDER);
                buffer.putLong(pos + 24, order.clientOrderId, ORDER);
                buffer.putLong(pos + 32, order.price, ORDER);
                buffer.putLong(pos + 40, order.quantity, ORDER);
                buffer.putLong(pos + 48, order.cumQuantity, ORDER);
                buffer.putByte(pos + 56, (byte)order.side.value());
                buffer.putByte(pos + 57, (byte)order.timeInForce.value());
                buffer.putByte(pos + 58, (byte)(order.postOnly ? 1 : 0));
                pos += ORDER_LENGTH;
            }
        }

        return pos;
    }

    void read(final DirectBuffer buffer, final int offset, final int available)
    {
        if (available < HEADER_LENGTH || offset < 0 || offset + HEADER_LENGTH > buffer.capacity())
        {
            throw new IllegalArgumentException("snapshot shorter than its " + HEADER_LENGTH + "-byte header");
        }
        final int magic = buffer.getInt(offset + MAGIC_OFFSET, ORDER);
        if (MAGIC != magic)
        {
            throw new IllegalArgumentException("not a matching snapshot: magic 0x" + Integer.toHexString(magic));
        }
        final byte version = buffer.getByte(offset + VERSION_OFFSET);
        if (version < VERSION_1 || version > VERSION)
        {
            throw new IllegalArgumentException("unsupported snapshot version " + version + ", expected " + VERSION_1 +
                " to " + VERSION);
        }
        final int length = buffer.getInt(offset + LENGTH_OFFSET, ORDER);
        if (length < HEADER_LENGTH || length > available || offset + length > buffer.capacity())
        {
            throw new IllegalArgumentException(
                "snapshot length " + length + " outside its buffer (" + available + " bytes available)");
        }
        final int storedCrc = buffer.getInt(offset + CRC_OFFSET, ORDER);
        final int actualCrc = crc32c(buffer, offset + CRC_OFFSET + 4, length - CRC_OFFSET - 4);
        if (storedCrc != actualCrc)
        {
            throw new IllegalArgumentException("snapshot CRC32C mismatch: stored 0x" + Integer.toHexString(storedCrc) +
                ", computed 0x" + Integer.toHexString(actualCrc));
        }
        final long snapshotConfigDigest = buffer.getLong(offset + CONFIG_DIGEST_OFFSET, ORDER);
        if (snapshotConfigDigest != engine.configDigest())
        {
            throw new IllegalArgumentException("snapshot written under config digest 0x" +
                Long.toHexString(snapshotConfigDigest) + ", this engine has 0x" +
                Long.toHexString(engine.configDigest()));
        }
        final long expectedHash = buffer.getLong(offset + STATE_HASH_OFFSET, ORDER);

        engine.clearState();
        try
        {
            rebuild(buffer, offset, length, version);
        }
        catch (final RuntimeException ex)
        {
            engine.clearState();
            throw new IllegalStateException("snapshot passed its CRC but could not be rebuilt", ex);
        }

        final long actualHash = hash(version);
        if (actualHash != expectedHash)
        {
            throw new IllegalStateException("restored state hash 0x" + Long.toHexString(actualHash) +
                " differs from the snapshot's 0x" + Long.toHexString(expectedHash));
        }
    }

    private void rebuild(final DirectBuffer buffer, final int offset, final int length, final byte version)
    {
        final int end = offset + length;
        int pos = offset + HEADER_LENGTH;
        // Every count and length is checked against the snapshot's own end before it is read: a snapshot that
        // passed its CRC can still be damaged (written by a faulty engine), and past its end lie other bytes.
        checkRemaining(pos, 8 + 8 + 4, end, "id counters and instrument count");
        engine.lastOrderId = buffer.getLong(pos, ORDER);
        engine.lastTradeId = buffer.getLong(pos + 8, ORDER);
        pos += 16;

        final int instrumentCount = buffer.getInt(pos, ORDER);
        pos += 4;
        if (instrumentCount < 0)
        {
            throw new IllegalStateException("instrument count " + instrumentCount + " in snapshot");
        }
        for (int i = 0; i < instrumentCount; i++)
        {
            checkRemaining(pos, INSTRUMENT_FIXED_LENGTH, end, "instrument " + i);
            final int instrumentId = buffer.getInt(pos, ORDER);
            final int priceBandBps = buffer.getInt(pos + 4, ORDER);
            final long tickSize = buffer.getLong(pos + 8, ORDER);
            final long lotSize = buffer.getLong(pos + 16, ORDER);
            final long minQuantity = buffer.getLong(pos + 24, ORDER);
            final long maxQuantity = buffer.getLong(pos + 32, ORDER);
            final long referencePrice = buffer.getLong(pos + 40, ORDER);
            final boolean halted = 0 != buffer.getByte(pos + 48);
            final int symbolLength = buffer.getByte(pos + 49) & 0xFF;
            checkRemaining(pos + INSTRUMENT_FIXED_LENGTH, symbolLength, end, "symbol of instrument " + instrumentId);
            final String symbol = buffer.getStringWithoutLengthAscii(pos + INSTRUMENT_FIXED_LENGTH, symbolLength);
            pos += INSTRUMENT_FIXED_LENGTH + symbolLength;

            final String error = Instrument.validate(
                instrumentId, symbol, tickSize, lotSize, minQuantity, maxQuantity, referencePrice, priceBandBps);
            if (null != error || null != engine.instrumentById.get(instrumentId))
            {
                throw new IllegalStateException("bad instrument " + instrumentId + " in snapshot: " + error);
            }
            final Instrument instrument = new Instrument(
                instrumentId, symbol, tickSize, lotSize, minQuantity, maxQuantity, referencePrice, priceBandBps,
                engine.priceLevelPool);
            instrument.halted = halted;
            engine.putInstrument(instrument);
        }

        checkRemaining(pos, 4, end, "session count");
        final int sessionCount = buffer.getInt(pos, ORDER);
        pos += 4;
        final int sessionLength = VERSION_1 == version ? SESSION_LENGTH_V1 : SESSION_LENGTH;
        checkRemaining(pos, (long)sessionCount * sessionLength, end, sessionCount + " sessions");
        for (int i = 0; i < sessionCount; i++)
        {
            final long sessionId = buffer.getLong(pos, ORDER);
            engine.lastRequestSeqBySession.put(sessionId, buffer.getLong(pos + 8, ORDER));
            if (VERSION_1 != version && 0 != buffer.getLong(pos + 16, ORDER))
            {
                engine.accountBySession.put(sessionId, buffer.getLong(pos + 16, ORDER));
            }
            pos += sessionLength;
        }

        Order[] restored = new Order[Math.max(16, (end - pos) / ORDER_LENGTH)];
        int restoredCount = 0;
        for (int i = 0; i < instrumentCount; i++)
        {
            final Instrument instrument = engine.instruments[i];
            checkRemaining(pos, 4, end, "order count of instrument " + instrument.instrumentId);
            final int orderCount = buffer.getInt(pos, ORDER);
            pos += 4;
            if (orderCount < 0 || pos + (long)orderCount * ORDER_LENGTH > end)
            {
                throw new IllegalStateException("order count " + orderCount + " overruns the snapshot");
            }

            for (int j = 0; j < orderCount; j++)
            {
                final Order order = engine.orderPool.acquire();
                order.orderId = buffer.getLong(pos, ORDER);
                order.accountId = buffer.getLong(pos + 8, ORDER);
                order.sessionId = buffer.getLong(pos + 16, ORDER);
                order.clientOrderId = buffer.getLong(pos + 24, ORDER);
                order.price = buffer.getLong(pos + 32, ORDER);
                order.quantity = buffer.getLong(pos + 40, ORDER);
                order.cumQuantity = buffer.getLong(pos + 48, ORDER);
                order.leavesQuantity = order.quantity - order.cumQuantity;
                order.side = Side.get((short)(buffer.getByte(pos + 56) & 0xFF));
                order.timeInForce = TimeInForce.get((short)(buffer.getByte(pos + 57) & 0xFF));
                order.postOnly = 0 != buffer.getByte(pos + 58);
                order.instrumentId = instrument.instrumentId;
                order.instrument = instrument;
                pos += ORDER_LENGTH;

                if (order.leavesQuantity <= 0 || order.cumQuantity < 0 || order.price <= 0 ||
                    Side.NULL_VAL == order.side || TimeInForce.NULL_VAL == order.timeInForce ||
                    null != engine.orderIndex.get(order.accountId, order.clientOrderId))
                {
                    throw new IllegalStateException("bad order " + order.orderId + " in snapshot");
                }

                engine.restoreOrder(order);
                if (restoredCount == restored.length)
                {
                    restored = Arrays.copyOf(restored, restoredCount * 2);
                }
                restored[restoredCount++] = order;
            }
        }

        if (VERSION_1 != version)
        {
            pos = engine.terminalOrders.read(buffer, pos, end);
        }
        if (VERSION_1 != version && VERSION_2 != version)
        {
            pos = engine.killedAccounts.read(buffer, pos, end, "killed accounts");
            pos = engine.killedSessions.read(buffer, pos, end, "killed sessions");
            pos = engine.cancelOnDisconnectSessions.read(buffer, pos, end, "cancel-on-disconnect sessions");
        }
        if (pos != end)
        {
            throw new IllegalStateException("snapshot has " + (end - pos) + " bytes past its last section");
        }

        Arrays.sort(restored, 0, restoredCount, BY_ORDER_ID);
        for (int i = 0; i < restoredCount; i++)
        {
            final Order order = restored[i];
            engine.accountFor(order.accountId).append(order);
        }
    }

    private static void checkRemaining(final int pos, final long bytes, final int end, final String what)
    {
        if (bytes < 0 || pos + bytes > end)
        {
            throw new IllegalStateException(what + " overruns the snapshot (" + bytes + " bytes at " + pos +
                ", snapshot ends at " + end + ")");
        }
    }

    private int crc32c(final DirectBuffer buffer, final int offset, final int length)
    {
        crc.reset();
        int pos = offset;
        int remaining = length;
        while (remaining > 0)
        {
            final int chunk = Math.min(remaining, crcChunk.length);
            buffer.getBytes(pos, crcChunk, 0, chunk);
            crc.update(crcChunk, 0, chunk);
            pos += chunk;
            remaining -= chunk;
        }

        return (int)crc.getValue();
    }

    /** Order-independent combination of the (sessionId, lastRequestSeq[, accountId]) entries. */
    private static final class SessionDigest implements LongLongConsumer
    {
        long sum;
        long xor;
        /** Null for the version 1 hash, which left accounts out. */
        Long2LongHashMap accountBySession;

        void reset(final Long2LongHashMap accountBySession)
        {
            sum = 0;
            xor = 0;
            this.accountBySession = accountBySession;
        }

        public void accept(final long sessionId, final long lastRequestSeq)
        {
            long h = Digest.update(Digest.update(Digest.SEED, sessionId), lastRequestSeq);
            if (null != accountBySession)
            {
                h = Digest.update(h, accountBySession.get(sessionId));
            }
            final long entry = Digest.mix(h);
            sum += entry;
            xor ^= entry;
        }
    }

    /** Collects session ids into a sorted array, reused between snapshots. */
    private static final class SessionCollector implements LongLongConsumer
    {
        long[] sessionIds = new long[64];
        int count;

        int collect(final MatchingEngine engine)
        {
            count = 0;
            final int size = engine.lastRequestSeqBySession.size();
            if (sessionIds.length < size)
            {
                sessionIds = new long[size];
            }
            engine.lastRequestSeqBySession.forEachLong(this);
            Arrays.sort(sessionIds, 0, count);

            return count;
        }

        public void accept(final long sessionId, final long lastRequestSeq)
        {
            sessionIds[count++] = sessionId;
        }
    }
}
