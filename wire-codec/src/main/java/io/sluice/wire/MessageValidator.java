package io.sluice.wire;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Checks that bytes from outside are a well-formed message of one SBE schema before any generated decoder touches
 * them, so decoders downstream can trust lengths, enums and offsets. Reads only inside
 * {@code [offset, offset + length)}; allocates nothing; never throws for any input.
 * <p>
 * Thread safe: holds only immutable tables.
 */
public final class MessageValidator
{
    /** SBE message header: blockLength, templateId, schemaId, version, each uint16. */
    public static final int HEADER_LENGTH = 8;
    static final int BLOCK_LENGTH_OFFSET = 0;
    static final int TEMPLATE_ID_OFFSET = 2;
    static final int SCHEMA_ID_OFFSET = 4;
    static final int VERSION_OFFSET = 6;

    private static final int GROUP_HEADER_LENGTH = 4;
    private static final int VAR_DATA_HEADER_LENGTH = 4;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final int schemaId;
    private final int schemaVersion;
    private final MessageLayout[] layoutsByTemplateId;

    /**
     * @param schemaId      the only schema id accepted.
     * @param schemaVersion the newest version accepted; versions 1 up to it are accepted.
     * @param layouts       one per template of the schema.
     */
    public MessageValidator(final int schemaId, final int schemaVersion, final MessageLayout... layouts)
    {
        int maxTemplateId = 0;
        for (final MessageLayout layout : layouts)
        {
            maxTemplateId = Math.max(maxTemplateId, layout.templateId);
        }
        this.schemaId = schemaId;
        this.schemaVersion = schemaVersion;
        this.layoutsByTemplateId = new MessageLayout[maxTemplateId + 1];
        for (final MessageLayout layout : layouts)
        {
            if (layoutsByTemplateId[layout.templateId] != null)
            {
                throw new IllegalArgumentException("duplicate template id " + layout.templateId);
            }
            layoutsByTemplateId[layout.templateId] = layout;
        }
    }

    public int schemaId()
    {
        return schemaId;
    }

    public int schemaVersion()
    {
        return schemaVersion;
    }

    /**
     * @param buffer holding the message.
     * @param offset of the SBE message header.
     * @param length of header and body together.
     * @return {@link DecodeResult#OK} or the first problem found.
     */
    public DecodeResult validate(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < HEADER_LENGTH)
        {
            return DecodeResult.TRUNCATED_HEADER;
        }

        final int blockLength = buffer.getShort(offset + BLOCK_LENGTH_OFFSET, ORDER) & 0xFFFF;
        final int templateId = buffer.getShort(offset + TEMPLATE_ID_OFFSET, ORDER) & 0xFFFF;
        final int actualSchemaId = buffer.getShort(offset + SCHEMA_ID_OFFSET, ORDER) & 0xFFFF;
        final int version = buffer.getShort(offset + VERSION_OFFSET, ORDER) & 0xFFFF;

        if (actualSchemaId != schemaId)
        {
            return DecodeResult.WRONG_SCHEMA;
        }
        if (version < 1 || version > schemaVersion)
        {
            return DecodeResult.WRONG_VERSION;
        }

        final MessageLayout layout = templateId < layoutsByTemplateId.length ? layoutsByTemplateId[templateId] : null;
        if (layout == null)
        {
            return DecodeResult.UNKNOWN_TEMPLATE;
        }

        final int end = offset + length;
        final int blockOffset = offset + HEADER_LENGTH;
        if (blockLength < layout.minBlockLength(version) || blockLength > end - blockOffset)
        {
            return DecodeResult.BLOCK_LENGTH_TOO_SHORT;
        }

        final int[] enumOffsets = layout.enumOffsets;
        for (int i = 0; i < enumOffsets.length; i++)
        {
            if (enumOffsets[i] >= blockLength)
            {
                // Appended in a later version than the sender's: SBE decoders read it as null.
                continue;
            }
            final int code = buffer.getByte(blockOffset + enumOffsets[i]) & 0xFF;
            if (!layout.enumValidValues[i][code])
            {
                return DecodeResult.ENUM_OUT_OF_RANGE;
            }
        }

        int limit = blockOffset + blockLength;
        for (int i = 0; i < layout.groupBlockLengths.length; i++)
        {
            if (end - limit < GROUP_HEADER_LENGTH)
            {
                return DecodeResult.GROUP_OVERRUN;
            }
            final int entryLength = buffer.getShort(limit, ORDER) & 0xFFFF;
            final int count = buffer.getShort(limit + 2, ORDER) & 0xFFFF;
            limit += GROUP_HEADER_LENGTH;
            if (entryLength < layout.groupBlockLengths[i] || count > layout.groupMaxCounts[i] ||
                (long)entryLength * count > end - limit)
            {
                return DecodeResult.GROUP_OVERRUN;
            }
            limit += entryLength * count;
        }

        for (int i = 0; i < layout.varDataMaxLengths.length; i++)
        {
            if (end - limit < VAR_DATA_HEADER_LENGTH)
            {
                return DecodeResult.VAR_FIELD_OVERRUN;
            }
            final long dataLength = buffer.getInt(limit, ORDER) & 0xFFFF_FFFFL;
            limit += VAR_DATA_HEADER_LENGTH;
            if (dataLength > layout.varDataMaxLengths[i] || dataLength > end - limit)
            {
                return DecodeResult.VAR_FIELD_OVERRUN;
            }
            limit += (int)dataLength;
        }

        return limit == end ? DecodeResult.OK : DecodeResult.TRAILING_BYTES;
    }

    /**
     * Template id of a message whose header has already been validated.
     *
     * @param buffer holding the message.
     * @param offset of the SBE message header.
     * @return the template id.
     */
    public static int templateId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + TEMPLATE_ID_OFFSET, ORDER) & 0xFFFF;
    }

    /**
     * Schema id of a message whose header is at least present (it may have failed validation).
     *
     * @param buffer holding the message.
     * @param offset of the SBE message header.
     * @return the schema id.
     */
    public static int schemaId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + SCHEMA_ID_OFFSET, ORDER) & 0xFFFF;
    }

    /**
     * Block length of a message whose header has already been validated.
     *
     * @param buffer holding the message.
     * @param offset of the SBE message header.
     * @return the acting block length.
     */
    public static int blockLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + BLOCK_LENGTH_OFFSET, ORDER) & 0xFFFF;
    }

    /**
     * Version of a message whose header has already been validated.
     *
     * @param buffer holding the message.
     * @param offset of the SBE message header.
     * @return the acting version.
     */
    public static int version(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + VERSION_OFFSET, ORDER) & 0xFFFF;
    }
}
