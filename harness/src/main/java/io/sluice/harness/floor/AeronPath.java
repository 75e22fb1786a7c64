package io.sluice.harness.floor;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.sluice.node.config.Endpoints;
import io.sluice.node.config.NodeConfig;
import io.sluice.node.config.ReplicaSlotConfig;
import io.sluice.replication.ReplicationProtocol;
import io.sluice.replication.ReplicationTransport;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The Aeron path, UDP unicast on loopback between two JVMs each with its own embedded media driver, set up as a
 * primary and a replica set up their replication transport ({@link NodeTransport}): the primary's side offers a
 * {@code JournalBatch} of one entry on the data stream to the replica's data endpoint and polls the control stream for
 * the {@code Ack}, waiting as a replication sender waits; the replica's side, {@link #serve}, polls the data stream as
 * a replica agent does and answers each batch with an {@code Ack}.
 */
final class AeronPath implements Pacer.RoundTrip, AutoCloseable
{
    /** A round trip this long means the stream is broken, not slow. */
    private static final long ANSWER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final int FRAGMENT_LIMIT = 10;

    private final ReplicationTransport transport;
    private final ExclusivePublication publication;
    private final Subscription subscription;
    private final IdleStrategy idleStrategy;
    private final FloorMessages messages = new FloorMessages();
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(FloorMessages.batchBytes()));
    private final FragmentHandler onAck = this::onAck;
    private long sentSequence;
    private long answeredSequence;

    private AeronPath(
        final ReplicationTransport transport,
        final ExclusivePublication publication,
        final Subscription subscription,
        final IdleStrategy idleStrategy)
    {
        this.transport = transport;
        this.publication = publication;
        this.subscription = subscription;
        this.idleStrategy = idleStrategy;
    }

    /**
     * The primary's side: launch its transport and open the data publication and control subscription of its first
     * replica slot.
     *
     * @param primaryConfig of the primary, with at least one replica slot.
     * @return the open path.
     */
    static AeronPath open(final NodeConfig primaryConfig)
    {
        final ReplicaSlotConfig slot = primaryConfig.replicas().get(0);
        final ReplicationTransport transport = NodeTransport.launch(primaryConfig);
        try
        {
            final ExclusivePublication publication = transport.aeron().addExclusivePublication(
                transport.publicationChannel(Endpoints.hostPort(slot.data())), ReplicationProtocol.DATA_STREAM_ID);
            final Subscription subscription = transport.aeron().addSubscription(
                transport.subscriptionChannel(Endpoints.hostPort(slot.control())),
                ReplicationProtocol.CONTROL_STREAM_ID);
            return new AeronPath(transport, publication, subscription,
                NodeTransport.idleStrategy(primaryConfig, transport));
        }
        catch (final RuntimeException ex)
        {
            transport.close();
            throw ex;
        }
    }

    /**
     * Wait until the replica's side has joined both streams.
     *
     * @param timeoutMs how long to wait.
     * @throws IOException if it has not in time.
     */
    void awaitConnected(final long timeoutMs) throws IOException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!publication.isConnected() || !subscription.isConnected())
        {
            NodeTransport.invoke(transport);
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IOException("the Aeron echo did not connect within " + timeoutMs + " ms (data stream " +
                    (publication.isConnected() ? "" : "not ") + "connected, control stream " +
                    (subscription.isConnected() ? "" : "not ") + "connected)");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    @Override
    public void run() throws IOException
    {
        final long sequence = ++sentSequence;
        final int length = messages.encodeBatch(sendBuffer, sequence);
        final long deadlineNs = System.nanoTime() + ANSWER_TIMEOUT_NS;
        idleStrategy.reset();
        long result;
        while ((result = publication.offer(sendBuffer, 0, length)) < 0)
        {
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED ||
                System.nanoTime() - deadlineNs > 0)
            {
                throw new IOException("cannot send batch " + sequence + ": " + Publication.errorString(result));
            }
            idleStrategy.idle(NodeTransport.invoke(transport));
        }
        idleStrategy.reset();
        while (answeredSequence != sequence)
        {
            final int fragments = NodeTransport.invoke(transport) + subscription.poll(onAck, FRAGMENT_LIMIT);
            if (fragments == 0 && System.nanoTime() - deadlineNs > 0)
            {
                throw new IOException("no Ack for batch " + sequence + " within " +
                    TimeUnit.NANOSECONDS.toMillis(ANSWER_TIMEOUT_NS) + " ms");
            }
            idleStrategy.idle(fragments);
        }
    }

    private void onAck(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        answeredSequence = messages.ackSequence(buffer, offset);
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(subscription, publication, transport);
    }

    /**
     * The replica's side: answer every batch on the data stream with an {@code Ack} on the control stream until
     * {@code running} says stop, then close the transport (its embedded driver deletes its directory).
     *
     * @param replicaConfig of the replica.
     * @param ready         told once both streams are open.
     * @param running       polled between duty cycles.
     */
    static void serve(final NodeConfig replicaConfig, final Runnable ready, final BooleanSupplier running)
    {
        final FloorMessages messages = new FloorMessages();
        final UnsafeBuffer ackBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(FloorMessages.ackBytes()));
        try (ReplicationTransport transport = NodeTransport.launch(replicaConfig);
            Subscription subscription = transport.aeron().addSubscription(transport.subscriptionChannel(
                Endpoints.hostPort(replicaConfig.get(NodeConfig.REPLICATION_DATA_BIND))),
                ReplicationProtocol.DATA_STREAM_ID);
            ExclusivePublication publication = transport.addFanOutPublication(
                Endpoints.hostPorts(replicaConfig.get(NodeConfig.REPLICATION_PRIMARY_CONTROL)),
                ReplicationProtocol.CONTROL_STREAM_ID))
        {
            final IdleStrategy idleStrategy = NodeTransport.idleStrategy(replicaConfig, transport);
            final FragmentHandler onBatch = (buffer, offset, length, header) ->
            {
                final int ackLength = messages.encodeAck(ackBuffer, messages.batchSequence(buffer, offset));
                long result;
                do
                {
                    result = publication.offer(ackBuffer, 0, ackLength);
                    if (result < 0)
                    {
                        NodeTransport.invoke(transport);
                    }
                }
                while (result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION);
            };
            ready.run();
            while (running.getAsBoolean())
            {
                idleStrategy.idle(NodeTransport.invoke(transport) + subscription.poll(onBatch, FRAGMENT_LIMIT));
            }
        }
    }
}
