package io.sluice.pipeline.ingest;

/**
 * Receives ingest records from {@link IngestRings#poll}, on the consumer (sequencer) thread.
 */
@FunctionalInterface
public interface IngestHandler
{
    /**
     * @param record flyweight over the record; valid only until this method returns. An exception thrown here
     *               propagates out of {@link IngestRings#poll}; the record counts as consumed.
     */
    void onRecord(IngestRecord record);
}
