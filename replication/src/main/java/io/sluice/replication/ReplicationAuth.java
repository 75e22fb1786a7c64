package io.sluice.replication;

import io.sluice.wire.LogonSignatures;

import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * The cryptography of an authenticated replication link (protocol {@link ReplicationProtocol#AUTHENTICATED_VERSION},
 * every node {@code auth = on}); both ends hold an Ed25519 replication key listed in the other's authorized keys.
 * <ol>
 *     <li>The replica's unsigned Handshake is answered with an {@code AuthChallenge}: a random challenge, the
 *     primary's X25519 key for as long as that challenge stands, its replication key, and its signature over
 *     {@link #challengeMessage}. The replica believes it only from a key listed with the replication role.</li>
 *     <li>The replica answers with a Handshake carrying the challenge, its own X25519 key for this attempt, its
 *     replication key and its signature over the {@link #transcript} (challenge, both X25519 keys, both replication
 *     keys, both node ids, the correlation id).</li>
 *     <li>Each end computes the X25519 secret, and from it and the transcript two stream keys
 *     ({@link #streamKeys}, HKDF-SHA256): one per direction. Every later message of the stream, the signed Handshake
 *     itself first, is sealed with its direction's key ({@link StreamMac}); an eavesdropper learns neither key, and
 *     a message sealed for one stream or direction is refused on any other.</li>
 * </ol>
 * A replica's epoch reaches a primary it does not stream from (a stale primary) in an {@code EpochProof}: the epoch
 * signed over {@link #epochMessage}, believed only from a listed replication key. Every signature has a context of
 * its own, so a logon signature, a challenge, a transcript and an epoch can never pass for one another.
 * <p>
 * These run once per handshake, or per epoch change, never per message; they allocate.
 */
public final class ReplicationAuth
{
    static final byte[] CHALLENGE_CONTEXT = "sluice-replication-v3-challenge".getBytes(StandardCharsets.US_ASCII);
    static final byte[] HANDSHAKE_CONTEXT = "sluice-replication-v3-handshake".getBytes(StandardCharsets.US_ASCII);
    static final byte[] EPOCH_CONTEXT = "sluice-replication-v3-epoch".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEYS_INFO = "sluice-replication-v3-stream-keys".getBytes(StandardCharsets.US_ASCII);

    static final int CHALLENGE_LENGTH = 32;
    static final int KEY_LENGTH = 32;
    static final int SIGNATURE_LENGTH = 64;

    /** DER prefix of an X.509 SubjectPublicKeyInfo holding an X25519 key; the raw 32-byte key follows it. */
    private static final byte[] X509_X25519_PREFIX = {
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00 };
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private ReplicationAuth()
    {
    }

    /**
     * Decides whether a key may take part in replication.
     */
    @FunctionalInterface
    public interface KeyCheck
    {
        /**
         * @param rawPublicKey the peer's 32-byte Ed25519 key.
         * @return null if the key is listed with the replication role, else why not.
         */
        String refusal(byte[] rawPublicKey);
    }

    /**
     * The two stream keys of an authenticated stream.
     *
     * @param replicaToPrimary seals the control stream's messages (handshake, acks, heartbeats).
     * @param primaryToReplica seals the data stream's messages.
     */
    record StreamKeys(byte[] replicaToPrimary, byte[] primaryToReplica)
    {
    }

    static byte[] challengeMessage(final byte[] challenge, final byte[] ephemeralKey, final int primaryNodeId)
    {
        return ByteBuffer.allocate(CHALLENGE_LENGTH + KEY_LENGTH + Integer.BYTES).order(ORDER)
            .put(challenge).put(ephemeralKey).putInt(primaryNodeId).array();
    }

    static byte[] epochMessage(final int nodeId, final long epoch)
    {
        return ByteBuffer.allocate(Integer.BYTES + Long.BYTES).order(ORDER).putInt(nodeId).putLong(epoch).array();
    }

    /**
     * @return SHA-256 over everything both ends agreed in a handshake; what the replica signs and the salt of the
     * stream keys.
     */
    static byte[] transcript(
        final int primaryNodeId,
        final int replicaNodeId,
        final long correlationId,
        final byte[] challenge,
        final byte[] primaryEphemeralKey,
        final byte[] replicaEphemeralKey,
        final byte[] primaryKey,
        final byte[] replicaKey)
    {
        final byte[] bytes = ByteBuffer.allocate(2 * Integer.BYTES + Long.BYTES + CHALLENGE_LENGTH + 4 * KEY_LENGTH)
            .order(ORDER).putInt(primaryNodeId).putInt(replicaNodeId).putLong(correlationId).put(challenge)
            .put(primaryEphemeralKey).put(replicaEphemeralKey).put(primaryKey).put(replicaKey).array();
        try
        {
            final MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(HANDSHAKE_CONTEXT);
            return digest.digest(bytes);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("the JDK has no SHA-256", ex);
        }
    }

    /**
     * @param keyPair an Ed25519 key pair.
     * @return its signature over {@code context} and {@code message}.
     */
    static byte[] sign(final KeyPair keyPair, final byte[] context, final byte[] message)
    {
        try
        {
            return LogonSignatures.sign(keyPair.getPrivate(), context, message);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalArgumentException("replication key is not an Ed25519 key: " + ex.getMessage(), ex);
        }
    }

    /** @return true only if valid; never throws for bad input. */
    static boolean verify(
        final byte[] rawPublicKey, final byte[] context, final byte[] message, final byte[] signature)
    {
        return LogonSignatures.verify(rawPublicKey, context, message, signature);
    }

    /** @return the raw 32-byte Ed25519 public key of a replication key pair. */
    static byte[] rawPublicKey(final KeyPair keyPair)
    {
        return LogonSignatures.rawPublicKey(keyPair.getPublic());
    }

    /** @return a fresh X25519 key pair, for one challenge (primary) or one handshake attempt (replica). */
    static KeyPair ephemeralKeyPair()
    {
        try
        {
            return KeyPairGenerator.getInstance("X25519").generateKeyPair();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("the JDK has no X25519", ex);
        }
    }

    /** @return the raw 32-byte encoding of an X25519 public key, as it travels. */
    static byte[] rawEphemeralKey(final KeyPair keyPair)
    {
        final byte[] encoded = keyPair.getPublic().getEncoded();
        if (encoded.length != X509_X25519_PREFIX.length + KEY_LENGTH ||
            !Arrays.equals(encoded, 0, X509_X25519_PREFIX.length, X509_X25519_PREFIX, 0, X509_X25519_PREFIX.length))
        {
            throw new IllegalStateException("not an X25519 public key: " + keyPair.getPublic().getAlgorithm());
        }
        return Arrays.copyOfRange(encoded, X509_X25519_PREFIX.length, encoded.length);
    }

    /**
     * Agrees the stream keys: X25519 of our ephemeral private key and the peer's ephemeral public key, then
     * HKDF-SHA256 (RFC 5869) with the transcript as salt.
     *
     * @return the keys, or null if the peer's key is not a usable X25519 key (it came from outside).
     */
    static StreamKeys streamKeys(final PrivateKey ephemeralPrivateKey, final byte[] peerEphemeralKey,
        final byte[] transcript)
    {
        final byte[] secret;
        try
        {
            final byte[] encoded = Arrays.copyOf(X509_X25519_PREFIX, X509_X25519_PREFIX.length + KEY_LENGTH);
            System.arraycopy(peerEphemeralKey, 0, encoded, X509_X25519_PREFIX.length, KEY_LENGTH);
            final KeyAgreement agreement = KeyAgreement.getInstance("X25519");
            agreement.init(ephemeralPrivateKey);
            agreement.doPhase(KeyFactory.getInstance("X25519").generatePublic(new X509EncodedKeySpec(encoded)), true);
            secret = agreement.generateSecret();
        }
        catch (final GeneralSecurityException | IllegalArgumentException | IllegalStateException ex)
        {
            // The JDK refuses a peer key whose shared secret is all zeros (a small-order point), among others.
            return null;
        }
        final byte[] okm = hkdf(transcript, secret, KEYS_INFO, 2 * StreamMac.KEY_LENGTH);
        return new StreamKeys(Arrays.copyOfRange(okm, 0, StreamMac.KEY_LENGTH),
            Arrays.copyOfRange(okm, StreamMac.KEY_LENGTH, 2 * StreamMac.KEY_LENGTH));
    }

    /** HKDF-SHA256, RFC 5869: extract with {@code salt}, expand to {@code length} bytes. */
    static byte[] hkdf(final byte[] salt, final byte[] inputKey, final byte[] info, final int length)
    {
        try
        {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(salt, "HmacSHA256"));
            final byte[] pseudoRandomKey = mac.doFinal(inputKey);
            mac.init(new SecretKeySpec(pseudoRandomKey, "HmacSHA256"));
            final byte[] out = new byte[length];
            byte[] block = new byte[0];
            int written = 0;
            for (int counter = 1; written < length; counter++)
            {
                mac.update(block);
                mac.update(info);
                mac.update((byte)counter);
                block = mac.doFinal();
                final int chunk = Math.min(block.length, length - written);
                System.arraycopy(block, 0, out, written, chunk);
                written += chunk;
            }
            return out;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("the JDK has no HmacSHA256", ex);
        }
    }
}
