package io.sluice.pipeline.net;

/**
 * Decides whether a client's {@code Logon} may trade as the session and account it names. Called on the reader
 * shard's thread once per logon, never per order.
 */
@FunctionalInterface
public interface Authenticator
{
    /** Accepts every logon; for nodes run with {@code auth=off}. */
    Authenticator NONE = (nonce, sessionId, accountId, publicKey, signature) -> AuthResult.ACCEPTED;

    /**
     * @param nonce     the challenge this connection was sent.
     * @param sessionId the session the client claims.
     * @param accountId the account the client claims.
     * @param publicKey raw Ed25519 key from the logon.
     * @param signature over the challenge.
     * @return the verdict.
     */
    AuthResult authenticate(byte[] nonce, long sessionId, long accountId, byte[] publicKey, byte[] signature);

    /**
     * Outcome of a logon check; every refusal closes the connection with this as the logged, counted reason.
     */
    enum AuthResult
    {
        /** May trade for the account it named, and query. */
        ACCEPTED,
        /** May query only; a state-changing request closes the connection. */
        ACCEPTED_READ_ONLY,
        BAD_SIGNATURE,
        UNKNOWN_KEY,
        WRONG_ROLE,
        WRONG_ACCOUNT,
        /** A session or account id below 1: refused before any key is looked at, never an authenticator's answer. */
        INVALID_IDS
    }
}
