package io.sluice.harness.floor;

import io.sluice.sbe.client.BatchEndEncoder;
import io.sluice.sbe.client.ExecutionReportEncoder;
import io.sluice.sbe.client.NewOrderEncoder;
import io.sluice.sbe.journal.JournalEntryEncoder;
import io.sluice.wire.FrameDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FloorMessagesTest
{
    private static final int FRAME_OVERHEAD = FrameDecoder.LENGTH_FIELD_LENGTH +
        io.sluice.sbe.client.MessageHeaderEncoder.ENCODED_LENGTH;

    @Test
    void shouldCarryANewOrderOutAndAReportWithItsBatchEndBack()
    {
        assertEquals(FRAME_OVERHEAD + NewOrderEncoder.BLOCK_LENGTH, FloorMessages.tcpRequest().length);
        assertEquals(2 * FRAME_OVERHEAD + ExecutionReportEncoder.BLOCK_LENGTH + BatchEndEncoder.BLOCK_LENGTH,
            FloorMessages.tcpReply().length);
    }

    @Test
    void shouldNumberEachBatchAndEchoTheNumberInItsAck()
    {
        final FloorMessages messages = new FloorMessages();
        final UnsafeBuffer batch = new UnsafeBuffer(ByteBuffer.allocateDirect(FloorMessages.batchBytes()));
        final UnsafeBuffer ack = new UnsafeBuffer(ByteBuffer.allocateDirect(FloorMessages.ackBytes()));

        assertEquals(FloorMessages.batchBytes(), messages.encodeBatch(batch, 41));
        assertEquals(41, messages.batchSequence(batch, 0));
        assertEquals(FloorMessages.ackBytes(), messages.encodeAck(ack, messages.batchSequence(batch, 0)));
        assertEquals(41, messages.ackSequence(ack, 0));
    }

    @Test
    void shouldStoreTheCommandWithTheJournalsEntryHeader()
    {
        assertEquals(io.sluice.sbe.journal.MessageHeaderEncoder.ENCODED_LENGTH + JournalEntryEncoder.BLOCK_LENGTH +
            JournalEntryEncoder.commandHeaderLength() + SyncProbe.JOURNAL_COMMAND_BYTES, SyncProbe.journalEntryBytes());
        assertTrue(FloorMessages.batchBytes() > SyncProbe.journalEntryBytes(), "the batch carries the entry");
    }
}
