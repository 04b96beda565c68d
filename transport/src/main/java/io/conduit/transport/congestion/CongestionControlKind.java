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
    },

    /**
     * BBR with BBRv1's behaviour: loss leaves the model alone (recovery only) and bandwidth is probed every eight
     * round trips. Linux's {@code tcp_bbr} is BBRv1, and a BBRv3 flow yields most of a shared bottleneck to it
     * (about a fifth, through tools/linkemu); this one shares evenly, and keeps its rate under heavy random loss. Like
     * BBRv1 it also crowds out loss-based flows such as CUBIC on shallow buffers; see {@link Bbr}.
     */
    BBR_V1
    {
        @Override
        public CongestionControl create(final int maxSegmentBytes, final CongestionConfig cfg)
        {
            return new Bbr(maxSegmentBytes, cfg, false);
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
