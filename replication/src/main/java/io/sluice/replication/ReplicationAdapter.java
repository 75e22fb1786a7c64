package io.sluice.replication;

import io.aeron.Image;
import io.aeron.Subscription;
import io.sluice.sbe.replication.MessageHeaderDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * What both ends' adapters share: the subscription they poll, the checks every incoming replication message passes
 * before its template is read, the seal of the message being delivered ({@link MessageSeal}), and the counts of
 * messages dropped as malformed or unauthenticated.
 * <p>
 * A fragment too short for a message header, of another schema, or shorter than the block its header claims is not
 * a replication message: it is passed over uncounted. A message whose block is shorter than its template's, or whose
 * variable-length field runs past the fragment, is malformed: counted in {@link #malformedMessages()}. A message an
 * authenticated link needs sealed whose seal is missing or does not verify is counted by its listener in
 * {@link #unauthenticatedMessages()}.
 * <p>
 * Runs on its agent's thread, which is the only writer of every field; the counters may be read by any thread.
 */
abstract class ReplicationAdapter implements AutoCloseable
{
    /** A variable-length field whose length or bytes run past the fragment, or a batch with no entries. */
    static final int MALFORMED = -1;
    /** {@link #templateId} of a fragment that is not a replication message. */
    static final int NOT_A_MESSAGE = -1;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int VAR_DATA_LENGTH_BYTES = 4;

    final Subscription subscription;
    final int fragmentLimit;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    /** The seal of the message being delivered; rewrapped per message. */
    final MessageSeal seal = new MessageSeal();
    /** Messages dropped as malformed; written by the agent thread only, read by any thread. */
    private volatile long malformedMessages;
    /** Messages dropped as unauthenticated; written by the agent thread only, read by any thread. */
    private volatile long unauthenticatedMessages;

    ReplicationAdapter(final Subscription subscription, final int fragmentLimit)
    {
        this.subscription = subscription;
        this.fragmentLimit = fragmentLimit;
    }

    /**
     * Checks the message header and, for a template this end knows, that the block is at least the template's.
     *
     * @return the template id, or {@link #NOT_A_MESSAGE} if the fragment is not a replication message, its template
     * is unknown here (both passed over uncounted) or its block is short (counted).
     */
    final int templateId(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return NOT_A_MESSAGE;
        }
        headerDecoder.wrap(buffer, offset);
        if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID ||
            length < MessageHeaderDecoder.ENCODED_LENGTH + headerDecoder.blockLength())
        {
            return NOT_A_MESSAGE;
        }
        final int templateId = headerDecoder.templateId();
        final int minBlockLength = minBlockLength(templateId);
        if (minBlockLength == NOT_A_MESSAGE)
        {
            return NOT_A_MESSAGE;
        }
        if (headerDecoder.blockLength() < minBlockLength)
        {
            countMalformed();
            return NOT_A_MESSAGE;
        }
        return templateId;
    }

    /**
     * @return the shortest block this end reads of {@code templateId}, or {@link #NOT_A_MESSAGE} for a template it
     * does not take.
     */
    abstract int minBlockLength(int templateId);

    /** Block length of the message {@link #templateId} last accepted. */
    final int blockLength()
    {
        return headerDecoder.blockLength();
    }

    /** Schema version of the message {@link #templateId} last accepted. */
    final int version()
    {
        return headerDecoder.version();
    }

    /**
     * Reads a variable-length field's length, checking that the length and the bytes it claims lie inside the
     * fragment; the bytes start at {@code lengthOffset + 4}.
     *
     * @param limit end of the fragment in {@code buffer}.
     * @return the length, or {@link #MALFORMED}.
     */
    static int varDataLength(final DirectBuffer buffer, final int lengthOffset, final int limit)
    {
        final int dataOffset = lengthOffset + VAR_DATA_LENGTH_BYTES;
        if (dataOffset > limit)
        {
            return MALFORMED;
        }
        final long dataLength = buffer.getInt(lengthOffset, ORDER) & 0xFFFF_FFFFL;
        return dataOffset + dataLength > limit ? MALFORMED : (int)dataLength;
    }

    /**
     * Counts a message dropped as malformed: by this adapter, or by its listener for a variable-length field the
     * adapter flagged {@link #MALFORMED} or a value outside what the protocol allows, once it knows the message was
     * meant for the stream it serves.
     */
    final void countMalformed()
    {
        malformedMessages++;
    }

    /** Messages dropped as malformed; any thread. */
    final long malformedMessages()
    {
        return malformedMessages;
    }

    /**
     * Counts a message dropped because the authenticated link needed it sealed (or signed) by a peer it trusts and
     * it was not; the listener decides, knowing which stream the message claims to belong to.
     */
    final void countUnauthenticated()
    {
        unauthenticatedMessages++;
    }

    /** Messages dropped as unauthenticated; any thread. */
    final long unauthenticatedMessages()
    {
        return unauthenticatedMessages;
    }

    /** Wraps {@link #seal} on a fixed-length message (header and block) at {@code offset}. */
    final MessageSeal fixedSeal(final DirectBuffer buffer, final int offset, final int limit)
    {
        return seal.wrap(buffer, offset, MessageHeaderDecoder.ENCODED_LENGTH + headerDecoder.blockLength(), limit);
    }

    /**
     * Wraps {@link #seal} on a message that ends with one variable-length field.
     *
     * @param dataOffset where the field's bytes start.
     * @param dataLength their length, or {@link #MALFORMED}.
     */
    final MessageSeal varSeal(
        final DirectBuffer buffer, final int offset, final int dataOffset, final int dataLength, final int limit)
    {
        return seal.wrap(buffer, offset, dataLength < 0 ? MALFORMED : dataOffset + dataLength - offset, limit);
    }

    /** Whether the peer's image with this session id is still connected. */
    /**
     * @return true once a sender's stream reaches this subscription (an image is up): what is sent to it from now on
     * is delivered, while frames sent before the image existed are not.
     */
    final boolean isConnected()
    {
        return subscription.isConnected();
    }

    final boolean isImageLive(final int sessionId)
    {
        final Image image = subscription.imageBySessionId(sessionId);
        return image != null && !image.isClosed() && !image.isEndOfStream();
    }

    public final void close()
    {
        CloseHelper.close(subscription);
    }
}
