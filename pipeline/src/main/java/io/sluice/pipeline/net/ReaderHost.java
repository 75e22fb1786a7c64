package io.sluice.pipeline.net;

/**
 * Where reader agents run: the node's threading decides (a shared network thread, a thread per reader); the reader
 * shards only say when a reader starts and stops.
 */
public interface ReaderHost
{
    /**
     * A reader was created for a new shard; run it. Called on the thread that provisioned the shard.
     *
     * @param reader to run from now on.
     */
    void onReaderStarted(ReaderAgent reader);

    /**
     * A shard stopped: its reader has no connections left. Stop running it.
     *
     * @param reader to stop.
     */
    void onReaderStopped(ReaderAgent reader);
}
