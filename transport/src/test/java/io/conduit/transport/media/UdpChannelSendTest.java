package io.conduit.transport.media;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real loopback sockets: {@link UdpChannel#send(org.agrona.DirectBuffer, int, int, InetSocketAddress)}. */
class UdpChannelSendTest
{
    private static final int LENGTH = 3_000;

    @Test
    void aDirectBufferIsSentFromItsOwnMemoryHonouringItsWrapOffset() throws Exception
    {
        final ByteBuffer memory = ByteBuffer.allocateDirect(8_192);
        // A view that starts 40 bytes into its ByteBuffer: the datagram must start at view offset 100, not byte 100.
        final UnsafeBuffer view = new UnsafeBuffer(memory, 40, 8_000);
        final byte[] expected = pattern(LENGTH);
        view.putBytes(100, expected);

        final byte[] received = sendAndReceive(view, 100);

        assertArrayEquals(expected, received);
    }

    @Test
    void aDirectBufferLeavesTheSendBufferUntouched() throws Exception
    {
        try (UdpChannel sender = UdpChannel.open(new SocketOptions());
             DatagramChannel receiver = openReceiver())
        {
            sender.sendBuffer().setMemory(0, LENGTH, (byte)0x5A);
            final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(LENGTH));
            direct.putBytes(0, pattern(LENGTH));

            assertTrue(sender.send(direct, 0, LENGTH, (InetSocketAddress)receiver.getLocalAddress()));

            for (int i = 0; i < LENGTH; i++)
            {
                assertEquals((byte)0x5A, sender.sendBuffer().getByte(i), "send buffer byte " + i);
            }
            assertArrayEquals(pattern(LENGTH), receive(receiver));
        }
    }

    @Test
    void aHeapBufferIsSentThroughTheSendBuffer() throws Exception
    {
        final byte[] expected = pattern(LENGTH);
        final UnsafeBuffer heap = new UnsafeBuffer(new byte[LENGTH + 7]);
        heap.putBytes(7, expected);

        assertArrayEquals(expected, sendAndReceive(heap, 7));
    }

    private static byte[] sendAndReceive(final UnsafeBuffer buffer, final int offset) throws Exception
    {
        try (UdpChannel sender = UdpChannel.open(new SocketOptions());
             DatagramChannel receiver = openReceiver())
        {
            assertTrue(sender.send(buffer, offset, LENGTH, (InetSocketAddress)receiver.getLocalAddress()));
            return receive(receiver);
        }
    }

    private static DatagramChannel openReceiver() throws Exception
    {
        final DatagramChannel receiver = DatagramChannel.open();
        receiver.bind(new InetSocketAddress("127.0.0.1", 0));
        receiver.configureBlocking(true);
        return receiver;
    }

    private static byte[] receive(final DatagramChannel receiver) throws Exception
    {
        final ByteBuffer buffer = ByteBuffer.allocate(LENGTH + 1);
        receiver.receive(buffer);
        final byte[] received = new byte[buffer.position()];
        buffer.flip().get(received);
        return received;
    }

    private static byte[] pattern(final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 7 + 3);
        }
        return bytes;
    }
}
