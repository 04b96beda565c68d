package io.conduit.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import io.conduit.transport.congestion.CongestionControlKind;
import io.conduit.transport.endpoint.ConduitConnection;
import io.conduit.transport.endpoint.Endpoint;
import io.conduit.transport.endpoint.EndpointContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code conduit send}: streams a file to {@code conduit recv} as messages of up to 64 KiB read straight from a
 * {@link FileChannel} (never the whole file in memory), closes gracefully and waits until the close completes, which
 * means every byte was acknowledged. The time reported runs from the established connection to the completed close.
 *
 * <p>Last line: {@code sent BYTES bytes in SECONDS s goodput MBIT Mbit/s retransmits N srtt_ms X}.
 */
@Command(name = "send", mixinStandardHelpOptions = true,
    description = "Send a file to 'conduit recv' and wait until every byte is acknowledged.")
final class SendCommand extends EndpointCommand
{
    private static final int MESSAGE_BYTES = 64 * 1024;

    @Option(names = "--to", required = true, paramLabel = "HOST:PORT", converter = HostPort.Remote.class,
        description = "Address of the receiver.")
    private InetSocketAddress to;

    @Option(names = "--file", required = true, paramLabel = "FILE", description = "The file to send.")
    private Path file;

    @Option(names = "--cc", paramLabel = "NAME", defaultValue = "newreno", converter = CongestionOption.class,
        description = "Congestion control: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).",
        completionCandidates = CongestionOption.Names.class)
    private CongestionControlKind congestionControl;

    @Option(names = "--connect-timeout-ms", paramLabel = "N", defaultValue = "5000",
        description = "How long to wait for the handshake (default ${DEFAULT-VALUE}).")
    private long connectTimeoutMs;

    @Override
    int execute(final PrintWriter out) throws CommandFailure, IOException
    {
        if (connectTimeoutMs < 1)
        {
            throw usage("--connect-timeout-ms must be >= 1, was " + connectTimeoutMs);
        }
        try (FileChannel input = openInput())
        {
            final long totalBytes = input.size();
            final EndpointContext context = context(wildcardFor(to), false, IdleOption.BACKOFF.create());
            context.connectionConfig().congestionControl(congestionControl);
            try (Endpoint endpoint = Endpoint.launch(context))
            {
                final ConduitConnection connection = connect(endpoint, to, connectTimeoutMs);
                final long startNs = System.nanoTime();
                final Progress progress = new Progress(out, System.console() != null, totalBytes, startNs);
                final long sentBytes = transfer(endpoint, connection, input, totalBytes, progress);
                connection.close();
                final IdleStrategy idle = context.idleStrategy();
                while (!connection.isClosed())
                {
                    idle.idle(endpoint.doWork());
                    progress.update(System.nanoTime(), sentBytes, connection);
                }
                progress.finish();
                if (failed(connection.closeReason()))
                {
                    throw new CommandFailure("connection lost: " + describe(connection.closeReason()));
                }
                final double seconds = (System.nanoTime() - startNs) / 1e9;
                out.println(format("sent %d bytes in %.3f s goodput %.2f Mbit/s retransmits %d srtt_ms %.3f",
                    sentBytes, seconds, sentBytes * 8 / seconds / 1e6, connection.retransmits(),
                    connection.srttNs() / 1e6));
                out.flush();
                return 0;
            }
        }
    }

    /** Offers the file chunk by chunk, driving the endpoint whenever the send ring is full. Returns bytes sent. */
    private long transfer(final Endpoint endpoint, final ConduitConnection connection, final FileChannel input,
        final long totalBytes, final Progress progress) throws CommandFailure
    {
        final int messageBytes = Math.min(MESSAGE_BYTES, connection.maxMessageBytes());
        final ByteBuffer chunk = ByteBuffer.allocateDirect(messageBytes);
        final UnsafeBuffer message = new UnsafeBuffer(chunk);
        final IdleStrategy idle = endpoint.context().idleStrategy();
        long sentBytes = 0;
        int pendingBytes = 0;
        while (sentBytes < totalBytes)
        {
            if (pendingBytes == 0)
            {
                pendingBytes = read(input, chunk, (int)Math.min(messageBytes, totalBytes - sentBytes));
            }
            final long result = connection.offer(message, 0, pendingBytes);
            if (result >= 0)
            {
                sentBytes += pendingBytes;
                pendingBytes = 0;
                continue;
            }
            if (result == ConduitConnection.CLOSED)
            {
                throw new CommandFailure("connection lost: " + describe(connection.closeReason()));
            }
            // Back-pressured (or not yet connected): let the endpoint move data, then try again.
            idle.idle(endpoint.doWork());
            progress.update(System.nanoTime(), sentBytes, connection);
        }
        return sentBytes;
    }

    private FileChannel openInput() throws CommandFailure
    {
        if (Files.isDirectory(file))
        {
            throw new CommandFailure("cannot read " + file + ": is a directory");
        }
        try
        {
            return FileChannel.open(file, StandardOpenOption.READ);
        }
        catch (final NoSuchFileException ex)
        {
            throw new CommandFailure("cannot read " + file + ": no such file");
        }
        catch (final AccessDeniedException ex)
        {
            throw new CommandFailure("cannot read " + file + ": permission denied");
        }
        catch (final IOException ex)
        {
            throw new CommandFailure("cannot read " + file + ": " + ex.getMessage());
        }
    }

    /** Reads exactly {@code length} bytes into the start of {@code chunk}. */
    private int read(final FileChannel input, final ByteBuffer chunk, final int length) throws CommandFailure
    {
        chunk.clear().limit(length);
        try
        {
            while (chunk.hasRemaining())
            {
                if (input.read(chunk) < 0)
                {
                    throw new CommandFailure("cannot read " + file + ": file shrank while sending");
                }
            }
        }
        catch (final IOException ex)
        {
            throw new CommandFailure("cannot read " + file + ": " + ex.getMessage());
        }
        return length;
    }
}
