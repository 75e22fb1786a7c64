package io.sluice.harness.bench;

import io.sluice.node.admin.AdminClient;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URL;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Asks a node about itself outside the order-entry path: its durability policy and replicas through the admin
 * listener, its trading state through {@code GET /healthz}. Never on the measured path.
 */
public final class NodeProbe
{
    static final String UNKNOWN = "unknown";
    private static final int ADMIN_TIMEOUT_MS = 5_000;
    private static final int HTTP_TIMEOUT_MS = 2_000;
    private static final String REPLICAS_KEY = "replicas_connected=";

    private NodeProbe()
    {
    }

    /**
     * What the report says about the node under load.
     */
    public static final class NodeInfo
    {
        private final String durability;
        private final Integer replicas;

        /**
         * @param durability the policy in force (a mode name or a clause expression), or "unknown".
         * @param replicas   replicas connected, or null if unknown.
         */
        public NodeInfo(final String durability, final Integer replicas)
        {
            this.durability = durability;
            this.replicas = replicas;
        }

        /**
         * @return the policy in force (a mode name or a clause expression), or "unknown".
         */
        public String durability()
        {
            return durability;
        }

        /**
         * @return replicas connected, or null if unknown.
         */
        public Integer replicas()
        {
            return replicas;
        }
    }

    static NodeInfo unknown()
    {
        return new NodeInfo(UNKNOWN, null);
    }

    /**
     * Ask the admin listener {@code DURABILITY} and {@code STATUS}.
     *
     * @param admin the node's admin listener, or null.
     * @return what it said; unknown fields if it is null or did not answer.
     */
    public static NodeInfo query(final InetSocketAddress admin)
    {
        return query(admin, null);
    }

    /**
     * Ask the admin listener {@code DURABILITY} and {@code STATUS}, answering its challenge with an operator key
     * when the node runs with auth on.
     *
     * @param admin       the node's admin listener, or null.
     * @param operatorKey the operator key, or null.
     * @return what it said; unknown fields if it is null or did not answer.
     */
    public static NodeInfo query(final InetSocketAddress admin, final java.security.KeyPair operatorKey)
    {
        if (admin == null)
        {
            return unknown();
        }
        try (AdminClient client = new AdminClient(admin, ADMIN_TIMEOUT_MS, operatorKey))
        {
            final List<String> durability = client.execute("DURABILITY");
            final List<String> status = client.execute("STATUS");
            return new NodeInfo(parseDurability(durability), parseReplicas(status));
        }
        catch (final IOException ex)
        {
            return unknown();
        }
    }

    static String parseDurability(final List<String> answer)
    {
        if (answer.size() == 1 && answer.get(0).startsWith("OK "))
        {
            return answer.get(0).substring(3).trim();
        }
        return UNKNOWN;
    }

    static Integer parseReplicas(final List<String> answer)
    {
        for (final String line : answer)
        {
            for (final String field : line.split(" "))
            {
                if (field.startsWith(REPLICAS_KEY))
                {
                    try
                    {
                        return Integer.valueOf(field.substring(REPLICAS_KEY.length()));
                    }
                    catch (final NumberFormatException ex)
                    {
                        return null;
                    }
                }
            }
        }
        return null;
    }

