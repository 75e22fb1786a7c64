package io.sluice.replication;

import io.sluice.wire.LogonSignatures;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;

/**
 * Authentication of the replication link: a primary that requires it refuses an unsigned handshake with
 * {@code AUTH_REQUIRED} and a fresh 32-byte challenge; the replica answers with a handshake carrying its
 * replication key and an Ed25519 signature over the challenge and its node id, under a context of its own so a
 * logon signature can never pass here. Runs once per handshake, never on the stream.
 */
public final class ReplicationAuth
{
    /** Domain separation for replication-link signatures. */
    static final byte[] CONTEXT = "sluice-replication-v1".getBytes(StandardCharsets.US_ASCII);

    private ReplicationAuth()
    {
    }

    /**
     * Decides whether a key may replicate from this primary.
     */
    @FunctionalInterface
    public interface KeyCheck
    {
        /**
         * @param rawPublicKey the replica's 32-byte key.
         * @return null if the key is listed with the replication role, else why not.
         */
        String refusal(byte[] rawPublicKey);
    }

    static byte[] message(final byte[] challenge, final int nodeId)
    {
        return ByteBuffer.allocate(challenge.length + Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN)
            .put(challenge).putInt(nodeId).array();
    }

    static byte[] sign(final KeyPair keyPair, final byte[] challenge, final int nodeId)
    {
        try
        {
            return LogonSignatures.sign(keyPair.getPrivate(), CONTEXT, message(challenge, nodeId));
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalArgumentException("replication key is not an Ed25519 key: " + ex.getMessage(), ex);
        }
    }

    static boolean verify(final byte[] rawPublicKey, final byte[] challenge, final int nodeId, final byte[] signature)
    {
        return LogonSignatures.verify(rawPublicKey, CONTEXT, message(challenge, nodeId), signature);
    }
}
