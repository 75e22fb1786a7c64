package io.sluice.pipeline;

import org.agrona.concurrent.Agent;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Wraps an agent and counts its busy duty cycles (did work) and idle ones, for the stage busy/idle metrics. The
 * wrapped agent's thread writes the counts; any thread reads them.
 */
public final class DutyCycleCounter implements Agent
{
    private final Agent agent;
    private final AtomicLong busyCycles = new AtomicLong();
    private final AtomicLong idleCycles = new AtomicLong();

    public DutyCycleCounter(final Agent agent)
    {
        this.agent = agent;
    }

    @Override
    public void onStart()
    {
        agent.onStart();
    }

    @Override
    public int doWork() throws Exception
    {
        final int work = agent.doWork();
        if (work > 0)
        {
            busyCycles.lazySet(busyCycles.get() + 1);
        }
        else
        {
            idleCycles.lazySet(idleCycles.get() + 1);
        }
        return work;
    }

    @Override
    public void onClose()
    {
        agent.onClose();
    }

    @Override
    public String roleName()
    {
        return agent.roleName();
    }

    public long busyCycles()
    {
        return busyCycles.get();
    }

    public long idleCycles()
    {
        return idleCycles.get();
    }
}