    /**
     * Poll {@code GET /healthz} until it answers 200 (trading).
     *
     * @param http      the node's HTTP listener.
     * @param timeoutMs how long to keep trying.
     * @return true if it answered 200 in time.
     */
    public static boolean awaitTrading(final InetSocketAddress http, final long timeoutMs)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() - deadlineNs < 0)
        {
            if (healthStatus(http) == HttpURLConnection.HTTP_OK)
            {
                return true;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        return false;
    }

    /**
     * @return the HTTP status of {@code GET /healthz}, or -1 if the node did not answer.
     */
    /**
     * Wait until the node's {@code /healthz} reports at least {@code replicas} replicas connected.
     *
     * @param http      the node's HTTP listener.
     * @param replicas  how many must be connected.
     * @param timeoutMs how long to wait.
     * @return true if they connected in time.
     */
    public static boolean awaitReplicas(final InetSocketAddress http, final int replicas, final long timeoutMs)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final java.util.regex.Pattern connected = java.util.regex.Pattern.compile("\"replicas_connected\":(\\d+)");
        while (System.nanoTime() - deadlineNs < 0)
        {
            try
            {
                final HttpURLConnection connection = (HttpURLConnection)new java.net.URL(
                    "http://" + http.getHostString() + ":" + http.getPort() + "/healthz").openConnection();
                connection.setConnectTimeout(2_000);
                connection.setReadTimeout(2_000);
                connection.getResponseCode();
                final java.io.InputStream body = connection.getErrorStream() != null ? connection.getErrorStream() :
                    connection.getInputStream();
                final java.util.regex.Matcher matcher = connected.matcher(
                    new String(body.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
                body.close();
                if (matcher.find() && Integer.parseInt(matcher.group(1)) >= replicas)
                {
                    return true;
                }
            }
            catch (final IOException ex)
            {
                // not up yet
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        return false;
    }

    static int healthStatus(final InetSocketAddress http)
    {
        HttpURLConnection connection = null;
        try
        {
            connection = (HttpURLConnection)new URL(
                "http://" + http.getHostString() + ":" + http.getPort() + "/healthz").openConnection();
            connection.setConnectTimeout(HTTP_TIMEOUT_MS);
            connection.setReadTimeout(HTTP_TIMEOUT_MS);
            final int status = connection.getResponseCode();
            try (InputStream body = status < 400 ? connection.getInputStream() : connection.getErrorStream())
            {
                if (body != null)
                {
                    body.readAllBytes();
                }
            }
            return status;
        }
        catch (final IOException ex)
        {
            return -1;
        }
        finally
        {
            if (connection != null)
            {
                connection.disconnect();
            }
        }
    }

    private static final java.util.regex.Pattern STAGE = java.util.regex.Pattern.compile(
        "\"([a-z_]+)\":\\{\"count\":(\\d+),\"mean\":([0-9.]+),\"p50\":([0-9.]+),\"p90\":([0-9.]+)," +
        "\"p99\":([0-9.]+),\"p99_9\":([0-9.]+),\"p99_99\":([0-9.]+),\"max\":([0-9.]+)\\}");

    /**
     * Reset the node's stage histograms ({@code POST /stats/reset}); a node without tracing answers 404, ignored.
     *
     * @param http the node's HTTP listener.
     */
    public static void resetStats(final InetSocketAddress http)
    {
        try
        {
            final HttpURLConnection connection = (HttpURLConnection)new java.net.URL(
                "http://" + http.getHostString() + ":" + http.getPort() + "/stats/reset").openConnection();
            connection.setRequestMethod("POST");
            connection.setConnectTimeout(5_000);
            connection.setReadTimeout(5_000);
            connection.getResponseCode();
            connection.disconnect();
        }
        catch (final IOException ex)
        {
            // no breakdown then; the round trip is still measured
        }
    }

    /**
     * @param http the node's HTTP listener.
     * @return the node's per-stage latency summaries from {@code GET /stats}, in the node's order; empty when the
     * node does not trace or cannot be reached.
     */
    public static java.util.Map<String, LatencySummary> stats(final InetSocketAddress http)
    {
        final java.util.Map<String, LatencySummary> stages = new java.util.LinkedHashMap<>();
        try
        {
            final HttpURLConnection connection = (HttpURLConnection)new java.net.URL(
                "http://" + http.getHostString() + ":" + http.getPort() + "/stats").openConnection();
            connection.setConnectTimeout(5_000);
            connection.setReadTimeout(5_000);
            if (connection.getResponseCode() != HttpURLConnection.HTTP_OK)
            {
                return stages;
            }
            final String body;
            try (java.io.InputStream in = connection.getInputStream())
            {
                body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            final java.util.regex.Matcher matcher = STAGE.matcher(body);
            while (matcher.find())
            {
                stages.put(matcher.group(1), new LatencySummary(Long.parseLong(matcher.group(2)),
                    Double.parseDouble(matcher.group(3)), Double.parseDouble(matcher.group(4)),
                    Double.parseDouble(matcher.group(5)), Double.parseDouble(matcher.group(6)),
                    Double.parseDouble(matcher.group(7)), Double.parseDouble(matcher.group(8)),
                    Double.parseDouble(matcher.group(9))));
            }
        }
        catch (final IOException | NumberFormatException ex)
        {
            stages.clear();
        }
        return stages;
    }
}
