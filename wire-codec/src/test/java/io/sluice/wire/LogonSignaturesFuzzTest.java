package io.sluice.wire;

import io.sluice.sbe.client.LogonDecoder;
import io.sluice.sbe.client.LogonEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes the logon proof a client sends: a valid (key, nonce, signature) triple is mutated in one of its parts and
 * {@link LogonSignatures#verify} must answer without throwing, and answer true only when the mutation left every
 * byte as it was. The second target carries the triple inside a real {@code Logon} frame, mutates the frame, and
 * verifies whatever the frame decoder lets through, as the server's logon path does.
 * <p>
 * Tries scale with {@code -Dsluice.fuzz.scale=N}; {@code -Dsluice.fuzz.seed=S} changes the inputs. A failure names
 * the seed, the try and the input.
 */
class LogonSignaturesFuzzTest
{
    private static final long SEED = Long.getLong("sluice.fuzz.seed", 0x10_6057_0FL);
    private static final int SCALE = Integer.getInteger("sluice.fuzz.scale", 1);
    private static final int TRIPLE_TRIES = 800 * SCALE;
    private static final int FRAME_TRIES = 800 * SCALE;
    private static final int KEY_PAIRS = 4;

    private final KeyPair[] keyPairs = new KeyPair[KEY_PAIRS];
    private final byte[][] rawKeys = new byte[KEY_PAIRS][];

    LogonSignaturesFuzzTest() throws Exception
    {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        final SecureRandom keyRandom = SecureRandom.getInstance("SHA1PRNG");
        keyRandom.setSeed(SEED);
        generator.initialize(255, keyRandom);
        for (int i = 0; i < KEY_PAIRS; i++)
        {
            keyPairs[i] = generator.generateKeyPair();
            rawKeys[i] = LogonSignatures.rawPublicKey(keyPairs[i].getPublic());
        }
    }

    @Test
    void shouldVerifyOnlyTheUnmutatedProof()
    {
        assertTimeoutPreemptively(Duration.ofMinutes(2L * SCALE), () ->
        {
            final SplittableRandom random = new SplittableRandom(SEED);
            int accepted = 0;
            int refused = 0;
            for (int i = 0; i < TRIPLE_TRIES; i++)
            {
                final int signer = random.nextInt(KEY_PAIRS);
                final byte[] nonce = randomBytes(random, LogonSignatures.NONCE_LENGTH);
                final byte[] signature = LogonSignatures.sign(keyPairs[signer].getPrivate(), nonce);

                final byte[][] parts = { rawKeys[signer].clone(), nonce.clone(), signature.clone(),
                    LogonSignatures.CONTEXT.clone() };
                final int part = random.nextInt(parts.length);
                parts[part] = mutate(random, parts[part], part == 0 ? rawKeys : null);
                final boolean unchanged = Arrays.equals(parts[0], rawKeys[signer]) && Arrays.equals(parts[1], nonce) &&
                    Arrays.equals(parts[2], signature) && Arrays.equals(parts[3], LogonSignatures.CONTEXT);

                final boolean verified;
                try
                {
                    verified = LogonSignatures.verify(parts[0], parts[3], parts[1], parts[2]);
                }
                catch (final RuntimeException ex)
                {
                    throw new AssertionError(describe(i, part, parts), ex);
                }
                if (verified != unchanged)
                {
                    fail((verified ? "accepted a mutated proof: " : "refused an intact proof: ") + describe(i, part, parts));
                }
                accepted += verified ? 1 : 0;
                refused += verified ? 0 : 1;
            }
            System.out.println("fuzz logon-proof: seed=" + SEED + " tries=" + TRIPLE_TRIES + " verified=" + accepted +
                " refused=" + refused);
            assertTrue(refused > TRIPLE_TRIES / 2, "most mutations change the proof: refused " + refused);
            assertTrue(accepted > 0, "some tries keep the proof intact: accepted " + accepted);
        });
    }

    @Test
    void shouldVerifyOnlyTheUnmutatedProofCarriedInALogonFrame()
    {
        assertTimeoutPreemptively(Duration.ofMinutes(2L * SCALE), () ->
        {
            final SplittableRandom random = new SplittableRandom(SEED + 1);
            final FrameEncoder encoder = new FrameEncoder();
            final FrameDecoder decoder = new FrameDecoder(ClientProtocol.validator(), 4096);
            final UnsafeBuffer scratch = new UnsafeBuffer(new byte[512]);
            final LogonCheck check = new LogonCheck();
            for (int i = 0; i < FRAME_TRIES; i++)
            {
                final int signer = random.nextInt(KEY_PAIRS);
                final byte[] nonce = randomBytes(random, LogonSignatures.NONCE_LENGTH);
                final byte[] signature = LogonSignatures.sign(keyPairs[signer].getPrivate(), nonce);
                final LogonEncoder logon = encoder.begin(scratch, 0, new LogonEncoder())
                    .sessionId(random.nextLong())
                    .accountId(random.nextLong())
                    .putPublicKey(rawKeys[signer], 0, LogonSignatures.PUBLIC_KEY_LENGTH)
                    .putSignature(signature, 0, LogonSignatures.SIGNATURE_LENGTH);
                final int validLength = encoder.end(scratch, 0, logon);

                final byte[] original = new byte[validLength];
                scratch.getBytes(0, original);
                final byte[] frame = mutate(random, original, null);

                check.reset(nonce, rawKeys[signer], signature);
                try
                {
                    final UnsafeBuffer exact = new UnsafeBuffer(frame);
                    decoder.decode(exact, 0, frame.length, check);
                }
                catch (final RuntimeException ex)
                {
                    throw new AssertionError("try " + i + " seed " + SEED + " frame " + hex(frame), ex);
                }
                if (check.verifiedWithOtherProof)
                {
                    fail("a Logon whose key or signature changed verified: try " + i + " seed " + SEED + " frame " +
                        hex(frame));
                }
                if (Arrays.equals(frame, original))
                {
                    assertEquals(1, check.verified, "an intact Logon frame verifies: try " + i);
                }
            }
        });
    }

    @Test
    void shouldRefuseAValidSignatureWithAZeroByteAppended() throws Exception
    {
        // Found by the proof fuzz (seed 20261122, scale 10, try 2582): the JDK's Ed25519 verifier accepts a
        // 65-byte signature whose last byte is zero, so a lengthened copy of a valid proof verified.
        final byte[] nonce = new byte[LogonSignatures.NONCE_LENGTH];
        final byte[] signature = LogonSignatures.sign(keyPairs[0].getPrivate(), nonce);
        assertTrue(LogonSignatures.verify(rawKeys[0], nonce, signature));

        assertFalse(LogonSignatures.verify(rawKeys[0], nonce, Arrays.copyOf(signature, signature.length + 1)));
        assertFalse(LogonSignatures.verify(rawKeys[0], nonce, Arrays.copyOf(signature, signature.length - 1)));
    }

    /** Decodes each Logon the frame decoder passes and checks its proof against the challenge. */
    private static final class LogonCheck implements FrameHandler
    {
        private final LogonDecoder logon = new LogonDecoder();
        private final byte[] key = new byte[LogonSignatures.PUBLIC_KEY_LENGTH];
        private final byte[] signature = new byte[LogonSignatures.SIGNATURE_LENGTH];
        private byte[] nonce;
        private byte[] expectedKey;
        private byte[] expectedSignature;
        int verified;
        boolean verifiedWithOtherProof;

        void reset(final byte[] nonce, final byte[] expectedKey, final byte[] expectedSignature)
        {
            this.nonce = nonce;
            this.expectedKey = expectedKey;
            this.expectedSignature = expectedSignature;
            verified = 0;
            verifiedWithOtherProof = false;
        }

        @Override
        public boolean onMessage(final DirectBuffer buffer, final int offset, final int length, final int templateId)
        {
            if (templateId != LogonDecoder.TEMPLATE_ID)
            {
                return true;
            }
            logon.wrap(buffer, offset + MessageValidator.HEADER_LENGTH, MessageValidator.blockLength(buffer, offset),
                MessageValidator.version(buffer, offset));
            logon.getPublicKey(key, 0, key.length);
            logon.getSignature(signature, 0, signature.length);
            if (LogonSignatures.verify(key, nonce, signature))
            {
                verified++;
                verifiedWithOtherProof |= !Arrays.equals(key, expectedKey) ||
                    !Arrays.equals(signature, expectedSignature);
            }
            return true;
        }

        @Override
        public boolean onMalformed(
            final DecodeResult reason, final DirectBuffer buffer, final int offset, final int length)
        {
            return true;
        }

        @Override
        public void onFramingError(final DecodeResult reason, final int frameLength)
        {
        }
    }

    /**
     * One mutation of {@code original}: bit flips, byte overwrites, truncation, extension, zeroing, a slice of
     * another key, or nothing at all (so intact inputs are checked too).
     */
    private static byte[] mutate(final SplittableRandom random, final byte[] original, final byte[][] otherKeys)
    {
        final byte[] bytes = original.clone();
        switch (random.nextInt(9))
        {
            case 0:
                return bytes;
            case 1:
            {
                final int flips = 1 + random.nextInt(3);
                for (int f = 0; f < flips && bytes.length > 0; f++)
                {
                    final int index = random.nextInt(bytes.length);
                    bytes[index] ^= (byte)(1 << random.nextInt(8));
                }
                return bytes;
            }
            case 2:
                if (bytes.length > 0)
                {
                    bytes[random.nextInt(bytes.length)] = (byte)random.nextInt(256);
                }
                return bytes;
            case 3:
                return Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
            case 4:
            {
                final byte[] longer = Arrays.copyOf(bytes, bytes.length + 1 + random.nextInt(8));
                for (int i = bytes.length; i < longer.length; i++)
                {
                    longer[i] = (byte)random.nextInt(256);
                }
                return longer;
            }
            case 5:
                Arrays.fill(bytes, (byte)0);
                return bytes;
            case 6:
                Arrays.fill(bytes, (byte)0xFF);
                return bytes;
            case 7:
                if (otherKeys != null)
                {
                    return otherKeys[random.nextInt(otherKeys.length)].clone();
                }
                return bytes;
            default:
            {
                // Swap two halves: every byte still present, in the wrong place.
                final int half = bytes.length / 2;
                final byte[] swapped = new byte[bytes.length];
                System.arraycopy(bytes, half, swapped, 0, bytes.length - half);
                System.arraycopy(bytes, 0, swapped, bytes.length - half, half);
                return swapped;
            }
        }
    }

    private static byte[] randomBytes(final SplittableRandom random, final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)random.nextInt(256);
        }
        return bytes;
    }

    private static String describe(final int attempt, final int part, final byte[][] parts)
    {
        return "try " + attempt + " seed " + SEED + " mutated part " + part + " key=" + hex(parts[0]) + " nonce=" +
            hex(parts[1]) + " signature=" + hex(parts[2]) + " context=" + hex(parts[3]);
    }

    private static String hex(final byte[] bytes)
    {
        return HexFormat.of().formatHex(bytes);
    }
}
