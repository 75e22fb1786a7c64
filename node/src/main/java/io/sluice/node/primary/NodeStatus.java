package io.sluice.node.primary;

import io.sluice.durability.ReplicationMetrics;
import io.sluice.node.config.NodeConfig;
import io.sluice.pipeline.net.CloseReason;
import io.sluice.pipeline.net.ReaderAgent;
import io.sluice.pipeline.net.ReaderCounters;
import io.sluice.pipeline.snapshot.SnapshotAgent;
import io.sluice.replication.ReplicationSenderAgent;
import io.sluice.sbe.client.RejectReason;

import java.util.ArrayList;
import java.util.List;

/**
 * What a primary reports about itself, for the admin STATUS command and the health endpoint.
 */
final class NodeStatus
{
    private NodeStatus()
    {
    }

    static List<String> lines(final PrimaryNode node)
    {
        final String haltReason = node.haltReason();
        final List<String> lines = new ArrayList<>();
        lines.add("OK role=primary epoch=" + node.sequencer().epoch());
        lines.add("trading=" + (haltReason == null ? "active" : "halted") +
            (haltReason == null ? "" : " reason=\"" + haltReason + "\""));
        lines.add("policy=" + node.durabilityControl().policy().description() +
            " policy_degraded=" + node.policyDegraded());
        lines.add("wire_seq=" + node.lastWireSeq() + " journal_persisted_wire_seq=" + node.journalPersistedWireSeq());
        lines.add("killed_accounts=" + ids(node.sequencer().killedAccounts()) + " killed_sessions=" +
            ids(node.sequencer().killedSessions()));
        final ReplicationMetrics metrics = node.replicationMetrics();
        lines.add("replicas_connected=" + metrics.activeCount() + " replica_slots=" + metrics.slotCount());
        for (int slot = 0; slot < metrics.slotCount(); slot++)
        {
            final ReplicationSenderAgent sender = slot < node.senders().size() ? node.senders().get(slot) : null;
            lines.add("replica[" + slot + "] active=" + metrics.isActive(slot) +
                " in_memory_wire_seq=" + metrics.inMemoryWireSeq(slot) +
                " persisted_wire_seq=" + metrics.persistedWireSeq(slot) +
                " lag=" + Math.max(0, node.lastWireSeq() - metrics.persistedWireSeq(slot)) +
                (sender == null ? "" : snapshotTransfer(sender) + link(sender)));
        }
        clients(lines, node);
        final SnapshotAgent snapshots = node.snapshotAgent();
        lines.add("snapshot_wire_seq=" + snapshots.lastSnapshotWireSeq() + " snapshots_written=" +
            snapshots.snapshotsWritten() + " journal_first_wire_seq=" + node.journal().firstWireSeq() +
            " retention=" + node.config().get(NodeConfig.JOURNAL_RETENTION) + " cycles_deleted=" +
            snapshots.cyclesDeleted());
        return lines;
    }

    /**
     * The client connections and the session rate limit: what it is, how many requests and sessions it refused, how
     * many connections it closed, and each connected session it refused requests of.
     */
    static void clients(final List<String> lines, final PrimaryNode node)
    {
        long accepted = 0;
        long closed = 0;
        long throttledRequests = 0;
        long sessionsThrottled = 0;
        long closedThrottled = 0;
        for (final ReaderAgent reader : node.readers())
        {
            final ReaderCounters counters = reader.counters();
            accepted += counters.connectionsAccepted();
            for (final CloseReason reason : CloseReason.values())
            {
                closed += counters.closed(reason);
            }
            throttledRequests += counters.rejected(RejectReason.THROTTLED);
            sessionsThrottled += counters.sessionsThrottled();
            closedThrottled += counters.closed(CloseReason.THROTTLED);
        }
        final long rate = node.config().get(NodeConfig.CLIENT_THROTTLE_MESSAGES_PER_SECOND);
        lines.add("clients connections=" + (accepted - closed) + " throttle=" + (rate == 0 ? "off" : rate + "/s" +
            " burst=" + node.config().get(NodeConfig.CLIENT_THROTTLE_BURST) + " close_after_ms=" +
            node.config().get(NodeConfig.CLIENT_THROTTLE_CLOSE_AFTER_MS)) + " throttled_requests=" +
            throttledRequests + " sessions_throttled=" + sessionsThrottled + " closed_throttled=" + closedThrottled);
        for (final ReaderAgent reader : node.readers())
        {
            reader.throttledSessions().forEach((sessionId, requests) ->
                lines.add("session[" + sessionId + "] throttled_requests=" + requests));
        }
    }

    /** Comma-separated, or "none". */
    private static String ids(final long[] ids)
    {
        if (ids.length == 0)
        {
            return "none";
        }
        final StringBuilder text = new StringBuilder();
        for (final long id : ids)
        {
            text.append(text.length() == 0 ? "" : ",").append(id);
        }
        return text.toString();
    }

    /** A slot's replication link: whether authenticated, and what it dropped. */
    static String link(final ReplicationSenderAgent sender)
    {
        return " link=" + (sender.authenticated() ? "authenticated" : "unauthenticated") +
            " handshakes_accepted=" + sender.handshakesAccepted() + " handshakes_refused=" +
            sender.handshakesRejected() + " malformed_messages=" + sender.malformedMessages() +
            " unauthenticated_messages=" + sender.unauthenticatedMessages();
    }

    /** A slot's snapshot transfer: in progress (bytes sent of total) and how many were sent. */
    static String snapshotTransfer(final ReplicationSenderAgent sender)
    {
        final boolean sending = sender.state() == ReplicationSenderAgent.State.SENDING_SNAPSHOT;
        return " state=" + sender.state() + (sending ? " snapshot_transfer=" + sender.snapshotWireSeq() + ":" +
            sender.snapshotSentBytes() + "/" + sender.snapshotTotalBytes() : "") +
            " snapshots_sent=" + sender.snapshotsSent();
    }
}
