package io.conduit.transport.engine;

import java.util.SplittableRandom;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A deterministic message workload for one direction: message {@code i} has a length and content derived from the
 * seed, so the receiver verifies every byte without keeping a copy. Lengths are log-uniform in
 * [1, maxLength]: every size class from one byte to many segments is exercised.
 */
public final class TransferScenario
{
    private final long contentSeed;
    private final int[] lengths;
    private final UnsafeBuffer scratch;
    private int offered;
    private int received;
    private long bytesReceived;

    public TransferScenario(final long seed, final int messages, final int maxLength)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        this.contentSeed = random.nextLong();
        this.lengths = new int[messages];
        final double logMax = Math.log(maxLength);
        int longest = 1;
        for (int i = 0; i < messages; i++)
        {
            lengths[i] = Math.max(1, Math.min(maxLength, (int)Math.exp(random.nextDouble() * logMax)));
            longest = Math.max(longest, lengths[i]);
        }
        this.scratch = new UnsafeBuffer(new byte[longest]);
    }

    public int messages()
    {
        return lengths.length;
    }

    public int offered()
    {
        return offered;
    }

    public int received()
    {
        return received;
    }

    public long bytesReceived()
    {
        return bytesReceived;
    }

    public boolean allOffered()
    {
        return offered == lengths.length;
    }

    public boolean allReceived()
    {
        return received == lengths.length;
    }

    private static byte contentByte(final long messageSeed, final int index)
    {
        long z = messageSeed + index * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 29)) * 0xBF58476D1CE4E5B9L;
        return (byte)(z >>> 56);
    }

    private long messageSeed(final int message)
    {
        return contentSeed ^ (message * 0xD1B54A32D192ED03L);
    }

    /** Offers as many messages as the connection accepts now; returns how many. */
    public int offerAll(final Connection connection)
    {
        int count = 0;
        while (offered < lengths.length)
        {
            final int length = lengths[offered];
            final long messageSeed = messageSeed(offered);
            for (int i = 0; i < length; i++)
            {
                scratch.putByte(i, contentByte(messageSeed, i));
            }
            final long result = connection.offer(scratch, 0, length);
            if (result == Connection.BACK_PRESSURED)
            {
                break;
            }
            if (result < 0)
            {
                throw new AssertionError("offer failed with " + result + " on " + connection);
            }
            offered++;
            count++;
        }
        return count;
    }

    /** The receiving side's handler: verifies order, length and every byte. */
    public boolean verify(final DirectBuffer buffer, final int offset, final int length)
    {
        if (received >= lengths.length)
        {
            throw new AssertionError("extra message #" + received + " of " + length + " bytes");
        }
        if (length != lengths[received])
        {
            throw new AssertionError("message #" + received + ": length " + length + ", expected " + lengths[received]);
        }
        final long messageSeed = messageSeed(received);
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(offset + i) != contentByte(messageSeed, i))
            {
                throw new AssertionError("message #" + received + " differs at byte " + i);
            }
        }
        received++;
        bytesReceived += length;
        return true;
    }
}
