package io.sluice.node.wiring;

import io.sluice.pipeline.net.ReaderAgent;
import io.sluice.pipeline.net.ReaderHost;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.DynamicCompositeAgent;

import java.util.ArrayList;
import java.util.List;

/**
 * Where reader shards run, for shards present at start-up and shards added or stopped while the node runs. When
 * stages sleep until woken ({@link AgentThreads#blocking()}), each reader has a thread of its own that blocks in a
 * select on its connections; otherwise every reader joins one polling network thread with the acceptor and whatever
 * else the node puts there.
 */
public final class NetworkAgents implements ReaderHost
{
    private static final String NETWORK_THREAD = "network";

    private final AgentThreads threads;
    /** Guarded by this: readers created before {@link #start}. */
    private final List<ReaderAgent> pending = new ArrayList<>();
    /** Guarded by this: null until started; the polling network thread's agent (null when readers block). */
    private DynamicCompositeAgent composite;
    private boolean started;

    /**
     * @param threads the node's threads.
     */
    public NetworkAgents(final AgentThreads threads)
    {
        this.threads = threads;
    }

    /**
     * Start the readers created so far, and, when threads poll, one network thread running them with {@code others}.
     *
     * @param others the agents that join the polling network thread (acceptor, shard scaling, maybe the response
     *               stage); ignored when readers block, so the caller starts those on threads of their own.
     */
    public synchronized void start(final List<? extends Agent> others)
    {
        started = true;
        if (threads.blocking())
        {
            for (final ReaderAgent reader : pending)
            {
                threads.start(reader.roleName(), reader);
            }
        }
        else
        {
            final List<Agent> agents = new ArrayList<>(others);
            agents.addAll(pending);
            composite = new DynamicCompositeAgent(NETWORK_THREAD, agents);
            threads.start(NETWORK_THREAD, composite);
        }
        pending.clear();
    }

    @Override
    public synchronized void onReaderStarted(final ReaderAgent reader)
    {
        if (threads.blocking())
        {
            reader.waker(threads.selectorWaker(reader.roleName(), reader.selector()));
            if (started)
            {
                threads.start(reader.roleName(), reader);
                return;
            }
        }
        else if (started)
        {
            if (composite.status() == DynamicCompositeAgent.Status.ACTIVE)
            {
                composite.tryAdd(reader);
            }
            return;
        }
        pending.add(reader);
    }

    @Override
    public synchronized void onReaderStopped(final ReaderAgent reader)
    {
        if (!started)
        {
            pending.remove(reader);
        }
        else if (threads.blocking())
        {
            threads.stop(reader.roleName());
        }
        else
        {
            composite.tryRemove(reader);
        }
    }
}
