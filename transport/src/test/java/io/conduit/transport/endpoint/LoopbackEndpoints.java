package io.conduit.transport.endpoint;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Test fixture: endpoints on 127.0.0.1 with their counters files in a temporary directory. */
final class LoopbackEndpoints
{
    private LoopbackEndpoints()
    {
    }

    static EndpointContext context(final Path statusDir)
    {
        final EndpointContext context = new EndpointContext().bind("127.0.0.1", 0).statusDirectory(statusDir)
            .sendRingCapacity(256 * 1024).receiveRingCapacity(256 * 1024);
        // Fail the test on any error inside the duty cycle rather than printing and carrying on.
        context.errorHandler(error ->
        {
            throw new AssertionError("endpoint agent error", error);
        });
        return context;
    }

    static Endpoint launch(final EndpointContext context)
    {
        try
        {
            return Endpoint.launch(context);
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
    }

    static ConduitConnection connect(final Endpoint client, final Endpoint server) throws IOException
    {
        return client.connect(new InetSocketAddress("127.0.0.1", server.localAddress().getPort()), 10,
            TimeUnit.SECONDS);
    }
}
