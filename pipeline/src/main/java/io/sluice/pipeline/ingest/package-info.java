/**
 * Ingest rings: one Agrona single-producer single-consumer ring per reader shard, carrying client messages from the
 * reader (the ring's only producer) to the sequencer (the only consumer of every ring).
 * <ul>
 *     <li>{@link io.sluice.pipeline.ingest.IngestRecord} defines the record format and reads it.</li>
 *     <li>{@link io.sluice.pipeline.ingest.IngestPublisher} writes records, allocation-free, and answers each offer
 *     with an {@link io.sluice.pipeline.ingest.IngestResult}.</li>
 *     <li>{@link io.sluice.pipeline.ingest.IngestRings} is the changing set of rings and the round-robin poller the
 *     sequencer calls.</li>
 *     <li>{@link io.sluice.pipeline.ingest.IngestCounters} keeps the exact per-ring accounting
 *     {@code offered = ingested + rejected + unrouted}.</li>
 * </ul>
 */
package io.sluice.pipeline.ingest;
