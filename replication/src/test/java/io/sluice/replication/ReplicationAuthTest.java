package io.sluice.replication;

import io.sluice.replication.ReplicationTestSupport.Primary;
import io.sluice.replication.ReplicationTestSupport.Replica;
import io.sluice.sbe.replication.RejectCode;
import io.sluice.wire.LogonSignatures;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Arrays;

import static io.sluice.replication.ReplicationTestSupport.assertNoAgentErrors;
import static io.sluice.replication.ReplicationTestSupport.await;
import static io.sluice.replication.ReplicationTestSupport.engineContext;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The authenticated link: both ends sign with a listed replication key, the stream is sealed both ways with keys
 * agreed in the handshake, and a node that runs the other link is refused with a reason naming the setting.
 */
class ReplicationAuthTest
{
    @TempDir
    Path dir;

    private Primary primary;
    private Replica replica;

    @AfterEach
    void tearDown()
    {
        CloseHelper.closeAll(replica, primary);
        assertNoAgentErrors();
    }

    static KeyPair keyPair()
    {
        try
        {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    static ReplicationAuth.KeyCheck only(final KeyPair... listed)
    {
        return key ->
        {
            for (final KeyPair pair : listed)
            {
                if (Arrays.equals(key, LogonSignatures.rawPublicKey(pair.getPublic())))
                {
                    return null;
                }
            }
            return "key is not listed with the replication role";
        };
    }

    @Test
    void shouldStreamSealedWhenBothEndsSignWithListedKeys()
    {
        final KeyPair primaryKey = keyPair();
        final KeyPair replicaKey = keyPair();
        final ReplicationAuth.KeyCheck keys = only(primaryKey, replicaKey);
        primary = new Primary(dir.resolve("primary"), 1, context -> context.replicationKeys(keys).keyPair(primaryKey));
        primary.append(200);
        replica = new Replica(dir.resolve("a"), 2, primary.dataEndpoints[0], primary.controlEndpoints[0],
            engineContext(), context -> context.primaryKeys(keys).keyPair(replicaKey));

        await(() -> replica.agent.appliedWireSeq() == 200 && primary.metrics.persistedWireSeq(0) == 200,
            () -> "replica followed, state " + replica.agent.state());
        primary.append(100);
        await(() -> primary.metrics.persistedWireSeq(0) == 300, () -> "sealed acks counted");

        assertTrue(primary.senders[0].authenticated());
        assertTrue(replica.agent.authenticated());
        assertEquals(ReplicaAgent.State.FOLLOWING, replica.agent.state());
        assertTrue(primary.senders[0].handshakesChallenged() >= 1, "the first, unsigned handshake was challenged");
        assertEquals(0, primary.senders[0].handshakesRejected());
        assertEquals(0, primary.senders[0].unauthenticatedMessages());
        assertEquals(0, replica.agent.unauthenticatedMessages());
        assertEquals(0, replica.agent.badMessages());
    }

    @Test
    void shouldRefuseAReplicaThatDoesNotRunTheAuthenticatedLinkNamingTheSetting()
    {
        final KeyPair primaryKey = keyPair();
        primary = new Primary(dir.resolve("primary"), 1,
            context -> context.replicationKeys(only(primaryKey)).keyPair(primaryKey));
        primary.append(50);
        replica = new Replica(dir.resolve("a"), 2, primary.dataEndpoints[0], primary.controlEndpoints[0],
            engineContext(), context -> { });

        await(() -> replica.agent.state() == ReplicaAgent.State.REJECTED, () -> "refused, is " +
            replica.agent.state());
        assertEquals(RejectCode.PROTOCOL_VERSION, replica.agent.rejectCode());
        assertTrue(replica.agent.rejectReason().contains("runs an authenticated link (auth=on)"),
            replica.agent.rejectReason());
        assertFalse(primary.metrics.isActive(0));
        assertEquals(0, primary.metrics.activationCount(0));
        assertEquals(0, replica.agent.appliedWireSeq());
    }

    @Test
    void shouldRefuseAReplicaSigningWithAnUnlistedKeyAndTellItSealed()
    {
        final KeyPair primaryKey = keyPair();
        final KeyPair unlisted = keyPair();
        primary = new Primary(dir.resolve("primary"), 1,
            context -> context.replicationKeys(only(primaryKey)).keyPair(primaryKey));
        primary.append(50);
        replica = new Replica(dir.resolve("a"), 2, primary.dataEndpoints[0], primary.controlEndpoints[0],
            engineContext(), context -> context.primaryKeys(only(primaryKey)).keyPair(unlisted));

        await(() -> replica.agent.state() == ReplicaAgent.State.REJECTED, () -> "refused, is " +
            replica.agent.state());
        assertEquals(RejectCode.AUTH_FAILED, replica.agent.rejectCode());
        assertTrue(replica.agent.rejectReason().contains("key is not listed with the replication role"),
            replica.agent.rejectReason());
        assertEquals(0, primary.metrics.activationCount(0));
    }

    @Test
    void shouldNotFollowAPrimaryWhoseKeyTheReplicaDoesNotTrust()
    {
        final KeyPair primaryKey = keyPair();
        final KeyPair replicaKey = keyPair();
        final KeyPair otherPrimary = keyPair();
        primary = new Primary(dir.resolve("primary"), 1,
            context -> context.replicationKeys(only(primaryKey, replicaKey)).keyPair(primaryKey));
        primary.append(50);
        replica = new Replica(dir.resolve("a"), 2, primary.dataEndpoints[0], primary.controlEndpoints[0],
            engineContext(), context -> context.primaryKeys(only(otherPrimary, replicaKey)).keyPair(replicaKey));

        await(() -> replica.agent.unauthenticatedMessages() >= 3, () -> "challenges ignored, counted " +
            replica.agent.unauthenticatedMessages());
        assertEquals(ReplicaAgent.State.HANDSHAKING, replica.agent.state());
        assertEquals(0, replica.agent.appliedWireSeq());
        assertEquals(0, primary.metrics.activationCount(0));
    }

    @Test
    void shouldKeepAskingWhenAnUnauthenticatedPrimaryRefusesItsProtocol()
    {
        final KeyPair replicaKey = keyPair();
        primary = new Primary(dir.resolve("primary"), 1, context -> { });
        primary.append(50);
        replica = new Replica(dir.resolve("a"), 2, primary.dataEndpoints[0], primary.controlEndpoints[0],
            engineContext(), context -> context.primaryKeys(only(replicaKey)).keyPair(replicaKey));

        await(() -> primary.senders[0].handshakesRejected() >= 3 && replica.agent.unauthenticatedMessages() >= 3,
            () -> "unsealed refusals not believed");
        assertTrue(primary.senders[0].lastRejectReason().contains("asks for an authenticated link, this primary " +
            "runs auth=off"), primary.senders[0].lastRejectReason());
        assertEquals(ReplicaAgent.State.HANDSHAKING, replica.agent.state(), "an unsealed refusal is not acted on");
        assertNull(replica.agent.rejectCode());
    }

    @Test
    void shouldAgreeTheSameStreamKeysAtBothEndsAndDifferentOnesPerAttempt()
    {
        final KeyPair primaryKey = keyPair();
        final KeyPair replicaKey = keyPair();
        final byte[] challenge = new byte[ReplicationAuth.CHALLENGE_LENGTH];
        challenge[0] = 7;
        final KeyPair primaryEphemeral = ReplicationAuth.ephemeralKeyPair();
        final KeyPair replicaEphemeral = ReplicationAuth.ephemeralKeyPair();
        final byte[] transcript = transcript(42, challenge, primaryEphemeral, replicaEphemeral, primaryKey,
            replicaKey);

        final ReplicationAuth.StreamKeys atPrimary = ReplicationAuth.streamKeys(primaryEphemeral.getPrivate(),
            ReplicationAuth.rawEphemeralKey(replicaEphemeral), transcript);
        final ReplicationAuth.StreamKeys atReplica = ReplicationAuth.streamKeys(replicaEphemeral.getPrivate(),
            ReplicationAuth.rawEphemeralKey(primaryEphemeral), transcript);
        final ReplicationAuth.StreamKeys nextAttempt = ReplicationAuth.streamKeys(replicaEphemeral.getPrivate(),
            ReplicationAuth.rawEphemeralKey(primaryEphemeral), transcript(43, challenge, primaryEphemeral,
            replicaEphemeral, primaryKey, replicaKey));

        assertNotNull(atPrimary);
        assertArrayEquals(atPrimary.replicaToPrimary(), atReplica.replicaToPrimary());
        assertArrayEquals(atPrimary.primaryToReplica(), atReplica.primaryToReplica());
        assertFalse(Arrays.equals(atPrimary.replicaToPrimary(), atPrimary.primaryToReplica()), "a key per direction");
        assertFalse(Arrays.equals(atPrimary.replicaToPrimary(), nextAttempt.replicaToPrimary()),
            "bound to the transcript");
        assertNull(ReplicationAuth.streamKeys(primaryEphemeral.getPrivate(), new byte[32], transcript),
            "an all-zero peer key gives no secret");
    }

    @Test
    void shouldKeepSignaturesOfOnePurposeFromPassingForAnother() throws Exception
    {
        final KeyPair key = keyPair();
        final byte[] raw = LogonSignatures.rawPublicKey(key.getPublic());
        final byte[] challenge = new byte[ReplicationAuth.CHALLENGE_LENGTH];
        final byte[] ephemeral = new byte[ReplicationAuth.KEY_LENGTH];
        final byte[] message = ReplicationAuth.challengeMessage(challenge, ephemeral, 1);
        final byte[] logonSignature = LogonSignatures.sign(key.getPrivate(), message);
        final byte[] challengeSignature = ReplicationAuth.sign(key, ReplicationAuth.CHALLENGE_CONTEXT, message);

        assertTrue(ReplicationAuth.verify(raw, ReplicationAuth.CHALLENGE_CONTEXT, message, challengeSignature));
        assertFalse(ReplicationAuth.verify(raw, ReplicationAuth.CHALLENGE_CONTEXT, message, logonSignature));
        assertFalse(ReplicationAuth.verify(raw, ReplicationAuth.HANDSHAKE_CONTEXT, message, challengeSignature));
        assertFalse(ReplicationAuth.verify(raw, ReplicationAuth.EPOCH_CONTEXT, message, challengeSignature));
        assertFalse(ReplicationAuth.verify(raw, ReplicationAuth.CHALLENGE_CONTEXT,
            ReplicationAuth.challengeMessage(challenge, ephemeral, 2), challengeSignature), "bound to the node id");
    }

    private static byte[] transcript(final long correlationId, final byte[] challenge, final KeyPair primaryEphemeral,
        final KeyPair replicaEphemeral, final KeyPair primaryKey, final KeyPair replicaKey)
    {
        return ReplicationAuth.transcript(1, 2, correlationId, challenge,
            ReplicationAuth.rawEphemeralKey(primaryEphemeral), ReplicationAuth.rawEphemeralKey(replicaEphemeral),
            ReplicationAuth.rawPublicKey(primaryKey), ReplicationAuth.rawPublicKey(replicaKey));
    }
}
