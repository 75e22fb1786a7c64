package io.sluice.pipeline.sequencer;

/**
 * Says whether the node may accept state-changing commands right now. Read by the sequencer before it gives a
 * command a wireSeq; a non-null reason makes it answer {@code Halted} without journaling anything.
 */
@FunctionalInterface
public interface TradingGate
{
    /** Always open; for tests. */
    TradingGate OPEN = () -> null;

    /**
     * @return null while trading, else a short reason (e.g. "durability policy degraded"). Must not allocate per
     * call in steady state: return constants.
     */
    String haltReason();

    /**
     * Whether the node may journal a command it issues itself (an operator's KILL or UNKILL, cancel-on-disconnect).
     * Those only protect (they cancel orders, or refuse them), so a gate may keep them open while it halts order
     * entry, e.g. under an operator's HALT; it must close them where adding to the journal is wrong whatever the
     * command: a fenced old primary, a failed journal. Sequencer thread only.
     *
     * @return null if it may, else why not. Default: {@link #haltReason()}.
     */
    default String nodeCommandHaltReason()
    {
        return haltReason();
    }

    /**
     * @return the highest wireSeq the durability policy in force covers now, as the response stage's gate would
     * release it; sequencer thread only. Default: every one, for a gate that knows no policy.
     */
    default long durableWireSeq()
    {
        return Long.MAX_VALUE;
    }
}
