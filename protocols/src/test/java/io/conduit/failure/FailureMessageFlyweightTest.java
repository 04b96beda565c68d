package io.conduit.failure;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FailureMessageFlyweightTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
    private final FailureMessageFlyweight message = new FailureMessageFlyweight();

    @Test
    void encodesLittleEndianAtTheDocumentedOffsets()
    {
        buffer.setMemory(0, 64, (byte)0x55);
        assertEquals(24, FailureMessageFlyweight.encode(buffer, 4, FailureMessageFlyweight.TYPE_PONG,
            0x0102030405060708L, -2L));
        final byte[] bytes = new byte[24];
        buffer.getBytes(4, bytes);
        assertEquals(3, bytes[0]);
        assertEquals(1, bytes[1]);
        for (int i = 2; i < 8; i++)
        {
            assertEquals(0, bytes[i], "reserved byte " + i);
        }
        assertEquals(0x08, bytes[8]);
        assertEquals(0x01, bytes[15]);
        assertEquals((byte)0xFE, bytes[16]);
        assertEquals((byte)0xFF, bytes[23]);
        message.wrap(buffer, 4, 24);
        assertTrue(message.isValid());
        assertEquals(FailureMessageFlyweight.TYPE_PONG, message.type());
        assertEquals(0x0102030405060708L, message.seq());
        assertEquals(-2L, message.timestampNs());
    }

    @Test
    void rejectsShortForeignVersionAndUnknownTypes()
    {
        FailureMessageFlyweight.encode(buffer, 0, FailureMessageFlyweight.TYPE_PING, 1, 2);
        assertFalse(message.wrap(buffer, 0, 23).isValid());
        assertTrue(message.wrap(buffer, 0, 40).isValid());
        buffer.putByte(FailureMessageFlyweight.VERSION_OFFSET, (byte)2);
        assertFalse(message.wrap(buffer, 0, 24).isValid());
        buffer.putByte(FailureMessageFlyweight.VERSION_OFFSET, FailureMessageFlyweight.VERSION);
        buffer.putByte(FailureMessageFlyweight.TYPE_OFFSET, (byte)9);
        assertFalse(message.wrap(buffer, 0, 24).isValid());
        assertEquals("UNKNOWN(9)", FailureMessageFlyweight.typeName((byte)9));
    }

    @Test
    void setterWritesThroughTheWrappedBuffer()
    {
        message.wrap(buffer, 8, 24).header(FailureMessageFlyweight.TYPE_HEARTBEAT).seq(7).timestampNs(9);
        assertTrue(message.isValid());
        assertEquals(7, message.seq());
        assertEquals(9, buffer.getLong(8 + FailureMessageFlyweight.TIMESTAMP_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN));
    }
}
