package io.sluice.harness.bench;

import io.sluice.client.ClientContext;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Every option of a bench run, with its default and its validation in one place.
 * <p>
 * Two modes. <b>Open loop</b> (the default, {@code window == 0}): requests are due on a fixed schedule at
 * {@link #ratePerSecond()}, whatever the node does, and each request's latency runs from its <em>scheduled</em>
 * send time, so a stall on either side shows in the figures instead of pausing the load (no coordinated omission).
 * <b>Closed loop</b> ({@code window > 0}): each connection keeps up to {@code window} requests in flight and sends
 * the next as soon as one is answered; latency then runs from the actual send, and the rate is whatever the node
 * sustains.
 * <p>
 * The order flow is the shared seeded generator ({@code io.sluice.client.flow.OrderFlowGenerator}) over
 * {@link #instruments()} instruments with ids from {@link #firstInstrumentId()}, one tick size, lot size and
 * reference price for all of them: the node must have those instruments with a price band of at least 40%. The
 * protocol ties one account to a session, so the flow has one account per connection.
 */
public final class BenchContext
{
    public static final int DEFAULT_CONNECTIONS = 4;
    /** Each connection preallocates room for {@code BenchAgent.PENDING_LIMIT} commands waiting to be sent. */
    public static final int MAX_CONNECTIONS = 256;
    public static final int DEFAULT_INSTRUMENTS = 4;
    public static final long DEFAULT_REFERENCE_PRICE = 10_000;
    public static final long DEFAULT_SEED = 42;
    /** Sessions and accounts of the bench start here, clear of the ids people type by hand. */
    public static final long DEFAULT_FIRST_SESSION_ID = 1_000_001;
    public static final long DEFAULT_LATE_THRESHOLD_NS = TimeUnit.MILLISECONDS.toNanos(1);
    public static final long DEFAULT_DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    public static final long DEFAULT_PROGRESS_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    /** Orders a closed-loop run generates ahead per connection, at least, so no connection waits for the others. */
    static final int CLOSED_LOOP_LOOKAHEAD = 16;

    /** The node's client listeners, tried in order; a lost connection moves on to the next that trades. */
    private final java.util.List<InetSocketAddress> endpoints = new java.util.ArrayList<>();
    private long reconnectTimeoutNs = ClientContext.DEFAULT_RECONNECT_TIMEOUT_MS * 1_000_000L;
    /** Where the client history goes (see io.sluice.harness.check); null records none. */
    private java.nio.file.Path historyFile;
    private InetSocketAddress adminEndpoint;
    /** Key per session (= account) for nodes with auth=on; null sends unsigned logons. */
    private java.util.function.LongFunction<java.security.KeyPair> traderKeys;
    /** Operator key for the admin query on nodes with auth=on; null connects without one. */
    private java.security.KeyPair operatorKey;
    private double ratePerSecond;
    private int window;
    private int connections = DEFAULT_CONNECTIONS;
    private long durationNs;
    private long warmupNs;
    private long seed = DEFAULT_SEED;
    private int instruments = DEFAULT_INSTRUMENTS;
    private int firstInstrumentId = 1;
    private long referencePrice = DEFAULT_REFERENCE_PRICE;
    private long tickSize = 1;
    private long lotSize = 1;
    private long firstSessionId = DEFAULT_FIRST_SESSION_ID;
    private long firstClientOrderId = defaultFirstClientOrderId();
    private int maxInFlight = ClientContext.DEFAULT_MAX_IN_FLIGHT;
    private long lateThresholdNs = DEFAULT_LATE_THRESHOLD_NS;
    private long drainTimeoutNs = DEFAULT_DRAIN_TIMEOUT_NS;
    private long progressIntervalNs = DEFAULT_PROGRESS_INTERVAL_NS;
    private PrintStream progress;
    private NanoClock clock = SystemNanoClock.INSTANCE;
    /** Null: sleep in a select on the connections until a reply arrives or the next request is due. */
    private IdleStrategy idleStrategy;

    /**
     * Client order ids must not repeat a live order of the same account across runs against one node, so by
     * default each run starts at a base taken from the wall clock: 1,000 ids per millisecond of separation.
     */
    static long defaultFirstClientOrderId()
    {
        return System.currentTimeMillis() * 1_000;
    }

    /**
     * @param endpoint the one client listener to connect to.
     * @return this.
     */
    public BenchContext endpoint(final InetSocketAddress endpoint)
    {
        endpoints.clear();
        if (endpoint != null)
        {
            endpoints.add(endpoint);
        }
        return this;
    }

    /**
     * @return the first endpoint, or null if none is set.
     */
    public InetSocketAddress endpoint()
    {
        return endpoints.isEmpty() ? null : endpoints.get(0);
    }

    /**
     * @param endpoints the cluster's client listeners in the order to try them. With more than one, each connection
     *                  fails over: on a lost connection, or a node answering {@code Halted}, it moves to the next
     *                  endpoint that trades and sends its unanswered requests again; reconnects are then counted,
     *                  not errors.
     * @return this.
     */
    public BenchContext endpoints(final java.util.List<InetSocketAddress> endpoints)
    {
        this.endpoints.clear();
        this.endpoints.addAll(endpoints);
        return this;
    }

    public java.util.List<InetSocketAddress> endpoints()
    {
        return endpoints;
    }

    /**
     * @return true when more than one endpoint is given, so connections are expected to move between nodes.
     */
    public boolean failover()
    {
        return endpoints.size() > 1;
    }

    /**
     * @param reconnectTimeoutNs how long a connection keeps trying the endpoints after a loss before it fails.
     * @return this.
     */
    public BenchContext reconnectTimeoutNs(final long reconnectTimeoutNs)
    {
        this.reconnectTimeoutNs = reconnectTimeoutNs;
        return this;
    }

    public long reconnectTimeoutNs()
    {
        return reconnectTimeoutNs;
    }

    /**
     * @param historyFile where to record every request, reply and reconnect as JSON Lines for {@code sluice check}
     *                    ({@link io.sluice.harness.check.HistoryWriter} describes the lines); null for none.
     * @return this.
     */
    public BenchContext historyFile(final java.nio.file.Path historyFile)
    {
        this.historyFile = historyFile;
        return this;
    }

    public java.nio.file.Path historyFile()
    {
        return historyFile;
    }

    /**
     * @param adminEndpoint the node's admin listener, asked for the durability policy and the replicas connected;
     *                      null to report them as unknown.
     * @return this.
     */
    /**
     * @param traderKeys the Ed25519 key each connection signs its logon with, by session id (the bench uses the
     *                   session id as the account id); null for nodes without auth.
     * @return this.
     */
    public BenchContext traderKeys(final java.util.function.LongFunction<java.security.KeyPair> traderKeys)
    {
        this.traderKeys = traderKeys;
        return this;
    }

    public java.util.function.LongFunction<java.security.KeyPair> traderKeys()
    {
        return traderKeys;
    }

    /**
     * @param operatorKey key the admin query signs the node's challenge with; null for nodes without auth.
     * @return this.
     */
    public BenchContext operatorKey(final java.security.KeyPair operatorKey)
    {
        this.operatorKey = operatorKey;
        return this;
    }

    public java.security.KeyPair operatorKey()
    {
        return operatorKey;
    }

    public BenchContext adminEndpoint(final InetSocketAddress adminEndpoint)
    {
        this.adminEndpoint = adminEndpoint;
        return this;
    }

    public InetSocketAddress adminEndpoint()
    {
        return adminEndpoint;
    }

    /**
     * @param ratePerSecond requests per second over all connections, open loop; ignored in closed loop.
     * @return this.
     */
    public BenchContext ratePerSecond(final double ratePerSecond)
    {
        this.ratePerSecond = ratePerSecond;
        return this;
    }

    public double ratePerSecond()
    {
        return ratePerSecond;
    }

    /**
     * @param window requests in flight per connection for a closed-loop run; 0 for open loop.
     * @return this.
     */
    public BenchContext window(final int window)
    {
        this.window = window;
        return this;
    }

    public int window()
    {
        return window;
    }

    public boolean openLoop()
    {
        return window == 0;
    }

    public BenchContext connections(final int connections)
    {
        this.connections = connections;
        return this;
    }

    public int connections()
    {
        return connections;
    }

    /**
     * @param durationNs of the measured phase.
     * @return this.
     */
    public BenchContext durationNs(final long durationNs)
    {
        this.durationNs = durationNs;
        return this;
    }

    public long durationNs()
    {
        return durationNs;
    }

    /**
     * @param warmupNs of the warm-up phase before it: same load, not recorded.
     * @return this.
     */
    public BenchContext warmupNs(final long warmupNs)
    {
        this.warmupNs = warmupNs;
        return this;
    }

    public long warmupNs()
    {
        return warmupNs;
    }

    public BenchContext seed(final long seed)
    {
        this.seed = seed;
        return this;
    }

    public long seed()
    {
        return seed;
    }

    public BenchContext instruments(final int instruments)
    {
        this.instruments = instruments;
        return this;
    }

    public int instruments()
    {
        return instruments;
    }

    public BenchContext firstInstrumentId(final int firstInstrumentId)
    {
        this.firstInstrumentId = firstInstrumentId;
        return this;
    }

    public int firstInstrumentId()
    {
        return firstInstrumentId;
    }

    public BenchContext referencePrice(final long referencePrice)
    {
        this.referencePrice = referencePrice;
        return this;
    }

    public long referencePrice()
    {
        return referencePrice;
    }

    public BenchContext tickSize(final long tickSize)
    {
        this.tickSize = tickSize;
        return this;
    }

    public long tickSize()
    {
        return tickSize;
    }

    public BenchContext lotSize(final long lotSize)
    {
        this.lotSize = lotSize;
        return this;
    }

    public long lotSize()
    {
        return lotSize;
    }

    /**
     * @param firstSessionId connection {@code i} logs on as session and account {@code firstSessionId + i}.
     * @return this.
     */
    public BenchContext firstSessionId(final long firstSessionId)
    {
        this.firstSessionId = firstSessionId;
        return this;
    }

    public long firstSessionId()
    {
        return firstSessionId;
    }

    public BenchContext firstClientOrderId(final long firstClientOrderId)
    {
        this.firstClientOrderId = firstClientOrderId;
        return this;
    }

    public long firstClientOrderId()
    {
        return firstClientOrderId;
    }

    /**
     * @param maxInFlight most unanswered requests per connection; an open-loop request due while its connection is
     *                    full waits (and is late), it is never dropped.
     * @return this.
     */
    public BenchContext maxInFlight(final int maxInFlight)
    {
        this.maxInFlight = maxInFlight;
        return this;
    }

    public int maxInFlight()
    {
        return maxInFlight;
    }

    /**
     * @param lateThresholdNs an open-loop request sent more than this after its scheduled time counts as late.
     * @return this.
     */
    public BenchContext lateThresholdNs(final long lateThresholdNs)
    {
        this.lateThresholdNs = lateThresholdNs;
        return this;
    }

    public long lateThresholdNs()
    {
        return lateThresholdNs;
    }

    /**
     * @param drainTimeoutNs how long after the last scheduled request to wait for every answer.
     * @return this.
     */
    public BenchContext drainTimeoutNs(final long drainTimeoutNs)
    {
        this.drainTimeoutNs = drainTimeoutNs;
        return this;
    }

    public long drainTimeoutNs()
    {
        return drainTimeoutNs;
    }

    public BenchContext progressIntervalNs(final long progressIntervalNs)
    {
        this.progressIntervalNs = progressIntervalNs;
        return this;
    }

    public long progressIntervalNs()
    {
        return progressIntervalNs;
    }

    /**
     * @param progress where a progress line is printed every {@link #progressIntervalNs()}; null for none.
     * @return this.
     */
    public BenchContext progress(final PrintStream progress)
    {
        this.progress = progress;
        return this;
    }

    public PrintStream progress()
    {
        return progress;
    }

    public BenchContext clock(final NanoClock clock)
    {
        this.clock = clock;
        return this;
    }

    public NanoClock clock()
    {
        return clock;
    }

    /**
     * @param idleStrategy how the driving thread polls when nothing is due and nothing arrived; null (the default)
     *                     to sleep in a select on the connections until a reply arrives or the next request falls
     *                     due, spinning only the last millisecond before a send, so the bench neither takes a core
     *                     from the node nor adds a poll interval to the latency. Whatever wake-up lag remains shows
     *                     up as send delay and in the latency, never hidden.
     * @return this.
     */
    public BenchContext idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * @return the polling strategy of {@code --idle backoff}: spin, yield, then park up to 20 us.
     */
    public static IdleStrategy backoff()
    {
        return new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(20));
    }

    /**
     * Parse a command-line endpoint.
     *
     * @param option   named in the error message.
     * @param hostPort {@code host:port}.
     * @return the address.
     * @throws IllegalArgumentException if it is not host:port.
     */
    public static InetSocketAddress parseHostPort(final String option, final String hostPort)
    {
        final int colon = hostPort.lastIndexOf(':');
        try
        {
            if (colon <= 0)
            {
                throw new IllegalArgumentException();
            }
            final int port = Integer.parseInt(hostPort.substring(colon + 1));
            return new InetSocketAddress(hostPort.substring(0, colon), port);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(option + " must be host:port: '" + hostPort + "'");
        }
    }

    /**
     * Parse a command-line endpoint list.
     *
     * @param option    named in the error message.
     * @param hostPorts {@code host:port[,host:port...]}.
     * @return the addresses, in order.
     * @throws IllegalArgumentException if an element is not host:port.
     */
    public static java.util.List<InetSocketAddress> parseHostPorts(final String option, final String hostPorts)
    {
        final java.util.List<InetSocketAddress> addresses = new java.util.ArrayList<>();
        for (final String hostPort : hostPorts.split(","))
        {
            addresses.add(parseHostPort(option, hostPort.trim()));
        }
        return addresses;
    }

    /**
     * @throws IllegalArgumentException naming the option when a value is out of range or the endpoint is missing.
     */
    public void validate()
    {
        if (endpoints.isEmpty())
        {
            throw new IllegalArgumentException("connect: host:port of the node's client listener is required");
        }
        validateLoad();
    }

    /**
     * Check everything but the endpoint, for a caller that learns it later (the demo, once its node listens).
     *
     * @throws IllegalArgumentException naming the option when a value is out of range.
     */
    public void validateLoad()
    {
        if (window < 0 || window > 1 << 16)
        {
            throw new IllegalArgumentException("window=" + window + " is outside [0, 65536]");
        }
        if (openLoop() && !(ratePerSecond >= 1 && ratePerSecond <= 10_000_000))
        {
            throw new IllegalArgumentException("rate=" + ratePerSecond + " is outside [1, 10000000] per second");
        }
        requireRange("connections", connections, 1, MAX_CONNECTIONS);
        requireRange("seconds (ns)", durationNs, 1, TimeUnit.HOURS.toNanos(24));
        requireRange("warmup (ns)", warmupNs, 0, TimeUnit.HOURS.toNanos(24));
        requireRange("instruments", instruments, 1, 100_000);
        requireRange("first instrument id", firstInstrumentId, 1, Integer.MAX_VALUE - instruments);
        requireRange("max in flight", maxInFlight, 1, 1 << 20);
        if (window > maxInFlight)
        {
            throw new IllegalArgumentException("window=" + window + " is above max in flight " + maxInFlight);
        }
        requireRange("late threshold (ns)", lateThresholdNs, 1, TimeUnit.HOURS.toNanos(1));
        requireRange("drain timeout (ns)", drainTimeoutNs, 0, TimeUnit.HOURS.toNanos(1));
        requireRange("progress interval (ns)", progressIntervalNs, 1, TimeUnit.HOURS.toNanos(1));
        requireRange("reconnect timeout (ns)", reconnectTimeoutNs, TimeUnit.MILLISECONDS.toNanos(1),
            TimeUnit.HOURS.toNanos(1));
        requireRange("first session id", firstSessionId, 1, Long.MAX_VALUE - connections);
        requireRange("first client order id", firstClientOrderId, 1, Long.MAX_VALUE / 2);
    }

    private static void requireRange(final String key, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(key + "=" + value + " is outside [" + min + ", " + max + "]");
        }
    }
}
