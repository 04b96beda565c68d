package io.conduit.transport.endpoint;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A listening endpoint in a separate JVM for {@link KilledPeerTest}: prints its port, accepts one connection and
 * consumes messages until it is killed.
 */
public final class PeerProcess
{
    private PeerProcess()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final EndpointContext context = new EndpointContext().bind(new InetSocketAddress("127.0.0.1", 0))
            .listen(true).statusFile(false);
        try (Endpoint endpoint = Endpoint.launch(context))
        {
            System.out.println("port " + endpoint.localAddress().getPort());
            System.out.flush();
            final ConduitConnection connection = endpoint.accept(60, TimeUnit.SECONDS);
            final long[] bytes = new long[1];
            while (connection != null && !connection.isClosed())
            {
                if (connection.poll((buffer, offset, length) -> bytes[0] += length, 64) == 0)
                {
                    Thread.onSpinWait();
                }
            }
        }
    }
}
