package io.conduit.bench.lossy;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Kernel TCP ends of a bulk transfer: blocking channels and 64 KiB direct buffers, the way a plain Java service moves
 * bytes. The congestion controller is the namespace's {@code net.ipv4.tcp_congestion_control}, which the
 * orchestrator sets (Java cannot choose it per socket).
 */
final class TcpBulk
{
    private static final int CHUNK = 64 * 1024;

    private TcpBulk()
    {
    }

    static ReceiveCounter receive(final InetSocketAddress bind, final PrintStream out) throws IOException
    {
        try (ServerSocketChannel server = ServerSocketChannel.open())
        {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(bind);
            out.println("listening");
            out.flush();
            try (SocketChannel channel = server.accept())
            {
                final ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
                final ReceiveCounter counter = new ReceiveCounter();
                int read;
                while ((read = readOrReset(channel, buffer)) >= 0)
                {
                    if (read > 0)
                    {
                        counter.onBytes(System.nanoTime(), read);
                    }
                    buffer.clear();
                }
                return counter;
            }
        }
    }

    static long send(final InetSocketAddress to, final long bytes, final long deadlineNs) throws IOException
    {
        try (SocketChannel channel = SocketChannel.open(to))
        {
            final ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
            long sent = 0;
            while (sent < bytes && System.nanoTime() - deadlineNs < 0)
            {
                buffer.clear().limit((int)Math.min(CHUNK, bytes - sent));
                sent += channel.write(buffer);
            }
            if (sent < bytes)
            {
                // Cut by the time cap: close with RST (linger 0) rather than drain the send buffer at the link's rate.
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                return sent;
            }
            // The receiver reads to end of stream and closes; waiting for that makes the close part of the run.
            channel.shutdownOutput();
            buffer.clear();
            while (channel.read(buffer) >= 0)
            {
                buffer.clear();
            }
            return sent;
        }
    }

    /** A read that takes a reset (the sender cut by the time cap) as the end of the stream. */
    private static int readOrReset(final SocketChannel channel, final ByteBuffer buffer) throws IOException
    {
        try
        {
            return channel.read(buffer);
        }
        catch (final SocketException ex)
        {
            return -1;
        }
    }
}
