package io.sluice.replication;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seal: RFC 2104 HMAC-SHA256 truncated, numbered so a replay is refused, keyed per stream and direction, and
 * computed without allocating.
 */
class StreamMacTest
{
    private static final int MESSAGE_LENGTH = 300;

    private final byte[] key = new byte[StreamMac.KEY_LENGTH];
    private final UnsafeBuffer heap = new UnsafeBuffer(new byte[1024]);
    private final UnsafeBuffer direct = new UnsafeBuffer(BufferUtil.allocateDirectAligned(1024, 64));

    StreamMacTest()
    {
        new Random(11).nextBytes(key);
        final byte[] message = new byte[MESSAGE_LENGTH];
        new Random(12).nextBytes(message);
        heap.putBytes(0, message);
        direct.putBytes(0, message);
    }

    private static StreamMac keyed(final byte[] key)
    {
        final StreamMac mac = new StreamMac();
        mac.key(key);
        return mac;
    }

    @Test
    void shouldComputeTheTagAsTheJdksHmacSha256Does() throws Exception
    {
        keyed(key).seal(heap, 0, MESSAGE_LENGTH);

        final Mac jdk = Mac.getInstance("HmacSHA256");
        jdk.init(new SecretKeySpec(key, "HmacSHA256"));
        final byte[] sealedBytes = new byte[MESSAGE_LENGTH + Long.BYTES];
        heap.getBytes(0, sealedBytes);
        final byte[] expected = Arrays.copyOf(jdk.doFinal(sealedBytes), StreamMac.TAG_LENGTH);
        final byte[] tag = new byte[StreamMac.TAG_LENGTH];
        heap.getBytes(MESSAGE_LENGTH + Long.BYTES, tag);

        assertEquals(1, heap.getLong(MESSAGE_LENGTH, ByteOrder.LITTLE_ENDIAN), "the first message is number 1");
        assertArrayEquals(expected, tag);
    }

    @Test
    void shouldVerifyWhatTheSameKeySealedInOrderAndRefuseAReplay()
    {
        final StreamMac sender = keyed(key);
        final StreamMac receiver = keyed(key);
        sender.seal(heap, 0, MESSAGE_LENGTH);
        final byte[] first = new byte[MESSAGE_LENGTH + StreamMac.SEAL_LENGTH];
        heap.getBytes(0, first);
        sender.seal(direct, 0, MESSAGE_LENGTH);

        assertTrue(receiver.verify(new UnsafeBuffer(first), 0, MESSAGE_LENGTH));
        assertFalse(receiver.verify(new UnsafeBuffer(first), 0, MESSAGE_LENGTH), "replayed");
        assertTrue(receiver.verify(direct, 0, MESSAGE_LENGTH), "the next one, from a direct buffer");
        assertFalse(receiver.verify(new UnsafeBuffer(first), 0, MESSAGE_LENGTH), "older than the last taken");
    }

    @Test
    void shouldRefuseAChangedMessageAnotherKeyAZeroSealAndNoKey()
    {
        keyed(key).seal(heap, 0, MESSAGE_LENGTH);
        final byte[] sealed = new byte[MESSAGE_LENGTH + StreamMac.SEAL_LENGTH];
        heap.getBytes(0, sealed);

        final byte[] changed = sealed.clone();
        changed[17] ^= 1;
        assertFalse(keyed(key).verify(new UnsafeBuffer(changed), 0, MESSAGE_LENGTH));
        final byte[] renumbered = sealed.clone();
        renumbered[MESSAGE_LENGTH] = 2;
        assertFalse(keyed(key).verify(new UnsafeBuffer(renumbered), 0, MESSAGE_LENGTH));
        final byte[] otherKey = key.clone();
        otherKey[0] ^= 1;
        assertFalse(keyed(otherKey).verify(new UnsafeBuffer(sealed), 0, MESSAGE_LENGTH));
        final StreamMac cleared = keyed(key);
        cleared.clear();
        assertFalse(cleared.verify(new UnsafeBuffer(sealed), 0, MESSAGE_LENGTH));

        StreamMac.zeroSeal(heap, 0, MESSAGE_LENGTH);
        assertFalse(keyed(key).verify(heap, 0, MESSAGE_LENGTH), "a keyless seal never verifies");
    }

    @Test
    void shouldTakeOverAnotherMacsKeyAndSequence()
    {
        final StreamMac sender = keyed(key);
        final StreamMac pending = keyed(key);
        sender.seal(heap, 0, MESSAGE_LENGTH);
        assertTrue(pending.verify(heap, 0, MESSAGE_LENGTH));

        final StreamMac stream = new StreamMac();
        stream.takeOver(pending);
        assertFalse(stream.verify(heap, 0, MESSAGE_LENGTH), "the message the pending key took stays taken");
        sender.seal(heap, 0, MESSAGE_LENGTH);
        assertTrue(stream.verify(heap, 0, MESSAGE_LENGTH));
    }

    @Test
    void shouldSealAndVerifyWithoutAllocating()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final StreamMac sender = keyed(key);
        final StreamMac receiver = keyed(key);
        for (int i = 0; i < 20_000; i++)
        {
            sender.seal(direct, 0, MESSAGE_LENGTH);
            receiver.verify(direct, 0, MESSAGE_LENGTH);
        }
        final long threadId = Thread.currentThread().getId();
        final long before = threads.getThreadAllocatedBytes(threadId);
        boolean verified = true;
        for (int i = 0; i < 10_000; i++)
        {
            sender.seal(direct, 0, MESSAGE_LENGTH);
            verified &= receiver.verify(direct, 0, MESSAGE_LENGTH);
            sender.seal(heap, 0, MESSAGE_LENGTH);
            verified &= receiver.verify(heap, 0, MESSAGE_LENGTH);
        }
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;

        assertTrue(verified);
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes over 40,000 seals and checks");
    }
}
