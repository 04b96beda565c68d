package io.conduit.messaging.sim;

import java.util.concurrent.TimeUnit;

import io.conduit.messaging.Messaging;
import io.conduit.messaging.MessagingConformanceTest;
import io.conduit.messaging.conduit.ConduitMessaging;
import io.conduit.messaging.conduit.ConduitMessagingConfig;

/**
 * The same conformance cases on the simulated binding: members of a {@link SimMessagingCluster} on a healthy
 * simulated link with 1 ms delay, virtual time advancing at most 1 ms per drive. Messages are capped at 1 MiB as in
 * the UDP run. Seeded, so a failure replays exactly.
 */
class SimMessagingConformanceTest extends MessagingConformanceTest
{
    private SimMessagingCluster cluster;

    @Override
    protected void prepareGroup(final int size)
    {
        final ConduitMessagingConfig config = new ConduitMessagingConfig();
        config.endpointConfig().connection().maxMessageBytes(1024 * 1024);
        cluster = new SimMessagingCluster(5, size, config);
        cluster.network().defaultLink().delayNs(TimeUnit.MILLISECONDS.toNanos(1));
        // The suite starts members itself (some tests need a member that does not exist yet).
        for (int member = 1; member <= size; member++)
        {
            cluster.crash(member);
        }
    }

    @Override
    protected Messaging start(final int memberId)
    {
        final ConduitMessaging running = cluster.node(memberId);
        return running != null && !running.isClosed() ? running : cluster.restart(memberId);
    }

    @Override
    protected void drive(final Messaging[] group)
    {
        cluster.step(cluster.nowNs() + TimeUnit.MILLISECONDS.toNanos(1));
    }
}
