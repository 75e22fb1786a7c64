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
     * Version of the replication protocol a node speaks on an unauthenticated link ({@code auth = off}); a handshake
     * with another version is refused. Bump it when the meaning of a message or of the stream changes, not only its
     * encoding. Its messages are those of schema version 1, byte for byte.
     */
    public static final int PROTOCOL_VERSION = 2;

    /**
     * Version of the protocol on an authenticated link ({@code auth = on} on both ends): signed challenge and
     * handshake, stream keys agreed over X25519, every message sealed ({@link StreamMac}), epochs believed only
     * when signed or sealed. A primary speaks one of the two, as its {@code auth} says, and refuses the other with a
     * reason that names the setting.
     */
    public static final int AUTHENTICATED_VERSION = 3;

    /** Schema version of the messages an unauthenticated link sends: the layout of before, unchanged. */
    static final int UNAUTHENTICATED_SCHEMA_VERSION = 1;

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
