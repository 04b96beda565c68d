package io.conduit.transport.media;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

import org.junit.jupiter.api.Test;

import io.conduit.transport.codec.PacketLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Real sockets: the Don't Fragment setting takes on Linux, and the loopback carries the UDP maximum with it. */
class DontFragmentLoopbackTest
{
    @Test
    void probeModeIsSetAndTheLargestUdpDatagramStillCrossesTheLoopback() throws Exception
    {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "IP_MTU_DISCOVER is Linux only");
        try (UdpChannel sender = UdpChannel.open(new SocketOptions());
             DatagramChannel receiver = DatagramChannel.open())
        {
            assertTrue(sender.dontFragment(), "IP_PMTUDISC_PROBE confirmed by reading it back");
            receiver.bind(new InetSocketAddress("127.0.0.1", 0));
            assertTrue(sender.send(PacketLayout.MAX_DATAGRAM_LENGTH, (InetSocketAddress)receiver.getLocalAddress()));
            final ByteBuffer buffer = ByteBuffer.allocate(PacketLayout.MAX_DATAGRAM_LENGTH + 1);
            receiver.configureBlocking(true);
            receiver.receive(buffer);
            assertEquals(PacketLayout.MAX_DATAGRAM_LENGTH, buffer.position(), "one unfragmented 65,507-byte datagram");
        }
    }

    @Test
    void optingOutLeavesTheKernelDefault() throws Exception
    {
        try (UdpChannel channel = UdpChannel.open(new SocketOptions().dontFragment(false)))
        {
            assertEquals(false, channel.dontFragment());
        }
    }

    @Test
    void theLoopbackFirstHopCarriesTheUdpMaximum()
    {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"));
        // lo has a 65,536-byte MTU here; 65,536 - 28 exceeds the UDP maximum, which is the cap.
        assertEquals(PacketLayout.MAX_DATAGRAM_LENGTH,
            new FirstHopMtu().maxDatagramBytes(new InetSocketAddress("127.0.0.1", 9)));
    }
}
