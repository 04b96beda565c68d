package io.conduit.transport.endpoint;

import io.conduit.transport.codec.PacketLayout;
import io.conduit.transport.engine.ConnectionConfig;

/**
 * Keeps a connection's windows inside what the UDP socket really got. The receive window promises the peer room for
 * {@code receiveWindowSegments} full datagrams; if the kernel's socket buffer holds fewer, a burst the window allows
 * is dropped by the kernel, and every such burst costs a loss recovery. Linux caps {@code SO_RCVBUF} at
 * {@code net.core.rmem_max} silently; it then keeps twice the grant to charge each datagram's bookkeeping
 * (skb truesize) against, and the JDK reads back the grant itself (it halves what Linux reports). So the budget is
 * the value read back, in full datagrams: the doubled kernel budget covers their overhead. With 1,400-byte payloads
 * a 4 MiB grant allows 2,048 segments (half of that starved a 100 Mbit/s, 50 ms path at 1% loss, whose window must
 * span the flight plus a lost retransmission's extra round trip); with 64 KiB datagrams it allows 64. The send
 * window follows, since it cannot usefully exceed what the peer (normally configured alike) can take, and each slot
 * preallocates a maximum payload.
 */
final class WindowBudget
{
    static final int MIN_SEGMENTS = 4;

    private WindowBudget()
    {
    }

    /** The largest power-of-two window whose full datagrams fit the {@code grantedBytes} read back. */
    static int segmentsFor(final int grantedBytes, final int maxPayloadBytes)
    {
        final long perSegment = (long)maxPayloadBytes + PacketLayout.DATA_OVERHEAD;
        final long fit = Math.max(MIN_SEGMENTS, grantedBytes / perSegment);
        return Integer.highestOneBit((int)Math.min(1 << 20, fit));
    }

    /** Lowers (never raises) both windows of {@code config} to fit the socket's receive buffer. */
    static void fit(final ConnectionConfig config, final int receiveBufferBytes)
    {
        if (receiveBufferBytes <= 0)
        {
            return;
        }
        final int segments = segmentsFor(receiveBufferBytes, config.maxPayloadBytes());
        if (config.receiveWindowSegments() > segments)
        {
            config.receiveWindowSegments(segments);
        }
        if (config.sendWindowSegments() > segments)
        {
            config.sendWindowSegments(segments);
        }
    }
}
