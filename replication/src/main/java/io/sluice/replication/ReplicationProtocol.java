package io.sluice.replication;

import io.sluice.journal.JournalPublisher;
import io.sluice.sbe.journal.JournalEntryEncoder;
import io.sluice.sbe.replication.JournalBatchEncoder;
import io.sluice.sbe.replication.MessageHeaderEncoder;

/**
 * Constants both ends of a replication stream agree on.
 */
public final class ReplicationProtocol
{
    /**
     * Version of the replication protocol a node speaks; a handshake with another version is refused. Bump it when
     * the meaning of a message or of the stream changes, not only its encoding.
     */
    public static final int PROTOCOL_VERSION = 2;

    /** Aeron stream id of the data stream (primary to replica). */
    public static final int DATA_STREAM_ID = 0x5100;

    /** Aeron stream id of the control stream (replica to primary). */
    public static final int CONTROL_STREAM_ID = 0x5101;

    /** Largest encoded journal entry (a command of {@link JournalPublisher#MAX_COMMAND_LENGTH_BYTES} bytes). */
    public static final int MAX_ENTRY_LENGTH = io.sluice.sbe.journal.MessageHeaderEncoder.ENCODED_LENGTH +
        JournalEntryEncoder.BLOCK_LENGTH + JournalEntryEncoder.commandHeaderLength() +
        JournalPublisher.MAX_COMMAND_LENGTH_BYTES;

    /** Smallest encoded journal entry (an empty command). */
    static final int MIN_ENTRY_LENGTH = MAX_ENTRY_LENGTH - JournalPublisher.MAX_COMMAND_LENGTH_BYTES;

    /** Bytes of a JournalBatch before its first entry: message header, fixed block, var-data length. */
    static final int BATCH_HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + JournalBatchEncoder.BLOCK_LENGTH +
        JournalBatchEncoder.entriesHeaderLength();

    /** Each entry in a batch is preceded by its length. */
    static final int ENTRY_LENGTH_PREFIX = 4;

    /** A batch that carries one entry of the largest size. */
    static final int MAX_SINGLE_ENTRY_BATCH_LENGTH = BATCH_HEADER_LENGTH + ENTRY_LENGTH_PREFIX + MAX_ENTRY_LENGTH;

    /** Handshake fields meaning "no entry": an empty journal. */
    public static final long NO_WIRE_SEQ = 0;

    private ReplicationProtocol()
    {
    }
}
