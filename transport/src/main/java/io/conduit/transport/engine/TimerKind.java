package io.conduit.transport.engine;

/**
 * A connection's timers: one deadline slot each in a {@code long[]}, recomputed from state rather than scheduled
 * and cancelled, so there is nothing to leak. Deadlines compare wrap-safely ({@code deadlineNs - nowNs <= 0}).
 */
public final class TimerKind
{
    /** RFC 6298 retransmission timer, also drives SYN and cookie-echo retransmission. */
    public static final int RETRANSMIT = 0;
    /** RFC 1122 §4.2.3.2 delayed acknowledgement. */
    public static final int DELAYED_ACK = 1;
    /** Zero-window probe (RFC 9293 §3.8.6.1). */
    public static final int PERSIST = 2;
    /** Idle keepalive probe and dead-peer detection. */
    public static final int KEEPALIVE = 3;
    /** 2 x MSL in TIME-WAIT. */
    public static final int TIME_WAIT = 4;
    /** RACK reordering timer (RFC 8985 §6.3): declares a segment lost once it is overdue by RTT + reorder window. */
    public static final int REORDER = 5;
    /** Tail loss probe (RFC 8985 §7): after about two RTTs of silence, resend the last segment to draw an ACK. */
    public static final int TAIL_PROBE = 6;
    /** Path MTU discovery's probe timer and PMTU_RAISE_TIMER (RFC 8899 §5.1.1). */
    public static final int PATH_MTU = 7;
    /** Pacing release (see {@link io.conduit.transport.congestion.Pacer}): the next data packet may leave. */
    public static final int PACING = 8;
    public static final int COUNT = 9;

    /** A deadline slot with nothing scheduled. */
    public static final long NONE = Long.MAX_VALUE;

    private TimerKind()
    {
    }

    public static String name(final int kind)
    {
        switch (kind)
        {
            case RETRANSMIT: return "retransmit";
            case DELAYED_ACK: return "delayed-ack";
            case PERSIST: return "persist";
            case KEEPALIVE: return "keepalive";
            case TIME_WAIT: return "time-wait";
            case REORDER: return "reorder";
            case TAIL_PROBE: return "tail-probe";
            case PATH_MTU: return "path-mtu";
            case PACING: return "pacing";
            default: return "unknown";
        }
    }
}
