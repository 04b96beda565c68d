import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Kernel TCP reference for {@code conduit blast}/{@code conduit sink} (docs/performance.md, "Path MTU discovery"):
 * one loopback connection with TCP_NODELAY, a sender thread writing SIZE-byte messages (4-byte length prefix) for
 * SECONDS, a receiver thread reading into a 1 MiB direct buffer. Prints the receiver's MB/s (10^6 bytes), first byte
 * to last. A single-file program: {@code java bench/TcpBlast.java 65536 5}. The side-by-side harness is bench/run.
 */
public final class TcpBlast
{
    public static void main(final String[] args) throws Exception
    {
        final int size = Integer.parseInt(args[0]);
        final double seconds = Double.parseDouble(args[1]);
        final ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        final Thread receiver = new Thread(() -> receive(server));
        receiver.start();
        try (SocketChannel channel = SocketChannel.open(server.getLocalAddress()))
        {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            final ByteBuffer message = ByteBuffer.allocateDirect(size + 4);
            final long endNs = System.nanoTime() + (long)(seconds * 1e9);
            long messages = 0;
            while (System.nanoTime() - endNs < 0)
            {
                message.clear();
                message.putInt(0, size);
                while (message.hasRemaining())
                {
                    channel.write(message);
                }
                messages++;
            }
            System.out.println("tcp sent " + messages + " messages of " + size + " bytes");
        }
        receiver.join();
    }

    private static void receive(final ServerSocketChannel server)
    {
        try (SocketChannel channel = server.accept())
        {
            final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
            long bytes = 0;
            long firstNs = 0;
            long lastNs = 0;
            int read;
            while ((read = channel.read(buffer)) >= 0)
            {
                if (read > 0 && firstNs == 0)
                {
                    firstNs = System.nanoTime();
                }
                bytes += read;
                buffer.clear();
                lastNs = System.nanoTime();
            }
            System.out.printf("tcp received %d bytes in %.3f s %.1f MB/s%n", bytes, (lastNs - firstNs) / 1e9,
                bytes * 1e3 / (lastNs - firstNs));
        }
        catch (final Exception ex)
        {
            ex.printStackTrace();
        }
    }
}
