package io.conduit.messaging.aeron;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.conduit.messaging.Members;
import io.conduit.messaging.Messaging;
import io.conduit.messaging.MessagingConformanceTest;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The conformance tests over {@code aeron:ipc}: all members in this process share one external driver, the way an
 * application that hosts several members would run them.
 */
class AeronIpcMessagingConformanceTest extends MessagingConformanceTest
{
    private static MediaDriver driver;

    /** Each test's group gets streams of its own, so nothing a previous group left lingering in the driver joins it. */
    private static int nextStreamId = AeronMessagingContext.DEFAULT_STREAM_ID;

    private Members members;
    private int streamId;

    @BeforeAll
    static void launchSharedDriver()
    {
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy())
            .termBufferSparseFile(true)
            .imageLivenessTimeoutNs(AeronMessagingConformanceTest.LINK_TIMEOUT_NS)
            .publicationConnectionTimeoutNs(AeronMessagingConformanceTest.LINK_TIMEOUT_NS)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
    }

    @AfterAll
    static void closeSharedDriver()
    {
        CloseHelper.close(driver);
    }

    @Override
    protected void prepareGroup(final int size)
    {
        // IPC ignores the addresses; loopback ones keep Members valid.
        members = loopbackMembers(size);
        streamId = nextStreamId;
        nextStreamId += size + 1;
    }

    @Override
    protected Messaging start(final int memberId)
    {
        return new AeronMessaging(new AeronMessagingContext()
            .members(members)
            .localMemberId(memberId)
            .embeddedDriver(false)
            .aeronDirectoryName(driver.aeronDirectoryName())
            .ipc(true)
            .streamId(streamId)
            .linkTimeoutNs(AeronMessagingConformanceTest.LINK_TIMEOUT_NS));
    }
}
