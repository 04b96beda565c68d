package io.conduit.bench.compare;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Kernel TCP on 127.0.0.1 through {@link SocketChannel}s in non-blocking mode with {@code TCP_NODELAY}, spun by
 * the peer's thread like the other systems. Messages are framed with a 4-byte length prefix; {@link #open} sizes the
 * direct buffers for several of the largest message. Offers append frames to a send buffer that {@code doWork()}
 * writes in one system call, and one read takes whatever has arrived, so both directions batch as a well-written
 * NIO application would. Socket buffers are the kernel's (autotuned).
 */
final class TcpSystem implements LoopbackSystem
{
    private static final int FRAME_HEADER_BYTES = Integer.BYTES;
    private static final int MIN_BUFFER_BYTES = 256 * 1024;
    /** Buffers hold this many of the largest frame, so a read never has to wait for the parser to make room. */
    private static final int FRAMES_PER_BUFFER = 4;

    @Override
    public String name()
    {
        return "TCP";
    }

    @Override
    public String settings()
    {
        return "TCP: java.nio SocketChannel, non-blocking, spun by the peer's thread, TCP_NODELAY, 4-byte length " +
            "prefix, direct buffers of max(" + MIN_BUFFER_BYTES / 1024 + " KiB, " + FRAMES_PER_BUFFER +
            " frames), kernel socket buffers";
    }

    @Override
    public LoopbackLink open(final int maxMessageLength) throws IOException
    {
        final int bufferBytes = Math.max(MIN_BUFFER_BYTES, FRAMES_PER_BUFFER * (FRAME_HEADER_BYTES + maxMessageLength));
        try (ServerSocketChannel listener = ServerSocketChannel.open())
        {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            final SocketChannel client = SocketChannel.open(listener.getLocalAddress());
            SocketChannel server = null;
            try
            {
                server = listener.accept();
                return new Link(new Peer(configure(client), bufferBytes), new Peer(configure(server), bufferBytes));
            }
            catch (final IOException | RuntimeException ex)
            {
                CloseHelper.closeAll(client, server);
                throw ex;
            }
        }
    }

    private static SocketChannel configure(final SocketChannel channel) throws IOException
    {
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.configureBlocking(false);
        return channel;
    }

    private record Link(Peer client, Peer server) implements LoopbackLink
    {
        @Override
        public String observations()
        {
            try
            {
                return "client SO_SNDBUF " + client.channel.getOption(StandardSocketOptions.SO_SNDBUF) / 1024 +
                    " KiB, server SO_RCVBUF " + server.channel.getOption(StandardSocketOptions.SO_RCVBUF) / 1024 +
                    " KiB";
            }
            catch (final IOException ex)
            {
                return "";
            }
        }

        @Override
        public void close()
        {
            CloseHelper.closeAll(client.channel, server.channel);
        }
    }

    private static final class Peer implements LoopbackPeer
    {
        private final SocketChannel channel;
        /** Frames waiting to be written: filled from 0 to position, written from 0. */
        private final ByteBuffer sendBuffer;
        private final UnsafeBuffer sendView;
        /** Bytes read: frames parsed from readIndex to position. */
        private final ByteBuffer receiveBuffer;
        private final UnsafeBuffer receiveView;
        private int readIndex;

        Peer(final SocketChannel channel, final int bufferBytes)
        {
            this.channel = channel;
            this.sendBuffer = ByteBuffer.allocateDirect(bufferBytes);
            this.sendView = new UnsafeBuffer(sendBuffer);
            this.receiveBuffer = ByteBuffer.allocateDirect(bufferBytes);
            this.receiveView = new UnsafeBuffer(receiveBuffer);
        }

        @Override
        public int doWork()
        {
            try
            {
                int work = 0;
                if (sendBuffer.position() > 0)
                {
                    sendBuffer.flip();
                    work += channel.write(sendBuffer) > 0 ? 1 : 0;
                    sendBuffer.compact();
                }
                if (receiveBuffer.hasRemaining())
                {
                    final int read = channel.read(receiveBuffer);
                    if (read < 0)
                    {
                        throw new IllegalStateException("TCP peer closed the connection");
                    }
                    work += read > 0 ? 1 : 0;
                }
                return work;
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }

        @Override
        public boolean offer(final DirectBuffer buffer, final int offset, final int length)
        {
            final int position = sendBuffer.position();
            if (sendBuffer.limit() - position < FRAME_HEADER_BYTES + length)
            {
                return false;
            }
            sendView.putInt(position, length);
            buffer.getBytes(offset, sendView, position + FRAME_HEADER_BYTES, length);
            sendBuffer.position(position + FRAME_HEADER_BYTES + length);
            return true;
        }

        @Override
        public int poll(final MessageSink sink, final int limit)
        {
            int delivered = 0;
            final int end = receiveBuffer.position();
            while (delivered < limit && end - readIndex >= FRAME_HEADER_BYTES)
            {
                final int length = receiveView.getInt(readIndex);
                if (end - readIndex - FRAME_HEADER_BYTES < length)
                {
                    break;
                }
                sink.onMessage(receiveView, readIndex + FRAME_HEADER_BYTES, length);
                readIndex += FRAME_HEADER_BYTES + length;
                delivered++;
            }
            reclaim(end);
            return delivered;
        }

        /** Makes room for the next read: rewind when everything was parsed, move a partial frame to the front. */
        private void reclaim(final int end)
        {
            if (readIndex == end)
            {
                receiveBuffer.clear();
                readIndex = 0;
            }
            else if (readIndex > receiveBuffer.capacity() / 2)
            {
                receiveBuffer.limit(end).position(readIndex);
                receiveBuffer.compact();
                readIndex = 0;
            }
        }
    }
}
