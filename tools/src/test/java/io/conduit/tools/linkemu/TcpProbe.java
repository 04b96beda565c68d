package io.conduit.tools.linkemu;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A bulk TCP transfer for measuring the emulator's rate cap, run inside a namespace host as its own JVM
 * ({@code ip netns exec}). Needs only the JDK, so it runs from the test-classes directory.
 * <ul>
 * <li>{@code sink PORT WINDOW_MS}: prints {@code listening}, accepts one connection, counts the bytes that arrive
 * within WINDOW_MS of the first one, prints {@code bytes=N nanos=T} and closes.</li>
 * <li>{@code source HOST PORT DURATION_MS}: writes as fast as TCP lets it until DURATION_MS passed or the sink
 * closed.</li>
 * </ul>
 */
public final class TcpProbe
{
    private static final int CHUNK = 64 * 1024;

    private TcpProbe()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        if (args.length == 3 && "sink".equals(args[0]))
        {
            sink(Integer.parseInt(args[1]), Long.parseLong(args[2]) * 1_000_000L);
        }
        else if (args.length == 4 && "source".equals(args[0]))
        {
            source(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]) * 1_000_000L);
        }
        else
        {
            System.err.println("usage: TcpProbe sink PORT WINDOW_MS | source HOST PORT DURATION_MS");
            System.exit(2);
        }
    }

    private static void sink(final int port, final long windowNs) throws IOException
    {
        try (ServerSocket server = new ServerSocket())
        {
            server.bind(new InetSocketAddress(port));
            System.out.println("listening");
            System.out.flush();
            try (Socket socket = server.accept())
            {
                final InputStream in = socket.getInputStream();
                final byte[] buffer = new byte[CHUNK];
                if (in.read(buffer) < 0)
                {
                    throw new IOException("the source sent nothing");
                }
                // The window starts at the first arrival; what that read returned came before it, so it is not
                // counted. From here reads wake at least every 50 ms, so the window closes on time.
                final long firstNs = System.nanoTime();
                socket.setSoTimeout(50);
                long bytes = 0;
                long lastNs = firstNs;
                while (true)
                {
                    final int read;
                    try
                    {
                        read = in.read(buffer);
                    }
                    catch (final SocketTimeoutException ex)
                    {
                        if (System.nanoTime() - firstNs >= windowNs)
                        {
                            break;
                        }
                        continue;
                    }
                    final long nowNs = System.nanoTime();
                    if (read < 0 || nowNs - firstNs > windowNs)
                    {
                        break;
                    }
                    bytes += read;
                    lastNs = nowNs;
                }
                System.out.println("bytes=" + bytes + " nanos=" + (lastNs - firstNs));
            }
        }
    }

    private static void source(final String host, final int port, final long durationNs) throws IOException
    {
        try (Socket socket = new Socket(host, port))
        {
            final OutputStream out = socket.getOutputStream();
            final byte[] chunk = new byte[CHUNK];
            final long startNs = System.nanoTime();
            while (System.nanoTime() - startNs < durationNs)
            {
                out.write(chunk);
            }
        }
        catch (final IOException ex)
        {
            // The sink closes when its window is over; the transfer has done its job by then.
            System.out.println("source stopped: " + ex.getMessage());
        }
    }
}
