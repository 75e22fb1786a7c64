package io.sluice.node.wiring;

import io.sluice.pipeline.net.ReaderAgent;
import io.sluice.pipeline.net.ReaderHost;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.DynamicCompositeAgent;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The network thread: the reader of every shard, between the agents that run before them (the acceptor, shard
 * scaling) and after them (when threads are shared and sleep until woken: the sequencer and the response stage).
 * Readers of shards added while the node runs join the running thread; readers of stopped shards leave it.
 */
public final class NetworkAgents implements ReaderHost
{
    /** The name of the network thread's runner. */
    public static final String NETWORK_THREAD = "network";

    private final AgentThreads threads;
    /** Guarded by this: readers created before {@link #start}. */
    private final List<ReaderAgent> pending = new ArrayList<>();
    /** Guarded by this: null until started. */
    private DynamicCompositeAgent composite;
    /** Guarded by this: what the network thread runs for each reader (its duty-cycle counter). */
    private final Map<ReaderAgent, Agent> runningReaders = new IdentityHashMap<>();

    private Agent counted(final ReaderAgent reader)
    {
        final Agent counted = threads.counted(reader);
        runningReaders.put(reader, counted);
        return counted;
    }

    private Agent running(final ReaderAgent reader)
    {
        return runningReaders.remove(reader);
    }

    /**
     * @param threads the node's threads.
     */
    public NetworkAgents(final AgentThreads threads)
    {
        this.threads = threads;
    }

    /**
     * Start the network thread: {@code before}, then the readers created so far, then {@code after}, each duty
     * cycle in that order.
     *
     * @param before agents that run ahead of the readers.
     * @param after  agents that run after them.
     */
    public synchronized void start(final List<? extends Agent> before, final List<? extends Agent> after)
    {
        final List<Agent> agents = new ArrayList<>();
        before.forEach(agent -> agents.add(threads.counted(agent)));
        pending.forEach(reader -> agents.add(counted(reader)));
        after.forEach(agent -> agents.add(threads.counted(agent)));
        pending.clear();
        composite = new DynamicCompositeAgent(NETWORK_THREAD, agents);
        threads.start(NETWORK_THREAD, composite);
    }

    @Override
    public synchronized void onReaderStarted(final ReaderAgent reader)
    {
        if (composite == null)
        {
            pending.add(reader);
        }
        else if (composite.status() == DynamicCompositeAgent.Status.ACTIVE)
        {
            composite.tryAdd(counted(reader));
        }
    }

    @Override
    public synchronized void onReaderStopped(final ReaderAgent reader)
    {
        if (composite == null)
        {
            pending.remove(reader);
        }
        else
        {
            final Agent running = running(reader);
            if (running != null)
            {
                composite.tryRemove(running);
            }
        }
    }
}
