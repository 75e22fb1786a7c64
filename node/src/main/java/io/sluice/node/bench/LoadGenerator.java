package io.sluice.node.bench;

import io.sluice.client.ClientContext;
import org.agrona.CloseHelper;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;

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
     * @throws IOException              if a connection cannot be opened and logged on.
     */
    public static BenchResult run(final BenchContext context) throws IOException
    {
        context.validate();
        final NodeProbe.NodeInfo node = NodeProbe.query(context.adminEndpoint(), context.operatorKey());
        final BenchRecorder recorder = new BenchRecorder(context.lateThresholdNs());

        final SluiceOrderEntry[] entries = new SluiceOrderEntry[context.connections()];
        for (int i = 0; i < entries.length; i++)
        {
            final long sessionId = context.firstSessionId() + i;
            entries[i] = new SluiceOrderEntry(new ClientContext()
                .endpoint(context.endpoint())
                .sessionId(sessionId)
                .accountId(sessionId)
                .keyPair(context.traderKeys() == null ? null : context.traderKeys().apply(sessionId))
                .maxInFlight(context.maxInFlight()));
        }
        final BenchAgent agent = new BenchAgent(context, entries, recorder);
        try
        {
            for (int i = 0; i < entries.length; i++)
            {
                entries[i].connect(agent.replyListener(i));
            }

            final IdleStrategy idle = context.idleStrategy();
            agent.start(context.clock().nanoTime());
            while (!agent.isDone())
            {
                idle.idle(agent.doWork());
            }
            return new BenchResult(context, node, recorder, agent.unsent(), agent.flowCounts());
        }
        finally
        {
            for (final SluiceOrderEntry entry : entries)
            {
                CloseHelper.quietClose(entry);
            }
        }
    }
}
