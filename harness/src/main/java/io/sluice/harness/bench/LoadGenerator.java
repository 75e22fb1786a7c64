package io.sluice.harness.bench;

import io.sluice.client.ClientContext;
import org.agrona.CloseHelper;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Runs the bench against a node: connects one session per connection, drives the load on the calling thread until
 * the run has drained, and returns what it measured. See {@link BenchContext} for the two modes.
 */
public final class LoadGenerator
{
    private LoadGenerator()
    {
    }

    /**
     * @param context options of the run.
     * @return what it measured; {@link BenchResult#passed()} says whether every request was answered cleanly.
     * @throws IllegalArgumentException if an option is out of range.
     * @throws IOException              if a connection cannot be opened and logged on, or the history asked for
     *                                  cannot be written.
     */
    public static BenchResult run(final BenchContext context) throws IOException
    {
        context.validate();
        final NodeProbe.NodeInfo node = NodeProbe.query(context.adminEndpoint(), context.operatorKey());
        final HistoryRecorder history = context.historyFile() == null ? null :
            HistoryRecorder.open(context.historyFile(), endpointList(context), context.clock());
        final BenchResult result;
        try
        {
            result = run(context, node,
                (index, sessionId) -> new SluiceOrderEntry(clientContext(context, sessionId), history));
        }
        catch (final IOException | RuntimeException ex)
        {
            CloseHelper.quietClose(history);
            throw ex;
        }
        if (history != null)
        {
            history.close();
        }
        return result;
    }

    /**
     * One connection's client: every endpoint in order; with several, a node answering Halted is left for the next.
     */
    private static ClientContext clientContext(final BenchContext context, final long sessionId)
    {
        final ClientContext client = new ClientContext()
            .sessionId(sessionId)
            .accountId(sessionId)
            .keyPair(context.traderKeys() == null ? null : context.traderKeys().apply(sessionId))
            .maxInFlight(context.maxInFlight())
            .failoverOnHalt(context.failover())
            .reconnectTimeoutMs(Math.max(1, TimeUnit.NANOSECONDS.toMillis(context.reconnectTimeoutNs())));
        for (final InetSocketAddress endpoint : context.endpoints())
        {
            client.endpoint(endpoint);
        }
        return client;
    }

    private static String endpointList(final BenchContext context)
    {
        final StringBuilder list = new StringBuilder();
        for (final InetSocketAddress endpoint : context.endpoints())
        {
            list.append(list.length() == 0 ? "" : ",").append(endpoint.getHostString()).append(':')
                .append(endpoint.getPort());
        }
        return list.toString();
    }

    /**
     * Runs the same schedule, order flow and measurement over any transport: how perf drives a peer system
     * through the very driver that measures Sluice.
     *
     * @param context   options of the run; its endpoint and keys are the connector's business.
     * @param node      what to report about the system under test (policy, replicas).
     * @param connector opens one connection per session.
     * @return what it measured.
     * @throws IOException if a connection cannot be opened.
     */
    public static BenchResult run(final BenchContext context, final NodeProbe.NodeInfo node,
        final OrderEntry.Connector connector) throws IOException
    {
        context.validateLoad();
        final BenchRecorder recorder = new BenchRecorder(context.lateThresholdNs());
        final OrderEntry[] entries = new OrderEntry[context.connections()];
        for (int i = 0; i < entries.length; i++)
        {
            entries[i] = connector.open(i, context.firstSessionId() + i);
        }
        final BenchAgent agent = new BenchAgent(context, entries, recorder);
        final ReplyWaiter waiter = new ReplyWaiter(entries, context.clock());
        try
        {
            for (int i = 0; i < entries.length; i++)
            {
                entries[i].connect(agent.replyListener(i));
            }

            final IdleStrategy idle = context.idleStrategy();
            final boolean block = idle == null && waiter.canWait();
            agent.start(context.clock().nanoTime());
            while (!agent.isDone())
            {
                final int work = agent.doWork();
                if (block)
                {
                    if (work == 0)
                    {
                        waiter.await(agent.nextDeadlineNs());
                    }
                }
                else
                {
                    (idle == null ? BenchContext.backoff() : idle).idle(work);
                }
            }
            return new BenchResult(context, node, recorder, agent.unsent(), agent.flowCounts());
        }
        finally
        {
            for (final OrderEntry entry : entries)
            {
                CloseHelper.quietClose(entry);
            }
            waiter.close();
        }
    }
}
