package io.sluice.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The shape of one SBE message as far as validation needs it: the minimum fixed block, which bytes of the block
 * are enums and which values they may take, the repeating groups in order and the variable-length fields in order.
 * Built once at start-up from the generated codecs' constants; immutable afterwards.
 */
public final class MessageLayout
{
    private static final int ENUM_TABLE_SIZE = 256;
    private static final String SBE_NULL_CONSTANT = "NULL_VAL";

    final int templateId;
    final int blockLength;
    /** Messages whose header version is below this need only {@link #blockLengthBefore}; 0 when no field grew. */
    final int grewInVersion;
    final int blockLengthBefore;
    final int[] enumOffsets;
    final boolean[][] enumValidValues;
    final int[] groupBlockLengths;
    final int[] groupMaxCounts;
    final int[] varDataMaxLengths;

    private MessageLayout(final Builder builder)
    {
        templateId = builder.templateId;
        blockLength = builder.blockLength;
        grewInVersion = builder.grewInVersion;
        blockLengthBefore = builder.blockLengthBefore;
        enumOffsets = builder.enumOffsets.stream().mapToInt(Integer::intValue).toArray();
        enumValidValues = builder.enumValidValues.toArray(new boolean[0][]);
        groupBlockLengths = builder.groupBlockLengths.stream().mapToInt(Integer::intValue).toArray();
        groupMaxCounts = builder.groupMaxCounts.stream().mapToInt(Integer::intValue).toArray();
        varDataMaxLengths = builder.varDataMaxLengths.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * @param templateId  of the message.
     * @param blockLength the schema's fixed block length for the message at the decoder's version.
     * @return a builder for the message's layout.
     */
    public static Builder message(final int templateId, final int blockLength)
    {
        return new Builder(templateId, blockLength);
    }

    public int templateId()
    {
        return templateId;
    }

    /**
     * @param version from a message header.
     * @return the shortest fixed block a message of this template may have at that version.
     */
    int minBlockLength(final int version)
    {
        return version < grewInVersion ? blockLengthBefore : blockLength;
    }

    /**
     * Fluent construction of a {@link MessageLayout}; fields are declared in the order they appear on the wire.
     */
    public static final class Builder
    {
        private final int templateId;
        private final int blockLength;
        private int grewInVersion;
        private int blockLengthBefore;
        private final List<Integer> enumOffsets = new ArrayList<>();
        private final List<boolean[]> enumValidValues = new ArrayList<>();
        private final List<Integer> groupBlockLengths = new ArrayList<>();
        private final List<Integer> groupMaxCounts = new ArrayList<>();
        private final List<Integer> varDataMaxLengths = new ArrayList<>();

        private Builder(final int templateId, final int blockLength)
        {
            this.templateId = templateId;
            this.blockLength = blockLength;
        }

        /**
         * Declare that fields were appended to the fixed block in a schema version: a message sent at an earlier
         * version is valid with the shorter block it had then (SBE's rule for older senders).
         *
         * @param version           the schema version that appended fields.
         * @param blockLengthBefore the fixed block length before it.
         * @return this builder.
         */
        public Builder grewIn(final int version, final int blockLengthBefore)
        {
            this.grewInVersion = version;
            this.blockLengthBefore = blockLengthBefore;
            return this;
        }

        /**
         * Declare a one-byte enum in the fixed block. The SBE null value is not accepted: every enum field in a
         * Sluice message is required.
         *
         * @param offset within the fixed block.
         * @param values of the generated enum, e.g. {@code Side.values()}.
         * @param code   how to read an enum constant's wire value, e.g. {@code Side::value}.
         * @param <E>    the generated enum type.
         * @return this builder.
         */
        public <E extends Enum<E>> Builder enumField(final int offset, final E[] values, final ToIntFunction<E> code)
        {
            return enumField(offset, values, code, false);
        }

        /**
         * Declare a one-byte enum in the fixed block that may also hold the SBE null value, for fields that have no
         * meaningful value in some messages (the side of an order that does not exist).
         *
         * @param offset within the fixed block.
         * @param values of the generated enum, e.g. {@code Side.values()}.
         * @param code   how to read an enum constant's wire value, e.g. {@code Side::value}.
         * @param <E>    the generated enum type.
         * @return this builder.
         */
        public <E extends Enum<E>> Builder optionalEnumField(
            final int offset, final E[] values, final ToIntFunction<E> code)
        {
            return enumField(offset, values, code, true);
        }

        private <E extends Enum<E>> Builder enumField(
            final int offset, final E[] values, final ToIntFunction<E> code, final boolean nullable)
        {
            final boolean[] valid = new boolean[ENUM_TABLE_SIZE];
            for (final E value : values)
            {
                if (nullable || !SBE_NULL_CONSTANT.equals(value.name()))
                {
                    valid[code.applyAsInt(value) & 0xFF] = true;
                }
            }
            enumOffsets.add(offset);
            enumValidValues.add(valid);
            return this;
        }

        /**
         * Declare a repeating group (groupSizeEncoding: uint16 blockLength, uint16 numInGroup) following the block.
         *
         * @param blockLength the schema's block length of one group entry.
         * @param maxCount    the largest numInGroup accepted.
         * @return this builder.
         */
        public Builder group(final int blockLength, final int maxCount)
        {
            groupBlockLengths.add(blockLength);
            groupMaxCounts.add(maxCount);
            return this;
        }

        /**
         * Declare a variable-length field (uint32 length prefix) following the groups.
         *
         * @param maxLength the largest length accepted.
         * @return this builder.
         */
        public Builder varData(final int maxLength)
        {
            varDataMaxLengths.add(maxLength);
            return this;
        }

        public MessageLayout build()
        {
            return new MessageLayout(this);
        }
    }
}
