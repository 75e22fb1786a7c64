package io.sluice.wire;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * Ed25519 challenge-response for the client {@code Logon}: the server sends a random nonce in {@code AuthChallenge},
 * the client signs {@link #CONTEXT} followed by the nonce, and sends its raw public key with the signature. Binding
 * a context string keeps a signature made for Sluice logon from being replayed as any other kind of statement.
 * Uses only the JDK's own Ed25519. Runs once per logon, never on the order path.
 */
public final class LogonSignatures
{
    /** Domain separation prefix of every signed logon challenge. */
    public static final byte[] CONTEXT = "sluice-logon-v1".getBytes(StandardCharsets.US_ASCII);
    public static final int NONCE_LENGTH = 32;
    public static final int PUBLIC_KEY_LENGTH = 32;
    public static final int SIGNATURE_LENGTH = 64;

    /** DER prefix of an X.509 SubjectPublicKeyInfo holding an Ed25519 key; the raw 32-byte key follows it. */
    private static final byte[] X509_ED25519_PREFIX = {
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00 };

    private LogonSignatures()
    {
    }

    /**
     * @param privateKey Ed25519 private key of the client.
     * @param nonce      from the server's challenge.
     * @return the 64-byte signature over {@link #CONTEXT} and the nonce.
     * @throws GeneralSecurityException if the key is not an Ed25519 key.
     */
    public static byte[] sign(final PrivateKey privateKey, final byte[] nonce) throws GeneralSecurityException
    {
        return sign(privateKey, CONTEXT, nonce);
    }

    /**
     * Sign a message under another domain-separation context (e.g. the replication link's), so a signature made
     * for one purpose is never valid for another.
     *
     * @param privateKey Ed25519 private key.
     * @param context    domain-separation prefix.
     * @param message    what is signed after it.
     * @return the 64-byte signature.
     * @throws GeneralSecurityException if the key is not an Ed25519 key.
     */
    public static byte[] sign(final PrivateKey privateKey, final byte[] context, final byte[] message)
        throws GeneralSecurityException
    {
        final Signature signature = Signature.getInstance("Ed25519");
        signature.initSign(privateKey);
        signature.update(context);
        signature.update(message);
        return signature.sign();
    }

    /**
     * @param rawPublicKey 32-byte Ed25519 public key from the Logon.
     * @param nonce        the server sent.
     * @param signature    64-byte signature from the Logon.
     * @return true only if the signature is valid for this key, context and nonce. Never throws for bad input.
     */
    public static boolean verify(final byte[] rawPublicKey, final byte[] nonce, final byte[] signature)
    {
        return verify(rawPublicKey, CONTEXT, nonce, signature);
    }

    /**
     * @param rawPublicKey 32-byte Ed25519 public key.
     * @param context      domain-separation prefix the signer used.
     * @param message      what was signed after it.
     * @param signature    64-byte signature.
     * @return true only if valid. Never throws for bad input.
     */
    public static boolean verify(
        final byte[] rawPublicKey, final byte[] context, final byte[] message, final byte[] signature)
    {
        // The JDK's Ed25519 also accepts a 65-byte signature ending in a zero byte: another spelling of the same
        // proof, so only the exact length is taken.
        if (signature == null || signature.length != SIGNATURE_LENGTH)
        {
            return false;
        }
        try
        {
            final Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(publicKey(rawPublicKey));
            verifier.update(context);
            verifier.update(message);
            return verifier.verify(signature);
        }
        catch (final GeneralSecurityException | IllegalArgumentException ex)
        {
            return false;
        }
    }

    /**
     * @param publicKey an Ed25519 public key.
     * @return its raw 32-byte encoding, as carried in {@code Logon}.
     */
    public static byte[] rawPublicKey(final PublicKey publicKey)
    {
        final byte[] encoded = publicKey.getEncoded();
        if (encoded.length != X509_ED25519_PREFIX.length + PUBLIC_KEY_LENGTH ||
            !Arrays.equals(encoded, 0, X509_ED25519_PREFIX.length, X509_ED25519_PREFIX, 0, X509_ED25519_PREFIX.length))
        {
            throw new IllegalArgumentException("not an Ed25519 public key: " + publicKey.getAlgorithm());
        }
        return Arrays.copyOfRange(encoded, X509_ED25519_PREFIX.length, encoded.length);
    }

    /**
     * @param rawPublicKey 32-byte Ed25519 public key.
     * @return the JDK key object.
     * @throws GeneralSecurityException if the bytes are not a valid key.
     */
    public static PublicKey publicKey(final byte[] rawPublicKey) throws GeneralSecurityException
    {
        if (rawPublicKey.length != PUBLIC_KEY_LENGTH)
        {
            throw new IllegalArgumentException("Ed25519 public key must be 32 bytes: " + rawPublicKey.length);
        }
        final byte[] encoded = Arrays.copyOf(X509_ED25519_PREFIX, X509_ED25519_PREFIX.length + PUBLIC_KEY_LENGTH);
        System.arraycopy(rawPublicKey, 0, encoded, X509_ED25519_PREFIX.length, PUBLIC_KEY_LENGTH);
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
    }
}
