package io.sluice.response;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutputRingPublisherTest
{
    private final OneToOneRingBuffer ring = new OneToOneRingBuffer(
        new UnsafeBuffer(ByteBuffer.allocateDirect(4096 + RingBufferDescriptor.TRAILER_LENGTH)));
    private final OutputRingPublisher publisher = new OutputRingPublisher(ring);

    private List<String> drain()
    {
        final List<String> slots = new ArrayList<>();
        final OutputSlot slot = new OutputSlot();
        ring.read((msgTypeId, buffer, index, length) ->
        {
            assertEquals(OutputSlot.MSG_TYPE_ID, msgTypeId);
            slot.wrap(buffer, index);
            assertEquals(length, slot.length());
            final byte[] payload = new byte[slot.payloadLength()];
            buffer.getBytes(slot.payloadOffset(), payload);
            slots.add(slot.connectionId() + "/" + slot.wireSeq() + "/" + slot.requestSeq() + "/" + slot.recvTs() +
                "/" + slot.matchCompleteTs() + "/" + slot.isLastInRequest() + "/" + slot.isDurabilityBypass() + "/" +
                new String(payload));
        });
        return slots;
    }

    @Test
    void shouldCarryEveryFieldAndPayloadThroughTheRing()
    {
        final UnsafeBuffer payload = new UnsafeBuffer("hello".getBytes());
        assertTrue(publisher.offer(7, 42, 3, OutputSlot.LAST_IN_REQUEST_FLAG, 100, 200, payload, 0, 5));
        assertTrue(publisher.offer(8, 0, 4, OutputSlot.DURABILITY_BYPASS_FLAG, 101, 201, payload, 1, 3));
        assertTrue(publisher.offer(9, 43, 5, OutputSlot.LAST_IN_REQUEST_FLAG, 102, 202, null, 0, 0));

        assertEquals(List.of(
            "7/42/3/100/200/true/false/hello",
            "8/0/4/101/201/false/true/ell",
            "9/43/5/102/202/true/false/"), drain());
    }

    @Test
    void shouldEncodeStraightIntoClaimedSlot()
    {
        final int payloadOffset = publisher.tryClaim(1, 2, 3, OutputSlot.LAST_IN_REQUEST_FLAG, 4, 5, 3);
        assertTrue(payloadOffset > 0);
        publisher.buffer().putBytes(payloadOffset, "abc".getBytes());
        publisher.commit();
        assertEquals(List.of("1/2/3/4/5/true/false/abc"), drain());

        final int aborted = publisher.tryClaim(1, 2, 3, 0, 4, 5, 3);
        assertTrue(aborted > 0);
        publisher.abort();
        assertEquals(List.of(), drain());
    }

    @Test
    void shouldReportFullRingWithoutWriting()
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[200]);
        int offered = 0;
        while (publisher.offer(1, offered + 1, offered + 1, 0, 0, 0, payload, 0, 200))
        {
            offered++;
        }
        assertTrue(offered > 0);
        assertEquals(offered, drain().size());
        assertTrue(publisher.offer(1, 1, 1, 0, 0, 0, payload, 0, 200), "room again once consumed");
    }

    @Test
    void shouldRejectPayloadTooLargeForRingAndDoubleClaim()
    {
        final int max = publisher.maxPayloadLength();
        assertEquals(ring.maxMsgLength() - OutputSlot.HEADER_LENGTH, max);
        assertThrows(IllegalArgumentException.class, () -> publisher.tryClaim(1, 1, 1, 0, 0, 0, max + 1));

        publisher.tryClaim(1, 1, 1, 0, 0, 0, 1);
        assertThrows(IllegalStateException.class, () -> publisher.tryClaim(1, 1, 1, 0, 0, 0, 1));
        publisher.commit();
        assertThrows(IllegalStateException.class, publisher::commit);
        assertFalse(drain().isEmpty());
    }

    @Test
    void shouldNeverPublishInternalFlagBits()
    {
        assertTrue(publisher.offer(1, 1, 1, 0xFF, 0, 0, null, 0, 0));
        final List<Integer> flags = new ArrayList<>();
        ring.read((msgTypeId, buffer, index, length) -> flags.add(new OutputSlot().wrap(buffer, index).flags()));
        assertEquals(List.of(OutputSlot.LAST_IN_REQUEST_FLAG | OutputSlot.DURABILITY_BYPASS_FLAG |
            OutputSlot.CLOSE_AFTER_FLAG | OutputSlot.GATE_ONLY_WIRE_SEQ_FLAG), flags);
    }

    @Test
    void shouldCarryTheCloseCodeOfTheLastMessage()
    {
        assertTrue(publisher.offer(1, 0, 0, OutputSlot.closeAfter(200) | OutputSlot.DURABILITY_BYPASS_FLAG, 0, 0,
            null, 0, 0));
        final List<String> slots = new ArrayList<>();
        ring.read((msgTypeId, buffer, index, length) ->
        {
            final OutputSlot slot = new OutputSlot().wrap(buffer, index);
            slots.add(slot.isCloseAfter() + ":" + slot.closeCode() + ":" + slot.isDurabilityBypass());
        });
        assertEquals(List.of("true:200:true"), slots);
    }
}
