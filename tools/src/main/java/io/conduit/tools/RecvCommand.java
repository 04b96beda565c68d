package io.conduit.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

import io.conduit.transport.codec.RejectReason;
import io.conduit.transport.endpoint.ConduitConnection;
import io.conduit.transport.endpoint.Endpoint;
import io.conduit.transport.endpoint.EndpointContext;
import io.conduit.transport.endpoint.ReceivedMessageHandler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code conduit recv}: accepts one connection and writes every message that arrives to a file as it arrives (one
 * message in memory at a time), hashing the stream on the way. When the sender has closed gracefully it closes its
 * own side, waits for that close, and prints {@code received BYTES bytes sha256 HEX} as its last line (exit 0). If
 * the connection fails first it prints {@code conduit recv: connection lost: REASON} on stderr (exit 1).
 *
 * <p>The first line is {@code listening on HOST:PORT} with the actual port, so {@code --bind HOST:0} works.
 */
@Command(name = "recv", mixinStandardHelpOptions = true,
    description = "Receive one connection's messages into a file and print its size and SHA-256.")
final class RecvCommand extends EndpointCommand implements ReceivedMessageHandler
{
    @Option(names = "--bind", required = true, paramLabel = "HOST:PORT", converter = HostPort.Bind.class,
        description = "Address to listen on; port 0 picks a free port (printed on the first line).")
    private InetSocketAddress bind;

    @Option(names = "--out", required = true, paramLabel = "FILE",
        description = "Where to write what arrives (created or truncated).")
    private Path outputFile;

    @Option(names = "--accept-timeout-ms", paramLabel = "N", defaultValue = "0",
        description = "Give up if no connection arrives within N ms; 0 waits forever (default).")
    private long acceptTimeoutMs;

    private FileChannel output;
    private MessageDigest digest;
    private byte[] scratch;
    private long receivedBytes;

    @Override
    int execute(final PrintWriter out) throws CommandFailure, IOException
    {
        if (acceptTimeoutMs < 0)
        {
            throw usage("--accept-timeout-ms must be >= 0, was " + acceptTimeoutMs);
        }
        digest = sha256();
        final EndpointContext context = context(bind, true, IdleOption.BACKOFF.create());
        scratch = new byte[context.maxMessageBytes()];
        try (FileChannel channel = openOutput(); Endpoint endpoint = Endpoint.launch(context))
        {
            output = channel;
            out.println("listening on " + HostPort.format(endpoint.localAddress()));
            out.flush();
            final ConduitConnection connection = accept(endpoint, acceptTimeoutMs);
            final IdleStrategy idle = context.idleStrategy();
            while (!connection.isInputFinished())
            {
                idle.idle(endpoint.doWork() + connection.poll(this, POLL_LIMIT));
            }
            if (failed(connection.closeReason()))
            {
                throw new CommandFailure("connection lost: " + describe(connection.closeReason()));
            }
            connection.close();
            driveUntilClosed(endpoint, connection);
            channel.force(false);
            endpoint.refreshStats();
            // Informational; scripts read only the last line.
            out.println("stats datagrams_received=" + endpoint.stats().datagramsReceived() +
                " rejected=" + endpoint.stats().rejected() +
                " rejected_checksum=" + endpoint.stats().rejected(RejectReason.BAD_CHECKSUM) +
                " duplicate_segments=" + connection.duplicateSegments());
            out.println("received " + receivedBytes + " bytes sha256 " + HexFormat.of().formatHex(digest.digest()));
            out.flush();
            return 0;
        }
    }

    @Override
    public void onMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        buffer.getBytes(offset, scratch, 0, length);
        digest.update(scratch, 0, length);
        final ByteBuffer bytes = ByteBuffer.wrap(scratch, 0, length);
        try
        {
            while (bytes.hasRemaining())
            {
                output.write(bytes);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + outputFile + ": " + ex.getMessage(), ex);
        }
        receivedBytes += length;
    }

    private FileChannel openOutput() throws CommandFailure
    {
        try
        {
            return FileChannel.open(outputFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        }
        catch (final NoSuchFileException ex)
        {
            throw new CommandFailure("cannot write " + outputFile + ": no such directory");
        }
        catch (final AccessDeniedException ex)
        {
            throw new CommandFailure("cannot write " + outputFile + ": permission denied");
        }
        catch (final IOException ex)
        {
            throw new CommandFailure("cannot write " + outputFile + ": " + ex.getMessage());
        }
    }

    private static MessageDigest sha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            // Every Java platform must provide SHA-256 (MessageDigest javadoc).
            throw new IllegalStateException(ex);
        }
    }
}
