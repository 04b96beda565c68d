package io.conduit.messaging.aeron;

import java.util.concurrent.TimeUnit;

import io.conduit.messaging.Members;
import io.conduit.messaging.Messaging;
import io.conduit.messaging.MessagingConformanceTest;

/**
 * The conformance tests over UDP on 127.0.0.1, each member with its own embedded driver, as in production (one
 * SHARED driver thread per member, idling on a BackoffIdleStrategy). Measured on 2 cores: about 10 s for the class
 * this way, 2.6 s with one driver shared by all members; per-member drivers were kept because they also exercise
 * driver start-up, directory clean-up and a driver vanishing with its member.
 */
class AeronMessagingConformanceTest extends MessagingConformanceTest
{
    /** Short, so a member that vanished without a goodbye is noticed within the tests' deadlines. */
    static final long LINK_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);

    private Members members;

    @Override
    protected void prepareGroup(final int size)
    {
        members = loopbackMembers(size);
    }

    @Override
    protected Messaging start(final int memberId)
    {
        return new AeronMessaging(new AeronMessagingContext()
            .members(members)
            .localMemberId(memberId)
            .linkTimeoutNs(LINK_TIMEOUT_NS));
    }
}
