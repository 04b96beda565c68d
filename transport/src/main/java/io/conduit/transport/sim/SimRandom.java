package io.conduit.transport.sim;

import java.util.SplittableRandom;

import org.agrona.MutableDirectBuffer;

/**
 * The only source of randomness in a simulated run: a {@link SplittableRandom} seeded from the run seed. Children
 * made with {@link #split()} are themselves deterministic, so a run is a tree of streams rooted at one seed and
 * replays exactly when the same calls are made in the same order. Not thread-safe: one run, one thread.
 */
public final class SimRandom
{
    private final SplittableRandom random;

    public SimRandom(final long seed)
    {
        this(new SplittableRandom(seed));
    }

    private SimRandom(final SplittableRandom random)
    {
        this.random = random;
    }

    /** A new independent stream whose values are fully determined by this stream's state. */
    public SimRandom split()
    {
        return new SimRandom(random.split());
    }

    public long nextLong()
    {
        return random.nextLong();
    }

    /** Uniform in {@code [0, bound)}; {@code bound} must be positive. */
    public long nextLong(final long bound)
    {
        return random.nextLong(bound);
    }

    /** Uniform in {@code [origin, bound)}; {@code origin} must be less than {@code bound}. */
    public long nextLong(final long origin, final long bound)
    {
        return random.nextLong(origin, bound);
    }

    /** Uniform in {@code [0, maxInclusive]}; {@code maxInclusive} must not be negative. */
    public long nextLongInclusive(final long maxInclusive)
    {
        if (maxInclusive < 0)
        {
            throw new IllegalArgumentException("maxInclusive must not be negative: " + maxInclusive);
        }
        // Long.MAX_VALUE + 1 would overflow, and every non-negative long is then a valid draw.
        return maxInclusive == Long.MAX_VALUE ? random.nextLong() & Long.MAX_VALUE : random.nextLong(maxInclusive + 1);
    }

    public int nextInt()
    {
        return random.nextInt();
    }

    /** Uniform in {@code [0, bound)}; {@code bound} must be positive. */
    public int nextInt(final int bound)
    {
        return random.nextInt(bound);
    }

    /** Uniform in {@code [origin, bound)}; {@code origin} must be less than {@code bound}. */
    public int nextInt(final int origin, final int bound)
    {
        return random.nextInt(origin, bound);
    }

    /** Uniform in {@code [0, 1)}. */
    public double nextDouble()
    {
        return random.nextDouble();
    }

    public boolean nextBoolean()
    {
        return random.nextBoolean();
    }

    /**
     * True with the given probability in {@code [0, 1]}. Always consumes one draw, so the stream position does not
     * depend on the probability's value.
     */
    public boolean nextBoolean(final double probability)
    {
        if (!(probability >= 0.0 && probability <= 1.0))
        {
            throw new IllegalArgumentException("probability must be in [0, 1]: " + probability);
        }
        return random.nextDouble() < probability;
    }

    /** Fills {@code buffer[offset, offset + length)} with random bytes, eight at a time, without allocating. */
    public void nextBytes(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        int i = 0;
        while (i < length)
        {
            long bits = random.nextLong();
            final int end = Math.min(length, i + Long.BYTES);
            while (i < end)
            {
                buffer.putByte(offset + i, (byte)bits);
                bits >>>= Byte.SIZE;
                i++;
            }
        }
    }
}
