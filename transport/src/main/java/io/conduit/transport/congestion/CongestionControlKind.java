package io.conduit.transport.congestion;

/**
 * The congestion controllers a connection can be configured with; the engine depends only on
 * {@link CongestionControl}, so adding one is a new constant here.
 */
public enum CongestionControlKind
{
    /** RFC 5681 with RFC 6582/6675 recovery; see {@link NewReno}. */
    NEW_RENO
    {
        @Override
        public CongestionControl create(final int maxSegmentBytes, final CongestionConfig cfg)
        {
            return new NewReno(maxSegmentBytes, cfg);
        }
    },

    /** RFC 9438 window growth with NewReno's slow start and recovery semantics; see {@link Cubic}. */
    CUBIC
    {
        @Override
        public CongestionControl create(final int maxSegmentBytes, final CongestionConfig cfg)
        {
            return new Cubic(maxSegmentBytes, cfg);
        }
    },

    /** Model-based: bandwidth and min-RTT estimates set pacing rate and window (BBRv3 draft); see {@link Bbr}. */
    BBR
    {
        @Override
        public CongestionControl create(final int maxSegmentBytes, final CongestionConfig cfg)
        {
            return new Bbr(maxSegmentBytes, cfg);
        }
    };

    /**
     * Build a controller for one connection. Done once per connection, not on the hot path.
     *
     * @param maxSegmentBytes SMSS: the largest payload one packet carries, positive.
     * @param cfg             tunables, copied.
     * @return a controller in its initial state.
     */
    public abstract CongestionControl create(int maxSegmentBytes, CongestionConfig cfg);
}
