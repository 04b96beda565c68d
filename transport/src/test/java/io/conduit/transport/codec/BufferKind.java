package io.conduit.transport.codec;

import java.nio.ByteBuffer;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The ways an {@link UnsafeBuffer} can hold its bytes. {@link Crc32c} takes a different path for each (heap array,
 * direct {@link ByteBuffer}, raw address), and views add a wrap adjustment, so every codec test runs on all of them.
 */
enum BufferKind
{
    HEAP_ARRAY
    {
        UnsafeBuffer allocate(final int capacity)
        {
            return new UnsafeBuffer(new byte[capacity]);
        }
    },
    /** A window into the middle of a larger array: non-zero wrap adjustment on the heap path. */
    HEAP_ARRAY_VIEW
    {
        UnsafeBuffer allocate(final int capacity)
        {
            return new UnsafeBuffer(new byte[capacity + 2 * VIEW_SKEW], VIEW_SKEW, capacity);
        }
    },
    /** A heap ByteBuffer slice from the middle of its array: non-zero array offset. */
    HEAP_BYTE_BUFFER_SLICE
    {
        UnsafeBuffer allocate(final int capacity)
        {
            return new UnsafeBuffer(ByteBuffer.wrap(new byte[capacity + 2 * VIEW_SKEW], VIEW_SKEW, capacity).slice());
        }
    },
    DIRECT_BYTE_BUFFER
    {
        UnsafeBuffer allocate(final int capacity)
        {
            return new UnsafeBuffer(ByteBuffer.allocateDirect(capacity));
        }
    },
    /** A window into the middle of a larger direct ByteBuffer: non-zero wrap adjustment on the direct path. */
    DIRECT_BYTE_BUFFER_VIEW
    {
        UnsafeBuffer allocate(final int capacity)
        {
            return new UnsafeBuffer(ByteBuffer.allocateDirect(capacity + 2 * VIEW_SKEW), VIEW_SKEW, capacity);
        }
    },
    /** Wrapped by address only, so neither an array nor a ByteBuffer is visible: the copying path. */
    RAW_ADDRESS
    {
        UnsafeBuffer allocate(final int capacity)
        {
            // The subclass holds the ByteBuffer so the memory behind the address lives as long as the view.
            final ByteBuffer memory = ByteBuffer.allocateDirect(capacity);
            return new AddressBuffer(memory);
        }
    };

    private static final int VIEW_SKEW = 13;

    /**
     * A buffer whose {@link UnsafeBuffer#capacity()} is exactly {@code capacity}, bounds-checked by Agrona; the views
     * have memory on both sides that a read ignoring the view's bounds would reach without failing.
     */
    abstract UnsafeBuffer allocate(int capacity);

    /** A buffer of this kind holding a copy of {@code bytes}, with capacity exactly {@code bytes.length}. */
    UnsafeBuffer copyOf(final byte[] bytes)
    {
        final UnsafeBuffer buffer = allocate(bytes.length);
        buffer.putBytes(0, bytes);
        return buffer;
    }

    private static final class AddressBuffer extends UnsafeBuffer
    {
        private final ByteBuffer memory;

        AddressBuffer(final ByteBuffer memory)
        {
            super(BufferUtil.address(memory), memory.capacity());
            this.memory = memory;
        }
    }
}
