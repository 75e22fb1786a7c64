package io.sluice.harness.check;

import io.sluice.journal.Journal;
import io.sluice.journal.JournalAgent;
import io.sluice.journal.JournalEntryView;
import io.sluice.journal.JournalPublisher;
import io.sluice.journal.JournalStateMachine;
import io.sluice.journal.SnapshotStore;
import io.sluice.sbe.client.BooleanType;
import io.sluice.sbe.client.MessageHeaderEncoder;
import io.sluice.sbe.client.NewOrderEncoder;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.AtomicLongPosition;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writes a small real journal through the journal's own publisher, ring and agent, driven on the test thread:
 * client NewOrders for instrument 1 (see {@link #config}), each at the next wireSeq.
 */
final class TestJournal implements AutoCloseable
{
    static final int INSTRUMENT_ID = 1;
    static final long PRICE = 10_000;

    private final Journal journal;
    private final OneToOneRingBuffer ring = new OneToOneRingBuffer(
        new UnsafeBuffer(ByteBuffer.allocateDirect((1 << 16) + RingBufferDescriptor.TRAILER_LENGTH)));
    private final JournalPublisher publisher = new JournalPublisher(ring);
    private final AtomicLongPosition persisted = new AtomicLongPosition();
    private final JournalAgent agent;
    private final UnsafeBuffer command = new UnsafeBuffer(new byte[256]);
    private long wireSeq;

    /**
     * @param dir    journal directory, created if missing.
     * @param nodeId recorded in its header.
     */
    TestJournal(final Path dir, final int nodeId) throws IOException
    {
        journal = Journal.open(new Journal.Context().directory(dir).nodeId(nodeId));
        wireSeq = journal.recover(new SnapshotStore(journal.snapshotDirectory()), new NoState()).lastWireSeq();
        agent = new JournalAgent(journal, ring, persisted);
        agent.onStart();
    }

    /**
     * A new journal that starts at {@code firstWireSeq}, as one seeded from a snapshot does (with an empty state's
     * snapshot at {@code firstWireSeq - 1}, which recovery asks for).
     */
    TestJournal(final Path dir, final int nodeId, final long firstWireSeq) throws IOException
    {
        journal = Journal.open(new Journal.Context().directory(dir).nodeId(nodeId).firstWireSeq(firstWireSeq));
        final SnapshotStore snapshots = new SnapshotStore(journal.snapshotDirectory());
        snapshots.write(firstWireSeq - 1, 1, new NoState());
        wireSeq = journal.recover(snapshots, new NoState()).lastWireSeq();
        agent = new JournalAgent(journal, ring, persisted);
        agent.onStart();
    }

    /**
     * The matching configuration of a standalone node trading instrument 1 (tick 1, lot 1, reference 10,000, band
     * 50%), with its data in {@code dir}.
     */
    static Map<String, String> config(final Path dir)
    {
        final Map<String, String> raw = new HashMap<>();
        raw.put("data.dir", dir.toString());
        raw.put("client.bind", "127.0.0.1:0");
        raw.put("admin.bind", "127.0.0.1:0");
        raw.put("http.bind", "127.0.0.1:0");
        raw.put("instrument.1.symbol", "ACME");
        raw.put("instrument.1.tick", "1");
        raw.put("instrument.1.lot", "1");
        raw.put("instrument.1.min.qty", "1");
        raw.put("instrument.1.max.qty", "1000000");
        raw.put("instrument.1.reference.price", "10000");
        raw.put("instrument.1.band.bps", "5000");
        return raw;
    }

    /**
     * Journal a resting buy of one lot at {@link #PRICE}.
     *
     * @return the wireSeq it took.
     */
    long order(final long sessionId, final long requestSeq)
    {
        return order(sessionId, requestSeq, PRICE);
    }

    /**
     * Journal a resting buy of one lot.
     *
     * @return the wireSeq it took.
     */
    long order(final long sessionId, final long requestSeq, final long price)
    {
        final NewOrderEncoder order = new NewOrderEncoder()
            .wrapAndApplyHeader(command, 0, new MessageHeaderEncoder())
            .requestSeq(requestSeq)
            .clientOrderId(sessionId * 1_000 + requestSeq)
            .instrumentId(INSTRUMENT_ID)
            .side(Side.BUY)
            .orderType(OrderType.LIMIT)
            .timeInForce(TimeInForce.GTC)
            .postOnly(BooleanType.FALSE)
            .price(price)
            .quantity(1);
        final long next = wireSeq + 1;
        assertTrue(publisher.offerClientCommand(next, next * 1_000, sessionId, sessionId, requestSeq, 1, command, 0,
            MessageHeaderEncoder.ENCODED_LENGTH + order.encodedLength()));
        while (persisted.get() < next)
        {
            agent.doWork();
        }
        wireSeq = next;
        return next;
    }

    long lastWireSeq()
    {
        return wireSeq;
    }

    @Override
    public void close()
    {
        agent.onClose();
        journal.close();
    }

    /** Recovery needs a state machine; these journals are replayed by the checker, not here. */
    private static final class NoState implements JournalStateMachine
    {
        public void loadState(final DirectBuffer buffer, final int offset, final int length)
        {
        }

        public void apply(final JournalEntryView entry)
        {
        }

        public int writeState(final MutableDirectBuffer buffer, final int offset)
        {
            return 0;
        }

        public long stateHash()
        {
            return 0;
        }
    }
}
