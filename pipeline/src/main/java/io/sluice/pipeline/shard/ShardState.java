package io.sluice.pipeline.shard;

/**
 * Lifecycle of a reader shard. Transitions only go forward:
 * <pre>
 *   PROVISIONING ──activate──▶ ACTIVE ──drain, scale down, shutdown──▶ DRAINING ──no connections,──▶ STOPPED
 *        │                                                                ▲           ring consumed      ▲
 *        ├──────────────────────────── shutdown ──────────────────────────┘                              │
 *        └──────────────────────────── reader failed to start ───────────────────────────────────────────┘
 * </pre>
 */
public enum ShardState
{
    /**
     * Id and ring allocated, ring already polled by the sequencer, reader being started. Not routable: no connection
     * is assigned to it until its reader runs.
     */
    PROVISIONING,

    /** Reader and ring running; the shard mapper may assign new connections to it. */
    ACTIVE,

    /**
     * No new connections; the connections it has keep being served. Stops once they are all gone and the sequencer
     * has consumed its ring.
     */
    DRAINING,

    /** Ring empty and closed, no connections, removed from the sequencer's set. The id is never reused. */
    STOPPED;

    private static final ShardState[] VALUES = values();

    static ShardState ofOrdinal(final int ordinal)
    {
        return VALUES[ordinal];
    }
}
