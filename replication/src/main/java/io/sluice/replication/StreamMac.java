package io.sluice.replication;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The seal of one direction of one authenticated stream: after each message, its sender's sequence number and a tag,
 * the first {@link #TAG_LENGTH} bytes of HMAC-SHA256 (RFC 2104) over the message and that sequence number, under the
 * direction's key from the handshake ({@link ReplicationAuth#streamKeys}). The sender numbers its messages from 1;
 * the receiver takes a message only if its tag is right and its number is above the last one it took, so a message
 * replayed into the stream, or one sealed for another stream or the other direction, is refused.
 * <p>
 * HMAC is computed here over SHA-256 rather than through {@code javax.crypto.Mac}, whose {@code doFinal} allocates
 * on every call: nothing is allocated per message. One instance per direction and agent; its thread only.
 */
final class StreamMac
{
    /** Bytes of the tag. */
    static final int TAG_LENGTH = 16;
    /** Bytes that follow every message on an authenticated link: sequence number and tag. */
    static final int SEAL_LENGTH = Long.BYTES + TAG_LENGTH;
    /** Bytes of a stream key. */
    static final int KEY_LENGTH = 32;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int BLOCK_LENGTH = 64;
    private static final int DIGEST_LENGTH = 32;
    private static final byte IPAD = 0x36;
    private static final byte OPAD = 0x5c;
    private static final int SCRATCH_BYTES = 4096;

    private final MessageDigest digest;
    private final byte[] innerPad = new byte[BLOCK_LENGTH];
    private final byte[] outerPad = new byte[BLOCK_LENGTH];
    private final byte[] hash = new byte[DIGEST_LENGTH];
    /** Message bytes copied out of a buffer that is not backed by an array. */
    private final byte[] scratch = new byte[SCRATCH_BYTES];
    private boolean keyed;
    /** Sender: the number of the last message sealed. Receiver: of the last message taken. */
    private long sequence;

    StreamMac()
    {
        try
        {
            digest = MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("the JDK has no SHA-256", ex);
        }
    }

    /**
     * Takes up a new stream's key; the sequence starts again.
     *
     * @param key {@link #KEY_LENGTH} bytes from the key agreement.
     */
    void key(final byte[] key)
    {
        if (key.length != KEY_LENGTH)
        {
            throw new IllegalArgumentException("stream key must be " + KEY_LENGTH + " bytes: " + key.length);
        }
        for (int i = 0; i < BLOCK_LENGTH; i++)
        {
            final byte k = i < key.length ? key[i] : 0;
            innerPad[i] = (byte)(k ^ IPAD);
            outerPad[i] = (byte)(k ^ OPAD);
        }
        sequence = 0;
        keyed = true;
    }

    /** Takes up the key and sequence of {@code other}, e.g. the stream keys a verified handshake agreed. */
    void takeOver(final StreamMac other)
    {
        System.arraycopy(other.innerPad, 0, innerPad, 0, BLOCK_LENGTH);
        System.arraycopy(other.outerPad, 0, outerPad, 0, BLOCK_LENGTH);
        sequence = other.sequence;
        keyed = other.keyed;
    }

    /** Forgets the key: nothing verifies, and {@link #seal} writes zeros, until the next {@link #key}. */
    void clear()
    {
        Arrays.fill(innerPad, (byte)0);
        Arrays.fill(outerPad, (byte)0);
        sequence = 0;
        keyed = false;
    }

    boolean isKeyed()
    {
        return keyed;
    }

    /**
     * Writes the seal after the message at {@code offset}: the next sequence number and the tag, or zeros without a
     * key. The buffer must hold {@link #SEAL_LENGTH} bytes after the message.
     *
     * @return {@link #SEAL_LENGTH}.
     */
    int seal(final MutableDirectBuffer buffer, final int offset, final int messageLength)
    {
        final int sealOffset = offset + messageLength;
        if (!keyed)
        {
            return zeroSeal(buffer, offset, messageLength);
        }
        buffer.putLong(sealOffset, ++sequence, ORDER);
        tag(buffer, offset, messageLength + Long.BYTES);
        buffer.putBytes(sealOffset + Long.BYTES, hash, 0, TAG_LENGTH);
        return SEAL_LENGTH;
    }

    /**
     * Writes the seal of a message sent with no key agreed yet (an unsigned handshake, a challenge, an epoch proof):
     * zeros, which never verify.
     *
     * @return {@link #SEAL_LENGTH}.
     */
    static int zeroSeal(final MutableDirectBuffer buffer, final int offset, final int messageLength)
    {
        buffer.setMemory(offset + messageLength, SEAL_LENGTH, (byte)0);
        return SEAL_LENGTH;
    }

    /**
     * Checks the seal that follows the message at {@code offset} and, if it is good, takes its sequence number.
     *
     * @return true only with a key, a right tag and a sequence number above the last one taken.
     */
    boolean verify(final DirectBuffer buffer, final int offset, final int messageLength)
    {
        if (!keyed)
        {
            return false;
        }
        final int sealOffset = offset + messageLength;
        final long messageSequence = buffer.getLong(sealOffset, ORDER);
        if (messageSequence <= sequence)
        {
            return false;
        }
        tag(buffer, offset, messageLength + Long.BYTES);
        int difference = 0;
        for (int i = 0; i < TAG_LENGTH; i++)
        {
            difference |= hash[i] ^ buffer.getByte(sealOffset + Long.BYTES + i);
        }
        if (difference != 0)
        {
            return false;
        }
        sequence = messageSequence;
        return true;
    }

    /** HMAC-SHA256 of {@code length} bytes at {@code offset}, into {@link #hash}. */
    private void tag(final DirectBuffer buffer, final int offset, final int length)
    {
        try
        {
            digest.update(innerPad, 0, BLOCK_LENGTH);
            update(buffer, offset, length);
            digest.digest(hash, 0, DIGEST_LENGTH);
            digest.update(outerPad, 0, BLOCK_LENGTH);
            digest.update(hash, 0, DIGEST_LENGTH);
            digest.digest(hash, 0, DIGEST_LENGTH);
        }
        catch (final java.security.DigestException ex)
        {
            throw new IllegalStateException("SHA-256 digest into a 32-byte array failed", ex);
        }
    }

    private void update(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] array = buffer.byteArray();
        if (array != null)
        {
            digest.update(array, buffer.wrapAdjustment() + offset, length);
            return;
        }
        int index = offset;
        int remaining = length;
        while (remaining > 0)
        {
            final int chunk = Math.min(remaining, SCRATCH_BYTES);
            buffer.getBytes(index, scratch, 0, chunk);
            digest.update(scratch, 0, chunk);
            index += chunk;
            remaining -= chunk;
        }
    }
}
