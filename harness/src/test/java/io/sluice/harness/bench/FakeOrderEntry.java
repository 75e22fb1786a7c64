package io.sluice.harness.bench;

import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.agrona.collections.LongArrayList;

import java.util.ArrayList;
import java.util.List;

/**
 * A scripted order-entry connection: takes requests up to a capacity, and answers exactly what the test tells it
 * to, on the next poll.
 */
final class FakeOrderEntry implements OrderEntry
{
    final List<String> commands = new ArrayList<>();
    final LongArrayList placedClientOrderIds = new LongArrayList();
    final LongArrayList referencedClientOrderIds = new LongArrayList();
    private final int capacity;
    private final LongArrayList unanswered = new LongArrayList();
    private final LongArrayList toAnswer = new LongArrayList();
    private final LongArrayList toReject = new LongArrayList();
    private ReplyListener replies;
    private long nextRequestSeq = 1;

    FakeOrderEntry(final int capacity)
    {
        this.capacity = capacity;
    }

    void replies(final ReplyListener replies)
    {
        this.replies = replies;
    }

    public void connect(final ReplyListener replies)
    {
        this.replies = replies;
    }

    int inFlight()
    {
        return unanswered.size();
    }

    /**
     * Answer every request in flight on the next poll.
     */
    void answerAll()
    {
        for (int i = 0; i < unanswered.size(); i++)
        {
            if (!toAnswer.containsLong(unanswered.getLong(i)))
            {
                toAnswer.addLong(unanswered.getLong(i));
            }
        }
    }

    /**
     * Refuse the oldest request in flight on the next poll.
     */
    void rejectOldest()
    {
        toReject.addLong(unanswered.getLong(0));
        toAnswer.addLong(unanswered.getLong(0));
    }

    private long send(final String command)
    {
        if (unanswered.size() >= capacity)
        {
            return BACK_PRESSURED;
        }
        commands.add(command);
        final long requestSeq = nextRequestSeq++;
        unanswered.addLong(requestSeq);
        return requestSeq;
    }

    public long placeOrder(
        final long clientOrderId,
        final int instrumentId,
        final Side side,
        final OrderType orderType,
        final TimeInForce timeInForce,
        final long price,
        final long quantity)
    {
        final long requestSeq = send("N " + clientOrderId);
        if (requestSeq != BACK_PRESSURED)
        {
            placedClientOrderIds.addLong(clientOrderId);
        }
        return requestSeq;
    }

    public long cancelOrder(final long clientOrderId)
    {
        final long requestSeq = send("C " + clientOrderId);
        if (requestSeq != BACK_PRESSURED)
        {
            referencedClientOrderIds.addLong(clientOrderId);
        }
        return requestSeq;
    }

    public long replaceOrder(final long clientOrderId, final long newPrice, final long newQuantity)
    {
        final long requestSeq = send("R " + clientOrderId);
        if (requestSeq != BACK_PRESSURED)
        {
            referencedClientOrderIds.addLong(clientOrderId);
        }
        return requestSeq;
    }

    public int poll()
    {
        int work = 0;
        for (int i = 0; i < toReject.size(); i++)
        {
            replies.onRejected(toReject.getLong(i), io.sluice.sbe.client.RejectReason.UNKNOWN_ORDER.value());
            work++;
        }
        toReject.clear();
        for (int i = 0; i < toAnswer.size(); i++)
        {
            final long requestSeq = toAnswer.getLong(i);
            unanswered.removeLong(requestSeq);
            replies.onAnswered(requestSeq);
            work++;
        }
        toAnswer.clear();
        return work;
    }

    public void close()
    {
    }
}
