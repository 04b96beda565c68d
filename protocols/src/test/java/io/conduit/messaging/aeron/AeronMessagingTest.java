package io.conduit.messaging.aeron;

import java.io.File;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;

import io.conduit.messaging.Members;
import io.conduit.messaging.Messaging;
import io.conduit.messaging.MessagingConformanceTest;
import io.conduit.messaging.PeerEventHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** What is particular to the Aeron binding: its settings, its driver directory, its session ids. */
class AeronMessagingTest
{
    private static final PeerEventHandler PEER_EVENTS_FORBIDDEN = new PeerEventHandler()
    {
        @Override
        public void onPeerUp(final int memberId)
        {
            fail("a lone member has no peers: up " + memberId);
        }

        @Override
        public void onPeerDown(final int memberId)
        {
            fail("a lone member has no peers: down " + memberId);
        }
    };

    private static Members twoMembers()
    {
        return MessagingConformanceTest.loopbackMembers(2);
    }

    private static AeronMessaging start(final Members members, final int memberId)
    {
        return new AeronMessaging(new AeronMessagingContext().members(members).localMemberId(memberId));
    }

    @Test
    void sessionIdsCarryTheMemberIdAndTheGeneration()
    {
        final int sessionId = MemberSessionIds.sessionId(65_535, 32_767);
        assertTrue(sessionId > 0);
        assertEquals(65_535, MemberSessionIds.memberId(sessionId));
        assertEquals(32_767, MemberSessionIds.generation(sessionId));
        assertEquals(7, MemberSessionIds.memberId(MemberSessionIds.sessionId(7, 1)));
        assertThrows(IllegalArgumentException.class, () -> MemberSessionIds.sessionId(65_536, 1));
        assertThrows(IllegalArgumentException.class, () -> MemberSessionIds.sessionId(1, 0));
    }

    @Test
    void embeddedDriverLivesInAUniqueTempDirectoryDeletedOnClose()
    {
        final File directory;
        final Members members = twoMembers();
        try (AeronMessaging first = start(members, 1); AeronMessaging second = start(members, 2))
        {
            directory = new File(first.aeronDirectoryName());
            assertTrue(directory.isDirectory(), directory::toString);
            assertEquals(new File(System.getProperty("java.io.tmpdir")).getAbsoluteFile(), directory.getParentFile());
            assertTrue(directory.getName().startsWith("conduit-aeron-" + ProcessHandle.current().pid() + "-1-"),
                directory::getName);
            assertFalse(first.aeronDirectoryName().equals(second.aeronDirectoryName()));
        }
        assertFalse(directory.exists(), "deleted on close: " + directory);
    }

    @Test
    void maxMessageLengthIsAnEighthOfTheTermLength()
    {
        try (AeronMessaging messaging = start(twoMembers(), 1))
        {
            assertEquals(AeronMessagingContext.DEFAULT_TERM_LENGTH / 8, messaging.maxMessageLength());
        }
        try (AeronMessaging messaging = new AeronMessaging(
            new AeronMessagingContext().members(twoMembers()).localMemberId(1).termLength(256 * 1024)))
        {
            assertEquals(32 * 1024, messaging.maxMessageLength());
        }
    }

    @Test
    void badSettingsAreRefusedWithOneLineReasons()
    {
        assertRefused("member 70000 is above 65535", new AeronMessagingContext()
            .members(Members.of(Map.of(70_000, new InetSocketAddress("127.0.0.1", 40_001)))).localMemberId(70_000));
        assertRefused("local member 3 is not in", new AeronMessagingContext().members(twoMembers()).localMemberId(3));
        assertRefused("aeron:ipc needs the members to share one driver",
            new AeronMessagingContext().members(twoMembers()).localMemberId(1).ipc(true));
        assertRefused("term length must be a power of two",
            new AeronMessagingContext().members(twoMembers()).localMemberId(1).termLength(100_000));
        assertRefused("members not set", new AeronMessagingContext());
    }

    @Test
    void anEndpointInUseIsAOneLineStartError() throws Exception
    {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            final Members members = Members.of(Map.of(
                1, new InetSocketAddress("127.0.0.1", taken.getLocalPort()),
                2, twoMembers().address(2)));
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> new AeronMessaging(new AeronMessagingContext().members(members).localMemberId(1)));
            assertTrue(ex.getMessage().startsWith("member 1: cannot start Aeron messaging: "), ex.getMessage());
            assertFalse(ex.getMessage().contains("\n"), ex.getMessage());
        }
    }

    @Test
    void aLoneMemberHasNobodyToTalkTo()
    {
        try (AeronMessaging messaging = start(MessagingConformanceTest.loopbackMembers(1), 1))
        {
            assertEquals(Messaging.UNKNOWN_MEMBER, messaging.send(1, new UnsafeBuffer(new byte[1]), 0, 1));
            assertTrue(messaging.doWork() >= 0);
            assertEquals(0, messaging.pollPeerEvents(PEER_EVENTS_FORBIDDEN, 10));
            assertEquals(AeronMessagingContext.DEFAULT_TERM_LENGTH / 8, messaging.maxMessageLength());
        }
    }

    private static void assertRefused(final String reason, final AeronMessagingContext context)
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> new AeronMessaging(context));
        assertTrue(ex.getMessage().contains(reason), ex.getMessage());
    }
}
