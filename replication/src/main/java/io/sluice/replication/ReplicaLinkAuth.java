package io.sluice.replication;

import io.sluice.sbe.replication.AuthChallengeDecoder;
import io.sluice.wire.TokenBucket;

import java.security.KeyPair;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * A replica's side of the authenticated link (see {@link ReplicationAuth}). Its control messages reach every node
 * that may be primary, so within one handshake attempt several may challenge it: each primary whose challenge is
 * signed by a listed key becomes a {@link Candidate} with the stream keys agreed with it, and whichever then starts a
 * stream, sealed with its keys, is followed. A new attempt forgets them all. It also signs the replica's epoch for
 * {@code EpochProof}s, once per epoch.
 * <p>
 * Checking a challenge costs an Ed25519 verification and an X25519 agreement, so a challenge already taken is not
 * checked again and new ones are limited to {@link PrimaryLinkAuth#VERIFICATIONS_PER_SECOND}. Replica agent thread
 * only.
 */
final class ReplicaLinkAuth
{
    /** Most candidate primaries held in one attempt; more than the nodes of any cluster. */
    static final int MAX_CANDIDATES = 8;

    /**
     * What a signed handshake to one candidate carries besides the replica's own fields.
     *
     * @param challenge    the candidate's challenge it answers.
     * @param ephemeralKey this replica's X25519 key for the candidate.
     * @param signature    this replica's signature over the transcript.
     */
    record Answer(byte[] challenge, byte[] ephemeralKey, byte[] signature)
    {
    }

    /** A primary that challenged this attempt, and the stream keys agreed with it. */
    static final class Candidate
    {
        private int primaryNodeId;
        private boolean inUse;
        private final byte[] primaryEphemeralKey = new byte[ReplicationAuth.KEY_LENGTH];
        private final byte[] primaryKey = new byte[ReplicationAuth.KEY_LENGTH];
        /** The signed handshake's fields for this candidate. */
        private Answer answer;
        /** Seals this replica's control messages to the candidate. */
        final StreamMac control = new StreamMac();
        /** Verifies the candidate's data-stream messages. */
        final StreamMac data = new StreamMac();

        Answer answer()
        {
            return answer;
        }
    }

    private final int nodeId;
    private final KeyPair keyPair;
    private final byte[] publicKey;
    private final ReplicationAuth.KeyCheck primaryKeys;
    private final Candidate[] candidates = new Candidate[MAX_CANDIDATES];
    private final TokenBucket verifications = new TokenBucket(
        TimeUnit.SECONDS.toNanos(1) / PrimaryLinkAuth.VERIFICATIONS_PER_SECOND, PrimaryLinkAuth.VERIFICATION_BURST);
    private final byte[] challenge = new byte[ReplicationAuth.CHALLENGE_LENGTH];
    private final byte[] primaryEphemeralKey = new byte[ReplicationAuth.KEY_LENGTH];
    private final byte[] primaryKey = new byte[ReplicationAuth.KEY_LENGTH];
    private final byte[] primarySignature = new byte[ReplicationAuth.SIGNATURE_LENGTH];
    private int nextVictim;
    private String refusal;
    private long signedEpoch = -1;
    private byte[] epochSignature;

    /**
     * @param nodeId      this replica's node id.
     * @param keyPair     its replication key.
     * @param primaryKeys which keys a primary may sign with.
     */
    ReplicaLinkAuth(final int nodeId, final KeyPair keyPair, final ReplicationAuth.KeyCheck primaryKeys)
    {
        this.nodeId = nodeId;
        this.keyPair = keyPair;
        this.publicKey = ReplicationAuth.rawPublicKey(keyPair);
        this.primaryKeys = primaryKeys;
        for (int i = 0; i < MAX_CANDIDATES; i++)
        {
            candidates[i] = new Candidate();
        }
    }

    byte[] publicKey()
    {
        return publicKey;
    }

    /** A new handshake attempt: no primary has challenged it yet. */
    void newAttempt()
    {
        for (final Candidate candidate : candidates)
        {
            candidate.inUse = false;
            candidate.control.clear();
            candidate.data.clear();
        }
    }

    /**
     * Takes a primary's challenge for the attempt {@code correlationId}: the same challenge again gives the same
     * candidate, unchecked; a new one is checked (signature by a listed key) and its stream keys agreed.
     *
     * @return the candidate, or null if the challenge is not believed ({@link #refusal()} says why) or the
     * verification budget is spent.
     */
    Candidate onChallenge(final AuthChallengeDecoder message, final long correlationId, final long nowNs)
    {
        final int primaryNodeId = message.primaryNodeId();
        message.getChallenge(challenge, 0, challenge.length);
        message.getEphemeralKey(primaryEphemeralKey, 0, primaryEphemeralKey.length);
        message.getPublicKey(primaryKey, 0, primaryKey.length);
        final Candidate known = candidate(primaryNodeId);
        if (known != null && Arrays.equals(known.answer.challenge(), challenge) &&
            Arrays.equals(known.primaryEphemeralKey, primaryEphemeralKey) && Arrays.equals(known.primaryKey, primaryKey))
        {
            return known;
        }
        if (!verifications.tryTake(nowNs))
        {
            refusal = "challenge of primary node " + primaryNodeId + " not checked: too many to check";
            return null;
        }
        message.getSignature(primarySignature, 0, primarySignature.length);
        refusal = primaryKeys.refusal(primaryKey);
        if (refusal != null)
        {
            refusal = "primary node " + primaryNodeId + " signs with a key this replica does not trust: " + refusal;
            return null;
        }
        if (!ReplicationAuth.verify(primaryKey, ReplicationAuth.CHALLENGE_CONTEXT,
            ReplicationAuth.challengeMessage(challenge, primaryEphemeralKey, primaryNodeId), primarySignature))
        {
            refusal = "challenge claiming primary node " + primaryNodeId + " has a bad signature";
            return null;
        }
        final KeyPair ephemeral = ReplicationAuth.ephemeralKeyPair();
        final byte[] ephemeralKey = ReplicationAuth.rawEphemeralKey(ephemeral);
        final byte[] transcript = ReplicationAuth.transcript(primaryNodeId, nodeId, correlationId, challenge,
            primaryEphemeralKey, ephemeralKey, primaryKey, publicKey);
        final ReplicationAuth.StreamKeys keys =
            ReplicationAuth.streamKeys(ephemeral.getPrivate(), primaryEphemeralKey, transcript);
        if (keys == null)
        {
            refusal = "challenge of primary node " + primaryNodeId + " carries an unusable X25519 key";
            return null;
        }
        final Candidate candidate = known != null ? known : freeCandidate();
        candidate.inUse = true;
        candidate.primaryNodeId = primaryNodeId;
        System.arraycopy(primaryEphemeralKey, 0, candidate.primaryEphemeralKey, 0, primaryEphemeralKey.length);
        System.arraycopy(primaryKey, 0, candidate.primaryKey, 0, primaryKey.length);
        candidate.answer = new Answer(challenge.clone(), ephemeralKey,
            ReplicationAuth.sign(keyPair, ReplicationAuth.HANDSHAKE_CONTEXT, transcript));
        candidate.control.key(keys.replicaToPrimary());
        candidate.data.key(keys.primaryToReplica());
        return candidate;
    }

    /** Why the last challenge was not taken. */
    String refusal()
    {
        return refusal;
    }

    /** The candidate that is primary node {@code primaryNodeId} in this attempt, or null. */
    Candidate candidate(final int primaryNodeId)
    {
        for (final Candidate candidate : candidates)
        {
            if (candidate.inUse && candidate.primaryNodeId == primaryNodeId)
            {
                return candidate;
            }
        }
        return null;
    }

    /** The candidate whose data key verifies {@code seal} (a message that names no primary), or null. */
    Candidate verifying(final MessageSeal seal)
    {
        for (final Candidate candidate : candidates)
        {
            if (candidate.inUse && seal.verifiedBy(candidate.data))
            {
                return candidate;
            }
        }
        return null;
    }

    /** This replica's signature over its node id and {@code epoch}, made once per epoch. */
    byte[] epochSignature(final long epoch)
    {
        if (epoch != signedEpoch)
        {
            epochSignature = ReplicationAuth.sign(keyPair, ReplicationAuth.EPOCH_CONTEXT,
                ReplicationAuth.epochMessage(nodeId, epoch));
            signedEpoch = epoch;
        }
        return epochSignature;
    }

    private Candidate freeCandidate()
    {
        for (final Candidate candidate : candidates)
        {
            if (!candidate.inUse)
            {
                return candidate;
            }
        }
        final Candidate victim = candidates[nextVictim];
        nextVictim = (nextVictim + 1) % MAX_CANDIDATES;
        return victim;
    }
}
