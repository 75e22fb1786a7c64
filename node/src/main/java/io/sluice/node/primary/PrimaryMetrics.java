package io.sluice.node.primary;

import io.sluice.journal.JournalAgent;
import io.sluice.pipeline.DutyCycleCounter;
import io.sluice.pipeline.net.CloseReason;
import io.sluice.pipeline.net.ReaderAgent;
import io.sluice.pipeline.net.ReaderCounters;
import io.sluice.pipeline.net.ThrottledSessions;
import io.sluice.pipeline.shard.Shard;
import io.sluice.durability.ReplicationMetrics;
import io.sluice.replication.ReplicationSenderAgent;
import io.sluice.response.ResponseCounters;
import io.sluice.sbe.client.RejectReason;
import io.sluice.wire.DecodeResult;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;

/**
 * Renders a primary's counters and cursors in the Prometheus text exposition format (version 0.0.4). Names follow
 * Prometheus conventions: {@code sluice_} prefix, base units (seconds, bytes), counters end in {@code _total}.
 * Called on the HTTP thread; reads only values the stages publish for other threads.
 */
final class PrimaryMetrics
{
    private static final double NANOS_PER_SECOND = 1e9;

    private PrimaryMetrics()
    {
    }

    static String scrape(final PrimaryNode node)
    {
        final StringBuilder text = new StringBuilder(8 * 1024);
        final ResponseCounters response = node.responseCounters();

        gauge(text, "sluice_trading_active", "1 while the node accepts orders.", node.haltReason() == null ? 1 : 0);
        gauge(text, "sluice_policy_degraded", "1 while the durability policy cannot be met by connected nodes.",
            node.policyDegraded() ? 1 : 0);
        counter(text, "sluice_degraded_seconds_total", "Time the durability policy was degraded.",
            response.degradedSecondsTotal());
        gauge(text, "sluice_wire_seq", "Last wireSeq given out by the sequencer.", node.lastWireSeq());
        gauge(text, "sluice_journal_persisted_wire_seq", "Last wireSeq fsynced by the journal.",
            node.journalPersistedWireSeq());
        gauge(text, "sluice_snapshot_wire_seq", "wireSeq covered by the newest snapshot.", node.lastSnapshotWireSeq());

        connections(text, node.readers());
        counter(text, "sluice_commands_total", "State-changing commands sequenced.",
            node.sequencer().commandsApplied());
        counter(text, "sluice_sequencer_internal_errors_total",
            "Records whose handling threw in the sequencer (a bug): each answered HALTED, or the node halted.",
            node.sequencer().internalErrors());
        rejects(text, node);
        throttledSessions(text, node.readers());
        counter(text, "sluice_replies_total", "Replies written to clients.", response.repliesSent());
        counter(text, "sluice_batch_ends_total", "Requests fully answered (BatchEnd sent).", response.batchEndsSent());

        rings(text, node.shardManager().shards());
        journal(text, node.journalAgent());
        replicas(text, node.replicationMetrics(), node.lastWireSeq());
        replicationLink(text, node.senders());

        family(text, "sluice_gate_waits_total", "Times the durability gate held replies, by what it waited for.",
            "counter");
        sample(text, "sluice_gate_waits_total{blocker=\"journal\"}", response.gateWaitsJournal());
        sample(text, "sluice_gate_waits_total{blocker=\"replication\"}", response.gateWaitsReplication());
        family(text, "sluice_client_drops_total", "Client connections dropped by the response stage.", "counter");
        sample(text, "sluice_client_drops_total{reason=\"slow_consumer\"}", response.slowConsumerDrops());
        sample(text, "sluice_client_drops_total{reason=\"write_failed\"}", response.writeFailureDrops());
        counter(text, "sluice_client_farewells_total", "Client connections closed after the node's last message " +
            "to them (why, or the answer to a Logout) was written.", response.farewellsWritten());

        stages(text, node.stages());
        garbageCollection(text);
        return text.toString();
    }

    private static void connections(final StringBuilder text, final List<ReaderAgent> readers)
    {
        long accepted = 0;
        long closed = 0;
        final long[] closedByReason = new long[CloseReason.values().length];
        long logons = 0;
        for (final ReaderAgent reader : readers)
        {
            final ReaderCounters counters = reader.counters();
            accepted += counters.connectionsAccepted();
            logons += counters.logons();
            for (final CloseReason reason : CloseReason.values())
            {
                final long count = counters.closed(reason);
                closedByReason[reason.ordinal()] += count;
                closed += count;
            }
        }
        gauge(text, "sluice_connections", "Client connections open.", accepted - closed);
        counter(text, "sluice_connections_accepted_total", "Client connections accepted.", accepted);
        counter(text, "sluice_logons_total", "Client logons accepted.", logons);
        family(text, "sluice_connections_closed_total", "Client connections closed, by reason.", "counter");
        for (final CloseReason reason : CloseReason.values())
        {
            sample(text, "sluice_connections_closed_total{reason=\"" + label(reason.name()) + "\"}",
                closedByReason[reason.ordinal()]);
        }
        family(text, "sluice_frames_refused_total",
            "Client frames answered with an EngineError, connection kept: by the check that failed, or unsupported.",
            "counter");
        for (final DecodeResult result : DecodeResult.values())
        {
            if (result == DecodeResult.OK || result.isFramingError())
            {
                continue;
            }
            long count = 0;
            for (final ReaderAgent reader : readers)
            {
                count += reader.counters().malformed(result);
            }
            sample(text, "sluice_frames_refused_total{reason=\"" + label(result.name()) + "\"}", count);
        }
        long unsupported = 0;
        for (final ReaderAgent reader : readers)
        {
            unsupported += reader.counters().unsupportedMessages();
        }
        sample(text, "sluice_frames_refused_total{reason=\"unsupported_message\"}", unsupported);
    }

