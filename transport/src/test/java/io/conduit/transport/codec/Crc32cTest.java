package io.conduit.transport.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checksum is CRC32C (Castagnoli) over the datagram with bytes 8..11 left out, on every kind of buffer. */
class Crc32cTest
{
    /** RFC 3720 Appendix B.4 check value: CRC32C("123456789") = 0xE3069283. */
    private static final int CHECK_VALUE = 0xE306_9283;

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void matchesTheCastagnoliCheckValueWithTheChecksumFieldSkipped(final BufferKind kind)
    {
        // "12345678", four bytes that must not count, "9": 13 bytes at offset 5 of a larger buffer.
        final byte[] digits = "123456789".getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer buffer = kind.allocate(40);
        buffer.setMemory(0, 40, (byte)0x5A);
        buffer.putBytes(5, digits, 0, 8);
        buffer.putInt(5 + 8, 0xDEAD_BEEF);
        buffer.putByte(5 + 12, digits[8]);

        assertEquals(CHECK_VALUE, new Crc32c().checksum(buffer, 5, 13));
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void leavesAByteBufferViewsPositionAndLimitAlone(final BufferKind kind)
    {
        final UnsafeBuffer buffer = kind.allocate(100);
        final ByteBuffer byteBuffer = buffer.byteBuffer();
        if (byteBuffer != null)
        {
            byteBuffer.limit(50).position(7);
        }
        final Crc32c crc32c = new Crc32c();
        final int first = crc32c.checksum(buffer, 20, 60);
        assertEquals(first, crc32c.checksum(buffer, 20, 60), "no state leaks from one call to the next");
        assertEquals(ReferenceChecksum.of(buffer, 20, 60), first);
        if (byteBuffer != null)
        {
            assertEquals(7, byteBuffer.position());
            assertEquals(50, byteBuffer.limit());
        }
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void rejectsRangesOutsideTheBufferEvenWhenTheMemoryBehindItIsLarger(final BufferKind kind)
    {
        final UnsafeBuffer buffer = kind.allocate(64);
        final Crc32c crc32c = new Crc32c();
        assertEquals(ReferenceChecksum.of(buffer, 0, 64), crc32c.checksum(buffer, 0, 64));
        assertEquals(ReferenceChecksum.of(buffer, 52, 12), crc32c.checksum(buffer, 52, 12), "the shortest range");
        assertThrows(IllegalArgumentException.class, () -> crc32c.checksum(buffer, 0, 65));
        assertThrows(IllegalArgumentException.class, () -> crc32c.checksum(buffer, 1, 64));
        assertThrows(IllegalArgumentException.class, () -> crc32c.checksum(buffer, -1, 20));
        assertThrows(IllegalArgumentException.class, () -> crc32c.checksum(buffer, 0, 11), "no room for the field");
        assertThrows(IllegalArgumentException.class, () -> crc32c.checksum(buffer, 8, Integer.MAX_VALUE));
    }

    @Test
    void callsTheIntrinsicKernelsWhenJavaUtilZipIsOpen()
    {
        // Surefire runs with the project's --add-opens java.base/java.util.zip: the fast path must be the one tested.
        assertTrue(new Crc32c().usesIntrinsicKernels());
        assertFalse(new Crc32c(false).usesIntrinsicKernels());
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void kernelAndPublicApiPathsAgreeWithTheReferenceForEveryLengthAndOffset(final BufferKind kind)
    {
        final UnsafeBuffer buffer = kind.allocate(2_100);
        final byte[] bytes = new byte[2_100];
        new SplittableRandom(42).nextBytes(bytes);
        buffer.putBytes(0, bytes);
        final Crc32c kernels = new Crc32c();
        final Crc32c publicApi = new Crc32c(false);
        for (int length = 12; length <= 2_048; length += length < 80 ? 1 : 37)
        {
            for (final int offset : new int[] {0, 1, 3, 7, 52})
            {
                final int expected = ReferenceChecksum.of(buffer, offset, length);
                assertEquals(expected, kernels.checksum(buffer, offset, length), "kernels " + offset + "+" + length);
                assertEquals(expected, publicApi.checksum(buffer, offset, length), "public " + offset + "+" + length);
            }
        }
    }
}
