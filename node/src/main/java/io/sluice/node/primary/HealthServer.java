package io.sluice.node.primary;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sluice.response.ReplicationMetrics;
import io.sluice.response.ResponseCounters;

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
            .append(",\"policy_degraded\":").append(node.responseCounters().policyDegraded())
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
                .append(",\"persisted_wire_seq\":").append(metrics.persistedWireSeq(slot)).append('}');
        }
        json.append("]}}\n");
        respond(exchange, haltReason == null ? 200 : 503, "application/json", json.toString());
    }

    private void metrics(final HttpExchange exchange) throws IOException
    {
        final ResponseCounters counters = node.responseCounters();
        final StringBuilder text = new StringBuilder(1024);
        gauge(text, "sluice_wire_seq", "Last wireSeq given out by the sequencer.", node.lastWireSeq());
        gauge(text, "sluice_journal_persisted_wire_seq", "Last wireSeq fsynced by the journal.",
            node.journalPersistedWireSeq());
        gauge(text, "sluice_trading_active", "1 while the node accepts orders.", node.haltReason() == null ? 1 : 0);
        gauge(text, "sluice_policy_degraded", "1 while the durability policy cannot be met.",
            counters.policyDegraded() ? 1 : 0);
        gauge(text, "sluice_replicas_connected", "Replica slots active.", node.replicationMetrics().activeCount());
        counter(text, "sluice_commands_total", "State-changing commands applied.", node.sequencer().commandsApplied());
        counter(text, "sluice_halted_rejects_total", "Commands answered HALTED.", node.sequencer().haltedRejects());
        counter(text, "sluice_replies_total", "Replies written to clients.", counters.repliesSent());
        family(text, "sluice_gate_waits_total", "Times the durability gate held replies, by what it waited for.",
            "counter");
        sample(text, "sluice_gate_waits_total{blocker=\"journal\"}", counters.gateWaitsJournal());
        sample(text, "sluice_gate_waits_total{blocker=\"replication\"}", counters.gateWaitsReplication());
        family(text, "sluice_client_drops_total", "Client connections dropped by the response stage.", "counter");
        sample(text, "sluice_client_drops_total{reason=\"slow_consumer\"}", counters.slowConsumerDrops());
        sample(text, "sluice_client_drops_total{reason=\"write_failed\"}", counters.writeFailureDrops());
        text.append("# HELP sluice_degraded_seconds_total Time the policy was degraded.\n")
            .append("# TYPE sluice_degraded_seconds_total counter\n")
            .append("sluice_degraded_seconds_total ").append(counters.degradedSecondsTotal()).append('\n');
        respond(exchange, 200, "text/plain; version=0.0.4", text.toString());
    }

    private static void gauge(final StringBuilder text, final String name, final String help, final long value)
    {
        family(text, name, help, "gauge");
        sample(text, name, value);
    }

    private static void counter(final StringBuilder text, final String name, final String help, final long value)
    {
        family(text, name, help, "counter");
        sample(text, name, value);
    }

    private static void family(final StringBuilder text, final String name, final String help, final String type)
    {
        text.append("# HELP ").append(name).append(' ').append(help).append('\n')
            .append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(final StringBuilder text, final String series, final long value)
    {
        text.append(series).append(' ').append(value).append('\n');
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
