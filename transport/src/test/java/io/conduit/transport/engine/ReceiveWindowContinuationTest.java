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
 * A continuation (no fragment fields on the wire) takes its message and offset from the message being assembled when
 * it comes in order; it must continue a message and must not end one.
 */
class ReceiveWindowContinuationTest
{
    private static final int FIRST = 1_000;
    private static final byte[] MESSAGE = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

    private final ReceiveWindow window = new ReceiveWindow(16, 8, 1024);
    private final List<byte[]> delivered = new ArrayList<>();
    private final MessageHandler collect = (buffer, offset, length) ->
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        delivered.add(bytes);
        return true;
    };

    ReceiveWindowContinuationTest()
    {
        window.reset(FIRST);
    }

    @Test
    void aContinuationTakesTheOffsetAfterTheFragmentsBeforeIt()
    {
        store(FIRST + 2, 7, 3, MESSAGE.length, 7);  // the last fragment first, out of order
        store(FIRST + 1, 4, 3, PacketLayout.CONTINUES, PacketLayout.CONTINUES);
        store(FIRST, 0, 4, MESSAGE.length, 0);

        assertEquals(1, window.deliver(collect, 10));
        assertArrayEquals(MESSAGE, delivered.get(0));
    }

    @Test
    void aContinuationWithNoMessageInAssemblyIsAProtocolError()
    {
        store(FIRST, 0, 3, PacketLayout.CONTINUES, PacketLayout.CONTINUES);

        assertEquals(ReceiveWindow.PROTOCOL_ERROR, window.deliver(collect, 10));
    }

    @Test
    void aContinuationThatWouldEndTheMessageIsAProtocolError()
    {
        store(FIRST, 0, 4, MESSAGE.length, 0);
        store(FIRST + 1, 4, 6, PacketLayout.CONTINUES, PacketLayout.CONTINUES);

        assertEquals(ReceiveWindow.PROTOCOL_ERROR, window.deliver(collect, 10), "the sender ends a message in full");
    }

    @Test
    void aContinuationLongerThanWhatTheMessageHasLeftIsAProtocolError()
    {
        store(FIRST, 0, 4, MESSAGE.length, 0);
        store(FIRST + 1, 4, 8, PacketLayout.CONTINUES, PacketLayout.CONTINUES);

        assertEquals(ReceiveWindow.PROTOCOL_ERROR, window.deliver(collect, 10));
    }

    private void store(final int seq, final int from, final int length, final int messageLength, final int offset)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
        payload.putBytes(0, MESSAGE, from, Math.min(length, MESSAGE.length - from));
        window.onSegment(seq, PacketType.DATA, 0, payload, 0, length, messageLength, offset);
    }
}
