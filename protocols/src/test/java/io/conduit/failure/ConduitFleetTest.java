package io.conduit.failure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;

import io.conduit.messaging.Members;
import io.conduit.messaging.Messaging;
import io.conduit.messaging.MessagingConformanceTest;
import io.conduit.messaging.conduit.ConduitMessaging;
import io.conduit.messaging.conduit.ConduitMessagingConfig;
import io.conduit.messaging.conduit.UdpDatagramPort;

/** The five-member failure-detection fleet over the Conduit binding on real UDP. */
class ConduitFleetTest extends RealBindingFleetTest
{
    private Members members;

    @Override
    protected void prepare(final int size)
    {
        members = MessagingConformanceTest.loopbackMembers(size);
    }

    @Override
    protected Messaging start(final int memberId)
    {
        try
        {
            return new ConduitMessaging(memberId, new int[]{1, 2, 3, 4, 5}, new ConduitMessagingConfig(),
                new UdpDatagramPort(members, memberId), System::nanoTime, new SecureRandom());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
