package io.sluice.node.primary;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sluice.replication.ReplicationSenderAgent;
import io.sluice.durability.ReplicationMetrics;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The node's HTTP listener (JDK HttpServer on one background thread, loopback by default): {@code GET /healthz}
 * answers a JSON summary, 200 while trading and 503 with the reason otherwise; {@code GET /metrics} answers
 * Prometheus text. Reads only counters and cursors the stages publish; never touches the hot path.
 */
final class HealthServer implements AutoCloseable
{
    private final HttpServer server;
    private final PrimaryNode node;

    HealthServer(final InetSocketAddress bind, final PrimaryNode node) throws IOException
    {
        this.node = node;
        server = HttpServer.create(bind, 16);
        server.setExecutor(Executors.newSingleThreadExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "sluice-http");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/healthz", this::healthz);
        server.createContext("/metrics", this::metrics);
        server.createContext("/stats", this::stats);
        server.start();
    }

    InetSocketAddress localAddress()
    {
        return server.getAddress();
    }

    private void healthz(final HttpExchange exchange) throws IOException
    {
        if (!"GET".equals(exchange.getRequestMethod()))
        {
            respond(exchange, 405, "text/plain", "GET only\n");
            return;
        }
        final String haltReason = node.haltReason();
        final ReplicationMetrics metrics = node.replicationMetrics();
        final StringBuilder json = new StringBuilder(256);
        json.append("{\"role\":\"primary\"")
            .append(",\"epoch\":").append(node.sequencer().epoch())
            .append(",\"state\":\"").append(haltReason == null ? "trading" : "halted").append('"');
        if (haltReason != null)
        {
            json.append(",\"reason\":\"").append(haltReason).append('"');
        }
        json.append(",\"policy\":\"").append(node.durabilityControl().policy().description()).append('"')
            .append(",\"policy_degraded\":").append(node.policyDegraded())
            .append(",\"journal_sync\":\"").append(node.config().get(
                io.sluice.node.config.NodeConfig.JOURNAL_SYNC)).append('"')
            .append(",\"replicas_connected\":").append(metrics.activeCount())
            .append(",\"cursors\":{\"wire_seq\":").append(node.lastWireSeq())
            .append(",\"journal_persisted_wire_seq\":").append(node.journalPersistedWireSeq())
            .append(",\"replicas\":[");
        for (int slot = 0; slot < metrics.slotCount(); slot++)
        {
            json.append(slot == 0 ? "" : ",")
                .append("{\"slot\":").append(slot)
                .append(",\"active\":").append(metrics.isActive(slot))
                .append(",\"in_memory_wire_seq\":").append(metrics.inMemoryWireSeq(slot))
                .append(",\"persisted_wire_seq\":").append(metrics.persistedWireSeq(slot));
            if (slot < node.senders().size())
            {
                final ReplicationSenderAgent sender = node.senders().get(slot);
                json.append(",\"state\":\"").append(sender.state().name().toLowerCase()).append('"')
                    .append(",\"snapshots_sent\":").append(sender.snapshotsSent());
                if (sender.state() == ReplicationSenderAgent.State.SENDING_SNAPSHOT)
                {
                    json.append(",\"snapshot_transfer\":{\"wire_seq\":").append(sender.snapshotWireSeq())
                        .append(",\"sent_bytes\":").append(sender.snapshotSentBytes())
                        .append(",\"total_bytes\":").append(sender.snapshotTotalBytes()).append('}');
                }
            }
            json.append('}');
        }
        json.append("]}");
        json.append(",\"snapshot\":{\"wire_seq\":").append(node.lastSnapshotWireSeq())
            .append(",\"journal_first_wire_seq\":").append(node.journal().firstWireSeq())
            .append(",\"cycles_deleted\":").append(node.snapshotAgent().cyclesDeleted()).append("}}\n");
        respond(exchange, haltReason == null ? 200 : 503, "application/json", json.toString());
    }

    private void metrics(final HttpExchange exchange) throws IOException
    {
        respond(exchange, 200, "text/plain; version=0.0.4", PrimaryMetrics.scrape(node));
    }

    private void stats(final HttpExchange exchange) throws IOException
    {
        final StageStats stats = node.stageStats();
        final String path = exchange.getRequestURI().getPath();
        if (stats == null)
        {
            respond(exchange, 404, "application/json", "{\"trace\":false,\"reason\":\"start the node with trace=on\"}\n");
        }
        else if ("POST".equals(exchange.getRequestMethod()) && path.equals("/stats/reset"))
        {
            stats.reset();
            respond(exchange, 200, "application/json", "{\"reset\":true}\n");
        }
        else if ("GET".equals(exchange.getRequestMethod()) && path.equals("/stats"))
        {
            respond(exchange, 200, "application/json", stats.json());
        }
        else
        {
            respond(exchange, 405, "text/plain", "GET /stats or POST /stats/reset\n");
        }
    }

    private static void respond(final HttpExchange exchange, final int status, final String type, final String body)
        throws IOException
    {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(bytes);
        }
    }

    @Override
    public void close()
    {
        server.stop(0);
    }
}