    private static void rejects(final StringBuilder text, final PrimaryNode node)
    {
        family(text, "sluice_rejects_total", "Requests refused, by reason.", "counter");
        for (final RejectReason reason : RejectReason.values())
        {
            if (reason == RejectReason.NONE || reason == RejectReason.NULL_VAL)
            {
                continue;
            }
            long count = node.sequencer().rejects(reason);
            for (final ReaderAgent reader : node.readers())
            {
                count += reader.counters().rejected(reason);
            }
            if (reason == RejectReason.HALTED)
            {
                count += node.sequencer().haltedRejects();
            }
            else if (reason == RejectReason.SERVER_BUSY)
            {
                for (final Shard shard : node.shardManager().shards())
                {
                    count += shard.counters().busyNoticesPublished();
                }
            }
            sample(text, "sluice_rejects_total{reason=\"" + label(reason.name()) + "\"}", count);
        }
    }

    private static void throttledSessions(final StringBuilder text, final List<ReaderAgent> readers)
    {
        long sessions = 0;
        for (final ReaderAgent reader : readers)
        {
            sessions += reader.counters().sessionsThrottled();
        }
        counter(text, "sluice_sessions_throttled_total",
            "Client connections that had at least one request refused THROTTLED (client.throttle.*).", sessions);
        family(text, "sluice_session_throttled_requests_total", "Requests refused THROTTLED, per connected session " +
            "(at most " + ThrottledSessions.CAPACITY + " sessions listed per reader shard; counts restart with a " +
            "new connection).", "counter");
        for (final ReaderAgent reader : readers)
        {
            reader.throttledSessions().forEach((sessionId, requests) ->
                sample(text, "sluice_session_throttled_requests_total{session=\"" + sessionId + "\"}", requests));
        }
    }

    private static void rings(final StringBuilder text, final List<Shard> shards)
    {
        family(text, "sluice_ingest_ring_used_bytes", "Bytes waiting in each shard's ingest ring.", "gauge");
        for (final Shard shard : shards)
        {
            sample(text, "sluice_ingest_ring_used_bytes{shard=\"" + shard.id() + "\"}", shard.ring().sizeBytes());
        }
        family(text, "sluice_ingest_ring_capacity_bytes", "Capacity of each shard's ingest ring.", "gauge");
        for (final Shard shard : shards)
        {
            sample(text, "sluice_ingest_ring_capacity_bytes{shard=\"" + shard.id() + "\"}",
                shard.ring().capacityBytes());
        }
        family(text, "sluice_ingest_offered_total", "Messages offered to each shard's ring.", "counter");
        for (final Shard shard : shards)
        {
            sample(text, "sluice_ingest_offered_total{shard=\"" + shard.id() + "\"}", shard.counters().offered());
        }
    }

    private static void journal(final StringBuilder text, final JournalAgent journal)
    {
        family(text, "sluice_journal_sync_seconds", "Time in each group fsync.", "summary");
        text.append("sluice_journal_sync_seconds_count ").append(journal.syncCount()).append('\n');
        text.append("sluice_journal_sync_seconds_sum ").append(journal.syncTotalNs() / NANOS_PER_SECOND).append('\n');
        gauge(text, "sluice_journal_sync_max_seconds", "Longest group fsync since start.",
            journal.syncMaxNs() / NANOS_PER_SECOND);
        gauge(text, "sluice_journal_failed", "1 if the journal failed and the node stopped persisting.",
            journal.isFailed() ? 1 : 0);
    }

