package io.conduit.transport.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.conduit.transport.codec.PacketLayout;
import io.conduit.transport.codec.PacketType;
import io.conduit.transport.sim.SeededRuns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whatever mix of segment shapes a sender cuts a message stream into (whole messages, fragments with their fields,
 * continuations, batches, spans), whatever order and duplication they arrive in, and however often the application
 * refuses a message or caps a delivery, {@link ReceiveWindow} hands over exactly the stream that was sent. The
 * segments come from a reference cutter with {@code Connection}'s rules, at a random segment size per run.
 */
class ReceiveWindowReassemblyPropertyTest
{
    private static final int RUNS = 1_000;
    private static final int MAX_MESSAGE = 300;

    @Test
    void everyMixOfSegmentShapesReassemblesTheStreamThatWasSent()
    {
        SeededRuns.run(getClass().getSimpleName(), 0x5A11_0000L, RUNS, ReceiveWindowReassemblyPropertyTest::runOnce);
    }

    private static void runOnce(final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final int segmentBytes = random.nextInt(8, 400);
        final List<byte[]> messages = new ArrayList<>();
        for (int i = 0, count = random.nextInt(1, 60); i < count; i++)
        {
            final byte[] message = new byte[random.nextInt(1, MAX_MESSAGE + 1)];
            random.nextBytes(message);
            messages.add(message);
        }
        final int first = random.nextInt();
        final List<Segment> segments = cut(messages, segmentBytes, random.nextBoolean(), random.nextBoolean(), first);
        final int capacity = 1 << random.nextInt(2, 6);
        final ReceiveWindow window = new ReceiveWindow(capacity, segmentBytes, MAX_MESSAGE);
        window.reset(first);

        final List<byte[]> delivered = new ArrayList<>();
        final double refusal = random.nextDouble() * 0.3;
        final MessageHandler handler = (buffer, offset, length) ->
        {
            if (random.nextDouble() < refusal)
            {
                return false;
            }
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            delivered.add(bytes);
            return true;
        };
        final List<Segment> pending = new ArrayList<>(segments);
        for (int step = 0; step < 200_000 && delivered.size() < messages.size(); step++)
        {
            if (!pending.isEmpty() && random.nextInt(3) != 0)
            {
                final int edge = window.rcvNxt() + window.window();
                final Segment segment = pending.get(random.nextInt(pending.size()));
                if (segment.seq - edge < 0)
                {
                    final int result = window.onSegment(segment.seq, PacketType.DATA, segment.flags, segment.payload,
                        0, segment.payload.capacity(), segment.messageLength, segment.fragmentOffset);
                    if (result == ReceiveWindow.ACCEPTED_IN_ORDER || result == ReceiveWindow.ACCEPTED_OUT_OF_ORDER ||
                        result == ReceiveWindow.DUPLICATE)
                    {
                        if (random.nextInt(4) != 0)
                        {
                            pending.remove(segment); // a quarter of the time it will arrive again
                        }
                    }
                }
            }
            else
            {
                assertTrue(window.deliver(handler, random.nextInt(1, 8)) >= 0, "no protocol error");
            }
        }
        assertEquals(messages.size(), delivered.size(), "every message delivered (segment size " + segmentBytes +
            ", " + segments.size() + " segments)");
        for (int i = 0; i < messages.size(); i++)
        {
            assertArrayEquals(messages.get(i), delivered.get(i), "message " + i);
        }
    }

    /** The sender's cutting rules (Connection.writeNewSegment) over a queue that holds every message from the start. */
    private static List<Segment> cut(final List<byte[]> messages, final int limit, final boolean batch,
        final boolean span, final int firstSeq)
    {
        final List<Segment> segments = new ArrayList<>();
        int seq = firstSeq;
        int head = 0;
        int sent = 0;
        while (head < messages.size())
        {
            final byte[] message = messages.get(head);
            if (sent == 0 && batch)
            {
                int frames = 0;
                int bytes = 0;
                while (head + frames < messages.size() &&
                    bytes + PacketLayout.BATCH_FRAME_HEADER_LENGTH + messages.get(head + frames).length <= limit)
                {
                    bytes += PacketLayout.BATCH_FRAME_HEADER_LENGTH + messages.get(head + frames).length;
                    frames++;
                }
                if (frames > 1)
                {
                    final UnsafeBuffer payload = new UnsafeBuffer(new byte[bytes]);
                    int at = 0;
                    for (int i = 0; i < frames; i++)
                    {
                        final byte[] framed = messages.get(head + i);
                        payload.putShort(at, (short)framed.length, PacketLayout.BYTE_ORDER);
                        payload.putBytes(at + PacketLayout.BATCH_FRAME_HEADER_LENGTH, framed);
                        at += PacketLayout.BATCH_FRAME_HEADER_LENGTH + framed.length;
                    }
                    segments.add(new Segment(seq++, PacketLayout.FLAG_BATCH, payload, frames, 0));
                    head += frames;
                    continue;
                }
            }
            final int rest = message.length - sent;
            final int room = limit - rest - PacketLayout.SPAN_LENGTH_FIELD_LENGTH;
            if (span && room > 0 && head + 1 < messages.size() && (sent > 0 || messages.get(head + 1).length > room))
            {
                final byte[] next = messages.get(head + 1);
                final int nextPart = Math.min(room, next.length);
                final UnsafeBuffer payload =
                    new UnsafeBuffer(new byte[rest + PacketLayout.SPAN_LENGTH_FIELD_LENGTH + nextPart]);
                payload.putBytes(0, message, sent, rest);
                payload.putInt(rest, next.length, PacketLayout.BYTE_ORDER);
                payload.putBytes(rest + PacketLayout.SPAN_LENGTH_FIELD_LENGTH, next, 0, nextPart);
                segments.add(new Segment(seq++, PacketLayout.FLAG_SPAN, payload, message.length, sent));
                head += nextPart == next.length ? 2 : 1;
                sent = nextPart == next.length ? 0 : nextPart;
                continue;
            }
            final int length = Math.min(limit, rest);
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[length]);
            payload.putBytes(0, message, sent, length);
            final boolean middle = sent > 0 && sent + length < message.length;
            segments.add(middle ?
                new Segment(seq++, 0, payload, PacketLayout.CONTINUES, PacketLayout.CONTINUES) :
                new Segment(seq++, 0, payload, message.length, sent));
            sent += length;
            if (sent == message.length)
            {
                head++;
                sent = 0;
            }
        }
        return segments;
    }

    private record Segment(int seq, int flags, UnsafeBuffer payload, int messageLength, int fragmentOffset)
    {
    }
}
