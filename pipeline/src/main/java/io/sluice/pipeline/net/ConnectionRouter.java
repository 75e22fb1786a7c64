package io.sluice.pipeline.net;

/**
 * Chooses the reader shard that will own a new connection; backed by the shard mapper's selection table.
 */
@FunctionalInterface
public interface ConnectionRouter
{
    /**
     * @param connectionId of the new connection.
     * @return the reader to hand it to, with its shard already counting the connection (the acceptor releases it
     * if the hand-off fails), or null when no shard is routable (the connection is refused).
     */
    ReaderAgent route(long connectionId);
}