    private static void replicas(final StringBuilder text, final ReplicationMetrics metrics, final long wireSeq)
    {
        gauge(text, "sluice_replicas_connected", "Replica slots active.", metrics.activeCount());
        family(text, "sluice_replica_in_memory_wire_seq", "Replica in-memory cursor per slot.", "gauge");
        for (int slot = 0; slot < metrics.slotCount(); slot++)
        {
            sample(text, "sluice_replica_in_memory_wire_seq{slot=\"" + slot + "\"}", metrics.inMemoryWireSeq(slot));
        }
        family(text, "sluice_replica_persisted_wire_seq", "Replica persisted cursor per slot.", "gauge");
        for (int slot = 0; slot < metrics.slotCount(); slot++)
        {
            sample(text, "sluice_replica_persisted_wire_seq{slot=\"" + slot + "\"}", metrics.persistedWireSeq(slot));
        }
        family(text, "sluice_replica_lag_entries", "Entries the replica has not persisted, per slot.", "gauge");
        for (int slot = 0; slot < metrics.slotCount(); slot++)
        {
            sample(text, "sluice_replica_lag_entries{slot=\"" + slot + "\"}",
                Math.max(0, wireSeq - metrics.persistedWireSeq(slot)));
        }
        family(text, "sluice_replica_last_ack_latency_seconds", "Latency of the last ack per slot.", "gauge");
        for (int slot = 0; slot < metrics.slotCount(); slot++)
        {
            sample(text, "sluice_replica_last_ack_latency_seconds{slot=\"" + slot + "\"}",
                metrics.lastAckLatencyNs(slot) / NANOS_PER_SECOND);
        }
    }

    private static void replicationLink(final StringBuilder text, final List<ReplicationSenderAgent> senders)
    {
        family(text, "sluice_replication_malformed_messages_total",
            "Control messages from a replica slot dropped as malformed (short block or fields).", "counter");
        for (final ReplicationSenderAgent sender : senders)
        {
            sample(text, "sluice_replication_malformed_messages_total{slot=\"" + sender.slot() + "\"}",
                sender.malformedMessages());
        }
        family(text, "sluice_replication_unauthenticated_messages_total",
            "Control messages to a replica slot dropped because the authenticated link could not verify them.",
            "counter");
        for (final ReplicationSenderAgent sender : senders)
        {
            sample(text, "sluice_replication_unauthenticated_messages_total{slot=\"" + sender.slot() + "\"}",
                sender.unauthenticatedMessages());
        }
        family(text, "sluice_replication_handshakes_total", "Replica handshakes per slot, by outcome.", "counter");
        for (final ReplicationSenderAgent sender : senders)
        {
            sample(text, "sluice_replication_handshakes_total{slot=\"" + sender.slot() + "\",outcome=\"accepted\"}",
                sender.handshakesAccepted());
            sample(text, "sluice_replication_handshakes_total{slot=\"" + sender.slot() + "\",outcome=\"refused\"}",
                sender.handshakesRejected());
            sample(text, "sluice_replication_handshakes_total{slot=\"" + sender.slot() +
                "\",outcome=\"challenged\"}", sender.handshakesChallenged());
        }
    }

    private static void stages(final StringBuilder text, final List<DutyCycleCounter> stages)
    {
        family(text, "sluice_stage_cycles_total", "Duty cycles of each stage thread that did work or idled.",
            "counter");
        for (final DutyCycleCounter stage : stages)
        {
            sample(text, "sluice_stage_cycles_total{stage=\"" + label(stage.roleName()) + "\",state=\"busy\"}",
                stage.busyCycles());
            sample(text, "sluice_stage_cycles_total{stage=\"" + label(stage.roleName()) + "\",state=\"idle\"}",
                stage.idleCycles());
        }
    }

    private static void garbageCollection(final StringBuilder text)
    {
        final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
        family(text, "sluice_gc_collections_total", "Garbage collections by collector.", "counter");
        for (final GarbageCollectorMXBean gc : collectors)
        {
            sample(text, "sluice_gc_collections_total{gc=\"" + label(gc.getName()) + "\"}", gc.getCollectionCount());
        }
        family(text, "sluice_gc_pause_seconds_total", "Time in garbage collection by collector.", "counter");
        for (final GarbageCollectorMXBean gc : collectors)
        {
            sample(text, "sluice_gc_pause_seconds_total{gc=\"" + label(gc.getName()) + "\"}",
                gc.getCollectionTime() / 1000.0);
        }
    }

    private static String label(final String value)
    {
        return value.toLowerCase(Locale.ROOT).replace('"', '\'').replace(' ', '_');
    }

    private static void gauge(final StringBuilder text, final String name, final String help, final double value)
    {
        family(text, name, help, "gauge");
        sample(text, name, value);
    }

    private static void counter(final StringBuilder text, final String name, final String help, final double value)
    {
        family(text, name, help, "counter");
        sample(text, name, value);
    }

    private static void family(final StringBuilder text, final String name, final String help, final String type)
    {
        text.append("# HELP ").append(name).append(' ').append(help).append('\n')
            .append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(final StringBuilder text, final String series, final double value)
    {
        text.append(series).append(' ');
        if (value == Math.rint(value) && Math.abs(value) < 1e15)
        {
            text.append((long)value);
        }
        else
        {
            text.append(value);
        }
        text.append('\n');
    }
}
