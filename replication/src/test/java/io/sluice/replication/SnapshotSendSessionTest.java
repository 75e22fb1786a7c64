package io.sluice.replication;

import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.sluice.durability.ReplicationMetrics;
import io.sluice.sbe.replication.MessageHeaderDecoder;
import io.sluice.sbe.replication.SnapshotChunkDecoder;
import io.sluice.sbe.replication.SnapshotEndDecoder;
import io.sluice.sbe.replication.SnapshotOfferDecoder;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

import static io.sluice.replication.ReplicationTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The states of a snapshot transfer from a primary's slot: the offer, the file in chunks of one datagram, at most
 * so many per duty cycle, then the end with the file's CRC; a chunk held back is offered again without being read or
 * checksummed twice; a file that cannot be read fails the session; an abort closes the file.
 */
class SnapshotSendSessionTest
{
    private static final int STREAM_ID = 0x5E5D;
    private static final int MAX_BATCH_BYTES = 1024;
    private static final int CHUNKS_PER_DUTY_CYCLE = 3;
    private static final long CORRELATION_ID = 77;

    @TempDir
    Path dir;

    private ReplicationTransport transport;
    private ExclusivePublication publication;
    private Subscription subscription;
    private final ReplicationMetrics metrics = new ReplicationMetrics(1);
    private SenderDataPublisher publisher;
    private final List<String> received = new ArrayList<>();
    private final ByteArrayOutputStream receivedFile = new ByteArrayOutputStream();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final SnapshotOfferDecoder offer = new SnapshotOfferDecoder();
    private final SnapshotChunkDecoder chunk = new SnapshotChunkDecoder();
    private final SnapshotEndDecoder end = new SnapshotEndDecoder();
    private byte[] file;
    private Path path;

