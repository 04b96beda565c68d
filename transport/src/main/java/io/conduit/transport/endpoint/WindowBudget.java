package io.conduit.transport.endpoint;

import io.conduit.transport.codec.PacketLayout;
import io.conduit.transport.engine.ConnectionConfig;

/**
 * Keeps a connection's windows inside what the UDP socket really got. The receive window promises the peer room for
 * {@code receiveWindowSegments} full datagrams; if the kernel's socket buffer holds fewer, a burst the window allows
 * is dropped by the kernel, and every such burst costs a loss recovery. Linux caps {@code SO_RCVBUF} at
 * {@code net.core.rmem_max} silently and reports double the granted size (half is bookkeeping), so the budget is
 * half the value read back. With 1,400-byte payloads the default 256 segments need 376 KB and nothing changes;
 * with 64 KiB datagrams a 4 MiB buffer allows 64. The send window follows, since it cannot usefully exceed what the
 * peer (normally configured alike) can take, and each slot preallocates a maximum payload.
 */
final class WindowBudget
{
    static final int MIN_SEGMENTS = 4;

    private WindowBudget()
    {
    }

    /** The largest power-of-two window whose full datagrams fit half of {@code socketBufferBytes}. */
    static int segmentsFor(final int socketBufferBytes, final int maxPayloadBytes)
    {
        final long perSegment = (long)maxPayloadBytes + PacketLayout.DATA_OVERHEAD;
        final long fit = Math.max(MIN_SEGMENTS, (socketBufferBytes / 2L) / perSegment);
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
