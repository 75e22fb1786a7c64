package io.sluice.node.auth;

import io.sluice.pipeline.net.Authenticator.AuthResult;
import io.sluice.wire.LogonSignatures;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthorizedKeysTest
{
    private static String b64(final KeyPair keys)
    {
        return KeyFiles.publicKeyBase64(keys.getPublic());
    }

    private static byte[] raw(final KeyPair keys)
    {
        return LogonSignatures.rawPublicKey(keys.getPublic());
    }

    @Test
    void shouldParseRolesAccountsAndComments() throws Exception
    {
        final KeyPair trader = KeyFiles.generate();
        final KeyPair operator = KeyFiles.generate();
        final AuthorizedKeys keys = AuthorizedKeys.parse(List.of(
            "# traders",
            b64(trader) + " trader account=42   # desk A",
            "",
            b64(operator) + " operator"), "test");

        assertEquals(2, keys.size());
        assertEquals(new AuthorizedKeys.Grant(Role.TRADER, 42), keys.grant(raw(trader)));
        assertEquals(new AuthorizedKeys.Grant(Role.OPERATOR, AuthorizedKeys.NO_ACCOUNT), keys.grant(raw(operator)));
        assertNull(keys.grant(raw(KeyFiles.generate())));
    }

    @Test
    void shouldNameLineOfMalformedEntry() throws Exception
    {
        final String key = b64(KeyFiles.generate());

        assertTrue(failure(List.of("# ok", key + " trader")).startsWith("f:2: a trader key must name its account"));
        assertTrue(failure(List.of(key + " admin account=1")).startsWith("f:1: unknown role 'admin'"));
        assertTrue(failure(List.of("!!!! trader account=1")).startsWith("f:1: key is not base64"));
        assertTrue(failure(List.of("AAAA trader account=1")).startsWith("f:1: key must be 32 bytes"));
        assertTrue(failure(List.of(key + " trader acct=1")).startsWith("f:1: third field must be account=<id>"));
        assertTrue(failure(List.of(key + " trader account=1", key + " operator")).startsWith("f:2: key listed twice"));
    }

    private static String failure(final List<String> lines)
    {
        return assertThrows(IllegalArgumentException.class, () -> AuthorizedKeys.parse(lines, "f")).getMessage();
    }

    @Test
    void shouldJudgeLogonsByKeySignatureRoleAndAccount() throws Exception
    {
        final KeyPair trader = KeyFiles.generate();
        final KeyPair reader = KeyFiles.generate();
        final KeyPair operator = KeyFiles.generate();
        final KeyPair stranger = KeyFiles.generate();
        final KeyAuthenticator authenticator = new KeyAuthenticator(AuthorizedKeys.parse(List.of(
            b64(trader) + " trader account=7",
            b64(reader) + " read-only",
            b64(operator) + " operator"), "test"));
        final byte[] nonce = new byte[32];
        nonce[5] = 1;

        assertEquals(AuthResult.ACCEPTED, authenticator.authenticate(
            nonce, 1, 7, raw(trader), LogonSignatures.sign(trader.getPrivate(), nonce)));
        assertEquals(AuthResult.WRONG_ACCOUNT, authenticator.authenticate(
            nonce, 1, 8, raw(trader), LogonSignatures.sign(trader.getPrivate(), nonce)));
        assertEquals(AuthResult.BAD_SIGNATURE, authenticator.authenticate(
            nonce, 1, 7, raw(trader), LogonSignatures.sign(stranger.getPrivate(), nonce)));
        assertEquals(AuthResult.BAD_SIGNATURE, authenticator.authenticate(
            nonce, 1, 7, raw(trader), new byte[64]));
        assertEquals(AuthResult.UNKNOWN_KEY, authenticator.authenticate(
            nonce, 1, 7, raw(stranger), LogonSignatures.sign(stranger.getPrivate(), nonce)));
        assertEquals(AuthResult.WRONG_ROLE, authenticator.authenticate(
            nonce, 1, 7, raw(operator), LogonSignatures.sign(operator.getPrivate(), nonce)));
        assertEquals(AuthResult.ACCEPTED_READ_ONLY, authenticator.authenticate(
            nonce, 2, 99, raw(reader), LogonSignatures.sign(reader.getPrivate(), nonce)));
    }

    @Test
    void shouldRoundTripKeyFiles(@org.junit.jupiter.api.io.TempDir final java.nio.file.Path dir) throws Exception
    {
        final KeyPair keys = KeyFiles.generate();
        KeyFiles.write(keys, dir.resolve("k"));

        final KeyPair read = KeyFiles.read(dir.resolve("k"));
        final byte[] nonce = new byte[32];
        assertTrue(LogonSignatures.verify(raw(keys), nonce, LogonSignatures.sign(read.getPrivate(), nonce)));
        assertEquals(b64(keys), KeyFiles.publicKeyBase64(read.getPublic()));
    }
}
