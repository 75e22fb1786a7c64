package io.sluice.pipeline.net;

import io.sluice.sbe.client.LogonDecoder;
import io.sluice.wire.LogonSignatures;
import io.sluice.wire.MessageValidator;
import org.agrona.DirectBuffer;

/**
 * Decides a validated Logon for a reader shard: both ids at least 1, then the authenticator's verdict on the
 * signature over the connection's challenge, which the session listener (the node's audit trail) hears. Reader
 * thread only; allocation free. What happens to the connection after the decision is the reader's.
 */
final class LogonCheck
{
    private final Authenticator authenticator;
    private final SessionListener sessionListener;
    private final LogonDecoder decoder = new LogonDecoder();
    private final byte[] publicKey = new byte[LogonSignatures.PUBLIC_KEY_LENGTH];
    private final byte[] signature = new byte[LogonSignatures.SIGNATURE_LENGTH];
    private long sessionId;
    private long accountId;

    LogonCheck(final Authenticator authenticator, final SessionListener sessionListener)
    {
        this.authenticator = authenticator;
        this.sessionListener = sessionListener;
    }

    /**
     * @param connection the connection the Logon came on; its challenge is what the client signed.
     * @param buffer     holding the validated message, header included, at {@code offset}.
     * @return the verdict; {@link Authenticator.AuthResult#INVALID_IDS} if an id is below 1 (no signature checked).
     */
    Authenticator.AuthResult check(final ReaderConnection connection, final DirectBuffer buffer, final int offset)
    {
        decoder.wrap(buffer, offset + MessageValidator.HEADER_LENGTH, MessageValidator.blockLength(buffer, offset),
            MessageValidator.version(buffer, offset));
        sessionId = decoder.sessionId();
        accountId = decoder.accountId();
        decoder.getPublicKey(publicKey, 0, publicKey.length);
        decoder.getSignature(signature, 0, signature.length);
        final Authenticator.AuthResult verdict = sessionId < 1 || accountId < 1 ? Authenticator.AuthResult.INVALID_IDS :
            authenticator.authenticate(connection.nonce, sessionId, accountId, publicKey, signature);
        sessionListener.onLogon(connection.connectionId, sessionId, accountId, publicKey, verdict);
        return verdict;
    }

    /** @return the session the last Logon checked named. */
    long sessionId()
    {
        return sessionId;
    }

    /** @return the account the last Logon checked named. */
    long accountId()
    {
        return accountId;
    }

    static boolean accepted(final Authenticator.AuthResult verdict)
    {
        return verdict == Authenticator.AuthResult.ACCEPTED || verdict == Authenticator.AuthResult.ACCEPTED_READ_ONLY;
    }
}
