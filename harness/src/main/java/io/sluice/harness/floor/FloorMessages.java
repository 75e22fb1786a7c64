package io.sluice.harness.floor;

import io.sluice.sbe.client.BatchEndEncoder;
import io.sluice.sbe.client.ExecutionReportEncoder;
import io.sluice.sbe.client.NewOrderEncoder;
import io.sluice.sbe.journal.JournalEntryEncoder;
import io.sluice.sbe.replication.AckDecoder;
import io.sluice.sbe.replication.AckEncoder;
import io.sluice.sbe.replication.JournalBatchDecoder;
import io.sluice.sbe.replication.JournalBatchEncoder;
import io.sluice.sbe.replication.MessageHeaderDecoder;
import io.sluice.sbe.replication.MessageHeaderEncoder;
import io.sluice.wire.FrameEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * The bytes each floor path carries, encoded with Sluice's own codecs so their sizes follow the protocols:
 * <ul>
 *   <li>TCP: a {@code NewOrder} frame one way; an {@code ExecutionReport} and a {@code BatchEnd} frame back, the reply
 *   to an order that rests;</li>
 *   <li>Aeron: a {@code JournalBatch} carrying one journal entry one way, an {@code Ack} back; the batch's
 *   {@code firstWireSeq} numbers the round trip and the ack echoes it as its {@code inMemoryWireSeq};</li>
 *   <li>sync: one journal entry with a {@link SyncProbe#JOURNAL_COMMAND_BYTES}-byte command.</li>
 * </ul>
 * The field values do not matter to a floor and stay zero. An instance holds its flyweights: one per thread.
 */
final class FloorMessages
{
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    /** A journal entry on the replication stream is preceded by its length. */
    private static final int ENTRY_LENGTH_PREFIX = Integer.BYTES;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final JournalBatchEncoder batchEncoder = new JournalBatchEncoder();
    private final JournalBatchDecoder batchDecoder = new JournalBatchDecoder();
    private final AckEncoder ackEncoder = new AckEncoder();
    private final AckDecoder ackDecoder = new AckDecoder();
    private final UnsafeBuffer entry = new UnsafeBuffer(new byte[ENTRY_LENGTH_PREFIX + journalEntryBytes()]);

    FloorMessages()
    {
        entry.putInt(0, journalEntryBytes(), ORDER);
    }

    /**
     * @return a client's {@code NewOrder} frame, length prefix included.
     */
    static byte[] tcpRequest()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final FrameEncoder frames = new FrameEncoder();
        final NewOrderEncoder order = frames.begin(buffer, 0, new NewOrderEncoder());
        return copy(buffer, frames.end(buffer, 0, order));
    }

    /**
     * @return the node's reply to an order that rests: an {@code ExecutionReport} frame and a {@code BatchEnd} frame.
     */
    static byte[] tcpReply()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);
        final FrameEncoder frames = new FrameEncoder();
        final ExecutionReportEncoder report = frames.begin(buffer, 0, new ExecutionReportEncoder());
        final int reportLength = frames.end(buffer, 0, report);
        final BatchEndEncoder batchEnd = frames.begin(buffer, reportLength, new BatchEndEncoder());
        return copy(buffer, reportLength + frames.end(buffer, reportLength, batchEnd));
    }

    /**
     * @return bytes of a stored journal entry with a {@link SyncProbe#JOURNAL_COMMAND_BYTES}-byte command.
     */
    static int journalEntryBytes()
    {
        return io.sluice.sbe.journal.MessageHeaderEncoder.ENCODED_LENGTH + JournalEntryEncoder.BLOCK_LENGTH +
            JournalEntryEncoder.commandHeaderLength() + SyncProbe.JOURNAL_COMMAND_BYTES;
    }

    /**
     * @return bytes of a {@code JournalBatch} of one journal entry, header included.
     */
    static int batchBytes()
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + JournalBatchEncoder.BLOCK_LENGTH +
            JournalBatchEncoder.entriesHeaderLength() + ENTRY_LENGTH_PREFIX + journalEntryBytes();
    }

    /**
     * @return bytes of an {@code Ack}, header included.
     */
    static int ackBytes()
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + AckEncoder.BLOCK_LENGTH;
    }

    /**
     * Write a {@code JournalBatch} of one entry numbered {@code sequence}.
     *
     * @return its length.
     */
    int encodeBatch(final MutableDirectBuffer buffer, final long sequence)
    {
        batchEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .firstWireSeq(sequence)
            .entryCount(1)
            .putEntries(entry, 0, entry.capacity());
        return MessageHeaderEncoder.ENCODED_LENGTH + batchEncoder.encodedLength();
    }

    /**
     * @return the number of the batch at {@code offset}.
     */
    long batchSequence(final DirectBuffer buffer, final int offset)
    {
        return batchDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder).firstWireSeq();
    }

    /**
     * Write the {@code Ack} of batch {@code sequence}.
     *
     * @return its length.
     */
    int encodeAck(final MutableDirectBuffer buffer, final long sequence)
    {
        ackEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).inMemoryWireSeq(sequence);
        return MessageHeaderEncoder.ENCODED_LENGTH + ackEncoder.encodedLength();
    }

    /**
     * @return the batch number the ack at {@code offset} answers.
     */
    long ackSequence(final DirectBuffer buffer, final int offset)
    {
        return ackDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder).inMemoryWireSeq();
    }

    private static byte[] copy(final DirectBuffer buffer, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return bytes;
    }
}
