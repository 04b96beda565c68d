package io.conduit.transport.media;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.conduit.transport.codec.PacketLayout;

/**
 * One bound, non-blocking UDP socket with a direct receive buffer and a direct send buffer, each viewed through an
 * {@link UnsafeBuffer} so the engines read and write datagrams in place. Owned by one thread (the endpoint agent).
 */
public final class UdpChannel implements AutoCloseable
{
    private final DatagramChannel channel;
    private final ByteBuffer receiveByteBuffer =
        BufferUtil.allocateDirectAligned(PacketLayout.MAX_DATAGRAM_LENGTH + 64, 64).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer sendByteBuffer =
        BufferUtil.allocateDirectAligned(PacketLayout.MAX_DATAGRAM_LENGTH + 64, 64).order(ByteOrder.LITTLE_ENDIAN);
    private final UnsafeBuffer receiveBuffer = new UnsafeBuffer(receiveByteBuffer);
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(sendByteBuffer);
    private final InetSocketAddress localAddress;
    private final boolean dontFragment;

    private UdpChannel(final DatagramChannel channel, final boolean dontFragment) throws IOException
    {
        this.channel = channel;
        this.dontFragment = dontFragment;
        this.localAddress = (InetSocketAddress)channel.getLocalAddress();
    }

    /**
     * Opens and binds a socket. Buffer sizes of 0 keep the operating system's default; the kernel may clamp larger
     * requests to {@code net.core.rmem_max}/{@code wmem_max} (see native-config), which {@link #receiveBufferBytes()}
     * then reveals.
     */
    public static UdpChannel open(final SocketOptions options) throws IOException
    {
        final InetSocketAddress bind = options.bindAddress();
        final ProtocolFamily family = options.ipv6() ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        final DatagramChannel channel = DatagramChannel.open(family);
        try
        {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, options.reuseAddress());
            if (options.receiveBufferBytes() > 0)
            {
                channel.setOption(StandardSocketOptions.SO_RCVBUF, options.receiveBufferBytes());
            }
            if (options.sendBufferBytes() > 0)
            {
                channel.setOption(StandardSocketOptions.SO_SNDBUF, options.sendBufferBytes());
            }
            channel.bind(bind);
            final boolean dontFragment = options.dontFragment() && DontFragment.enable(channel, options.ipv6());
            return new UdpChannel(channel, dontFragment);
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw new IOException("cannot bind UDP " + bind + ": " + ex.getMessage(), ex);
        }
    }

    public InetSocketAddress localAddress()
    {
        return localAddress;
    }

    public UnsafeBuffer receiveBuffer()
    {
        return receiveBuffer;
    }

    public UnsafeBuffer sendBuffer()
    {
        return sendBuffer;
    }

    /**
     * Reads one datagram into {@link #receiveBuffer()} at offset 0. Returns the sender, or null when none is waiting;
     * {@link #receivedLength()} is its length.
     */
    public InetSocketAddress receive() throws IOException
    {
        receiveByteBuffer.clear();
        final SocketAddress from = channel.receive(receiveByteBuffer);
        return (InetSocketAddress)from;
    }

    public int receivedLength()
    {
        return receiveByteBuffer.position();
    }

    /**
     * Sends {@code length} bytes from offset 0 of {@link #sendBuffer()}. Returns false when the socket's send buffer
     * is full (nothing was sent; try again later).
     */
    public boolean send(final int length, final InetSocketAddress to) throws IOException
    {
        sendByteBuffer.limit(length).position(0);
        return channel.send(sendByteBuffer, to) > 0;
    }

    /**
     * Sends {@code length} bytes of {@code buffer} from {@code offset}: straight from its memory when it wraps a
     * direct {@link ByteBuffer} (a large datagram is not copied into {@link #sendBuffer()} first), otherwise through
     * {@link #sendBuffer()}, since NIO would copy a heap buffer anyway. Returns false when the socket's send buffer
     * is full (nothing was sent; try again later).
     */
    public boolean send(final DirectBuffer buffer, final int offset, final int length, final InetSocketAddress to)
        throws IOException
    {
        final ByteBuffer byteBuffer = buffer.byteBuffer();
        if (buffer == sendBuffer || byteBuffer == null || !byteBuffer.isDirect())
        {
            if (buffer != sendBuffer || offset != 0)
            {
                sendBuffer.putBytes(0, buffer, offset, length);
            }
            return send(length, to);
        }
        final int position = buffer.wrapAdjustment() + offset;
        byteBuffer.limit(position + length).position(position);
        return channel.send(byteBuffer, to) > 0;
    }

    /** True when the kernel confirmed IP_PMTUDISC_PROBE: no datagram from this socket is ever fragmented. */
    public boolean dontFragment()
    {
        return dontFragment;
    }

    public int receiveBufferBytes() throws IOException
    {
        return channel.getOption(StandardSocketOptions.SO_RCVBUF);
    }

    public int sendBufferBytes() throws IOException
    {
        return channel.getOption(StandardSocketOptions.SO_SNDBUF);
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }
}
