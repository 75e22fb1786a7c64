package io.sluice.response;

import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A registry of fake client channels by connection id; records drops and, like the real one, forgets a dropped
 * connection.
 */
final class FakeConnections implements ClientConnections
{
    record Drop(long connectionId, DropReason reason)
    {
    }

    record Farewell(long connectionId, int closeCode)
    {
    }

    private final Map<Long, FakeChannel> channels = new HashMap<>();
    final List<Drop> drops = new ArrayList<>();
    final List<Farewell> farewells = new ArrayList<>();
    int lookups;

    FakeChannel open(final long connectionId)
    {
        final FakeChannel channel = new FakeChannel();
        channels.put(connectionId, channel);
        return channel;
    }

    FakeChannel get(final long connectionId)
    {
        return channels.get(connectionId);
    }

    public WritableByteChannel channel(final long connectionId)
    {
        lookups++;
        return channels.get(connectionId);
    }

    public void onDropped(final long connectionId, final DropReason reason)
    {
        drops.add(new Drop(connectionId, reason));
        final FakeChannel channel = channels.remove(connectionId);
        if (null != channel)
        {
            channel.close();
        }
    }

    public void onFarewellWritten(final long connectionId, final int closeCode)
    {
        farewells.add(new Farewell(connectionId, closeCode));
        final FakeChannel channel = channels.remove(connectionId);
        if (null != channel)
        {
            channel.close();
        }
    }
}
