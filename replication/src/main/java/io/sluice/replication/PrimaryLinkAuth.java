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
 * The stream keys of the last verified handshake wait in {@link #pendingControl()} and {@link #pendingData()} until
 * the sender takes them up for the stream it starts (or seals its refusal with them). Sender thread only.
 */
final class PrimaryLinkAuth
{
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

    // The standing challenge.
    private final byte[] challenge = new byte[ReplicationAuth.CHALLENGE_LENGTH];
    private KeyPair ephemeral;
    private byte[] ephemeralKey;
    private byte[] challengeSignature;
    private boolean challengeStanding;
    private long challengeIssuedNs;

    // Read from the handshake being checked.
    private final byte[] answeredChallenge = new byte[ReplicationAuth.CHALLENGE_LENGTH];
    private final byte[] replicaKey = new byte[ReplicationAuth.KEY_LENGTH];
    private final byte[] replicaEphemeralKey = new byte[ReplicationAuth.KEY_LENGTH];
    private final byte[] replicaSignature = new byte[ReplicationAuth.SIGNATURE_LENGTH];

    // The last verified handshake's stream keys, and the last epoch proof believed.
    private final StreamMac pendingControl = new StreamMac();
    private final StreamMac pendingData = new StreamMac();
    private String refusal;
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
     * Makes the standing challenge ready to send, drawing a new one if none stands, and takes a send from the budget.
     *
     * @return false if the budget is spent: send nothing now.
     */
    boolean challengeDue(final long nowNs)
    {
        if (!challengeSends.tryTake(nowNs))
        {
            return false;
        }
        if (!challengeStanding || nowNs - challengeIssuedNs > CHALLENGE_LIFETIME_NS)
        {
            random.nextBytes(challenge);
            ephemeral = ReplicationAuth.ephemeralKeyPair();
            ephemeralKey = ReplicationAuth.rawEphemeralKey(ephemeral);
            challengeSignature = ReplicationAuth.sign(keyPair, ReplicationAuth.CHALLENGE_CONTEXT,
                ReplicationAuth.challengeMessage(challenge, ephemeralKey, nodeId));
            challengeStanding = true;
            challengeIssuedNs = nowNs;
        }
        return true;
    }

    byte[] challenge()
    {
        return challenge;
    }

    byte[] ephemeralKey()
    {
        return ephemeralKey;
    }

    byte[] publicKey()
    {
        return publicKey;
    }

    byte[] challengeSignature()
    {
        return challengeSignature;
    }

    /**
     * Checks a signed handshake whose block holds every field of the authenticated protocol: it must answer the
     * standing challenge, be signed over the transcript by its key, and be sealed with the key agreed from it. The
     * challenge is taken when the handshake is {@link Outcome#ACCEPTED}.
     */
    Outcome verify(final HandshakeDecoder handshake, final MessageSeal seal, final long nowNs)
    {
        handshake.getChallenge(answeredChallenge, 0, answeredChallenge.length);
        if (!challengeStanding || !Arrays.equals(answeredChallenge, challenge) ||
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
            challenge, ephemeralKey, replicaEphemeralKey, publicKey, replicaKey);
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
        challengeStanding = false;
        return Outcome.ACCEPTED;
    }

    /** Why the last handshake was {@link Outcome#REFUSED}. */
    String refusal()
    {
        return refusal;
    }

    /** The control stream's key (replica to primary) of the last verified handshake. */
    StreamMac pendingControl()
    {
        return pendingControl;
    }

    /** The data stream's key (primary to replica) of the last verified handshake; seals refusals too. */
    StreamMac pendingData()
    {
        return pendingData;
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
