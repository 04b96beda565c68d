package io.conduit.transport.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.conduit.transport.codec.PacketEncoder;
import io.conduit.transport.codec.PacketLayout;
import io.conduit.transport.codec.PacketType;
import io.conduit.transport.codec.RejectReason;

/**
 * Issue 3, must-be-true 1: garbage sprayed at a listening port (random bytes, truncated headers, wrong versions,
 * well-formed headers with bad checksums aimed at the live connection) is all rejected and counted by reason,
 * while a transfer on the same port completes with every byte intact. The sprayer waits for each burst to be
 * counted before the next, so the socket buffer never overflows and the counts can be exact.
 */
class GarbageSprayLoopbackTest
{
    private static final int MESSAGES = 20_000;
    private static final int MESSAGE_LENGTH = 1_000;
    private static final int GARBAGE = 8_000;
    private static final int BURST = 16;

    @TempDir
    Path statusDir;

    @Test
    void garbageIsRejectedAndCountedWhileATransferOnTheSamePortCompletes() throws Exception
    {
        final EndpointContext serverContext = LoopbackEndpoints.context(statusDir).listen(true)
            .statsIntervalNs(TimeUnit.MILLISECONDS.toNanos(1));
        try (Endpoint server = LoopbackEndpoints.launch(serverContext);
            Endpoint client = LoopbackEndpoints.launch(LoopbackEndpoints.context(statusDir));
            DatagramChannel sprayer = DatagramChannel.open())
        {
            final InetSocketAddress serverAddress = new InetSocketAddress("127.0.0.1", server.localAddress().getPort());
            sprayer.bind(new InetSocketAddress("127.0.0.1", 0));
            final ConduitConnection outbound = LoopbackEndpoints.connect(client, server);
            final ConduitConnection inbound = server.accept(10, TimeUnit.SECONDS);
            assertNotNull(inbound);

            final SplittableRandom random = new SplittableRandom(7);
            final long[] expectedByReason = new long[RejectReason.COUNT];
            final UnsafeBuffer message = new UnsafeBuffer(new byte[MESSAGE_LENGTH]);
            final int[] received = {0};
            final int[] corrupt = {0};
            int sent = 0;
            int sprayed = 0;
            final long guardNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (received[0] < MESSAGES || sprayed < GARBAGE || server.stats().rejected() < sprayed)
            {
                if (System.nanoTime() - guardNs > 0)
                {
                    fail("stuck: received " + received[0] + " sprayed " + sprayed + " counted " +
                        server.stats().rejected());
                }
                while (sent < MESSAGES)
                {
                    message.setMemory(0, MESSAGE_LENGTH, (byte)sent);
                    message.putInt(0, sent);
                    if (outbound.offer(message, 0, MESSAGE_LENGTH) < 0)
                    {
                        break;
                    }
                    sent++;
                }
                inbound.poll((buffer, offset, length) ->
                {
                    final int k = received[0]++;
                    boolean intact = length == MESSAGE_LENGTH && buffer.getInt(offset) == k;
                    for (int i = 4; i < length && intact; i++)
                    {
                        intact = buffer.getByte(offset + i) == (byte)k;
                    }
                    corrupt[0] += intact ? 0 : 1;
                }, 256);
                if (sprayed < GARBAGE && server.stats().rejected() == sprayed)
                {
                    for (int i = 0; i < BURST; i++)
                    {
                        final RejectReason reason = spray(sprayer, serverAddress, random, sprayed + i, inbound, outbound);
                        expectedByReason[reason.code()]++;
                    }
                    sprayed += BURST;
                }
                Thread.onSpinWait();
            }
            assertEquals(0, corrupt[0], "messages damaged");
            assertEquals(MESSAGES, received[0]);
            assertEquals(GARBAGE, server.stats().rejected(), "every garbage datagram counted once");
            for (final RejectReason reason : new RejectReason[]{RejectReason.BAD_MAGIC, RejectReason.TRUNCATED,
                RejectReason.BAD_VERSION, RejectReason.BAD_CHECKSUM})
            {
                assertEquals(expectedByReason[reason.code()], server.stats().rejected(reason), reason.name());
            }
            assertEquals(GARBAGE / 4, expectedByReason[RejectReason.BAD_CHECKSUM.code()]);
        }
    }

    /** Sends one garbage datagram of the kind chosen by {@code n} and returns why it must be refused. */
    private static RejectReason spray(final DatagramChannel sprayer, final InetSocketAddress to,
        final SplittableRandom random, final int n, final ConduitConnection inbound, final ConduitConnection outbound)
        throws java.io.IOException
    {
        final byte[] bytes = new byte[PacketLayout.HEADER_LENGTH + 256 + random.nextInt(1_400)];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final RejectReason reason;
        int length = bytes.length;
        switch (n % 4)
        {
            case 0:
                random.nextBytes(bytes);
                bytes[0] = (byte)~(PacketLayout.MAGIC & 0xFF);
                reason = RejectReason.BAD_MAGIC;
                break;
            case 1:
                validPacket(buffer, random, inbound, outbound);
                length = 1 + random.nextInt(PacketLayout.HEADER_LENGTH - 1);
                reason = RejectReason.TRUNCATED;
                break;
            case 2:
                length = validPacket(buffer, random, inbound, outbound);
                buffer.putByte(PacketLayout.VERSION_OFFSET, (byte)(PacketLayout.VERSION + 1 + random.nextInt(200)));
                reason = RejectReason.BAD_VERSION;
                break;
            default:
                length = validPacket(buffer, random, inbound, outbound);
                // Past the checksum field: the header's first eight bytes stay valid, so only the CRC can refuse it.
                final int index = PacketLayout.CHECKSUM_OFFSET + 4 +
                    random.nextInt(length - PacketLayout.CHECKSUM_OFFSET - 4);
                buffer.putByte(index, (byte)(buffer.getByte(index) ^ (1 << random.nextInt(8))));
                reason = RejectReason.BAD_CHECKSUM;
                break;
        }
        sprayer.send(ByteBuffer.wrap(bytes, 0, length), to);
        return reason;
    }

    /** A well-formed DATA segment aimed at the live connection, as an attacker who saw the ids would send. */
    private static int validPacket(final UnsafeBuffer buffer, final SplittableRandom random,
        final ConduitConnection inbound, final ConduitConnection outbound)
    {
        final PacketEncoder encoder = new PacketEncoder().wrap(buffer, 0)
            .type(PacketType.DATA)
            .destinationId(inbound.localId())
            .sourceId(outbound.localId())
            .seq(random.nextInt())
            .ack(random.nextInt())
            .window(16)
            .messageLength(200)
            .fragmentOffset(0);
        final int payload = 200;
        return encoder.seal(payload);
    }
}
