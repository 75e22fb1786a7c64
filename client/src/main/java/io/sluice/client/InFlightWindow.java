package io.sluice.client;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Encoded request frames sent but not yet answered with a {@code BatchEnd}, oldest first, so they can be sent again
 * after a reconnect. Fixed capacity, preallocated; nothing is allocated per request. Owned by the polling thread.
 */
final class InFlightWindow
{
    private final int capacity;
    private final int slotLength;
    private final UnsafeBuffer frames;
    private final long[] requestSeqs;
    private final int[] lengths;
    private final boolean[] answered;
    private long head;
    private long tail;

    InFlightWindow(final int capacity, final int slotLength)
    {
        this.capacity = capacity;
        this.slotLength = slotLength;
        this.frames = new UnsafeBuffer(new byte[capacity * slotLength]);
        this.requestSeqs = new long[capacity];
        this.lengths = new int[capacity];
        this.answered = new boolean[capacity];
    }

    int size()
    {
        return (int)(tail - head);
    }

    boolean isFull()
    {
        return size() == capacity;
    }

    /**
     * Keep a copy of a request frame until it is answered.
     */
    void add(final long requestSeq, final DirectBuffer frame, final int offset, final int length)
    {
        if (isFull())
        {
            throw new IllegalStateException("in-flight window full");
        }
        if (length > slotLength)
        {
            throw new IllegalArgumentException("frame of " + length + " bytes exceeds slot of " + slotLength);
        }
        final int slot = (int)(tail % capacity);
        frames.putBytes(slot * slotLength, frame, offset, length);
        requestSeqs[slot] = requestSeq;
        lengths[slot] = length;
        answered[slot] = false;
        tail++;
    }

    /**
     * Mark a request answered; release every answered request at the head.
     *
     * @return true if the request was in flight.
     */
    boolean answer(final long requestSeq)
    {
        boolean found = false;
        for (long i = head; i < tail; i++)
        {
            final int slot = (int)(i % capacity);
            if (requestSeqs[slot] == requestSeq && !answered[slot])
            {
                answered[slot] = true;
                found = true;
                break;
            }
        }
        while (head < tail && answered[(int)(head % capacity)])
        {
            head++;
        }
        return found;
    }

    boolean contains(final long requestSeq)
    {
        for (long i = head; i < tail; i++)
        {
            final int slot = (int)(i % capacity);
            if (requestSeqs[slot] == requestSeq && !answered[slot])
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Visit every unanswered frame, oldest first.
     */
    int forEachUnanswered(final FrameVisitor visitor)
    {
        int visited = 0;
        for (long i = head; i < tail; i++)
        {
            final int slot = (int)(i % capacity);
            if (!answered[slot])
            {
                visitor.onFrame(requestSeqs[slot], frames, slot * slotLength, lengths[slot]);
                visited++;
            }
        }
        return visited;
    }

    interface FrameVisitor
    {
        void onFrame(long requestSeq, DirectBuffer buffer, int offset, int length);
    }
}
