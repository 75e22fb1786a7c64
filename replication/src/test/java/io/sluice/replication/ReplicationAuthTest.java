package io.sluice.replication;

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

import io.sluice.replication.ReplicationTestSupport.Primary;
import io.sluice.replication.ReplicationTestSupport.Replica;

import static io.sluice.replication.ReplicationTestSupport.assertNoAgentErrors;
import static io.sluice.replication.ReplicationTestSupport.await;
import static io.sluice.replication.ReplicationTestSupport.engineContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A primary that requires replication keys: only a replica that signs the primary's challenge with a listed key
 * becomes an active slot.
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

    private static KeyPair keyPair() throws Exception
    {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    private ReplicationAuth.KeyCheck onlyKey(final KeyPair listed)
    {
        final byte[] raw = LogonSignatures.rawPublicKey(listed.getPublic());
        return key -> Arrays.equals(key, raw) ? null : "key is not listed with the replication role";
    }

    @Test
    void shouldStreamToReplicaThatSignsTheChallengeWithAListedKey() throws Exception
    {
        final KeyPair key = keyPair();
        primary = new Primary(dir.resolve("primary"), 1, context -> context.replicationKeys(onlyKey(key)));
        primary.append(200);
        replica = new Replica(dir.resolve("a"), 2, primary.dataEndpoints[0], primary.controlEndpoints[0],
            engineContext(), context -> context.keyPair(key));

        await(() -> replica.agent.appliedWireSeq() == 200, () -> "replica followed, state " + replica.agent.state());
        assertEquals(ReplicaAgent.State.FOLLOWING, replica.agent.state());
        assertTrue(primary.metrics.isActive(0));
        assertTrue(primary.senders[0].handshakesRejected() >= 1, "the first, unsigned handshake was challenged");
    }

    @Test
    void shouldRefuseReplicaWithoutAKey()
    {
        primary = new Primary(dir.resolve("primary"), 1, context -> context.replicationKeys(key -> null));
        primary.append(50);
        replica = new Replica(dir.resolve("a"), 2, primary.dataEndpoints[0], primary.controlEndpoints[0],
            engineContext(), context -> { });

        await(() -> replica.agent.state() == ReplicaAgent.State.REJECTED, () -> "refused, is " +
            replica.agent.state());
        assertEquals(RejectCode.AUTH_REQUIRED, replica.agent.rejectCode());
        assertTrue(replica.agent.rejectReason().contains("requires a replication key"), replica.agent.rejectReason());
        assertFalse(primary.metrics.isActive(0));
        assertEquals(0, primary.metrics.activationCount(0));
        assertEquals(0, replica.agent.appliedWireSeq());
    }

    @Test
    void shouldRefuseReplicaSigningWithAnUnlistedKey() throws Exception
    {
        primary = new Primary(dir.resolve("primary"), 1, context -> context.replicationKeys(onlyKey(keyPairUnchecked())));
        primary.append(50);
        replica = new Replica(dir.resolve("a"), 2, primary.dataEndpoints[0], primary.controlEndpoints[0],
            engineContext(), context -> context.keyPair(keyPairUnchecked()));

        await(() -> replica.agent.state() == ReplicaAgent.State.REJECTED, () -> "refused, is " +
            replica.agent.state());
        assertEquals(RejectCode.AUTH_FAILED, replica.agent.rejectCode());
        assertTrue(replica.agent.rejectReason().contains("key is not listed with the replication role"),
            replica.agent.rejectReason());
        assertEquals(0, primary.metrics.activationCount(0));
    }

    private static KeyPair keyPairUnchecked()
    {
        try
        {
            return keyPair();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Test
    void shouldNotAcceptALogonSignatureAsAReplicationSignature() throws Exception
    {
        final KeyPair key = keyPair();
        final byte[] challenge = new byte[32];
        challenge[0] = 7;
        final byte[] logonSignature = LogonSignatures.sign(key.getPrivate(), ReplicationAuth.message(challenge, 2));

        assertFalse(ReplicationAuth.verify(LogonSignatures.rawPublicKey(key.getPublic()), challenge, 2,
            logonSignature), "domain separation between logon and replication signatures");
        assertTrue(ReplicationAuth.verify(LogonSignatures.rawPublicKey(key.getPublic()), challenge, 2,
            ReplicationAuth.sign(key, challenge, 2)));
        assertFalse(ReplicationAuth.verify(LogonSignatures.rawPublicKey(key.getPublic()), challenge, 3,
            ReplicationAuth.sign(key, challenge, 2)), "bound to the node id");
    }
}
