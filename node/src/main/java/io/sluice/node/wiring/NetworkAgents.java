package io.sluice.node.wiring;

import io.sluice.pipeline.net.ReaderAgent;
import io.sluice.pipeline.net.ReaderHost;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.DynamicCompositeAgent;

import java.util.ArrayList;
import java.util.List;

/**
 * The agents of the network thread: the acceptor, the reader of every shard, shard scaling and, when threads are
 * shared, the response stage. Readers of shards added while the node runs join the running thread; readers of
 * stopped shards leave it.
 */
public final class NetworkAgents implements ReaderHost
{
    private final String name;
    /** Guarded by this: the agents to start with, until {@link #composite()} is taken. */
    private final List<Agent> initial = new ArrayList<>();
    private DynamicCompositeAgent composite;

    /**
     * @param name of the thread.
     */
    public NetworkAgents(final String name)
    {
        this.name = name;
    }

    /**
     * @param agent to run on the network thread from its start; before {@link #composite()}.
     */
    public synchronized void add(final Agent agent)
    {
        if (composite != null)
        {
            throw new IllegalStateException("the network thread's agents are already composed");
        }
        initial.add(agent);
    }

    /**
     * @return the one agent the network thread runs, made of every agent added so far; later readers join it.
     */
    public synchronized DynamicCompositeAgent composite()
    {
        if (composite == null)
        {
            composite = new DynamicCompositeAgent(name, initial);
        }
        return composite;
    }

    @Override
    public synchronized void onReaderStarted(final ReaderAgent reader)
    {
        if (composite == null)
        {
            initial.add(reader);
        }
        else if (composite.status() == DynamicCompositeAgent.Status.ACTIVE)
        {
            composite.tryAdd(reader);
        }
    }

    @Override
    public synchronized void onReaderStopped(final ReaderAgent reader)
    {
        if (composite == null)
        {
            initial.remove(reader);
        }
        else
        {
            composite.tryRemove(reader);
        }
    }
}
