package io.sluice.replication;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * The seal of the message an adapter is delivering: where the message lies, and whether exactly a seal's bytes
 * ({@link StreamMac#SEAL_LENGTH}) follow it in the fragment. A listener checks it against the key of the stream it
 * expects the message on, before the message may change anything. One per adapter, rewrapped for every message;
 * valid only during the callback. Its adapter's thread only.
 */
final class MessageSeal
{
    private DirectBuffer buffer;
    private int offset;
    private int messageLength;
    private boolean present;

    /**
     * @param messageLength bytes of the SBE message at {@code offset}, or {@link ReplicationAdapter#MALFORMED} if
     *                      unknown (then no seal is present).
     * @param limit         end of the fragment.
     */
    MessageSeal wrap(final DirectBuffer buffer, final int offset, final int messageLength, final int limit)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.messageLength = messageLength;
        this.present = messageLength >= 0 && limit - (offset + messageLength) == StreamMac.SEAL_LENGTH;
        return this;
    }

    /** Whether a seal follows the message; an authenticated link's peers seal every message. */
    boolean isPresent()
    {
        return present;
    }

    /**
     * Whether the seal is a sender's with no key agreed yet (all zeros up to its sequence number 0): sent before a
     * stream began, never valid on one.
     */
    boolean isKeyless()
    {
        return present && buffer.getLong(offset + messageLength, ByteOrder.LITTLE_ENDIAN) == 0;
    }

    /**
     * @param mac the receiving direction's key of the stream the message should belong to; null for none.
     * @return true only if a seal follows and {@code mac} verifies it (and takes its sequence number).
     */
    boolean verifiedBy(final StreamMac mac)
    {
        return present && mac != null && mac.verify(buffer, offset, messageLength);
    }
}
