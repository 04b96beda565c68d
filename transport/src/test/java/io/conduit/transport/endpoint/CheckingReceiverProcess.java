package io.conduit.transport.endpoint;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;

/**
 * A listening endpoint in a separate JVM (and, for {@link SocketFullNamespaceTest}, another network namespace):
 * prints {@code listening}, accepts one connection, checks every message against {@link #expectedByte} until the
 * peer finishes, then prints {@code received MESSAGES BYTES BAD} and exits.
 * Arguments: bind address, port.
 */
public final class CheckingReceiverProcess
{
    private CheckingReceiverProcess()
    {
    }

    /** Byte {@code index} of message {@code message}: the sender writes it, the receiver checks it. */
    static byte expectedByte(final long message, final int index)
    {
        return (byte)(message * 131 + index * 7 + (index >>> 8));
    }

    public static void main(final String[] args) throws Exception
    {
        final EndpointContext context = new EndpointContext()
            .bind(new InetSocketAddress(args[0], Integer.parseInt(args[1]))).listen(true).statusFile(false);
        try (Endpoint endpoint = Endpoint.launch(context))
        {
            System.out.println("listening");
            System.out.flush();
            final ConduitConnection connection = endpoint.accept(60, TimeUnit.SECONDS);
            final long[] counts = new long[3];
            final ReceivedMessageHandler check = (final DirectBuffer buffer, final int offset, final int length) ->
            {
                final long message = counts[0]++;
                counts[1] += length;
                for (int i = 0; i < length; i++)
                {
                    if (buffer.getByte(offset + i) != expectedByte(message, i))
                    {
                        counts[2]++;
                        return;
                    }
                }
            };
            while (connection != null && !connection.isInputFinished() && !connection.isClosed())
            {
                if (connection.poll(check, 64) == 0)
                {
                    Thread.onSpinWait();
                }
            }
            if (connection != null)
            {
                connection.poll(check, Integer.MAX_VALUE);
                connection.close();
            }
            System.out.println("received " + counts[0] + " " + counts[1] + " " + counts[2]);
            System.out.flush();
        }
    }
}
