package io.conduit.failure;

import java.util.concurrent.TimeUnit;

import io.conduit.messaging.Members;
import io.conduit.messaging.Messaging;
import io.conduit.messaging.MessagingConformanceTest;
import io.conduit.messaging.aeron.AeronMessaging;
import io.conduit.messaging.aeron.AeronMessagingContext;

/** The five-member failure-detection fleet over the Aeron binding (embedded drivers, UDP on loopback). */
class AeronFleetTest extends RealBindingFleetTest
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
        return new AeronMessaging(new AeronMessagingContext().members(members).localMemberId(memberId)
            .linkTimeoutNs(TimeUnit.SECONDS.toNanos(2)));
    }
}
