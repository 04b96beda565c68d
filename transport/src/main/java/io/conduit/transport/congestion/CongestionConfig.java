package io.conduit.transport.congestion;

/**
 * Tunables shared by every {@link CongestionControl}, set fluently and copied by the controller at creation, so
 * changing a config afterwards never alters a running connection.
 * <p>
 * Each setter checks its own range; how the values relate to each other and to the segment size is checked when a
 * controller is created, because only then is the segment size known.
 */
public final class CongestionConfig
{
    /** RFC 6928: ten segments. */
    public static final int DEFAULT_INITIAL_WINDOW_SEGMENTS = 10;
    /** RFC 5681 §3.1 eq. 4: the window after a loss never drops below two segments. */
    public static final int DEFAULT_MINIMUM_WINDOW_SEGMENTS = 2;
    /** 64 MiB: a 10 Gbit/s path with a 50 ms round trip needs about 60 MiB in flight. */
    public static final long DEFAULT_MAXIMUM_WINDOW_BYTES = 64L * 1024 * 1024;
    /** RFC 9438 §5.1 / §4.6: CUBIC keeps 70% of the window on a congestion event. */
    public static final double DEFAULT_CUBIC_BETA = 0.7;
    /** RFC 9438 §5.1 / §4.2: the cubic scaling constant C, in segments per second cubed. */
    public static final double DEFAULT_CUBIC_C = 0.4;

    private int initialWindowSegments = DEFAULT_INITIAL_WINDOW_SEGMENTS;
    private int minimumWindowSegments = DEFAULT_MINIMUM_WINDOW_SEGMENTS;
    private long maximumWindowBytes = DEFAULT_MAXIMUM_WINDOW_BYTES;
    private double cubicBeta = DEFAULT_CUBIC_BETA;
    private double cubicC = DEFAULT_CUBIC_C;
    private boolean cubicFastConvergence = true;
    private boolean cubicRenoFriendly = true;
    private boolean pacing = true;
    private boolean hyStart = true;

    /**
     * @return the window a new connection starts with, in segments.
     */
    public int initialWindowSegments()
    {
        return initialWindowSegments;
    }

    /**
     * @param segments the window a new connection starts with; at least one, and at least the minimum window when
     *                 a controller is created.
     * @return this.
     */
    public CongestionConfig initialWindowSegments(final int segments)
    {
        if (segments < 1)
        {
            throw new IllegalArgumentException("initialWindowSegments must be at least 1: " + segments);
        }
        initialWindowSegments = segments;
        return this;
    }

    /**
     * @return the floor of the window after a loss-recovery reduction, in segments.
     */
    public int minimumWindowSegments()
    {
        return minimumWindowSegments;
    }

    /**
     * @param segments the floor of the window and of ssthresh after a loss; at least two, because RFC 5681 §3.1
     *                 eq. 4 never sets ssthresh below 2*SMSS. Only the 1*SMSS loss window after a retransmission
     *                 timeout goes lower.
     * @return this.
     */
    public CongestionConfig minimumWindowSegments(final int segments)
    {
        if (segments < 2)
        {
            throw new IllegalArgumentException("minimumWindowSegments must be at least 2: " + segments);
        }
        minimumWindowSegments = segments;
        return this;
    }

    /**
     * @return the ceiling of the window, in bytes.
     */
    public long maximumWindowBytes()
    {
        return maximumWindowBytes;
    }

    /**
     * @param bytes the ceiling of the window; positive, and at least the initial window when a controller is
     *              created.
     * @return this.
     */
    public CongestionConfig maximumWindowBytes(final long bytes)
    {
        if (bytes < 1)
        {
            throw new IllegalArgumentException("maximumWindowBytes must be positive: " + bytes);
        }
        maximumWindowBytes = bytes;
        return this;
    }

    /**
     * @return CUBIC's multiplicative decrease factor beta_cubic (RFC 9438 §4.6).
     */
    public double cubicBeta()
    {
        return cubicBeta;
    }

    /**
     * @param beta the fraction of the window CUBIC keeps on a congestion event, strictly between 0 and 1.
     * @return this.
     */
    public CongestionConfig cubicBeta(final double beta)
    {
        // Written so that NaN fails too.
        if (!(beta > 0 && beta < 1))
        {
            throw new IllegalArgumentException("cubicBeta must be between 0 and 1 exclusive: " + beta);
        }
        cubicBeta = beta;
        return this;
    }

