package io.sluice.harness.bench;

import io.sluice.harness.check.HistoryWriter;
import io.sluice.sbe.client.EngineErrorCode;
import io.sluice.sbe.client.RejectReason;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Records the client history of a bench run for {@code sluice check}, off the measuring path: the bench thread
 * claims a fixed-layout binary record in a one-to-one ring and fills it in place (no allocation, no formatting, no
 * I/O); a writer thread drains the ring and formats each record as a JSON line with {@link HistoryWriter}.
 * <p>
 * Nothing is ever dropped: a history with holes would make the checker's verdict worthless, so when the ring is
 * full the bench thread waits for the writer (counted in {@link #stalls()}, and visible as send delay).
 * <p>
 * Recording methods belong to the one bench thread; {@link #close()} is called by it after the run.
 */
final class HistoryRecorder implements AutoCloseable
{
    static final byte NEW_ORDER = 1;
    static final byte CANCEL = 2;
    static final byte REPLACE = 3;
    static final byte ACCEPTED = 0;
    static final byte REJECTED = 1;
    static final byte ERROR = 2;

    private static final int SEND = 1;
    private static final int RESEND = 2;
    private static final int REPLY = 3;
    private static final int CONNECT = 4;
    private static final int DISCONNECT = 5;
    private static final int RING_CAPACITY_BYTES = 8 << 20;
    private static final int MAX_TEXT_LENGTH = 512;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final RingBuffer ring;
    private final MutableDirectBuffer ringBuffer;
    private final NanoClock clock;
    private final HistoryWriter writer;
    private final Thread writerThread;
    private final Formatter formatter = new Formatter();
    /** Set by the bench thread at close; the writer drains what is left and stops. */
    private volatile boolean closing;
    /** Set by the writer thread if the file cannot be written; reported at close. */
    private volatile IOException failure;
    /** Bench thread only: times a record waited for room in the ring. */
    private long stalls;

    private HistoryRecorder(final HistoryWriter writer, final NanoClock clock)
    {
        this.ring = new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(RING_CAPACITY_BYTES + RingBufferDescriptor.TRAILER_LENGTH)));
        this.ringBuffer = ring.buffer();
        this.clock = clock;
        this.writer = writer;
        this.writerThread = new Thread(this::drainUntilClosed, "sluice-bench-history");
        this.writerThread.setDaemon(true);
    }

    /**
     * @param file      created or truncated.
     * @param endpoints what the client was given, for the start line.
     * @param clock     the bench's clock; every event is stamped with it.
     * @return a recorder whose writer thread is running.
     * @throws IOException if the file cannot be created.
     */
    static HistoryRecorder open(final Path file, final String endpoints, final NanoClock clock) throws IOException
    {
        final HistoryWriter writer = HistoryWriter.open(file);
        writer.start(System.currentTimeMillis(), clock.nanoTime(), endpoints);
        final HistoryRecorder recorder = new HistoryRecorder(writer, clock);
        recorder.writerThread.start();
        return recorder;
    }

    void sent(final long sessionId, final long requestSeq, final long clientOrderId, final byte kind)
    {
        final int index = claim(SEND, 8 * 4 + 1);
        ringBuffer.putLong(index, clock.nanoTime(), ORDER);
        ringBuffer.putLong(index + 8, sessionId, ORDER);
        ringBuffer.putLong(index + 16, requestSeq, ORDER);
        ringBuffer.putLong(index + 24, clientOrderId, ORDER);
        ringBuffer.putByte(index + 32, kind);
        ring.commit(index);
    }

    void resent(final long sessionId, final long requestSeq)
    {
        final int index = claim(RESEND, 8 * 3);
        ringBuffer.putLong(index, clock.nanoTime(), ORDER);
        ringBuffer.putLong(index + 8, sessionId, ORDER);
        ringBuffer.putLong(index + 16, requestSeq, ORDER);
        ring.commit(index);
    }

    /**
     * @param outcome {@link #ACCEPTED}, {@link #REJECTED} or {@link #ERROR}.
     * @param reason  a {@link RejectReason} value when rejected, an {@link EngineErrorCode} value for an error.
     * @param wireSeq from the BatchEnd.
     */
    void replied(
        final long sessionId, final long requestSeq, final byte outcome, final short reason, final long wireSeq)
    {
        final int index = claim(REPLY, 8 * 4 + 1 + 2);
        ringBuffer.putLong(index, clock.nanoTime(), ORDER);
        ringBuffer.putLong(index + 8, sessionId, ORDER);
        ringBuffer.putLong(index + 16, requestSeq, ORDER);
        ringBuffer.putLong(index + 24, wireSeq, ORDER);
        ringBuffer.putByte(index + 32, outcome);
        ringBuffer.putShort(index + 33, reason, ORDER);
        ring.commit(index);
    }

    void connected(final long sessionId, final String endpoint, final long lastRequestSeq, final int resent)
    {
        final String text = clip(endpoint);
        final int index = claim(CONNECT, 8 * 3 + 4 + 4 + text.length());
        ringBuffer.putLong(index, clock.nanoTime(), ORDER);
        ringBuffer.putLong(index + 8, sessionId, ORDER);
        ringBuffer.putLong(index + 16, lastRequestSeq, ORDER);
        ringBuffer.putInt(index + 24, resent, ORDER);
        ringBuffer.putStringAscii(index + 28, text, ORDER);
        ring.commit(index);
    }

    void disconnected(final long sessionId, final String reason)
    {
        final String text = clip(reason);
        final int index = claim(DISCONNECT, 8 * 2 + 4 + text.length());
        ringBuffer.putLong(index, clock.nanoTime(), ORDER);
        ringBuffer.putLong(index + 8, sessionId, ORDER);
        ringBuffer.putStringAscii(index + 16, text, ORDER);
        ring.commit(index);
    }

    /**
     * @return times the bench thread waited for the writer to make room.
     */
    long stalls()
    {
        return stalls;
    }

    /**
     * Write everything recorded, the end line, and close the file.
     *
     * @throws IOException if any of the history could not be written.
     */
    @Override
    public void close() throws IOException
    {
        final long endNs = clock.nanoTime();
        closing = true;
        try
        {
            writerThread.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing the history", ex);
        }
        try
        {
            writer.end(endNs);
        }
        finally
        {
            writer.close();
        }
        if (failure != null)
        {
            throw failure;
        }
    }

    private int claim(final int type, final int length)
    {
        int index = ring.tryClaim(type, length);
        while (index < 0)
        {
            stalls++;
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
            index = ring.tryClaim(type, length);
        }
        return index;
    }

    private static String clip(final String text)
    {
        final String value = text == null ? "" : text;
        return value.length() <= MAX_TEXT_LENGTH ? value : value.substring(0, MAX_TEXT_LENGTH);
    }

    /**
     * The writer thread: drain, sleep a little when there is nothing, and after close drain to empty and stop.
     */
    private void drainUntilClosed()
    {
        while (true)
        {
            final boolean last = closing;
            final int read = ring.read(formatter, 4096);
            if (read == 0)
            {
                if (last)
                {
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
    }

    /**
     * Turns each binary record into its JSON line; on the writer thread.
     */
    private final class Formatter implements MessageHandler
    {
        @Override
        public void onMessage(final int type, final MutableDirectBuffer buffer, final int index, final int length)
        {
            if (failure != null)
            {
                return;
            }
            final long timeNs = buffer.getLong(index, ORDER);
            final long sessionId = buffer.getLong(index + 8, ORDER);
            try
            {
                switch (type)
                {
                    case SEND -> writer.send(timeNs, sessionId, buffer.getLong(index + 16, ORDER),
                        buffer.getLong(index + 24, ORDER), kind(buffer.getByte(index + 32)));
                    case RESEND -> writer.resend(timeNs, sessionId, buffer.getLong(index + 16, ORDER));
                    case REPLY ->
                    {
                        final byte outcome = buffer.getByte(index + 32);
                        final short reason = buffer.getShort(index + 33, ORDER);
                        writer.reply(timeNs, sessionId, buffer.getLong(index + 16, ORDER), outcome(outcome),
                            reason(outcome, reason), buffer.getLong(index + 24, ORDER));
                    }
                    case CONNECT -> writer.connect(timeNs, sessionId, buffer.getStringAscii(index + 28, ORDER),
                        buffer.getLong(index + 16, ORDER), buffer.getInt(index + 24, ORDER));
                    case DISCONNECT -> writer.disconnect(timeNs, sessionId, buffer.getStringAscii(index + 16, ORDER));
                    default -> throw new IllegalStateException("unknown history record type " + type);
                }
            }
            catch (final IOException ex)
            {
                failure = ex;
            }
            catch (final RuntimeException ex)
            {
                failure = new IOException("cannot format history record type " + type + ": " + ex, ex);
            }
        }

        private String kind(final byte kind)
        {
            return switch (kind)
            {
                case NEW_ORDER -> HistoryWriter.NEW_ORDER;
                case CANCEL -> HistoryWriter.CANCEL;
                case REPLACE -> HistoryWriter.REPLACE;
                default -> HistoryWriter.MASS_CANCEL;
            };
        }

        private String outcome(final byte outcome)
        {
            return switch (outcome)
            {
                case ACCEPTED -> HistoryWriter.ACCEPTED;
                case REJECTED -> HistoryWriter.REJECTED;
                default -> HistoryWriter.ERROR;
            };
        }

        private String reason(final byte outcome, final short reason)
        {
            if (outcome == REJECTED)
            {
                return RejectReason.get(reason).name();
            }
            if (outcome == ERROR)
            {
                return EngineErrorCode.get(reason).name();
            }
            return null;
        }
    }
}
