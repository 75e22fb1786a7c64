package io.sluice.replication;

import org.agrona.CloseHelper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * One snapshot transfer from a primary's replica slot, stepped by its sender's duty cycle: the SnapshotOffer, the
 * file in SnapshotChunks of one datagram each, then the SnapshotEnd with the CRC32C of the file as sent. Chunks are
 * read from the file on the sender's thread, at most {@code maxChunksPerDutyCycle} per duty cycle; a chunk the
 * publication refuses is kept and offered again on the next duty cycle, never read or checksummed twice, so
 * back-pressure stalls only this slot.
 * <p>
 * What follows a sent snapshot (StreamStart from its {@code wireSeq} + 1 and the journal) is the sender's. Sender
 * thread only, apart from {@link #sentBytes()}.
 */
final class SnapshotSendSession
{
    /** Where the transfer stands. */
    enum State
    {
        /** The SnapshotOffer is held until the publication takes it. */
        OFFER,
        /** Chunks of the file are being sent. */
        CHUNKS,
        /** Every chunk is sent; the SnapshotEnd is held until the publication takes it. */
        END,
        /** The SnapshotEnd is sent; the file is closed. */
        DONE,
        /** The file could not be read ({@link #failure()}); the replica must handshake again. */
        FAILED,
        /** Cut short by the sender (stream dropped, fenced, closed); the file is closed. */
        ABORTED
    }

    private final SenderDataPublisher publisher;
    private final FileChannel file;
    private final long correlationId;
    private final long wireSeq;
    private final long totalBytes;
    private final int maxChunksPerDutyCycle;
    /** May hold a chunk back; null in production. */
    private final SnapshotChunkHook hook;
    private final CRC32C crc = new CRC32C();
    private State state = State.OFFER;
    private long sentBytesPlain;
    /** File bytes in the chunk waiting to be offered; 0 if none. */
    private int chunkDataBytes;
    private IOException failure;
    /** Written by the sender thread only; read by any thread. */
    private volatile long sentBytes;

    /**
     * Holds the SnapshotOffer in {@code publisher}; the session owns {@code file} from here on.
     *
     * @param epoch       the primary's epoch, sent in the offer.
     * @param entryCrc32c stored CRC32C of the journal entry at the snapshot's {@code wireSeq}.
     */
    SnapshotSendSession(
        final SenderDataPublisher publisher,
        final FileChannel file,
        final long totalBytes,
        final long correlationId,
        final long epoch,
        final long wireSeq,
        final long snapshotEpoch,
        final long entryCrc32c,
        final int maxChunksPerDutyCycle,
        final SnapshotChunkHook hook)
    {
        this.publisher = publisher;
        this.file = file;
        this.totalBytes = totalBytes;
        this.correlationId = correlationId;
        this.wireSeq = wireSeq;
        this.maxChunksPerDutyCycle = maxChunksPerDutyCycle;
        this.hook = hook;
        publisher.holdSnapshotOffer(correlationId, epoch, wireSeq, snapshotEpoch, entryCrc32c, totalBytes);
    }

    /** Offers the SnapshotOffer, then up to {@code maxChunksPerDutyCycle} chunks, then the SnapshotEnd. */
    int doWork()
    {
        int workCount = 0;
        if (state == State.OFFER)
        {
            if (!publisher.offerHeld())
            {
                return 0;
            }
            state = State.CHUNKS;
            workCount++;
        }
        for (int i = 0; i < maxChunksPerDutyCycle && state == State.CHUNKS; i++)
        {
            if (chunkDataBytes == 0)
            {
                if (sentBytesPlain == totalBytes)
                {
                    publisher.holdSnapshotEnd(correlationId, totalBytes, crc.getValue());
                    state = State.END;
                    break;
                }
                if (!readChunk())
                {
                    return workCount;
                }
            }
            if (hook != null && !hook.beforeOffer(sentBytesPlain, publisher.chunkBuffer(),
                SenderDataPublisher.chunkDataOffset(), chunkDataBytes))
            {
                return workCount;
            }
            if (!publisher.offerChunk())
            {
                return workCount;
            }
            sentBytesPlain += chunkDataBytes;
            sentBytes = sentBytesPlain;
            chunkDataBytes = 0;
            workCount++;
        }
        if (state == State.END)
        {
            if (!publisher.offerHeld())
            {
                return workCount;
            }
            CloseHelper.quietClose(file);
            state = State.DONE;
            workCount++;
        }
        return workCount;
    }

    /** Reads the next chunk of the file into the publisher's chunk and adds it to the CRC. */
    private boolean readChunk()
    {
        final int dataBytes = (int)Math.min(publisher.maxChunkBytes(), totalBytes - sentBytesPlain);
        final ByteBuffer target = publisher.beginChunk(correlationId, sentBytesPlain, dataBytes);
        final int dataOffset = target.position();
        try
        {
            long position = sentBytesPlain;
            while (target.hasRemaining())
            {
                final int read = file.read(target, position);
                if (read < 0)
                {
                    throw new IOException("snapshot file ends at " + position + " of " + totalBytes + " bytes");
                }
                position += read;
            }
        }
        catch (final IOException ex)
        {
            failure = ex;
            state = State.FAILED;
            CloseHelper.quietClose(file);
            return false;
        }
        target.position(dataOffset);
        crc.update(target);
        chunkDataBytes = dataBytes;
        return true;
    }

    State state()
    {
        return state;
    }

    /** Whether the transfer is over: sent, failed or aborted. */
    boolean isDone()
    {
        return state == State.DONE || state == State.FAILED || state == State.ABORTED;
    }

    /** Why the file could not be read, once {@link State#FAILED}. */
    IOException failure()
    {
        return failure;
    }

    /** {@code wireSeq} of the snapshot: the replica's stream goes on from the entry after it. */
    long wireSeq()
    {
        return wireSeq;
    }

    /** Bytes of the file handed to the publication so far; any thread. */
    long sentBytes()
    {
        return sentBytes;
    }

    /** Cuts the transfer short and closes the file; nothing more is offered. */
    void abort()
    {
        if (!isDone())
        {
            state = State.ABORTED;
        }
        CloseHelper.quietClose(file);
    }
}
