package io.conduit.transport.codec;

/**
 * RFC 1982 serial-number arithmetic on the header's 32-bit sequence numbers: comparisons stay correct across
 * wraparound as long as the two numbers are less than 2^31 apart, which the window limits guarantee.
 */
public final class SerialNumber
{
    private SerialNumber()
    {
    }

    /** Signed distance from {@code from} to {@code to}: positive when {@code to} is after {@code from}. */
    public static int distance(final int from, final int to)
    {
        return to - from;
    }

    /** RFC 1982 §3.2: {@code a < b}. */
    public static boolean lessThan(final int a, final int b)
    {
        return a - b < 0;
    }

    public static boolean lessThanOrEqual(final int a, final int b)
    {
        return a - b <= 0;
    }

    public static boolean greaterThan(final int a, final int b)
    {
        return a - b > 0;
    }

    public static boolean greaterThanOrEqual(final int a, final int b)
    {
        return a - b >= 0;
    }

    /** {@code start <= seq < end} in serial order. */
    public static boolean inRange(final int seq, final int start, final int end)
    {
        return seq - start >= 0 && seq - end < 0;
    }

    public static int max(final int a, final int b)
    {
        return a - b >= 0 ? a : b;
    }
}
