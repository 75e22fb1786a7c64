package io.sluice.journal;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Deterministic stand-in for the matching engine: a running hash over every entry applied, refusing entries out of
 * order.
 */
class HashingStateMachine implements JournalStateMachine
{
    static final long SEED = 0x5EED_5EED_5EED_5EEDL;

    long lastWireSeq;
    long hash = SEED;
    long applied;

    static long mix(final long hash, final long wireSeq, final long crc32c)
    {
        return (hash * 31 + wireSeq) * 0x9E37_79B9_7F4A_7C15L + crc32c;
    }

    public void apply(final JournalEntryView entry)
    {
        if (lastWireSeq != 0 && entry.wireSeq() != lastWireSeq + 1)
        {
            throw new AssertionError("applied wireSeq " + entry.wireSeq() + " after " + lastWireSeq);
        }
        hash = mix(hash, entry.wireSeq(), entry.crc32c());
        lastWireSeq = entry.wireSeq();
        applied++;
    }

    public int writeState(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putLong(offset, lastWireSeq, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(offset + 8, hash, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(offset + 16, applied, ByteOrder.LITTLE_ENDIAN);
        return 24;
    }

    public void loadState(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length != 24)
        {
            throw new IllegalArgumentException("state of " + length + " bytes");
        }
        lastWireSeq = buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN);
        hash = buffer.getLong(offset + 8, ByteOrder.LITTLE_ENDIAN);
        applied = buffer.getLong(offset + 16, ByteOrder.LITTLE_ENDIAN);
    }

    public long stateHash()
    {
        return hash;
    }
}
