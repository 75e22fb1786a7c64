package io.sluice.replication;

import io.sluice.sbe.replication.EpochProofDecoder;
import io.sluice.sbe.replication.HandshakeDecoder;
import io.sluice.wire.TokenBucket;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * A primary's side of the authenticated link for one replica slot (see {@link ReplicationAuth}): the challenge it
 * answers unsigned handshakes with, the check of a signed handshake, and of a replica's {@code EpochProof}.
 * <p>
 * One challenge stands until a handshake answers it or {@link #CHALLENGE_LIFETIME_NS} passes: every unsigned
 * handshake meanwhile is answered with the same one, so a flood of them costs no signature and cannot replace the
 * challenge a replica is answering. An answer is taken once. What input from outside can make expensive (an Ed25519
 * verification, an X25519 agreement) is limited to {@link #VERIFICATIONS_PER_SECOND}; what it can make this primary
 * send, to {@link #CHALLENGES_PER_SECOND}.
 * <p>
 * The stream keys of the last verified handshake wait in {@link #pendingControl} and {@link #pendingData} until
 * the sender takes them up for the stream it starts (or seals its refusal with them). Sender thread only.
 */
final class PrimaryLinkAuth
{
    /**
     * The standing challenge, as an {@code AuthChallenge} carries it.
     *
     * @param nonce        the random challenge.
     * @param ephemeralKey this primary's X25519 key while the challenge stands.
     * @param publicKey    this primary's replication key.
     * @param signature    over the nonce, the ephemeral key and the primary's node id.
     */
    record Challenge(byte[] nonce, byte[] ephemeralKey, byte[] publicKey, byte[] signature)
    {
    }

    /** What a check of a signed message found. */
    enum Outcome
    {
        /** Signed by a listed key and sealed with the agreed key: believe it. */
        ACCEPTED,
        /** Signed by its key, which is not listed with the replication role: refuse it, sealed, with the reason. */
        REFUSED,
        /** Not signed or sealed as it claims, or an answer to a challenge that does not stand: drop and count. */
        UNAUTHENTICATED,
        /** Not checked: the verification budget is spent. Drop and count. */
        THROTTLED
    }

    static final long CHALLENGE_LIFETIME_NS = TimeUnit.SECONDS.toNanos(60);
    static final long VERIFICATIONS_PER_SECOND = 20;
    static final long VERIFICATION_BURST = 10;
    static final long CHALLENGES_PER_SECOND = 50;
    static final long CHALLENGE_BURST = 10;

    private static final byte[] NO_KEY = new byte[ReplicationAuth.KEY_LENGTH];

    private final int nodeId;
    private final KeyPair keyPair;
    private final byte[] publicKey;
    private final ReplicationAuth.KeyCheck replicaKeys;
    private final SecureRandom random = new SecureRandom();
    private final TokenBucket verifications = new TokenBucket(
        TimeUnit.SECONDS.toNanos(1) / VERIFICATIONS_PER_SECOND, VERIFICATION_BURST);
    private final TokenBucket challengeSends = new TokenBucket(
        TimeUnit.SECONDS.toNanos(1) / CHALLENGES_PER_SECOND, CHALLENGE_BURST);

    // The standing challenge: null until the first, and once answered.
    private Challenge challenge;
    private KeyPair ephemeral;
    private long challengeIssuedNs;

    // Read from the handshake being checked.
    private final byte[] answeredChallenge = new byte[ReplicationAuth.CHALLENGE_LENGTH];
    private final byte[] replicaKey = new byte[ReplicationAuth.KEY_LENGTH];
    private final byte[] replicaEphemeralKey = new byte[ReplicationAuth.KEY_LENGTH];
    private final byte[] replicaSignature = new byte[ReplicationAuth.SIGNATURE_LENGTH];

    /** The control stream's key (replica to primary) of the last verified handshake. */
    final StreamMac pendingControl = new StreamMac();
    /** The data stream's key (primary to replica) of the last verified handshake; seals refusals too. */
    final StreamMac pendingData = new StreamMac();
    /** Why the last handshake was {@link Outcome#REFUSED}. */
    private String refusal;
    /** The highest epoch a listed key has proven. */
    private long provenEpoch;

    /**
     * @param nodeId      this primary's node id.
     * @param keyPair     this primary's replication key, to sign its challenges.
     * @param replicaKeys which keys may replicate from it.
     */
    PrimaryLinkAuth(final int nodeId, final KeyPair keyPair, final ReplicationAuth.KeyCheck replicaKeys)
    {
        this.nodeId = nodeId;
        this.keyPair = keyPair;
        this.publicKey = ReplicationAuth.rawPublicKey(keyPair);
        this.replicaKeys = replicaKeys;
    }

    /** Whether a handshake is unsigned: a replica asking for a challenge. */
    static boolean isUnsigned(final HandshakeDecoder handshake, final byte[] scratchKey)
    {
        handshake.getPublicKey(scratchKey, 0, scratchKey.length);
        return Arrays.equals(scratchKey, NO_KEY);
    }

    /**
     * The standing challenge, drawing a new one if none stands, if the send budget allows one now.
     *
     * @return the challenge to send, or null if the budget is spent: send nothing now.
     */
    Challenge challengeDue(final long nowNs)
    {
        if (!challengeSends.tryTake(nowNs))
        {
            return null;
        }
        if (challenge == null || nowNs - challengeIssuedNs > CHALLENGE_LIFETIME_NS)
        {
            final byte[] nonce = new byte[ReplicationAuth.CHALLENGE_LENGTH];
            random.nextBytes(nonce);
            ephemeral = ReplicationAuth.ephemeralKeyPair();
            final byte[] ephemeralKey = ReplicationAuth.rawEphemeralKey(ephemeral);
            challenge = new Challenge(nonce, ephemeralKey, publicKey, ReplicationAuth.sign(keyPair,
                ReplicationAuth.CHALLENGE_CONTEXT, ReplicationAuth.challengeMessage(nonce, ephemeralKey, nodeId)));
            challengeIssuedNs = nowNs;
        }
        return challenge;
    }

    /**
     * Checks a signed handshake whose block holds every field of the authenticated protocol: it must answer the
     * standing challenge, be signed over the transcript by its key, and be sealed with the key agreed from it. The
     * challenge is taken when the handshake is {@link Outcome#ACCEPTED}.
     */
    Outcome verify(final HandshakeDecoder handshake, final MessageSeal seal, final long nowNs)
    {
        handshake.getChallenge(answeredChallenge, 0, answeredChallenge.length);
        if (challenge == null || !Arrays.equals(answeredChallenge, challenge.nonce()) ||
            nowNs - challengeIssuedNs > CHALLENGE_LIFETIME_NS)
        {
            return Outcome.UNAUTHENTICATED;
        }
        if (!verifications.tryTake(nowNs))
        {
            return Outcome.THROTTLED;
        }
        handshake.getPublicKey(replicaKey, 0, replicaKey.length);
        handshake.getEphemeralKey(replicaEphemeralKey, 0, replicaEphemeralKey.length);
        handshake.getSignature(replicaSignature, 0, replicaSignature.length);
        final byte[] transcript = ReplicationAuth.transcript(nodeId, handshake.nodeId(), handshake.correlationId(),
            challenge.nonce(), challenge.ephemeralKey(), replicaEphemeralKey, publicKey, replicaKey);
        if (!ReplicationAuth.verify(replicaKey, ReplicationAuth.HANDSHAKE_CONTEXT, transcript, replicaSignature))
        {
            return Outcome.UNAUTHENTICATED;
        }
        final ReplicationAuth.StreamKeys keys =
            ReplicationAuth.streamKeys(ephemeral.getPrivate(), replicaEphemeralKey, transcript);
        if (keys == null)
        {
            return Outcome.UNAUTHENTICATED;
        }
        pendingControl.key(keys.replicaToPrimary());
        pendingData.key(keys.primaryToReplica());
        if (!seal.verifiedBy(pendingControl))
        {
            pendingControl.clear();
            pendingData.clear();
            return Outcome.UNAUTHENTICATED;
        }
        refusal = replicaKeys.refusal(replicaKey);
        if (refusal != null)
        {
            return Outcome.REFUSED;
        }
        challenge = null;
        return Outcome.ACCEPTED;
    }

    String refusal()
    {
        return refusal;
    }

    /**
     * Checks a replica's signed epoch; one already believed is not checked again.
     *
     * @return {@link Outcome#ACCEPTED} if a listed key signed it.
     */
    Outcome verify(final EpochProofDecoder proof, final long nowNs)
    {
        final long epoch = proof.epoch();
        if (epoch <= provenEpoch)
        {
            return Outcome.ACCEPTED;
        }
        if (!verifications.tryTake(nowNs))
        {
            return Outcome.THROTTLED;
        }
        proof.getPublicKey(replicaKey, 0, replicaKey.length);
        proof.getSignature(replicaSignature, 0, replicaSignature.length);
        if (replicaKeys.refusal(replicaKey) != null || !ReplicationAuth.verify(replicaKey,
            ReplicationAuth.EPOCH_CONTEXT, ReplicationAuth.epochMessage(proof.nodeId(), epoch), replicaSignature))
        {
            return Outcome.UNAUTHENTICATED;
        }
        provenEpoch = epoch;
        return Outcome.ACCEPTED;
    }
}
