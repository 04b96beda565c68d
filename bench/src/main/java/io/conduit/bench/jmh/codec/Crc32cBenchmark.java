package io.conduit.bench.jmh.codec;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import org.agrona.BufferUtil;
import org.agrona.checksum.Crc32c;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.conduit.bench.jmh.ForkedJvm;

/**
 * CRC32C over one buffer of {@code size} bytes: the JDK's {@link CRC32C} on a heap array and on a direct buffer,
 * Agrona's {@link Crc32c} on a raw address, and Conduit's {@link io.conduit.transport.codec.Crc32c} (which skips the
 * checksum field, so it makes two intrinsic calls) on heap and direct Agrona buffers, the two kinds the engines see.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {ForkedJvm.OPEN_INTERNAL_MISC, ForkedJvm.OPEN_ZIP, ForkedJvm.OPEN_NIO_CH,
    ForkedJvm.OPEN_NIO, ForkedJvm.HEAP})
public class Crc32cBenchmark
{
    @Param({"64", "1024", "65536"})
    public int size;

    private final CRC32C jdkCrc32c = new CRC32C();
    private final io.conduit.transport.codec.Crc32c conduitCrc32c = new io.conduit.transport.codec.Crc32c();
    private byte[] heapArray;
    private ByteBuffer directByteBuffer;
    private UnsafeBuffer heapBuffer;
    private UnsafeBuffer directBuffer;
    private long directAddress;

    @Setup
    public void setUp()
    {
        heapArray = new byte[size];
        new SplittableRandom(7).nextBytes(heapArray);
        directByteBuffer = BufferUtil.allocateDirectAligned(size, 64);
        directByteBuffer.put(heapArray).clear();
        heapBuffer = new UnsafeBuffer(heapArray);
        directBuffer = new UnsafeBuffer(directByteBuffer);
        directAddress = directBuffer.addressOffset();
    }

    @Benchmark
    public int jdkHeap()
    {
        jdkCrc32c.reset();
        jdkCrc32c.update(heapArray, 0, size);
        return (int)jdkCrc32c.getValue();
    }

    @Benchmark
    public int jdkDirect()
    {
        jdkCrc32c.reset();
        directByteBuffer.clear();
        jdkCrc32c.update(directByteBuffer);
        return (int)jdkCrc32c.getValue();
    }

    @Benchmark
    public int agronaDirect()
    {
        return Crc32c.INSTANCE.compute(directAddress, 0, size);
    }

    @Benchmark
    public int conduitHeap()
    {
        return conduitCrc32c.checksum(heapBuffer, 0, size);
    }

    @Benchmark
    public int conduitDirect()
    {
        return conduitCrc32c.checksum(directBuffer, 0, size);
    }
}
