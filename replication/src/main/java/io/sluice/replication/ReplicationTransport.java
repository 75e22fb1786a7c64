package io.sluice.replication;

import io.aeron.Aeron;
import io.aeron.ChannelUriStringBuilder;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.driver.ext.DebugReceiveChannelEndpoint;
import io.aeron.driver.ext.LossGenerator;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.nio.TransportPoller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;

/**
 * The Aeron side of one node: an Aeron client and, unless an external driver is configured, the embedded media driver
 * it talks to. One per node, shared by every sender or replica agent of the node; it builds the unicast channels they
 * use so term length and MTU are set in one place.
 * <p>
 * An embedded driver owns its directory: it deletes it on start and on close, so a directory must never be shared
 * by two drivers (each node, and each test driver, needs its own).
 * <p>
 * With {@link ThreadingMode#INVOKER} the embedded driver and the client's conductor have no threads of their own:
 * {@link #invokerAgent()} runs them, and the node puts it on the thread of the agents that use the transport, so a
 * journal batch an agent offers goes to the wire in the same duty cycle, and an ack that arrives is read by the
 * thread that handles it. That thread can then sleep in a blocking select on the driver's receive sockets
 * ({@link #receiveSelector()}), woken by the kernel when a datagram arrives.
 */
public final class ReplicationTransport implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationTransport.class);

    private final Context context;
    private final MediaDriver driver;
    private final Aeron aeron;
    /** Null unless the embedded driver runs as an invoker. */
    private final Agent invokerAgent;

    private ReplicationTransport(final Context context)
    {
        this.context = context;
        MediaDriver launched = null;
        try
        {
            if (context.embeddedDriver())
            {
                final MediaDriver.Context driverContext = new MediaDriver.Context()
                    .aeronDirectoryName(context.aeronDirectoryName())
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true)
                    .threadingMode(context.threadingMode())
                    .publicationTermBufferLength(context.termBufferLengthBytes())
                    .ipcTermBufferLength(context.termBufferLengthBytes())
                    .mtuLength(context.mtuLengthBytes())
                    .imageLivenessTimeoutNs(context.imageLivenessTimeoutNs())
                    .termBufferSparseFile(true)
                    .warnIfDirectoryExists(false)
                    // Its only tasks, resolving endpoint names, are rare (a node's endpoints are addresses): run them
                    // on the conductor rather than keep a thread that wakes a hundred times a second.
                    .asyncExecutorEnabled(false);
                if (context.receiveLossGenerator() != null)
                {
                    final LossGenerator loss = context.receiveLossGenerator();
                    driverContext.receiveChannelEndpointSupplier((channel, dispatcher, status, driver) ->
                        new DebugReceiveChannelEndpoint(channel, dispatcher, status, driver, loss, loss));
                    LOG.warn("replication transport drops received frames as its loss generator decides: fault " +
                        "injection, tests only");
                }
                if (context.threadingMode() == ThreadingMode.SHARED)
                {
                    driverContext.sharedIdleStrategy(context.driverIdleStrategy());
                }
                else
                {
                    driverContext.conductorIdleStrategy(context.driverIdleStrategy());
                }
                launched = MediaDriver.launch(driverContext);
            }
            driver = launched;
            final Aeron.Context clientContext = new Aeron.Context()
                .aeronDirectoryName(context.aeronDirectoryName())
                .errorHandler((ex) -> LOG.error("aeron client error", ex));
            final boolean invoked = launched != null && context.threadingMode() == ThreadingMode.INVOKER;
            if (invoked)
            {
                clientContext.useConductorAgentInvoker(true).driverAgentInvoker(launched.sharedAgentInvoker());
            }
            aeron = Aeron.connect(clientContext);
            invokerAgent = invoked ? new InvokerAgent(launched.sharedAgentInvoker(), aeron.conductorAgentInvoker()) :
                null;
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(launched);
            throw ex;
        }
    }

    /**
     * Starts the embedded driver (if configured) and connects the client.
     *
     * @param context options; validated here.
     * @return the running transport.
     */
    public static ReplicationTransport launch(final Context context)
    {
        context.conclude();
        final ReplicationTransport transport = new ReplicationTransport(context);
        LOG.info("replication transport started aeron.dir={} embedded={} threading={} termLength={} mtu={}",
            context.aeronDirectoryName(), context.embeddedDriver(), context.threadingMode(),
            context.termBufferLengthBytes(), context.mtuLengthBytes());
        return transport;
    }

    public Aeron aeron()
    {
        return aeron;
    }

    /**
     * @return the agent that runs the embedded driver and the client conductor, for the thread of the agents that
     * use this transport, or null when they have threads of their own (not {@link ThreadingMode#INVOKER}).
     */
    public Agent invokerAgent()
    {
        return invokerAgent;
    }

    /**
     * The selector the embedded driver's receiver reads its sockets through, so that the thread running
     * {@link #invokerAgent()} can block on it when idle and be woken by the kernel when a datagram arrives. The
     * driver does not offer it publicly; it is taken by reflection, and null comes back if this Aeron version does
     * not have it where expected (the thread then polls).
     *
     * @return the receive selector, or null.
     */
    public Selector receiveSelector()
    {
        if (invokerAgent == null)
        {
            return null;
        }
        try
        {
            final Method poller = MediaDriver.Context.class.getDeclaredMethod("dataTransportPoller");
            poller.setAccessible(true);
            final Object dataTransportPoller = poller.invoke(driver.context());
            final Field selector = TransportPoller.class.getDeclaredField("selector");
            selector.setAccessible(true);
            return (Selector)selector.get(dataTransportPoller);
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            LOG.warn("cannot reach the Aeron driver's receive selector ({}): the replication thread polls instead",
                ex.toString());
            return null;
        }
    }

    public Context context()
    {
        return context;
    }

    public String aeronDirectoryName()
    {
        return context.aeronDirectoryName();
    }

    /**
     * Channel of a publication sending to {@code endpoint}, with this transport's term length and MTU.
     *
     * @param endpoint {@code host:port} where the receiving side listens.
     * @return the channel URI.
     */
    public String publicationChannel(final String endpoint)
    {
        return new ChannelUriStringBuilder()
            .media(CommonContext.UDP_MEDIA)
            .endpoint(endpoint)
            .termLength(context.termBufferLengthBytes())
            .mtu(context.mtuLengthBytes())
            .build();
    }

    /**
     * A publication that sends every message to each of {@code endpoints}: one Aeron multi-destination-cast
     * publication (manual control mode) with a destination per endpoint, so the driver fans each message out and a
     * silent destination holds no one back. With a single endpoint it is a plain unicast publication.
     *
     * @param endpoints {@code host:port} list, comma separated.
     * @param streamId  stream of the publication.
     * @return the publication; the caller closes it.
     */
    public ExclusivePublication addFanOutPublication(final String endpoints, final int streamId)
    {
        final String[] destinations = endpoints.split(",");
        if (destinations.length == 1)
        {
            return aeron.addExclusivePublication(publicationChannel(destinations[0].trim()), streamId);
        }
        final ExclusivePublication publication = aeron.addExclusivePublication(new ChannelUriStringBuilder()
            .media(CommonContext.UDP_MEDIA)
            .controlMode(CommonContext.MDC_CONTROL_MODE_MANUAL)
            .termLength(context.termBufferLengthBytes())
            .mtu(context.mtuLengthBytes())
            .build(), streamId);
        try
        {
            for (final String destination : destinations)
            {
                publication.addDestination(new ChannelUriStringBuilder()
                    .media(CommonContext.UDP_MEDIA)
                    .endpoint(destination.trim())
                    .build());
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(publication);
            throw ex;
        }
        return publication;
    }

    /**
     * Channel of a subscription listening on {@code endpoint}.
     *
     * @param endpoint {@code host:port} to bind.
     * @return the channel URI.
     */
    public String subscriptionChannel(final String endpoint)
    {
        return new ChannelUriStringBuilder()
            .media(CommonContext.UDP_MEDIA)
            .endpoint(endpoint)
            .build();
    }

    /** Closes the client, then the embedded driver (which deletes its directory). */
    public void close()
    {
        CloseHelper.closeAll(aeron, driver);
    }

    /** Runs the invoked driver, then the client conductor: one duty cycle of both. */
    private static final class InvokerAgent implements Agent
    {
        private final AgentInvoker driverInvoker;
        private final AgentInvoker conductorInvoker;

        InvokerAgent(final AgentInvoker driverInvoker, final AgentInvoker conductorInvoker)
        {
            this.driverInvoker = driverInvoker;
            this.conductorInvoker = conductorInvoker;
        }

        @Override
        public int doWork()
        {
            return driverInvoker.invoke() + conductorInvoker.invoke();
        }

        @Override
        public String roleName()
        {
            return "aeron";
        }
    }

    /**
     * Every option of a node's transport, with its default; {@link #conclude()} validates them.
     */
    public static final class Context
    {
        public static final int DEFAULT_TERM_BUFFER_LENGTH_BYTES = 1024 * 1024;
        public static final int DEFAULT_MTU_LENGTH_BYTES = 1408;
        public static final long DEFAULT_IMAGE_LIVENESS_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(3);

        private String aeronDirectoryName;
        private boolean embeddedDriver = true;
        private ThreadingMode threadingMode = ThreadingMode.SHARED;
        private IdleStrategy driverIdleStrategy;
        private int termBufferLengthBytes = DEFAULT_TERM_BUFFER_LENGTH_BYTES;
        private int mtuLengthBytes = DEFAULT_MTU_LENGTH_BYTES;
        private long imageLivenessTimeoutNs = DEFAULT_IMAGE_LIVENESS_TIMEOUT_NS;
        private LossGenerator receiveLossGenerator;

        /**
         * Fault injection, for tests only: the embedded driver asks this generator about every frame it receives
         * (data, and control such as status messages and NAKs) and drops those it says to, as a lossy or cut network
         * would. Null (default) for none.
         */
        public Context receiveLossGenerator(final LossGenerator receiveLossGenerator)
        {
            this.receiveLossGenerator = receiveLossGenerator;
            return this;
        }

        public LossGenerator receiveLossGenerator()
        {
            return receiveLossGenerator;
        }

        /**
         * Aeron directory ({@code aeron.dir}). With an embedded driver the default is a fresh random directory
         * under the platform default (on Linux {@code /dev/shm}); with an external driver it is the directory that
         * driver uses and must be set.
         */
        public Context aeronDirectoryName(final String aeronDirectoryName)
        {
            this.aeronDirectoryName = aeronDirectoryName;
            return this;
        }

        public String aeronDirectoryName()
        {
            return aeronDirectoryName;
        }

        /** Launch an embedded media driver (default) or connect to an external one at {@link #aeronDirectoryName}. */
        public Context embeddedDriver(final boolean embeddedDriver)
        {
            this.embeddedDriver = embeddedDriver;
            return this;
        }

        public boolean embeddedDriver()
        {
            return embeddedDriver;
        }

        /**
         * Threading of the embedded driver: {@code SHARED} (default: one thread), {@code DEDICATED} (conductor,
         * sender and receiver threads, for spare cores), or {@code INVOKER} (no thread: {@link #invokerAgent()} runs
         * it on the thread of the agents that use the transport).
         */
        public Context threadingMode(final ThreadingMode threadingMode)
        {
            this.threadingMode = threadingMode;
            return this;
        }

        public ThreadingMode threadingMode()
        {
            return threadingMode;
        }

        /**
         * Idle strategy of the embedded driver's shared thread (or its conductor when dedicated). Default: backoff
         * parking up to 100 us, so an idle driver costs little CPU yet wakes quickly.
         */
        public Context driverIdleStrategy(final IdleStrategy driverIdleStrategy)
        {
            this.driverIdleStrategy = driverIdleStrategy;
            return this;
        }

        public IdleStrategy driverIdleStrategy()
        {
            return driverIdleStrategy;
        }

        /**
         * Term buffer length of the publications this node creates (a power of two in [64 KiB, 1 GiB]); a
         * publication maps three terms. The largest message is an eighth of it, so it must hold a batch with one
         * entry of the largest size.
         */
        public Context termBufferLengthBytes(final int termBufferLengthBytes)
        {
            this.termBufferLengthBytes = termBufferLengthBytes;
            return this;
        }

        public int termBufferLengthBytes()
        {
            return termBufferLengthBytes;
        }

        /** MTU of the publications this node creates (a multiple of 32 in [1024, 65504]); sizes the batches. */
        public Context mtuLengthBytes(final int mtuLengthBytes)
        {
            this.mtuLengthBytes = mtuLengthBytes;
            return this;
        }

        public int mtuLengthBytes()
        {
            return mtuLengthBytes;
        }

        /** How long an embedded driver keeps an image whose sender went silent before reporting it lost. */
        public Context imageLivenessTimeoutNs(final long imageLivenessTimeoutNs)
        {
            this.imageLivenessTimeoutNs = imageLivenessTimeoutNs;
            return this;
        }

        public long imageLivenessTimeoutNs()
        {
            return imageLivenessTimeoutNs;
        }

        /**
         * Validates every option and fills in defaults.
         *
         * @return this.
         * @throws IllegalArgumentException naming the option and its allowed range.
         */
        public Context conclude()
        {
            if (aeronDirectoryName == null)
            {
                if (!embeddedDriver)
                {
                    throw new IllegalArgumentException("aeron.dir must be set when using an external media driver");
                }
                aeronDirectoryName = CommonContext.generateRandomDirName();
            }
            if (threadingMode == null)
            {
                throw new IllegalArgumentException("aeron threading mode must be set");
            }
            if (driverIdleStrategy == null)
            {
                driverIdleStrategy = new BackoffIdleStrategy(
                    10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(100));
            }
            if (termBufferLengthBytes < 64 * 1024 || termBufferLengthBytes > (1 << 30) ||
                Integer.bitCount(termBufferLengthBytes) != 1)
            {
                throw new IllegalArgumentException("aeron term buffer length " + termBufferLengthBytes +
                    " must be a power of two in [65536, 1073741824]");
            }
            if (termBufferLengthBytes / 8 < ReplicationProtocol.MAX_SINGLE_ENTRY_BATCH_LENGTH)
            {
                throw new IllegalArgumentException("aeron term buffer length " + termBufferLengthBytes +
                    " is too small for a batch of " + ReplicationProtocol.MAX_SINGLE_ENTRY_BATCH_LENGTH + " bytes");
            }
            if (mtuLengthBytes < 1024 || mtuLengthBytes > 65504 || (mtuLengthBytes & 31) != 0)
            {
                throw new IllegalArgumentException("aeron mtu " + mtuLengthBytes +
                    " must be a multiple of 32 in [1024, 65504]");
            }
            if (imageLivenessTimeoutNs < TimeUnit.MILLISECONDS.toNanos(100) ||
                imageLivenessTimeoutNs > TimeUnit.MINUTES.toNanos(10))
            {
                throw new IllegalArgumentException("aeron image liveness timeout " + imageLivenessTimeoutNs +
                    " ns must be in [100 ms, 10 min]");
            }
            return this;
        }
    }
}
