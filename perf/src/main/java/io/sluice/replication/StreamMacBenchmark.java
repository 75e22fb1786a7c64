package io.sluice.replication;

import io.sluice.sbe.replication.AckEncoder;
import io.sluice.sbe.replication.MessageHeaderEncoder;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
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

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * What the authenticated replication link adds per message: encoding an Ack as a replica does, with and without its
 * seal, the primary's check of that seal, and the seal and check of a full journal batch (one datagram). In the
 * replication package because {@link StreamMac} is package-private there; nothing else here uses that access.
 * Allocation is checked with {@code -prof gc}:
 * <pre>
 *   java -jar perf/target/benchmarks.jar StreamMacBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@State(Scope.Thread)
public class StreamMacBenchmark
{
    /** A batch that fills one datagram at the default MTU, sealed. */
    private static final int BATCH_BYTES = 1408 - 32 - StreamMac.SEAL_LENGTH;

    private final UnsafeBuffer ack = new UnsafeBuffer(new byte[256]);
    private final UnsafeBuffer batch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(2048, 64));
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final AckEncoder ackEncoder = new AckEncoder();
    private final StreamMac sender = new StreamMac();
    private final StreamMac receiver = new StreamMac();
    private long wireSeq;

    @Setup
    public void setUp()
    {
        final byte[] key = new byte[StreamMac.KEY_LENGTH];
        new Random(1).nextBytes(key);
        sender.key(key);
        receiver.key(key);
        final byte[] bytes = new byte[BATCH_BYTES];
        new Random(2).nextBytes(bytes);
        batch.putBytes(0, bytes);
    }

    private int encodeAck()
    {
        wireSeq++;
        return MessageHeaderEncoder.ENCODED_LENGTH + ackEncoder.wrapAndApplyHeader(ack, 0, header)
            .nodeId(2).inMemoryWireSeq(wireSeq).persistedWireSeq(wireSeq - 1).echoTimestampNs(wireSeq)
            .streamCorrelationId(42).encodedLength();
    }

    /** An ack as an unauthenticated link sends it: the baseline. */
    @Benchmark
    public int ackUnsealed()
    {
        return encodeAck();
    }

    /** An ack as the replica sends it on an authenticated link. */
    @Benchmark
    public int ackSealed()
    {
        final int length = encodeAck();
        return length + sender.seal(ack, 0, length);
    }

    /** An ack sealed by the replica and checked by the primary: the whole added cost of one ack. */
    @Benchmark
    public boolean ackSealedAndVerified()
    {
        final int length = encodeAck();
        sender.seal(ack, 0, length);
        return receiver.verify(ack, 0, length);
    }

    /** A full batch sealed by the primary and checked by the replica. */
    @Benchmark
    public boolean batchSealedAndVerified()
    {
        sender.seal(batch, 0, BATCH_BYTES);
        return receiver.verify(batch, 0, BATCH_BYTES);
    }
}
