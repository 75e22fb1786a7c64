package io.sluice.client;

import io.sluice.sbe.client.CancelOnDisconnect;

import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;

/**
 * Every option of a {@link SluiceClient}, with its default and its validation in one place.
 */
public final class ClientContext
{
    public static final int DEFAULT_MAX_IN_FLIGHT = 4096;
    public static final int DEFAULT_MAX_MESSAGE_LENGTH = 4096;
    public static final int DEFAULT_BUFFER_BYTES = 256 * 1024;
    public static final long DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
    public static final long DEFAULT_LOGON_TIMEOUT_MS = 5_000;
    public static final long DEFAULT_RECONNECT_TIMEOUT_MS = 15_000;
    public static final long DEFAULT_RECONNECT_BACKOFF_MS = 50;
    /** Well inside the node's default idle timeout (30 s), so a quiet client that polls stays connected. */
    public static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 5_000;

    private final List<InetSocketAddress> endpoints = new ArrayList<>();
    private long sessionId;
    private long accountId;
    private KeyPair keyPair;
    private CancelOnDisconnect cancelOnDisconnect = CancelOnDisconnect.NULL_VAL;
    private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
    private int maxMessageLength = DEFAULT_MAX_MESSAGE_LENGTH;
    private int receiveBufferBytes = DEFAULT_BUFFER_BYTES;
    private int sendBufferBytes = DEFAULT_BUFFER_BYTES;
    private long connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;
    private long logonTimeoutMs = DEFAULT_LOGON_TIMEOUT_MS;
    private boolean autoReconnect = true;
    private boolean failoverOnHalt;
    private long reconnectTimeoutMs = DEFAULT_RECONNECT_TIMEOUT_MS;
    private long reconnectBackoffMs = DEFAULT_RECONNECT_BACKOFF_MS;
    private long heartbeatIntervalMs = DEFAULT_HEARTBEAT_INTERVAL_MS;

    /**
     * @param endpoints comma-separated {@code host:port} list, tried in order; on a lost connection the client moves
     *                  to the next one that accepts it.
     * @return this.
     */
    public ClientContext endpoints(final String endpoints)
    {
        this.endpoints.clear();
        for (final String endpoint : endpoints.split(","))
        {
            this.endpoints.add(parseEndpoint(endpoint.trim()));
        }
        return this;
    }

    public ClientContext endpoint(final InetSocketAddress endpoint)
    {
        endpoints.add(endpoint);
        return this;
    }

    public List<InetSocketAddress> endpoints()
    {
        return endpoints;
    }

    public ClientContext sessionId(final long sessionId)
    {
        this.sessionId = sessionId;
        return this;
    }

    public long sessionId()
    {
        return sessionId;
    }

    public ClientContext accountId(final long accountId)
    {
        this.accountId = accountId;
        return this;
    }

    public long accountId()
    {
        return accountId;
    }

    /**
     * @param cancelOnDisconnect ON to have the session's DAY orders cancelled when it goes away and does not log on
     *                           again within the node's grace period, OFF not to, NULL_VAL (the default) for the
     *                           listener's default; sent with every logon.
     * @return this.
     */
    public ClientContext cancelOnDisconnect(final CancelOnDisconnect cancelOnDisconnect)
    {
        this.cancelOnDisconnect = null == cancelOnDisconnect ? CancelOnDisconnect.NULL_VAL : cancelOnDisconnect;
        return this;
    }

    public CancelOnDisconnect cancelOnDisconnect()
    {
        return cancelOnDisconnect;
    }

    /**
     * @param keyPair Ed25519 key pair that signs the logon challenge; null to send an unsigned logon, which only a
     *                node with authentication off accepts.
     * @return this.
     */
    public ClientContext keyPair(final KeyPair keyPair)
    {
        this.keyPair = keyPair;
        return this;
    }

    public KeyPair keyPair()
    {
        return keyPair;
    }

    public ClientContext maxInFlight(final int maxInFlight)
    {
        this.maxInFlight = maxInFlight;
        return this;
    }

    public int maxInFlight()
    {
        return maxInFlight;
    }

    public ClientContext maxMessageLength(final int maxMessageLength)
    {
        this.maxMessageLength = maxMessageLength;
        return this;
    }

    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    public ClientContext receiveBufferBytes(final int receiveBufferBytes)
    {
        this.receiveBufferBytes = receiveBufferBytes;
        return this;
    }

    public int receiveBufferBytes()
    {
        return receiveBufferBytes;
    }

