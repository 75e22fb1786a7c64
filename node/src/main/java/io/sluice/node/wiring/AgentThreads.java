package io.sluice.node.wiring;

import io.sluice.concurrent.ParkingIdleStrategy;
import io.sluice.concurrent.SelectorIdleStrategy;
import io.sluice.concurrent.SleepingIdleStrategy;
import io.sluice.concurrent.Waker;
import io.sluice.node.config.NodeConfig;
import io.sluice.pipeline.DutyCycleCounter;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.DynamicCompositeAgent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The threads of a node: every stage runs on a named {@link AgentRunner} started here, with the idle strategy
 * {@code idle.strategy} names, and {@code threading} decides which stages share a thread. Primaries and replicas
 * both start their stages through this class, so a node's threads are decided in one place and stages never know
 * how they are scheduled.
 * <p>
 * With {@code idle.strategy=block} (the default) a stage with nothing to do sleeps until the stage that feeds it
 * wakes it: {@link #waker} and {@link #selectorWaker} hand out, before the runner starts, the idle strategy the
 * runner will sleep on, as a {@link Waker} for its producers. Every other strategy polls, and their wakers do
 * nothing.
 * <p>
 * Runners are kept by name, stopped by name, and closed in the reverse of the order they started (so a stage that
 * consumes another's output stops before it). Any thread may start and stop runners (a replica's snapshot install
 * restarts its journal thread while an admin thread may be promoting it): the runner map is guarded by this object,
 * and a runner is closed, which waits for its thread, outside that lock.
 */
public final class AgentThreads implements AutoCloseable
{
    /**
     * How long the background stage (snapshots) sleeps when it has nothing to do: a snapshot interval is seconds to
     * minutes, and each timed wake-up costs CPU on an idle node.
     */
    private static final long BACKGROUND_SLEEP_MS = 100;
    /** The {@code idle.strategy} that sleeps until woken. */
    public static final String BLOCK = "block";

    private final boolean dedicated;
    private final String idleStrategyName;
    private final ErrorHandler errorHandler;
    private final Map<String, AgentRunner> runners = new LinkedHashMap<>();
    /**
     * Idle strategies handed out as wakers, by runner name; kept, so a runner restarted under its name (a replica's
     * journal after a snapshot install) sleeps on the instance its producers already wake.
     */
    private final Map<String, SleepingIdleStrategy> sleepers = new HashMap<>();
    private final List<DutyCycleCounter> stages = new ArrayList<>();

    /**
     * @param threading    {@code shared} or {@code dedicated}.
     * @param idleStrategy {@code backoff}, {@code yield}, {@code sleep} or {@code busy-spin}.
     * @param errorHandler told of anything a stage throws.
     */
    public AgentThreads(final String threading, final String idleStrategy, final ErrorHandler errorHandler)
    {
        this.dedicated = "dedicated".equals(threading);
        this.idleStrategyName = idleStrategy;
        this.errorHandler = errorHandler;
    }

    /**
     * @param config       the node's configuration ({@code threading}, {@code idle.strategy}).
     * @param errorHandler told of anything a stage throws.
     * @return the node's threads.
     */
    public static AgentThreads of(final NodeConfig config, final ErrorHandler errorHandler)
    {
        return new AgentThreads(config.get(NodeConfig.THREADING), config.get(NodeConfig.IDLE_STRATEGY),
            errorHandler);
    }

    /**
     * @return true when every stage gets its own thread ({@code threading=dedicated}).
     */
    public boolean dedicated()
    {
        return dedicated;
    }

    /**
     * @return true when stages sleep until woken ({@code idle.strategy=block}), so each waits on its own thread.
     */
    public boolean blocking()
    {
        return BLOCK.equals(idleStrategyName);
    }

    /**
     * The waker of the runner {@code name}: its producers call it after handing the runner's agents work. The
     * runner parks when idle. Ask before starting the runner.
     *
     * @param name of the runner, started later with {@link #start}.
     * @return the waker, or {@link Waker#NONE} when stages poll.
     */
    public synchronized Waker waker(final String name)
    {
        if (!blocking())
        {
            return Waker.NONE;
        }
        return sleepers.computeIfAbsent(name, ignored -> new ParkingIdleStrategy());
    }

    /**
     * The waker of the runner {@code name} whose agents read sockets through {@code selector}: the runner sleeps in
     * a blocking select on it, so the kernel wakes it when bytes arrive, and producers wake it through the
     * selector. Ask before starting the runner.
     *
     * @param name     of the runner, started later with {@link #start}.
     * @param selector its agents read through; only that runner's thread selects on it.
     * @return the waker, or {@link Waker#NONE} when stages poll.
     */
    public synchronized Waker selectorWaker(final String name, final Selector selector)
    {
        if (!blocking())
        {
            return Waker.NONE;
        }
        final SleepingIdleStrategy existing = sleepers.get(name);
        if (existing != null)
        {
            if (existing instanceof SelectorIdleStrategy && ((SelectorIdleStrategy)existing).selector() == selector)
            {
                return existing;
            }
            throw new IllegalStateException("runner " + name + " already has a waker");
        }
        final SelectorIdleStrategy strategy = new SelectorIdleStrategy(selector);
        sleepers.put(name, strategy);
        return strategy;
    }

    /**
     * Start a thread named {@code name} running the agents (one runner; several agents share it as a composite),
     * with the configured idle strategy; its busy and idle duty cycles are counted for the stage metrics.
     *
     * @param name   of the thread and runner; unique among this node's runners.
     * @param agents to run, in duty-cycle order.
     */
    public synchronized void start(final String name, final List<? extends Agent> agents)
    {
        final Agent composed = compose(name, counted(agents));
        final SleepingIdleStrategy sleeper = sleepers.get(name);
        startRunner(name, new AgentRunner(sleeper != null ? sleeper : idleStrategy(), errorHandler, null, composed));
    }

    /**
     * @param name of a runner not started yet.
     * @return true if a waker was handed out for it, so it will sleep until woken.
     */
    public synchronized boolean hasWaker(final String name)
    {
        return sleepers.containsKey(name);
    }

    /**
     * Start a thread that polls with a backoff whatever {@code idle.strategy} says: for agents nothing can wake (a
     * transport whose sockets this node cannot block on).
     *
     * @param name   of the thread and runner.
     * @param agents to run, in duty-cycle order.
     */
    public synchronized void startPolling(final String name, final List<? extends Agent> agents)
    {
        startRunner(name, new AgentRunner(pollingIdleStrategy(), errorHandler, null, compose(name, counted(agents))));
    }

    /**
     * Start one agent on its own thread: {@link #start(String, List)} of a single agent.
     *
     * @param name  of the thread and runner.
     * @param agent to run.
     */
    public void start(final String name, final Agent agent)
    {
        start(name, List.of(agent));
    }

    /**
     * Start a background stage that may take long in a duty cycle (a snapshot write) on its own thread, sleeping
     * when it has nothing to do; not counted among the stages.
     *
     * @param name  of the thread and runner.
     * @param agent to run.
     */
    public synchronized void startBackground(final String name, final Agent agent)
    {
        startRunner(name, new AgentRunner(new SleepingMillisIdleStrategy(BACKGROUND_SLEEP_MS), errorHandler, null,
            agent));
    }

    /**
     * Stop the runner named {@code name} and wait for its thread to end (its agents' {@code onClose} run there);
     * nothing if there is none.
     *
     * @param name of the runner.
     */
    public void stop(final String name)
    {
        final AgentRunner runner;
        synchronized (this)
        {
            runner = runners.remove(name);
        }
        if (runner != null)
        {
            CloseHelper.close(runner);
        }
    }

    /**
     * @param agent a stage.
     * @return it wrapped so its busy and idle duty cycles are counted for the stage metrics; for agents composed
     * into a runner elsewhere (the network thread's), which runs the wrapper in place of the agent.
     */
    public synchronized Agent counted(final Agent agent)
    {
        if (agent instanceof DutyCycleCounter || agent instanceof DynamicCompositeAgent)
        {
            return agent;
        }
        final DutyCycleCounter counter = new DutyCycleCounter(agent);
        stages.add(counter);
        return counter;
    }

    private List<Agent> counted(final List<? extends Agent> agents)
    {
        final List<Agent> counted = new ArrayList<>(agents.size());
        for (final Agent agent : agents)
        {
            counted.add(counted(agent));
        }
        return counted;
    }

    /**
     * @return the duty-cycle counters of the counted stages, each agent on its own, in start order; for metrics.
     */
    public synchronized List<DutyCycleCounter> stages()
    {
        return new ArrayList<>(stages);
    }

    /**
     * Stop every runner, the last started first.
     */
    @Override
    public void close()
    {
        final List<AgentRunner> started;
        synchronized (this)
        {
            started = new ArrayList<>(runners.values());
            runners.clear();
        }
        for (int i = started.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(started.get(i));
        }
    }

    private void startRunner(final String name, final AgentRunner runner)
    {
        if (runners.containsKey(name))
        {
            throw new IllegalStateException("a runner named " + name + " is already running");
        }
        runners.put(name, runner);
        AgentRunner.startOnThread(runner);
    }

    private static Agent compose(final String name, final List<? extends Agent> agents)
    {
        if (agents.isEmpty())
        {
            throw new IllegalArgumentException("runner " + name + " has no agents");
        }
        if (agents.size() == 1 && agents.get(0).roleName().equals(name))
        {
            return agents.get(0);
        }
        return new NamedComposite(name, agents);
    }

    /**
     * @return a new idle strategy of the configured kind; one per runner, as idle strategies keep state.
     */
    IdleStrategy idleStrategy()
    {
        switch (idleStrategyName)
        {
            case "busy-spin":
                return new BusySpinIdleStrategy();
            case "yield":
                return new YieldingIdleStrategy();
            case "sleep":
                return new SleepingMillisIdleStrategy(1);
            case BLOCK:
                return new ParkingIdleStrategy();
            default:
                return backoff();
        }
    }

    /**
     * @return a new instance of the strategy a polling runner uses: the configured one, or the backoff when the
     * configured one sleeps until woken (for a thread nothing can wake).
     */
    public IdleStrategy pollingIdleStrategy()
    {
        return blocking() ? backoff() : idleStrategy();
    }

    private static IdleStrategy backoff()
    {
        return new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(100));
    }

    /** A composite whose thread carries the runner's name rather than a list of its agents' names. */
    private static final class NamedComposite extends CompositeAgent
    {
        private final String name;

        NamedComposite(final String name, final List<? extends Agent> agents)
        {
            super(agents);
            this.name = name;
        }

        @Override
        public String roleName()
        {
            return name;
        }
    }
}
