package io.conduit.transport.media;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.Object2LongHashMap;

/**
 * Maps socket addresses to the engine's opaque remote keys and back. An IPv4 address and port pack into the key
 * itself ({@code address << 16 | port}), so any IPv4 key can be turned back into an address and the reverse cache
 * may be dropped at will; IPv6 addresses get sequential keys (bit 62 set) and a bounded table of their own.
 */
public final class AddressTable
{
    /** Returned by {@link #keyOf} when the IPv6 table is full; the datagram should be dropped and counted. */
    public static final long NO_KEY = -1;
    private static final long IPV6_KEY_BIT = 1L << 62;

    private final int cacheCapacity;
    private final int ipv6Capacity;
    private final Long2ObjectHashMap<InetSocketAddress> ipv4Cache = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<InetSocketAddress> ipv6ByKey = new Long2ObjectHashMap<>();
    private final Object2LongHashMap<InetSocketAddress> ipv6Keys = new Object2LongHashMap<>(NO_KEY);
    private long nextIpv6Key = 1;

    public AddressTable(final int cacheCapacity, final int ipv6Capacity)
    {
        this.cacheCapacity = cacheCapacity;
        this.ipv6Capacity = ipv6Capacity;
    }

    /** The key for {@code address}, or {@link #NO_KEY} when a new IPv6 address does not fit. */
    public long keyOf(final InetSocketAddress address)
    {
        final InetAddress inet = address.getAddress();
        if (inet instanceof Inet4Address)
        {
            // Inet4Address.hashCode() is its 32-bit address (specified by the JDK); getAddress() would allocate.
            final long key = ((inet.hashCode() & 0xFFFF_FFFFL) << 16) | address.getPort();
            if (!ipv4Cache.containsKey(key))
            {
                if (ipv4Cache.size() >= cacheCapacity)
                {
                    ipv4Cache.clear();
                }
                ipv4Cache.put(key, address);
            }
            return key;
        }
        final long existing = ipv6Keys.getValue(address);
        if (existing != NO_KEY)
        {
            return existing;
        }
        if (ipv6Keys.size() >= ipv6Capacity)
        {
            return NO_KEY;
        }
        final long key = IPV6_KEY_BIT | nextIpv6Key++;
        ipv6Keys.put(address, key);
        ipv6ByKey.put(key, address);
        return key;
    }

    /** The address behind a key from {@link #keyOf}; null for a key this table never issued. */
    public InetSocketAddress addressOf(final long key)
    {
        if ((key & IPV6_KEY_BIT) != 0)
        {
            return ipv6ByKey.get(key);
        }
        InetSocketAddress address = ipv4Cache.get(key);
        if (address == null)
        {
            final int ip = (int)(key >>> 16);
            final byte[] bytes = {(byte)(ip >>> 24), (byte)(ip >>> 16), (byte)(ip >>> 8), (byte)ip};
            try
            {
                address = new InetSocketAddress(InetAddress.getByAddress(bytes), (int)(key & 0xFFFF));
            }
            catch (final java.net.UnknownHostException ex)
            {
                throw new IllegalStateException("4-byte address refused", ex);
            }
            if (ipv4Cache.size() >= cacheCapacity)
            {
                ipv4Cache.clear();
            }
            ipv4Cache.put(key, address);
        }
        return address;
    }

    public int ipv6Size()
    {
        return ipv6Keys.size();
    }
}
