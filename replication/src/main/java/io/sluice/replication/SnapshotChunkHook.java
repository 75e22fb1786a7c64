package io.sluice.replication;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Test seam ({@link ReplicationSenderContext#snapshotChunkHook}): sees each snapshot chunk before it is offered,
 * after its bytes went into the file's CRC.
 */
interface SnapshotChunkHook
{
    /** @return false to hold the chunk back until a later duty cycle. */
    boolean beforeOffer(long offsetBytes, UnsafeBuffer chunk, int dataOffset, int dataBytes);
}
