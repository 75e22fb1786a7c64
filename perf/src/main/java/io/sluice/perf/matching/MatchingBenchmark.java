package io.sluice.perf.matching;

import io.sluice.client.flow.OrderFlowGenerator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * Throughput of Sluice's matching engine and of exchange-core's order book on the same pre-generated flow of
 * {@link #COMMANDS} commands (see {@link OrderFlowGenerator} for the mix): one invocation replays the whole flow from
 * an empty book, so a score is commands per second.
 * <p>
 * Each engine is reset before every invocation (outside the measured time) and checked against the generator's
 * reference book after every iteration; a wrong final state fails the run.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MatchingBenchmark
{
    /** Commands per replay; the unit of {@link OperationsPerInvocation}. */
    public static final int COMMANDS = 1_000_000;

    /**
     * The flow, generated once per fork (deterministic, so every fork and both engines get the same one).
     */
    @State(Scope.Benchmark)
    public static class Flow
    {
        @Param({ "42" })
        public long seed;

        RecordedFlow flow;

        @Setup(Level.Trial)
        public void generate()
        {
            flow = RecordedFlow.generate(new OrderFlowGenerator.Config().seed(seed), COMMANDS);
        }
    }

    /**
     * A Sluice engine with the flow's instruments.
     */
    @State(Scope.Thread)
    public static class SluiceEngine
    {
        SluiceDriver driver;
        RecordedFlow flow;

        @Setup(Level.Trial)
        public void create(final Flow flow)
        {
            this.flow = flow.flow;
            driver = new SluiceDriver(flow.flow.config);
        }

        @Setup(Level.Invocation)
        public void reset()
        {
            driver.reset();
        }

        @TearDown(Level.Iteration)
        public void verify()
        {
            driver.verify(flow);
        }
    }

    /**
     * exchange-core order books for the flow's instruments.
     */
    @State(Scope.Thread)
    public static class ExchangeCoreBooks
    {
        ExchangeCoreDriver driver;
        RecordedFlow flow;

        @Setup(Level.Trial)
        public void create(final Flow flow)
        {
            this.flow = flow.flow;
            driver = new ExchangeCoreDriver(flow.flow.config);
        }

        @Setup(Level.Invocation)
        public void reset()
        {
            driver.reset(flow);
        }

        @TearDown(Level.Iteration)
        public void verify()
        {
            driver.verify(flow);
        }
    }

    @Benchmark
    @OperationsPerInvocation(COMMANDS)
    public long sluice(final Flow flow, final SluiceEngine engine)
    {
        return engine.driver.run(flow.flow);
    }

    @Benchmark
    @OperationsPerInvocation(COMMANDS)
    public long exchangeCore(final Flow flow, final ExchangeCoreBooks books)
    {
        return books.driver.run(flow.flow);
    }
}
