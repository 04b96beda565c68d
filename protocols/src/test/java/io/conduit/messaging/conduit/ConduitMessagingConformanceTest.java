package io.conduit.messaging.conduit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.stream.IntStream;

import io.conduit.messaging.Members;
import io.conduit.messaging.Messaging;
import io.conduit.messaging.MessagingConformanceTest;

/**
 * The conformance tests for the Conduit binding over real UDP on 127.0.0.1. Messages are capped at 1 MiB here so
 * "the maximum arrives whole" stays quick; the transport itself allows 16 MiB.
 */
class ConduitMessagingConformanceTest extends MessagingConformanceTest
{
    private Members members;
    private int[] ids;

    @Override
    protected void prepareGroup(final int size)
    {
        members = loopbackMembers(size);
        ids = IntStream.rangeClosed(1, size).toArray();
    }

    @Override
    protected Messaging start(final int memberId)
    {
        final ConduitMessagingConfig config = new ConduitMessagingConfig();
        config.endpointConfig().connection().maxMessageBytes(1024 * 1024);
        try
        {
            return new ConduitMessaging(memberId, ids, config, new UdpDatagramPort(members, memberId),
                System::nanoTime, new SecureRandom());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
