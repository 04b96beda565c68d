package io.conduit.transport.engine;

import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.conduit.transport.codec.PacketLayout;
import io.conduit.transport.codec.PacketType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A span segment (FLAG_SPAN) ends one message and begins the next. The receiver hands over the first message when the
 * span comes in order, whether the span holds all of it or only its end, then assembles the next from the span's
 * second part; refusals by the handler lose nothing, and parts that contradict the assembly are protocol errors.
 */
class ReceiveWindowSpanTest
{
    private static final int FIRST = 5_000;
    private static final byte[] A = bytes(10, 1);
    private static final byte[] B = bytes(9, 40);
    private static final byte[] C = bytes(12, 80);

    private final ReceiveWindow window = new ReceiveWindow(16, 32, 1024);
    private final List<byte[]> delivered = new ArrayList<>();
    private int refusals;
    private final MessageHandler collect = (buffer, offset, length) ->
    {
        if (refusals > 0)
        {
            refusals--;
            return false;
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        delivered.add(bytes);
        return true;
    };

    ReceiveWindowSpanTest()
    {
        window.reset(FIRST);
    }

    @Test
    void aSpanEndsTheMessageInAssemblyAndBeginsTheNext()
    {
        fragment(FIRST, A, 0, 7);
        span(FIRST + 1, A, 7, B, 2);
        fragment(FIRST + 2, B, 2, 7);

        assertEquals(2, window.deliver(collect, 10));
        assertDelivered(A, B);
    }

    @Test
    void aSpanMayCarryAWholeMessageBeforeTheNextOnesStart()
    {
        span(FIRST, A, 0, B, 5);
        fragment(FIRST + 1, B, 5, 4);

        assertEquals(2, window.deliver(collect, 10));
        assertDelivered(A, B);
    }

    @Test
    void aSpanMayCarryTheNextMessageWhole()
    {
        fragment(FIRST, A, 0, 6);
        span(FIRST + 1, A, 6, B, B.length);
        fragment(FIRST + 2, C, 0, C.length);

        assertEquals(3, window.deliver(collect, 10));
        assertDelivered(A, B, C);
    }

    @Test
    void spansFollowEachOtherAndAContinuationMayFollowASpan()
    {
        fragment(FIRST, A, 0, 6);
        span(FIRST + 1, A, 6, B, 3);
        continuation(FIRST + 2, B, 3, 2);
        span(FIRST + 3, B, 5, C, 4);
        fragment(FIRST + 4, C, 4, 8);

        assertEquals(3, window.deliver(collect, 10));
        assertDelivered(A, B, C);
    }

    @Test
    void spansArrivingOutOfOrderWaitForTheGap()
    {
        fragment(FIRST + 2, B, 2, 7);
        span(FIRST + 1, A, 7, B, 2);
        assertEquals(0, window.deliver(collect, 10), "nothing is in order yet");

        fragment(FIRST, A, 0, 7);
        assertEquals(2, window.deliver(collect, 10));
        assertDelivered(A, B);
    }

    @Test
    void aHandlerThatRefusesTheSpansFirstMessageLosesNothing()
    {
        span(FIRST, A, 0, B, 5);
        fragment(FIRST + 1, B, 5, 4);
        refusals = 1;
        assertEquals(0, window.deliver(collect, 10), "the whole message in the span was refused");
        assertEquals(2, window.deliver(collect, 10));
        assertDelivered(A, B);

        fragment(FIRST + 2, C, 0, 6);
        span(FIRST + 3, C, 6, A, 3);
        fragment(FIRST + 4, A, 3, 7);
        refusals = 1;
        assertEquals(0, window.deliver(collect, 10), "the assembled message the span ended was refused");
        assertEquals(2, window.deliver(collect, 10));
        assertDelivered(A, B, C, A);
    }

    @Test
    void theDeliveryLimitStopsBetweenTheSpansTwoMessages()
    {
        span(FIRST, A, 0, B, 5);
        fragment(FIRST + 1, B, 5, 4);

        assertEquals(1, window.deliver(collect, 1));
        assertDelivered(A);
        assertEquals(1, window.deliver(collect, 1));
        assertDelivered(A, B);
    }

    @Test
    void aSpanWhoseEndContradictsTheAssemblyIsAProtocolError()
    {
        fragment(FIRST, A, 0, 6);
        span(FIRST + 1, A, 7, B, 2); // skips A's byte 6

        assertEquals(ReceiveWindow.PROTOCOL_ERROR, window.deliver(collect, 10));
    }

    @Test
    void aSpanThatClaimsToEndAMessageNeverBegunIsAProtocolError()
    {
        span(FIRST, A, 7, B, 2);

        assertEquals(ReceiveWindow.PROTOCOL_ERROR, window.deliver(collect, 10));
    }

    @Test
    void aSpanBeginningAMessageLargerThanTheLimitIsAProtocolError()
    {
        final ReceiveWindow small = new ReceiveWindow(16, 16, 100);
        small.reset(FIRST);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);
        payload.putInt(4, 101, PacketLayout.BYTE_ORDER);
        small.onSegment(FIRST, PacketType.DATA, PacketLayout.FLAG_SPAN, payload, 0, 10, 4, 0);

        assertEquals(ReceiveWindow.PROTOCOL_ERROR, small.deliver(collect, 10));
        assertEquals(1, delivered.size(), "the message before the bad one was still handed over");
    }

    private void assertDelivered(final byte[]... messages)
    {
        assertEquals(messages.length, delivered.size(), "messages delivered");
        for (int i = 0; i < messages.length; i++)
        {
            assertArrayEquals(messages[i], delivered.get(i), "message " + i);
        }
    }

    private void fragment(final int seq, final byte[] message, final int from, final int length)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);
        payload.putBytes(0, message, from, length);
        window.onSegment(seq, PacketType.DATA, 0, payload, 0, length, message.length, from);
    }

    private void continuation(final int seq, final byte[] message, final int from, final int length)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);
        payload.putBytes(0, message, from, length);
        window.onSegment(seq, PacketType.DATA, 0, payload, 0, length, PacketLayout.CONTINUES, PacketLayout.CONTINUES);
    }

    /** The end of {@code message} from {@code from}, then the first {@code head} bytes of {@code next}. */
    private void span(final int seq, final byte[] message, final int from, final byte[] next, final int head)
    {
        final int end = message.length - from;
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[32]);
        payload.putBytes(0, message, from, end);
        payload.putInt(end, next.length, PacketLayout.BYTE_ORDER);
        payload.putBytes(end + PacketLayout.SPAN_LENGTH_FIELD_LENGTH, next, 0, head);
        window.onSegment(seq, PacketType.DATA, PacketLayout.FLAG_SPAN, payload, 0,
            end + PacketLayout.SPAN_LENGTH_FIELD_LENGTH + head, message.length, from);
    }

    private static byte[] bytes(final int length, final int first)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(first + i);
        }
        return bytes;
    }
}
