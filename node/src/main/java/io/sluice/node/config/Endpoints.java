package io.sluice.node.config;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * The one {@code host:port} text form of an endpoint, for configuration values, command-line options, log lines and
 * the ready line a node prints.
 */
public final class Endpoints
{
    private Endpoints()
    {
    }

    /**
     * @param address an endpoint.
     * @return it as {@code host:port}, the host as given (no reverse lookup).
     */
    public static String hostPort(final InetSocketAddress address)
    {
        return address.getHostString() + ":" + address.getPort();
    }

    /**
     * @param addresses endpoints.
     * @return them as a comma-separated {@code host:port} list.
     */
    public static String hostPorts(final List<InetSocketAddress> addresses)
    {
        final StringBuilder text = new StringBuilder();
        for (final InetSocketAddress address : addresses)
        {
            text.append(text.length() == 0 ? "" : ",").append(hostPort(address));
        }
        return text.toString();
    }

    /**
     * @param text {@code host:port}, {@code [v6]:port} allowed.
     * @return the endpoint, unresolved hosts resolved as {@link InetSocketAddress} does.
     * @throws IllegalArgumentException if it is not {@code host:port} with a port of 0 to 65535.
     */
    public static InetSocketAddress parse(final String text)
    {
        return Parsers.endpoint().apply(text);
    }
}
