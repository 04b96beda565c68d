package io.conduit.messaging.conduit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;

import org.agrona.MutableDirectBuffer;

import io.conduit.messaging.Members;
import io.conduit.transport.media.AddressTable;
import io.conduit.transport.media.SocketOptions;
import io.conduit.transport.media.UdpChannel;

/** A real UDP socket bound to the local member's address. Socket errors are counted, never thrown per datagram. */
public final class UdpDatagramPort implements DatagramPort
{
    private final UdpChannel channel;
    private final Members members;
    private final AddressTable addresses = new AddressTable(4096, 4096);
    private long socketErrors;

    public UdpDatagramPort(final Members members, final int localMemberId) throws IOException
    {
        this.members = members;
        this.channel = UdpChannel.open(new SocketOptions().bindAddress(members.address(localMemberId))
            .ipv6(members.address(localMemberId).getAddress() instanceof java.net.Inet6Address));
    }

    @Override
    public long remoteKey(final int memberId)
    {
        return addresses.keyOf(members.address(memberId));
    }

    @Override
    public int receive(final ConduitMessaging messaging, final long nowNs, final int limit)
    {
        int received = 0;
        try
        {
            InetSocketAddress from;
            while (received < limit && (from = channel.receive()) != null)
            {
                received++;
                final long key = addresses.keyOf(from);
                if (key != AddressTable.NO_KEY)
                {
                    messaging.onDatagram(nowNs, key, channel.receiveBuffer(), 0, channel.receivedLength());
                }
            }
        }
        catch (final IOException ex)
        {
            socketErrors++;
        }
        return received;
    }

    @Override
    public MutableDirectBuffer sendBuffer()
    {
        return channel.sendBuffer();
    }

    @Override
    public boolean send(final long remoteKey, final int length)
    {
        try
        {
            return channel.send(length, addresses.addressOf(remoteKey));
        }
        catch (final IOException ex)
        {
            // Lost like any datagram; the transport retransmits.
            socketErrors++;
            return true;
        }
    }

    public long socketErrors()
    {
        return socketErrors;
    }

    @Override
    public void close()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