    /**
     * @return CUBIC's scaling constant C in segments per second cubed (RFC 9438 §4.2).
     */
    public double cubicC()
    {
        return cubicC;
    }

    /**
     * @param c how aggressively CUBIC probes beyond W_max; positive and finite.
     * @return this.
     */
    public CongestionConfig cubicC(final double c)
    {
        if (!(c > 0 && c < Double.POSITIVE_INFINITY))
        {
            throw new IllegalArgumentException("cubicC must be positive and finite: " + c);
        }
        cubicC = c;
        return this;
    }

    /**
     * @return whether CUBIC lowers W_max when a loss comes before the previous W_max was reached (RFC 9438 §4.7).
     */
    public boolean cubicFastConvergence()
    {
        return cubicFastConvergence;
    }

    /**
     * @param enabled fast convergence on or off; on by default, as RFC 9438 §4.7 recommends.
     * @return this.
     */
    public CongestionConfig cubicFastConvergence(final boolean enabled)
    {
        cubicFastConvergence = enabled;
        return this;
    }

    /**
     * @return whether CUBIC grows at least as fast as Reno would in the same conditions (RFC 9438 §4.3).
     */
    public boolean cubicRenoFriendly()
    {
        return cubicRenoFriendly;
    }

    /**
     * @param enabled the Reno-friendly region (the TCP-friendly region of RFC 8312) on or off; on by default.
     * @return this.
     */
    public CongestionConfig cubicRenoFriendly(final boolean enabled)
    {
        cubicRenoFriendly = enabled;
        return this;
    }

    /**
     * @return whether window-based controllers (NewReno, CUBIC) pace their packets; BBR always does.
     */
    public boolean pacing()
    {
        return pacing;
    }

    /**
     * @param enabled pacing of NewReno and CUBIC at cwnd/SRTT with Linux's headroom (see {@link Pacer}); on by
     *                default, off gives the classic ACK-clocked bursts.
     * @return this.
     */
    public CongestionConfig pacing(final boolean enabled)
    {
        pacing = enabled;
        return this;
    }

    /**
     * @return whether NewReno and CUBIC leave slow start on a rising RTT (HyStart++, RFC 9406) or an ACK train that
     * spans the path (HyStart, as Linux CUBIC); see {@link HyStart}.
     */
    public boolean hyStart()
    {
        return hyStart;
    }

    /**
     * @param enabled HyStart on (the default, as RFC 9406 §4 recommends) or off (classic slow start until loss).
     * @return this.
     */
    public CongestionConfig hyStart(final boolean enabled)
    {
        hyStart = enabled;
        return this;
    }

    @Override
    public String toString()
    {
        return "CongestionConfig{initialWindowSegments=" + initialWindowSegments +
            ", minimumWindowSegments=" + minimumWindowSegments +
            ", maximumWindowBytes=" + maximumWindowBytes +
            ", cubicBeta=" + cubicBeta +
            ", cubicC=" + cubicC +
            ", cubicFastConvergence=" + cubicFastConvergence +
            ", cubicRenoFriendly=" + cubicRenoFriendly +
            ", pacing=" + pacing +
            ", hyStart=" + hyStart + '}';
    }

    /**
     * Checks the window settings against a segment size (SMSS) and returns the initial window in bytes; every
     * controller's constructor starts here, so a bad combination fails the same way whichever is chosen.
     */
    public long initialWindowBytes(final int maxSegmentBytes)
    {
        if (maxSegmentBytes <= 0)
        {
            throw new IllegalArgumentException("maxSegmentBytes must be positive: " + maxSegmentBytes);
        }
        if (initialWindowSegments() < minimumWindowSegments())
        {
            throw new IllegalArgumentException("initial window below the minimum window: " + this);
        }
        final long initialBytes = (long)initialWindowSegments() * maxSegmentBytes;
        if (maximumWindowBytes() < initialBytes)
        {
            throw new IllegalArgumentException(
                "maximum window below the initial window of " + initialBytes + " bytes: " + this);
        }
        return initialBytes;
    }
}