    @BeforeEach
    void connect() throws IOException
    {
        transport = ReplicationTestSupport.transport(dir.resolve("aeron"));
        final String endpoint = ReplicationTestSupport.freeEndpoint();
        subscription = transport.aeron().addSubscription(transport.subscriptionChannel(endpoint), STREAM_ID);
        publication = transport.aeron().addExclusivePublication(transport.publicationChannel(endpoint), STREAM_ID);
        await(publication::isConnected, () -> "publication connected");
        publisher = new SenderDataPublisher(publication, metrics, 0, 1, MAX_BATCH_BYTES, null, (reason) ->
        {
            throw new AssertionError(reason);
        });
        file = new byte[10 * MAX_BATCH_BYTES + 17];
        new Random(7).nextBytes(file);
        path = dir.resolve("snapshot");
        Files.write(path, file);
    }

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(subscription, publisher, transport);
    }

    @Test
    void shouldSendTheOfferThenTheFileInChunksThenTheEndWithItsCrc() throws IOException
    {
        final FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        final SnapshotSendSession session = newSession(channel, file.length, null);
        assertEquals(SnapshotSendSession.State.OFFER, session.state());

        assertEquals(1 + CHUNKS_PER_DUTY_CYCLE, session.doWork(), "the offer and as many chunks as allowed");
        assertEquals(SnapshotSendSession.State.CHUNKS, session.state());
        assertEquals(CHUNKS_PER_DUTY_CYCLE * (long)publisher.maxChunkBytes(), session.sentBytes());
        int dutyCycles = 1;
        while (!session.isDone())
        {
            session.doWork();
            dutyCycles++;
        }

        assertEquals(SnapshotSendSession.State.DONE, session.state());
        assertEquals(file.length, session.sentBytes());
        assertFalse(channel.isOpen(), "the file is closed once sent");
        final int chunks = (file.length + publisher.maxChunkBytes() - 1) / publisher.maxChunkBytes();
        assertTrue(dutyCycles >= chunks / CHUNKS_PER_DUTY_CYCLE, "at most " + CHUNKS_PER_DUTY_CYCLE + " per cycle");
        assertTrue(metrics.bytesSent(0) > file.length, "chunk bytes counted with their headers");

        pollUntil(chunks + 2);
        assertEquals("offer wireSeq=40 total=" + file.length, received.get(0));
        assertEquals("end total=" + file.length + " crc=" + crcOf(file), received.get(received.size() - 1));
        assertArrayEquals(file, receivedFile.toByteArray());
    }

    @Test
    void shouldOfferAChunkHeldBackAgainWithoutReadingItTwice() throws IOException
    {
        final int[] holds = { 2 };
        final SnapshotSendSession session = newSession(FileChannel.open(path, StandardOpenOption.READ), file.length,
            (offsetBytes, buffer, dataOffset, dataBytes) -> offsetBytes != 0 || holds[0]-- <= 0);

        assertEquals(1, session.doWork(), "the offer; the first chunk is held");
        assertEquals(0, session.doWork());
        assertEquals(0, session.sentBytes());
        while (!session.isDone())
        {
            session.doWork();
        }

        pollUntil((file.length + publisher.maxChunkBytes() - 1) / publisher.maxChunkBytes() + 2);
        assertEquals("end total=" + file.length + " crc=" + crcOf(file), received.get(received.size() - 1));
        assertArrayEquals(file, receivedFile.toByteArray());
    }

    @Test
    void shouldFailWhenTheFileEndsBeforeItsLength() throws IOException
    {
        final SnapshotSendSession session = newSession(FileChannel.open(path, StandardOpenOption.READ),
            file.length + 100L, null);

        while (!session.isDone())
        {
            session.doWork();
        }

        assertEquals(SnapshotSendSession.State.FAILED, session.state());
        assertTrue(session.failure().getMessage().contains("snapshot file ends at " + file.length),
            session.failure().getMessage());
    }

    @Test
    void shouldCloseTheFileWhenAborted() throws IOException
    {
        final FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        final SnapshotSendSession session = newSession(channel, file.length, null);
        session.doWork();

        session.abort();

        assertEquals(SnapshotSendSession.State.ABORTED, session.state());
        assertTrue(session.isDone());
        assertFalse(channel.isOpen());
    }

    private SnapshotSendSession newSession(
        final FileChannel channel, final long totalBytes, final SnapshotChunkHook hook)
    {
        return new SnapshotSendSession(publisher, channel, totalBytes, CORRELATION_ID, 2, 40, 1, 0xCAFE,
            CHUNKS_PER_DUTY_CYCLE, hook);
    }

    private void pollUntil(final int messages)
    {
        await(() ->
        {
            subscription.poll((buffer, offset, length, aeronHeader) ->
            {
                header.wrap(buffer, offset);
                final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
                switch (header.templateId())
                {
                    case SnapshotOfferDecoder.TEMPLATE_ID:
                        offer.wrap(buffer, body, header.blockLength(), header.version());
                        received.add("offer wireSeq=" + offer.snapshotWireSeq() + " total=" + offer.totalLengthBytes());
                        break;
                    case SnapshotChunkDecoder.TEMPLATE_ID:
                        chunk.wrap(buffer, body, header.blockLength(), header.version());
                        assertEquals(CORRELATION_ID, chunk.correlationId());
                        assertEquals(receivedFile.size(), chunk.offsetBytes());
                        final byte[] bytes = new byte[chunk.bytesLength()];
                        chunk.getBytes(bytes, 0, bytes.length);
                        receivedFile.write(bytes, 0, bytes.length);
                        received.add("chunk");
                        break;
                    case SnapshotEndDecoder.TEMPLATE_ID:
                        end.wrap(buffer, body, header.blockLength(), header.version());
                        received.add("end total=" + end.totalLengthBytes() + " crc=" + end.fileCrc32c());
                        break;
                    default:
                        received.add("template " + header.templateId());
                }
            }, 16);
            return received.size() >= messages;
        }, () -> messages + " messages, have " + received);
    }

    private static long crcOf(final byte[] bytes)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes);
        return crc.getValue();
    }
}
