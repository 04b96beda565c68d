package io.conduit.transport.media;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.channels.DatagramChannel;
import java.util.HashMap;

/**
 * The largest UDP payload the first hop towards a peer can carry unfragmented: the MTU of the interface the kernel
 * would route through, less the IP and UDP headers. It caps path MTU probes, because no path is wider than its first
 * link, and because without {@link DontFragment} a larger probe would leave in IP fragments and "succeed". The route
 * is found by connecting a scratch UDP socket (no packet is sent) and reading the local address it was given.
 * Looked up once per peer address, at connect or accept time, never per datagram; not thread-safe.
 */
public final class FirstHopMtu
{
    /** No limit known: the caller keeps its configured maximum. */
    public static final int UNKNOWN = 0;

    private static final int IPV4_UDP_HEADERS = 20 + 8;
    private static final int IPV6_UDP_HEADERS = 40 + 8;
    private static final int MAX_CACHED = 4096;

    private final HashMap<InetAddress, Integer> byAddress = new HashMap<>();

    /** The largest UDP payload towards {@code remote}, or {@link #UNKNOWN}. */
    public int maxDatagramBytes(final InetSocketAddress remote)
    {
        final InetAddress address = remote.getAddress();
        if (address == null)
        {
            return UNKNOWN;
        }
        final Integer cached = byAddress.get(address);
        if (cached != null)
        {
            return cached;
        }
        final int value = lookUp(remote);
        if (byAddress.size() >= MAX_CACHED)
        {
            byAddress.clear();
        }
        byAddress.put(address, value);
        return value;
    }

    static int lookUp(final InetSocketAddress remote)
    {
        try (DatagramChannel probe = DatagramChannel.open())
        {
            probe.connect(new InetSocketAddress(remote.getAddress(), remote.getPort() == 0 ? 9 : remote.getPort()));
            final InetAddress local = ((InetSocketAddress)probe.getLocalAddress()).getAddress();
            final NetworkInterface nic = NetworkInterface.getByInetAddress(local);
            if (nic == null || nic.getMTU() <= 0)
            {
                return UNKNOWN;
            }
            final int headers = remote.getAddress() instanceof Inet6Address ? IPV6_UDP_HEADERS : IPV4_UDP_HEADERS;
            return Math.min(65_507, nic.getMTU() - headers);
        }
        catch (final IOException | RuntimeException ex)
        {
            return UNKNOWN;
        }
    }
}