    public ClientContext sendBufferBytes(final int sendBufferBytes)
    {
        this.sendBufferBytes = sendBufferBytes;
        return this;
    }

    public int sendBufferBytes()
    {
        return sendBufferBytes;
    }

    public ClientContext connectTimeoutMs(final long connectTimeoutMs)
    {
        this.connectTimeoutMs = connectTimeoutMs;
        return this;
    }

    public long connectTimeoutMs()
    {
        return connectTimeoutMs;
    }

    public ClientContext logonTimeoutMs(final long logonTimeoutMs)
    {
        this.logonTimeoutMs = logonTimeoutMs;
        return this;
    }

    public long logonTimeoutMs()
    {
        return logonTimeoutMs;
    }

    public ClientContext autoReconnect(final boolean autoReconnect)
    {
        this.autoReconnect = autoReconnect;
        return this;
    }

    public boolean autoReconnect()
    {
        return autoReconnect;
    }

    /**
     * @param failoverOnHalt treat a {@code Halted} answer as "this node is not a trading primary" (fenced, shutting
     *                       down, journal failed, policy degraded): drop the connection, keep the request unanswered
     *                       and move to the next endpoint, coming back to this one only after a back-off. The
     *                       request is answered by whichever node trades again within
     *                       {@link #reconnectTimeoutMs()}. Off by default: a single-node client usually wants the
     *                       Halted answer.
     * @return this.
     */
    public ClientContext failoverOnHalt(final boolean failoverOnHalt)
    {
        this.failoverOnHalt = failoverOnHalt;
        return this;
    }

    public boolean failoverOnHalt()
    {
        return failoverOnHalt;
    }

    public ClientContext reconnectTimeoutMs(final long reconnectTimeoutMs)
    {
        this.reconnectTimeoutMs = reconnectTimeoutMs;
        return this;
    }

    public long reconnectTimeoutMs()
    {
        return reconnectTimeoutMs;
    }

    public ClientContext reconnectBackoffMs(final long reconnectBackoffMs)
    {
        this.reconnectBackoffMs = reconnectBackoffMs;
        return this;
    }

    public long reconnectBackoffMs()
    {
        return reconnectBackoffMs;
    }

    /**
     * @param heartbeatIntervalMs {@link SluiceClient#poll()} sends a Heartbeat when it has sent nothing for this
     *                            long, so the node does not close the connection as idle; 0 never.
     * @return this.
     */
    public ClientContext heartbeatIntervalMs(final long heartbeatIntervalMs)
    {
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        return this;
    }

    public long heartbeatIntervalMs()
    {
        return heartbeatIntervalMs;
    }

    void validate()
    {
        if (endpoints.isEmpty())
        {
            throw new IllegalArgumentException("endpoints: at least one host:port is required");
        }
        requireRange("maxInFlight", maxInFlight, 1, 1 << 20);
        requireRange("maxMessageLength", maxMessageLength, 64, 1 << 20);
        requireRange("receiveBufferBytes", receiveBufferBytes, 1024, 1 << 30);
        requireRange("sendBufferBytes", sendBufferBytes, maxMessageLength + 4, 1 << 30);
        requireRange("connectTimeoutMs", connectTimeoutMs, 1, 600_000);
        requireRange("logonTimeoutMs", logonTimeoutMs, 1, 600_000);
        requireRange("reconnectTimeoutMs", reconnectTimeoutMs, 0, 3_600_000);
        requireRange("reconnectBackoffMs", reconnectBackoffMs, 1, 60_000);
        requireRange("heartbeatIntervalMs", heartbeatIntervalMs, 0, 3_600_000);
    }

    private static void requireRange(final String key, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(key + "=" + value + " is outside [" + min + ", " + max + "]");
        }
    }

    static InetSocketAddress parseEndpoint(final String endpoint)
    {
        final int colon = endpoint.lastIndexOf(':');
        if (colon <= 0 || colon == endpoint.length() - 1)
        {
            throw new IllegalArgumentException("endpoint must be host:port: '" + endpoint + "'");
        }
        final int port;
        try
        {
            port = Integer.parseInt(endpoint.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("endpoint port is not a number: '" + endpoint + "'");
        }
        if (port < 1 || port > 65535)
        {
            throw new IllegalArgumentException("endpoint port out of range: '" + endpoint + "'");
        }
        return new InetSocketAddress(endpoint.substring(0, colon), port);
    }
}
