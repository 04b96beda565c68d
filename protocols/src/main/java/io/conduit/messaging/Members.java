package io.conduit.messaging;

import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A fixed group: member id (1..n, any positive ints) to UDP address. Bindings that use addresses (Conduit, Aeron
 * over UDP) take one of these; the simulator uses the ids alone.
 */
public final class Members
{
    private final Map<Integer, InetSocketAddress> addresses;

    private Members(final Map<Integer, InetSocketAddress> addresses)
    {
        this.addresses = Collections.unmodifiableMap(new TreeMap<>(addresses));
    }

    public static Members of(final Map<Integer, InetSocketAddress> addresses)
    {
        for (final Map.Entry<Integer, InetSocketAddress> entry : addresses.entrySet())
        {
            if (entry.getKey() <= 0)
            {
                throw new IllegalArgumentException("member ids must be positive: " + entry.getKey());
            }
            if (entry.getValue() == null || entry.getValue().isUnresolved())
            {
                throw new IllegalArgumentException("member " + entry.getKey() + " has no resolvable address: " +
                    entry.getValue());
            }
        }
        return new Members(addresses);
    }

    /** Members 1..count on 127.0.0.1 at consecutive ports from {@code firstPort}. */
    public static Members loopback(final int count, final int firstPort)
    {
        final Map<Integer, InetSocketAddress> addresses = new TreeMap<>();
        for (int id = 1; id <= count; id++)
        {
            addresses.put(id, new InetSocketAddress("127.0.0.1", firstPort + id - 1));
        }
        return of(addresses);
    }

    public Map<Integer, InetSocketAddress> addresses()
    {
        return addresses;
    }

    public InetSocketAddress address(final int memberId)
    {
        final InetSocketAddress address = addresses.get(memberId);
        if (address == null)
        {
            throw new IllegalArgumentException("no member " + memberId + " in " + addresses.keySet());
        }
        return address;
    }

    public boolean contains(final int memberId)
    {
        return addresses.containsKey(memberId);
    }

    public int size()
    {
        return addresses.size();
    }

    @Override
    public String toString()
    {
        return addresses.toString();
    }
}
