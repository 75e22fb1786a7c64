package io.sluice.perf.handoff;

import io.sluice.concurrent.ParkingIdleStrategy;
import io.sluice.concurrent.Waker;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What a producer pays to hand work to a consumer that is awake: the cost {@link Waker#wake()} adds to every duty
 * cycle that publishes (a full fence and a volatile read), against no waker at all. Allocation is checked with
 * {@code -prof gc}:
 * <pre>
 *   java -jar perf/target/benchmarks.jar HandOffBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HandOffBenchmark
{
    private final ParkingIdleStrategy consumer = new ParkingIdleStrategy();
    private Waker awake;
    private long published;

    @Setup
    public void setUp()
    {
        awake = consumer;
    }

    /** A publish with no waker: the baseline. */
    @Benchmark
    public long publishOnly()
    {
        return ++published;
    }

    /** A publish followed by waking a consumer that is awake (the common case under load). */
    @Benchmark
    public long publishAndWakeAwakeConsumer()
    {
        final long value = ++published;
        awake.wake();
        return value;
    }
}
