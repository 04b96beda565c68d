package io.conduit.transport.codec;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;

/**
 * CRC32C over a datagram in an Agrona buffer, skipping the 4-byte checksum field itself, without copying.
 *
 * <p>The JDK's {@link CRC32C} is an intrinsic (SSE4.2 / ARMv8 CRC instructions), but its public API keeps the
 * running value inside the object and reads direct memory only through a {@link ByteBuffer}'s position and limit,
 * so skipping a field in a direct buffer costs saving and restoring that state around two calls. When
 * {@code java.util.zip} is open to us (the project's JVM options open it, as Agrona's own {@code Crc32c} requires),
 * direct and raw-address buffers go straight to the JDK's static intrinsic kernel, chaining the running value across
 * the two ranges: no position or limit, no copy. Heap arrays keep the public API, which JMH measured faster here
 * than the array kernel called through a method handle. Without the opening, everything uses the public API.
 * Not thread safe: one instance per thread.
 */
public final class Crc32c
{
    /** {@code CRC32C.updateDirectByteBuffer(int crc, long address, int off, int end)}: the intrinsic, or null. */
    private static final MethodHandle UPDATE_ADDRESS;

    static
    {
        MethodHandle address = null;
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(CRC32C.class, MethodHandles.lookup());
            address = lookup.findStatic(CRC32C.class, "updateDirectByteBuffer",
                MethodType.methodType(int.class, int.class, long.class, int.class, int.class));
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            // java.util.zip is not opened to this module: the public API below still gives the same checksum.
            address = null;
        }
        UPDATE_ADDRESS = address;
    }

    private final boolean useKernels;
    private final CRC32C crc = new CRC32C();
    private byte[] scratch = new byte[0];

    public Crc32c()
    {
        this(true);
    }

    /** @param useIntrinsicKernels false forces the public-API path (tests compare the two). */
    Crc32c(final boolean useIntrinsicKernels)
    {
        this.useKernels = useIntrinsicKernels && UPDATE_ADDRESS != null;
    }

    /** True when this instance calls the JDK's intrinsic kernel directly for off-heap memory. */
    boolean usesIntrinsicKernels()
    {
        return useKernels;
    }

    /**
     * Checksum of {@code length} bytes at {@code offset}, treating the full header's checksum field as absent.
     *
     * @throws IllegalArgumentException if the range does not lie inside the buffer or cannot hold the checksum field.
     */
    public int checksum(final DirectBuffer buffer, final int offset, final int length)
    {
        return checksum(buffer, offset, length, PacketLayout.CHECKSUM_OFFSET);
    }

    /**
     * Checksum of {@code length} bytes at {@code offset}, treating the 4-byte field at {@code fieldOffset} (relative
     * to {@code offset}: {@link PacketLayout#CHECKSUM_OFFSET} or {@link PacketLayout#COMPACT_CHECKSUM_OFFSET}) as absent.
     *
     * @throws IllegalArgumentException if the range does not lie inside the buffer or cannot hold the checksum field.
     */
    public int checksum(final DirectBuffer buffer, final int offset, final int length, final int fieldOffset)
    {
        // The paths below address the backing array or memory, which may extend beyond a view's capacity, so
        // Agrona's own bounds checks never see these reads: check the range here.
        if (offset < 0 || fieldOffset < 0 || length < fieldOffset + 4 || length > buffer.capacity() - offset)
        {
            throw new IllegalArgumentException(
                "checksum range [" + offset + ", " + offset + " + " + length + ") vs capacity " + buffer.capacity());
        }
        if (useKernels && buffer.byteArray() == null)
        {
            return kernelChecksum(buffer, offset, length, fieldOffset);
        }
        crc.reset();
        update(buffer, offset, fieldOffset);
        final int afterChecksum = fieldOffset + 4;
        update(buffer, offset + afterChecksum, length - afterChecksum);
        return (int)crc.getValue();
    }

    private static int kernelChecksum(final DirectBuffer buffer, final int offset, final int length,
        final int fieldOffset)
    {
        final int afterChecksum = fieldOffset + 4;
        try
        {
            // CRC32C starts from all ones and ends with a complement, as the public API does around the kernel.
            final long address = buffer.addressOffset();
            final int crc = (int)UPDATE_ADDRESS.invokeExact(0xFFFF_FFFF, address, offset, offset + fieldOffset);
            return ~(int)UPDATE_ADDRESS.invokeExact(crc, address, offset + afterChecksum, offset + length);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("CRC32C kernel failed", ex);
        }
    }

    private void update(final DirectBuffer buffer, final int index, final int length)
    {
        final byte[] array = buffer.byteArray();
        if (array != null)
        {
            crc.update(array, buffer.wrapAdjustment() + index, length);
            return;
        }
        final ByteBuffer byteBuffer = buffer.byteBuffer();
        if (byteBuffer != null)
        {
            // Restore position/limit so the caller's ByteBuffer view is unaffected.
            final int position = byteBuffer.position();
            final int limit = byteBuffer.limit();
            final int start = buffer.wrapAdjustment() + index;
            byteBuffer.limit(start + length).position(start);
            crc.update(byteBuffer);
            byteBuffer.limit(limit).position(position);
            return;
        }
        // A buffer wrapping a raw address: copy through a scratch array that grows once to the largest datagram.
        if (scratch.length < length)
        {
            scratch = new byte[Math.max(length, PacketLayout.MAX_HEADER_LENGTH + 1500)];
        }
        buffer.getBytes(index, scratch, 0, length);
        crc.update(scratch, 0, length);
    }
}
