package io.sluice.replication;

import io.sluice.durability.DurabilityControl;
import io.sluice.durability.DurabilityMode;
import io.sluice.durability.ReplicationMetrics;
import io.sluice.replication.ReplicationTestSupport.Node;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.sluice.replication.ReplicationTestSupport.engineContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both ends' contexts validate at {@code conclude()}: the options they share by the same rules, each naming the
 * option and its allowed range, and each end fills in its own defaults.
 */
class ReplicationContextTest
{
    @TempDir
    static Path dir;

    private static ReplicationTransport transport;
    private static Node node;

    @BeforeAll
    static void open()
    {
        transport = ReplicationTestSupport.transport(dir.resolve("aeron"));
        node = Node.open(dir.resolve("node"), 1, engineContext());
    }

    @AfterAll
    static void close()
    {
        CloseHelper.closeAll(node, transport);
    }

    @Test
    void shouldValidateTheSharedOptionsTheSameWayAtBothEnds()
    {
        assertRefused(() -> replica().heartbeatIntervalNs(0).conclude(), "replica heartbeatIntervalNs=0",
            "[1 ms, 10 min]");
        assertRefused(() -> sender().heartbeatIntervalNs(0).conclude(), "replication sender heartbeatIntervalNs=0",
            "[1 ms, 10 min]");
        assertRefused(() -> replica().heartbeatTimeoutNs(TimeUnit.HOURS.toNanos(1)).conclude(),
            "replica heartbeatTimeoutNs=", "[10 ms, 10 min]");
        assertRefused(() -> sender().heartbeatTimeoutNs(1).conclude(), "replication sender heartbeatTimeoutNs=1",
            "[10 ms, 10 min]");
        assertRefused(() -> replica().fragmentLimit(0).conclude(), "replica fragmentLimit=0", "[1, 1024]");
        assertRefused(() -> sender().fragmentLimit(2000).conclude(), "replication sender fragmentLimit=2000",
            "[1, 1024]");
        assertRefused(() -> replica().dataEndpoint(null).conclude(), "replica dataEndpoint", "host:port");
        assertThrows(NullPointerException.class, () -> sender().transport(null).conclude());
    }

    @Test
    void shouldValidateWhatOnlyOneEndHas()
    {
        assertRefused(() -> replica().handshakeRetryIntervalNs(0).conclude(), "replica handshakeRetryIntervalNs=0",
            ">= 1 ms");
        assertRefused(() -> replica().rejectRetryIntervalNs(0).conclude(), "replica rejectRetryIntervalNs=0",
            ">= 1 ms");
        assertRefused(() -> replica().primaryControlEndpoint(null).conclude(), "replica primaryControlEndpoint",
            "host:port");
        assertRefused(() -> sender().slot(3).conclude(), "replication sender slot=3", "[0, 1)");
        assertRefused(() -> sender().maxBatchBytes(100).conclude(), "replication sender maxBatchBytes=100",
            "[256, ");
        assertRefused(() -> sender().maxBatchesPerDutyCycle(0).conclude(),
            "replication sender maxBatchesPerDutyCycle=0", "[1, 1024]");
    }

    @Test
    void shouldFillInEachEndsDefaults()
    {
        final ReplicaAgentContext replica = replica().conclude();
        assertEquals(ReplicaAgentContext.DEFAULT_FRAGMENT_LIMIT, replica.fragmentLimit());
        assertEquals(ReplicationContext.DEFAULT_HEARTBEAT_INTERVAL_NS, replica.heartbeatIntervalNs());
        assertEquals(ReplicationProtocol.DATA_STREAM_ID, replica.dataStreamId());
        assertEquals(node.journal.directory().toAbsolutePath().getParent(), replica.snapshotDirectory());

        final ReplicationSenderContext sender = sender().conclude();
        assertEquals(ReplicationSenderContext.DEFAULT_FRAGMENT_LIMIT, sender.fragmentLimit());
        assertEquals(ReplicationContext.DEFAULT_HEARTBEAT_TIMEOUT_NS, sender.heartbeatTimeoutNs());
        assertEquals(ReplicationProtocol.CONTROL_STREAM_ID, sender.controlStreamId());
        assertTrue(sender.maxBatchBytes() > 0 && sender.maxBatchBytes() < transport.context().mtuLengthBytes(),
            "one datagram: " + sender.maxBatchBytes());
        assertTrue(sender.fence() != null, "a fence of its own");
    }

    private static ReplicaAgentContext replica()
    {
        return new ReplicaAgentContext()
            .transport(transport)
            .nodeId(2)
            .dataEndpoint("127.0.0.1:1")
            .primaryControlEndpoint("127.0.0.1:2")
            .configDigest(7)
            .journal(node.journal)
            .journalRing(node.ring)
            .journalPersistedWireSeq(node.persisted::getAcquire)
            .stateMachine(node.stateMachine);
    }

    private static ReplicationSenderContext sender()
    {
        return new ReplicationSenderContext()
            .transport(transport)
            .slot(0)
            .nodeId(1)
            .dataEndpoint("127.0.0.1:1")
            .controlEndpoint("127.0.0.1:2")
            .configDigest(7)
            .journal(node.journal)
            .replicationMetrics(new ReplicationMetrics(1))
            .durabilityControl(new DurabilityControl(DurabilityMode.HYBRID.policy()))
            .epoch(() -> 1);
    }

    private static void assertRefused(final Executable conclude, final String option, final String range)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, conclude);
        assertTrue(ex.getMessage().contains(option) && ex.getMessage().contains(range), ex.getMessage());
    }
}
