package io.sluice.node.primary;

import io.sluice.node.wiring.StageContexts;
import io.sluice.journal.Journal;
import io.sluice.journal.JournalEntryView;
import io.sluice.journal.JournalReader;
import io.sluice.journal.SnapshotStore;
import io.sluice.matching.MatchingEngine;
import io.sluice.matching.MatchingListener;
import io.sluice.node.config.NodeConfig;
import io.sluice.pipeline.sequencer.CommandApplier;
import io.sluice.pipeline.sequencer.ExchangeStateMachine;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.Liquidity;
import io.sluice.sbe.client.OrderState;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.journal.EntryType;
import org.agrona.collections.Long2LongHashMap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A node's journal replayed from its first entry (no snapshot) into a fresh engine, offline: which orders of one
 * session the engine accepted, how often, the epoch bumps, and the final state hash. What tests use to say an
 * acknowledged order is in a node's state exactly once.
 */
final class JournalReplay implements MatchingListener
{
    /** Per clientOrderId of the session: times the engine accepted it (NEW). */
    final Long2LongHashMap acceptedOrders = new Long2LongHashMap(0);
    final long sessionId;
    long lastWireSeq;
    long lastEpoch;
    /** wireSeq of the (single) epoch bump, 0 if none. */
    long epochBumpWireSeq;
    long stateHash;

    private JournalReplay(final long sessionId)
    {
        this.sessionId = sessionId;
    }

    /**
     * @param config    of the node whose journal ({@code data.dir/journal}) is read; the node must be stopped.
     * @param sessionId session whose accepted orders are counted.
     */
    static JournalReplay of(final NodeConfig config, final long sessionId) throws IOException
    {
        final JournalReplay replay = new JournalReplay(sessionId);
        final MatchingEngine engine = new MatchingEngine(new StageContexts(config).engine(), replay);
        final Path noSnapshots = Files.createTempDirectory("sluice-no-snapshots");
        try (Journal journal = Journal.open(new Journal.Context().directory(config.dataDir().resolve("journal"))
            .nodeId(config.get(NodeConfig.NODE_ID))))
        {
            journal.recover(new SnapshotStore(noSnapshots), new ExchangeStateMachine(new CommandApplier(engine)));
            try (JournalReader reader = journal.newReader())
            {
                while (reader.next())
                {
                    final JournalEntryView entry = reader.entry();
                    replay.lastWireSeq = entry.wireSeq();
                    replay.lastEpoch = entry.epoch();
                    if (entry.entryType() == EntryType.EPOCH_BUMP)
                    {
                        assertEquals(0, replay.epochBumpWireSeq, "one epoch bump");
                        replay.epochBumpWireSeq = entry.wireSeq();
                    }
                }
            }
        }
        finally
        {
            Files.deleteIfExists(noSnapshots);
        }
        replay.stateHash = engine.stateHash();
        return replay;
    }

    public void onExecutionReport(
        final long sessionId, final long accountId, final long requestSeq, final long wireSeq,
        final long timestampNs, final long clientOrderId, final long orderId, final int instrumentId,
        final Side side, final ExecType execType, final RejectReason rejectReason, final Liquidity liquidity,
        final long price, final long quantity, final long leavesQuantity, final long cumQuantity,
        final long lastPrice, final long lastQuantity, final long tradeId)
    {
        if (sessionId == this.sessionId && execType == ExecType.NEW)
        {
            acceptedOrders.put(clientOrderId, acceptedOrders.get(clientOrderId) + 1);
        }
    }

    public void onOrderStatus(
        final long sessionId, final long accountId, final long requestSeq, final long clientOrderId,
        final long orderId, final int instrumentId, final Side side, final OrderState state,
        final RejectReason rejectReason, final long price, final long quantity, final long leavesQuantity,
        final long cumQuantity)
    {
    }

    public void onBookSnapshot(
        final long sessionId, final long requestSeq, final int instrumentId, final int bidLevelCount,
        final int askLevelCount)
    {
    }

    public void onBookLevel(
        final long sessionId, final long requestSeq, final int instrumentId, final Side side, final long price,
        final long quantity, final int orderCount)
    {
    }

    public void onCommandComplete(final long sessionId, final long requestSeq, final long wireSeq)
    {
    }
}
