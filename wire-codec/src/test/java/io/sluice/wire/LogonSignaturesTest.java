package io.sluice.wire;

import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.security.KeyPairGenerator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogonSignaturesTest
{
    private static KeyPair newKeyPair() throws Exception
    {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    @Test
    void shouldVerifySignatureOverNonce() throws Exception
    {
        final KeyPair keys = newKeyPair();
        final byte[] nonce = new byte[LogonSignatures.NONCE_LENGTH];
        nonce[3] = 9;

        final byte[] signature = LogonSignatures.sign(keys.getPrivate(), nonce);

        assertEquals(LogonSignatures.SIGNATURE_LENGTH, signature.length);
        assertTrue(LogonSignatures.verify(LogonSignatures.rawPublicKey(keys.getPublic()), nonce, signature));
    }

    @Test
    void shouldRejectSignatureOverOtherNonce() throws Exception
    {
        final KeyPair keys = newKeyPair();
        final byte[] nonce = new byte[LogonSignatures.NONCE_LENGTH];
        final byte[] signature = LogonSignatures.sign(keys.getPrivate(), nonce);
        nonce[0] = 1;

        assertFalse(LogonSignatures.verify(LogonSignatures.rawPublicKey(keys.getPublic()), nonce, signature));
    }

    @Test
    void shouldRejectSignatureFromOtherKey() throws Exception
    {
        final byte[] nonce = new byte[LogonSignatures.NONCE_LENGTH];
        final byte[] signature = LogonSignatures.sign(newKeyPair().getPrivate(), nonce);

        assertFalse(LogonSignatures.verify(LogonSignatures.rawPublicKey(newKeyPair().getPublic()), nonce, signature));
    }

    @Test
    void shouldRejectGarbageKeyAndSignatureWithoutThrowing()
    {
        assertFalse(LogonSignatures.verify(new byte[32], new byte[32], new byte[64]));
        assertFalse(LogonSignatures.verify(new byte[5], new byte[32], new byte[64]));
        assertFalse(LogonSignatures.verify(new byte[32], new byte[32], new byte[3]));
    }

    @Test
    void shouldRoundTripRawPublicKey() throws Exception
    {
        final KeyPair keys = newKeyPair();
        final byte[] raw = LogonSignatures.rawPublicKey(keys.getPublic());

        assertArrayEquals(keys.getPublic().getEncoded(), LogonSignatures.publicKey(raw).getEncoded());
    }
}
