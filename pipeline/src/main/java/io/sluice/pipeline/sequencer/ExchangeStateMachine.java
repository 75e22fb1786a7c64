package io.sluice.pipeline.sequencer;

import io.sluice.journal.JournalEntryView;
import io.sluice.journal.JournalStateMachine;
import io.sluice.matching.MatchingEngine;
import io.sluice.sbe.journal.EntryType;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The matching engine as the journal sees it: recovery loads a snapshot into it and replays entries through the
 * same {@link CommandApplier} the live sequencer uses, and snapshot writers take its state. Replies produced while
 * replaying go to the engine's listener, which must not send them anywhere (the sequencer's listener drops them
 * because no session is connected yet during recovery).
 */
public final class ExchangeStateMachine implements JournalStateMachine
{
    private final MatchingEngine engine;
    private final CommandApplier applier;
    private long appliedWireSeq;
    private long epoch;

    public ExchangeStateMachine(final CommandApplier applier)
    {
        this.applier = applier;
        this.engine = applier.engine();
    }

    /**
     * @return the last wireSeq applied (by replay or snapshot load).
     */
    public long appliedWireSeq()
    {
        return appliedWireSeq;
    }

    /**
     * @return the epoch of the last entry applied.
     */
    public long epoch()
    {
        return epoch;
    }

    @Override
    public void loadState(final DirectBuffer buffer, final int offset, final int length)
    {
        engine.restore(buffer, offset, length);
    }

    @Override
    public void apply(final JournalEntryView entry)
    {
        final EntryType type = entry.entryType();
        if (type == EntryType.CLIENT_COMMAND)
        {
            applier.applyClientCommand(entry.wireSeq(), entry.timestampNs(), entry.sessionId(), entry.accountId(),
                entry.buffer(), entry.commandOffset());
        }
        else
        {
            applier.applyAdmin(type, entry.wireSeq(), entry.timestampNs(), entry.buffer(), entry.commandOffset());
        }
        appliedWireSeq = entry.wireSeq();
        epoch = entry.epoch();
    }

    @Override
    public int writeState(final MutableDirectBuffer buffer, final int offset)
    {
        return engine.snapshot(buffer, offset);
    }

    @Override
    public long stateHash()
    {
        return engine.stateHash();
    }
}
