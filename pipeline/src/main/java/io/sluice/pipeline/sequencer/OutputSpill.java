package io.sluice.pipeline.sequencer;

import io.sluice.response.OutputRingPublisher;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * Replies the output ring had no room for, in order. A command is applied whole once started, so its replies must
 * go somewhere even if the response stage is behind; they wait here and are offered first on later duty cycles,
 * and the sequencer takes no new commands until this is empty. Grows (allocates) only when a burst exceeds what it
 * has held before.
 */
final class OutputSpill
{
    private static final int CONNECTION_ID = 0;
    private static final int WIRE_SEQ = 8;
    private static final int REQUEST_SEQ = 16;
    private static final int RECV_TS = 24;
    private static final int MATCH_TS = 32;
    private static final int FLAGS = 40;
    private static final int LENGTH = 44;
    private static final int HEADER = 48;

    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64 * 1024);
    private int readPosition;
    private int writePosition;
    private long spilledTotal;

    boolean isEmpty()
    {
        return readPosition == writePosition;
    }

    long spilledTotal()
    {
        return spilledTotal;
    }

    void add(
        final long connectionId, final long wireSeq, final long requestSeq, final int flags, final long recvTs,
        final long matchTs, final DirectBuffer payload, final int offset, final int length)
    {
        buffer.putLong(writePosition + CONNECTION_ID, connectionId);
        buffer.putLong(writePosition + WIRE_SEQ, wireSeq);
        buffer.putLong(writePosition + REQUEST_SEQ, requestSeq);
        buffer.putLong(writePosition + RECV_TS, recvTs);
        buffer.putLong(writePosition + MATCH_TS, matchTs);
        buffer.putInt(writePosition + FLAGS, flags);
        buffer.putInt(writePosition + LENGTH, length);
        if (length > 0)
        {
            buffer.putBytes(writePosition + HEADER, payload, offset, length);
        }
        writePosition += HEADER + length;
        spilledTotal++;
    }

    /**
     * Offer spilled replies to the ring, oldest first, until it is full or the spill is empty.
     *
     * @return replies moved.
     */
    int drainTo(final OutputRingPublisher publisher)
    {
        int moved = 0;
        while (readPosition < writePosition)
        {
            final int length = buffer.getInt(readPosition + LENGTH);
            if (!publisher.offer(
                buffer.getLong(readPosition + CONNECTION_ID),
                buffer.getLong(readPosition + WIRE_SEQ),
                buffer.getLong(readPosition + REQUEST_SEQ),
                buffer.getInt(readPosition + FLAGS),
                buffer.getLong(readPosition + RECV_TS),
                buffer.getLong(readPosition + MATCH_TS),
                buffer, readPosition + HEADER, length))
            {
                break;
            }
            readPosition += HEADER + length;
            moved++;
        }
        if (readPosition == writePosition)
        {
            readPosition = 0;
            writePosition = 0;
        }
        return moved;
    }
}
