package io.conduit.bench.jmh.codec;

import java.util.concurrent.TimeUnit;

import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
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
import io.conduit.transport.codec.PacketDecoder;
import io.conduit.transport.codec.PacketEncoder;
import io.conduit.transport.codec.PacketLayout;
import io.conduit.transport.codec.PacketType;
import io.conduit.transport.codec.RejectReason;

/**
 * Encode (wrap, header setters, SACK blocks, cookie, payload copy, seal with CRC32C) and decode (full validation
 * including CRC32C, then the fields the engine reads) of one packet of each type, in a direct buffer as the
 * socket edge uses. {@code ACK_SACK4} carries the maximum four SACK blocks; {@code DATA_32} and {@code DATA_1400}
 * carry a 32-byte and a full default-MSS payload; {@code DATA_1400_COMPACT} is the latter with the 28-byte compact
 * DATA header that a segment with no acknowledgement news uses, {@code DATA_1400_CONTINUATION} with the 20-byte
 * continuation that such a segment uses in the middle of a fragmented message.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {ForkedJvm.OPEN_INTERNAL_MISC, ForkedJvm.OPEN_ZIP, ForkedJvm.OPEN_NIO_CH,
    ForkedJvm.OPEN_NIO, ForkedJvm.HEAP})
public class PacketCodecBenchmark
{
    private static final int MAX_SEGMENT_PAYLOAD = 1400;

    @Param({"SYN", "SYN_ACK", "ACK", "ACK_SACK4", "DATA_32", "DATA_1400", "DATA_1400_COMPACT", "DATA_1400_CONTINUATION",
        "FIN", "RST", "PING"})
    public String packet;

    private final PacketEncoder encoder = new PacketEncoder();
    private final PacketDecoder decoder = new PacketDecoder();
    private final UnsafeBuffer encodeBuffer = directBuffer();
    private final UnsafeBuffer decodeBuffer = directBuffer();
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[MAX_SEGMENT_PAYLOAD]);
    private final UnsafeBuffer cookie = new UnsafeBuffer(new byte[PacketLayout.COOKIE_LENGTH]);
    private int type;
    private boolean compact;
    private boolean continuation;
    private int flags;
    private int sackBlocks;
    private int payloadLength;
    private int decodeLength;
    private int seq = 1_000;

    @Setup
    public void setUp()
    {
        type = typeOf(packet);
        compact = packet.endsWith("_COMPACT");
        continuation = packet.endsWith("_CONTINUATION");
        flags = type == PacketType.SYN_ACK ? PacketLayout.FLAG_COOKIE :
            type == PacketType.PING ? PacketLayout.FLAG_ACK_NOW : 0;
        sackBlocks = "ACK_SACK4".equals(packet) ? PacketLayout.MAX_SACK_BLOCKS : 0;
        payloadLength = "DATA_32".equals(packet) ? 32 : packet.startsWith("DATA_1400") ? MAX_SEGMENT_PAYLOAD : 0;
        for (int i = 0; i < MAX_SEGMENT_PAYLOAD; i++)
        {
            payload.putByte(i, (byte)i);
        }
        decodeLength = encodeInto(decodeBuffer);
        final int reason = decoder.wrap(decodeBuffer, 0, decodeLength);
        if (reason != RejectReason.NONE.code())
        {
            throw new IllegalStateException(packet + " does not decode: reason " + reason);
        }
    }

    @Benchmark
    public int encode()
    {
        seq++;
        return encodeInto(encodeBuffer);
    }

    @Benchmark
    public long decode()
    {
        final int reason = decoder.wrap(decodeBuffer, 0, decodeLength);
        if (reason != RejectReason.NONE.code())
        {
            throw new IllegalStateException("rejected: " + reason);
        }
        // The fields Connection.onPacket reads, so a decoder that skipped work would show up here.
        long fields = decoder.type() + decoder.destinationId() + decoder.seq() + decoder.timestamp() + decoder.flags();
        if (!decoder.isCompact())
        {
            fields += decoder.sourceId() + decoder.ack() + decoder.window() + decoder.timestampEcho();
        }
        for (int i = 0, count = decoder.sackCount(); i < count; i++)
        {
            fields += decoder.sackStart(i) ^ decoder.sackEnd(i);
        }
        if (decoder.payloadLength() > 0)
        {
            fields += decoder.payloadIndex() + decoder.messageLength() + decoder.fragmentOffset();
        }
        return fields;
    }

    private int encodeInto(final MutableDirectBuffer buffer)
    {
        if (continuation)
        {
            encoder.wrapContinuation(buffer, 0)
                .flags(flags)
                .destinationId(0x1234_5678)
                .seq(seq)
                .timestamp(seq * 3);
            buffer.putBytes(encoder.payloadIndex(), payload, 0, payloadLength);
            return encoder.seal(payloadLength);
        }
        if (compact)
        {
            encoder.wrapCompact(buffer, 0)
                .flags(flags)
                .destinationId(0x1234_5678)
                .seq(seq)
                .timestamp(seq * 3)
                .messageLength(payloadLength)
                .fragmentOffset(0);
            buffer.putBytes(encoder.payloadIndex(), payload, 0, payloadLength);
            return encoder.seal(payloadLength);
        }
        encoder.wrap(buffer, 0)
            .type(type)
            .flags(flags)
            .destinationId(0x1234_5678)
            .sourceId(0x0BAD_CAFE)
            .seq(seq)
            .ack(77_000)
            .window(256)
            .timestamp(seq * 3)
            .timestampEcho(seq * 5);
        if (type == PacketType.SYN || type == PacketType.SYN_ACK)
        {
            encoder.messageLength(MAX_SEGMENT_PAYLOAD);
        }
        else if (type == PacketType.DATA)
        {
            encoder.messageLength(payloadLength).fragmentOffset(0);
        }
        for (int i = 0; i < sackBlocks; i++)
        {
            encoder.sack(i, 77_010 + 10 * i, 77_015 + 10 * i);
        }
        if ((flags & PacketLayout.FLAG_COOKIE) != 0)
        {
            buffer.putBytes(encoder.cookieIndex(), cookie, 0, PacketLayout.COOKIE_LENGTH);
        }
        if (payloadLength > 0)
        {
            buffer.putBytes(encoder.payloadIndex(), payload, 0, payloadLength);
        }
        return encoder.seal(payloadLength);
    }

    private static int typeOf(final String packet)
    {
        switch (packet)
        {
            case "SYN": return PacketType.SYN;
            case "SYN_ACK": return PacketType.SYN_ACK;
            case "ACK":
            case "ACK_SACK4": return PacketType.ACK;
            case "DATA_32":
            case "DATA_1400":
            case "DATA_1400_COMPACT":
            case "DATA_1400_CONTINUATION": return PacketType.DATA;
            case "FIN": return PacketType.FIN;
            case "RST": return PacketType.RST;
            case "PING": return PacketType.PING;
            default: throw new IllegalArgumentException("unknown packet " + packet);
        }
    }

    private static UnsafeBuffer directBuffer()
    {
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(PacketLayout.MAX_DATAGRAM_LENGTH + 64, 64));
    }
}
